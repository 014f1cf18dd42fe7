import type pg from 'pg';
export declare const PG_BIN: string;
export declare function pgAvailable(): boolean;
export interface PgServer {
  port: number;
  dir: string;
  url: string;
  password: string;
  env: { PGPASSWORD: string; RUNBOOK_STORE: string };
  db: pg.Client;
  dump(): string;
  restart(): void;
  stop(): Promise<void>;
}
export declare function startPg(opts: { schemaSql: string; grantsSql: string; password?: string }): Promise<PgServer>;
