/**
 * Team mode against a real PostgreSQL 15 (test/team/pg-server.mjs starts one per file): the
 * shared journal's lease and fencing with real runner processes (the built CLI), a killed
 * connection, a restarted server, and a canary scan of a dump of the database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { cli, cliAsync, ROOT, until } from '../e2e/cli.js';
import type { PgServer } from './pg-server.mjs';
import { useTeamStore } from './store.js';

let db: PgServer;
const started: ChildProcess[] = [];

useTeamStore((server) => (db = server));
afterEach(() => {
  for (const c of started.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    }
  }
});

const FIXTURE = join(ROOT, 'test', 'team', 'fixtures', 'team-effect.yaml');
const LEASE_MS = '1500';

function ws() {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-team-'));
  copyFileSync(FIXTURE, join(dir, 'team-effect.yaml'));
  return { dir, state: join(dir, 'state'), go: join(dir, 'go'), fx: join(dir, 'effects') };
}
type Ws = ReturnType<typeof ws>;
const env = (extra: Record<string, string> = {}) => ({ ...db.env, RUNBOOK_LEASE_MS: LEASE_MS, ...extra });
const args = (w: Ws, id: string, ...more: string[]) => ['run', 'team-effect.yaml', '--incident', id, '--state-dir', w.state, '--input', `go=${w.go}`, '--input', `effects=${w.fx}`, ...more];
const effects = (w: Ws) => (existsSync(w.fx) ? readFileSync(w.fx, 'utf8').split('\n').filter(Boolean) : []);

async function records(id: string): Promise<Array<{ seq: number; generation: number | null; type: string; line: string }>> {
  const { rows } = await db.db.query('SELECT seq::int, generation::int, type, line FROM runbook_records WHERE incident = $1 ORDER BY seq', [id]);
  return rows as Array<{ seq: number; generation: number | null; type: string; line: string }>;
}
async function hasRecord(id: string, pattern: string): Promise<boolean> {
  const { rows } = await db.db.query('SELECT 1 FROM runbook_records WHERE incident = $1 AND line LIKE $2', [id, `%${pattern}%`]);
  return rows.length > 0;
}
async function waitRecord(id: string, pattern: string, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!(await hasRecord(id, pattern))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function leaseExpired(id: string): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    const { rows } = await db.db.query<{ expired: boolean }>('SELECT lease_expires < now() AS expired FROM runbook_incidents WHERE id = $1', [id]);
    if (rows[0]?.expired) return;
    if (Date.now() > end) throw new Error('timed out waiting for the lease to expire');
    await new Promise((r) => setTimeout(r, 50));
  }
}
function start(w: Ws, id: string, ...more: string[]) {
  const run = cliAsync(args(w, id, ...more), { cwd: w.dir, env: env() });
  started.push(run.child);
  return run;
}

describe('the lease: one runner per incident', () => {
  it('two runners racing for one new incident: exactly one runs, the other is refused (exit 4) naming the holder', async () => {
    const w = ws();
    const a = start(w, 'race');
    const b = start(w, 'race');
    const first = await Promise.race([a.done.then((r) => ({ r, who: a })), b.done.then((r) => ({ r, who: b }))]);
    expect(first.r.code, first.r.stderr).toBe(4);
    expect(first.r.stderr).toMatch(/incident race is locked by pid \d+/);
    expect(first.r.stderr).toMatch(/lease \(generation 1\) runs until/);
    writeFileSync(w.go, '');
    writeFileSync(`${w.go}.2`, '');
    const winner = await (first.who === a ? b : a).done;
    expect(winner.code, winner.stderr).toBe(0);
    const recs = await records('race');
    expect(recs.filter((r) => r.type === 'run.started')).toHaveLength(1);
    expect(new Set(recs.map((r) => r.generation))).toEqual(new Set([1]));
    expect(effects(w)).toHaveLength(2); // effect + last, once each
  });

  it('kill -9 of the runner: the same command takes over once the lease expires; the in-doubt side effect is not repeated', async () => {
    const w = ws();
    const a = start(w, 'killed');
    await until(() => effects(w).length === 1, 60_000, 'the side effect of the first runner');
    a.child.kill('SIGKILL');
    await a.done;
    await leaseExpired('killed');
    writeFileSync(w.go, '');
    writeFileSync(`${w.go}.2`, '');
    const b = cli(args(w, 'killed'), { cwd: w.dir, env: env() });
    // the effect's intent has no outcome: in doubt, settled by the operator — never called again
    expect(b.code, b.stderr).toBe(3);
    expect(b.stderr).toMatch(/lease \(generation 1\) expired at .* without a heartbeat/);
    expect(b.stderr).toContain('--settle effect=done');
    expect(effects(w)).toHaveLength(1);
    const c = cli(args(w, 'killed', '--settle', 'effect=done'), { cwd: w.dir, env: env() });
    expect(c.code, c.stderr).toBe(0);
    expect(effects(w).filter((l) => l.startsWith('effect'))).toHaveLength(1);
    expect(effects(w).filter((l) => l.startsWith('last'))).toHaveLength(1);
    const recs = await records('killed');
    expect(recs.filter((r) => r.type === 'lock.broken')).toHaveLength(1);
    expect(recs.map((r) => r.seq)).toEqual(recs.map((_, i) => i + 1));
    expect(cli(['status', 'killed', '--store', db.url], { cwd: w.dir, env: env() }).stdout).toMatch(/journal: ok: hash chain verified through line \d+/);
  }, 90_000);

  it('SIGSTOP past expiry, another runner takes over, SIGCONT: the first is fenced — it writes nothing and calls no provider', async () => {
    const w = ws();
    writeFileSync(w.go, '');
    const a = start(w, 'paused');
    await waitRecord('paused', '"type":"intent","step":"wait"', 'the first runner to reach the step "wait"');
    a.child.kill('SIGSTOP');
    await leaseExpired('paused');
    writeFileSync(`${w.go}.2`, '');
    const b = cli(args(w, 'paused'), { cwd: w.dir, env: env() });
    expect(b.code, b.stderr).toBe(0);
    const before = (await records('paused')).length;
    a.child.kill('SIGCONT');
    const ra = await a.done;
    expect(ra.code, ra.stderr).not.toBe(0);
    expect(ra.stderr).toMatch(/fenced|taken by another runner/);
    expect(ra.stderr).toMatch(/calls nothing more/);
    // the first runner's view was stale: it called no provider (one "last" effect, the second runner's) and wrote nothing
    expect(effects(w).filter((l) => l.startsWith('last'))).toHaveLength(1);
    expect(effects(w).filter((l) => l.startsWith('effect'))).toHaveLength(1);
    expect((await records('paused')).length).toBe(before);
  });
});

describe('the database enforces the rules itself', () => {
  it("refuses a stale generation's record, an out-of-chain record, and any UPDATE/DELETE from the tool's role", async () => {
    const w = ws();
    writeFileSync(w.go, '');
    writeFileSync(`${w.go}.2`, '');
    expect(cli(args(w, 'rules'), { cwd: w.dir, env: env() }).code).toBe(0);
    expect(cli(args(w, 'rules'), { cwd: w.dir, env: env() }).code).toBe(0); // a second run: generation 2
    const c = new pg.Client({ host: '127.0.0.1', port: db.port, user: 'runbook', database: 'runbook', password: db.password });
    await c.connect();
    try {
      const head = (await c.query<{ head_seq: string; head_hash: string }>("SELECT head_seq, head_hash FROM runbook_incidents WHERE id = 'rules'")).rows[0]!;
      const ins = (generation: number | null, type: string, seq = Number(head.head_seq) + 1, prev = head.head_hash) =>
        c.query('INSERT INTO runbook_records (incident, seq, generation, type, op, ts, prev, hash, line) VALUES ($1,$2,$3,$4,$5,now(),$6,$7,$8)', ['rules', seq, generation, type, 'x@y', prev, 'h', '{}']);
      await expect(ins(1, 'intent')).rejects.toThrow(/fenced: lease generation 1 is not the current generation 2/);
      await expect(ins(null, 'intent')).rejects.toThrow(/needs the lease/);
      await expect(ins(2, 'note', Number(head.head_seq) + 2)).rejects.toThrow(/does not follow the head/);
      await expect(c.query("UPDATE runbook_records SET line = '{}' WHERE incident = 'rules'")).rejects.toThrow(/permission denied/);
      await expect(c.query("DELETE FROM runbook_records WHERE incident = 'rules'")).rejects.toThrow(/permission denied/);
    } finally {
      await c.end();
    }
    // even the owner cannot rewrite a record
    await expect(db.db.query("UPDATE runbook_records SET line = '{}' WHERE incident = 'rules'")).rejects.toThrow(/append-only/);
  });

  it('a password in the store URL is refused before anything connects (exit 2, no echo of it)', () => {
    const w = ws();
    const r = cli([...args(w, 'pw'), '--store', db.url.replace('runbook@', 'runbook:hunter2-canary@')], { cwd: w.dir, env: { RUNBOOK_LEASE_MS: LEASE_MS } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds a password — refused/);
    expect(r.stderr).toContain('PGPASSWORD');
    expect(r.stderr + r.stdout).not.toContain('hunter2-canary');
  });
});

describe('faults of the database', () => {
  it('pg_terminate_backend and a server restart mid-step: the runner reconnects, nothing is lost, the chain is intact', async () => {
    const w = ws();
    const a = start(w, 'conn');
    await waitRecord('conn', '"type":"intent","step":"effect"', 'the runner to reach the step "effect"');
    const killed = await db.db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'runbook'");
    expect(killed.rowCount).toBeGreaterThan(0);
    writeFileSync(w.go, '');
    await waitRecord('conn', '"type":"intent","step":"wait"', 'the runner to reach the step "wait" after its connection was killed');
    await db.db.end();
    db.restart();
    db.db = new pg.Client({ host: '127.0.0.1', port: db.port, user: 'postgres', database: 'runbook' });
    await db.db.connect();
    writeFileSync(`${w.go}.2`, '');
    const r = await a.done;
    expect(r.code, r.stderr).toBe(0);
    const recs = await records('conn');
    expect(recs.map((x) => x.seq)).toEqual(recs.map((_, i) => i + 1));
    expect(recs.filter((x) => x.type === 'outcome')).toHaveLength(3);
    expect(effects(w)).toHaveLength(2);
    expect(cli(['status', 'conn', '--store', db.url], { cwd: w.dir, env: env() }).stdout).toMatch(/journal: ok: hash chain verified through line \d+/);
  }, 90_000);
});

describe('no secret value in the database', () => {
  it('a canary secret echoed in every encoding by a step appears in no table of a pg_dump', () => {
    const w = ws();
    const canary = 'hf_' + Array.from({ length: 34 }, (_, i) => 'abcdefghijkmnopqrstuvwxyzABCDEFGH'[(i * 7 + 3) % 33]).join('');
    writeFileSync(
      join(w.dir, 'canary.yaml'),
      `version: 1
id: canary
title: Canary
secrets:
  hf: { from: env, env: CANARY_HF }
providers: { sh: { type: shell } }
steps:
  - id: leak
    kind: detect
    title: Echo the secret
    uses: sh.run
    with:
      command: [node, -e, "const v = process.env.A; console.log(v); console.log(Buffer.from(v).toString('base64')); console.log(Buffer.from(v).toString('hex')); console.log(JSON.stringify({ v }))"]
      env: { A: "\${{ secrets.hf }}" }
  - id: fail
    kind: detect
    title: Fail with the secret in the output
    uses: sh.run
    on_failure: continue
    with:
      command: [node, -e, "console.error('bad token ' + process.env.A); process.exit(3)"]
      env: { A: "\${{ secrets.hf }}" }
`,
    );
    const r = cli(['run', 'canary.yaml', '--incident', 'canary', '--state-dir', w.state, '--operator', 'carol@ops'], { cwd: w.dir, env: env({ CANARY_HF: canary }) });
    expect(r.stderr).toContain('exited with code 3');
    const dump = db.dump();
    expect(dump).toContain('carol@ops');
    expect(dump).toContain('"step":"leak"');
    for (const f of [canary, Buffer.from(canary).toString('base64'), Buffer.from(canary).toString('hex'), canary.slice(3)]) expect(dump.includes(f), `a form of the canary is in the dump: ${f.slice(0, 6)}…`).toBe(false);
    expect(dump).not.toContain(db.password);
  });
});
