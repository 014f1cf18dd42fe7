/**
 * The shared store for team tests: a real PostgreSQL 15 (./pg-server.mjs) with the journal
 * schema, started (and the CLI built) before the file's tests and stopped after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { ensureBuilt } from '../e2e/cli.js';
import { startPg, pgAvailable, type PgServer } from './pg-server.mjs';
import { PG_GRANTS_SQL, PG_SCHEMA_SQL } from '../../src/core/journal/pg-schema.js';

/** Registers the hooks; `started` receives the server once it is up. */
export function useTeamStore(started: (db: PgServer) => void): void {
  let db: PgServer | undefined;
  beforeAll(async () => {
    if (!pgAvailable()) throw new Error('PostgreSQL is not installed (apt-get install postgresql); .ci/run installs it');
    ensureBuilt();
    db = await startPg({ schemaSql: PG_SCHEMA_SQL, grantsSql: PG_GRANTS_SQL });
    started(db);
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
  });
}
