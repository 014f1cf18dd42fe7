/**
 * A real PostgreSQL 15 server for tests and benches: initdb in a temporary folder (as the
 * non-root user `postgres` when run as root), started on a free 127.0.0.1 port, the runbook
 * tables created as in docs/team-mode.md, a login role `runbook` with only the grants the
 * tool needs (password auth: the password reaches the tool only through PGPASSWORD), stopped
 * and removed by stop(). child_process is fine here: tests only.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_BIN = process.env.PG_BIN ?? (() => {
  const root = '/usr/lib/postgresql';
  const v = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  return v ? join(root, v, 'bin') : '';
})();

export function pgAvailable() {
  return PG_BIN !== '' && existsSync(join(PG_BIN, 'initdb'));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const asRoot = process.getuid?.() === 0;
/** Run a PostgreSQL program as the non-root user (postgres refuses to run as root). */
function run(bin, args) {
  const cmd = asRoot ? ['runuser', '-u', 'postgres', '--', join(PG_BIN, bin), ...args] : [join(PG_BIN, bin), ...args];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 120_000, cwd: '/' });
  if (r.status !== 0) throw new Error(`${bin} failed (${r.status}): ${r.stderr || r.stdout || r.error?.message}`);
  return r.stdout;
}

/**
 * @param {{ schemaSql: string, grantsSql: string, password?: string }} opts
 */
export async function startPg(opts) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-pg-'));
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  // the superuser (test set-up and inspection) by trust; everyone else by password
  writeFileSync(join(data, 'pg_hba.conf'), 'local all postgres trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n');
  appendFileSync(join(data, 'postgresql.conf'), "\nlisten_addresses = '127.0.0.1'\nmax_connections = 60\nshared_buffers = 16MB\n");
  const port = await freePort();
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir}`, 'start']);
  const password = opts.password ?? `pw-${Math.random().toString(36).slice(2)}`;
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE runbook');
  await admin.end();
  const db = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'runbook' });
  await db.connect();
  await db.query(opts.schemaSql);
  await db.query(`CREATE ROLE runbook LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
  await db.query(opts.grantsSql.replace(/\bROLE\b(?=;)/g, 'runbook'));
  const url = `postgres://runbook@127.0.0.1:${port}/runbook`;
  return {
    port,
    dir,
    url,
    password,
    /** the environment a runbook process needs to reach the store */
    env: { PGPASSWORD: password, RUNBOOK_STORE: url },
    /** the superuser's client on the runbook database (inspection, pg_terminate_backend) */
    db,
    /** pg_dump of the runbook database, as text */
    dump() {
      return run('pg_dump', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'runbook']);
    },
    restart() {
      run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-m', 'fast', '-o', `-p ${port} -k ${dir}`, 'restart']);
    },
    async stop() {
      await this.db.end().catch(() => undefined);
      try {
        run('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
