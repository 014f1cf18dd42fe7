/**
 * Team drills (issue 17): `runbook drill … --store postgres://…` against a real PostgreSQL 15 —
 * the journal and the scorecard are in the shared store, an attached operator sees the drill's
 * events, and a kill -9 of the drill runner in the middle of the revoke fan-out is taken over by
 * the same command once the lease expires, with each leaked token revoked exactly once in the
 * drill world.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cli, cliAsync, ROOT } from '../e2e/cli.js';
import type { PgServer } from './pg-server.mjs';
import { useTeamStore } from './store.js';

let db: PgServer;
useTeamStore((server) => (db = server));
const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const GH = join(ROOT, 'runbooks', 'github-token-leak.yaml');
const T = 180_000;
const env = () => ({ ...db.env, RUNBOOK_LEASE_MS: '1500' });
const drillArgs = (state: string, id: string, ...more: string[]) => ['drill', GH, '--store', db.url, '--incident', id, '--state-dir', state, '--yes', '--non-interactive', '--speed', '0', ...more];

async function records(id: string): Promise<Array<{ seq: number; generation: number | null; type: string; line: string }>> {
  const { rows } = await db.db.query('SELECT seq::int, generation::int, type, line FROM runbook_records WHERE incident = $1 ORDER BY seq', [id]);
  return rows as Array<{ seq: number; generation: number | null; type: string; line: string }>;
}
async function waitFor(ok: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 120_000;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
/** The incident's lease has expired, or was released (NULL). */
async function leaseFree(id: string): Promise<void> {
  await waitFor(async () => {
    const { rows } = await db.db.query<{ expired: boolean }>('SELECT lease_expires IS NULL OR lease_expires < now() AS expired FROM runbook_incidents WHERE id = $1', [id]);
    return rows[0]?.expired === true;
  }, 'the lease to expire');
}
const parsed = async (id: string) => (await records(id)).map((r) => JSON.parse(r.line) as Record<string, any>);
const scorecard = async (id: string) => (await parsed(id)).filter((r) => r.type === 'scorecard').at(-1)?.data as Record<string, any> | undefined;
/** The drill world's effects log: on the runner's machine, under the state dir. */
function effects(state: string, id: string): Array<Record<string, any>> {
  const f = join(state, 'team', id, 'drill', 'effects.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>) : [];
}

describe('runbook drill --store', () => {
  it('runs to the end through the shared store: status shows it done, the scorecard is a record in the database', async () => {
    const state = mkdtempSync(join(tmpdir(), 'runbook-tdrill-'));
    const r = cli(drillArgs(state, 'td1'), { cwd: state, env: env(), timeout: T });
    expect(r.code, r.stderr).toBe(0);
    const st = cli(['status', 'td1', '--store', db.url], { cwd: state, env: env() });
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toMatch(/\[DRILL\]/);
    expect(st.stdout).toMatch(/^ {2}state: done$/m);
    expect(st.stdout).toMatch(/journal: ok: hash chain verified/);
    expect(st.stdout).toMatch(/✓ revoke-tokens +ok/);
    const sc = await scorecard('td1');
    expect(sc).toMatchObject({ scenario: 'github-token-leak', status: 'done', leaked: 2, leaked_dead: 2, duplicate_effects: [], items_in_doubt: [] });
    // the world the drill acted on is on the runner's machine, beside the store's seal key
    expect(effects(state, 'td1').filter((e) => e.op === 'github revokeCredentials')).toHaveLength(1);
  }, T);

  it('kill -9 of the drill runner mid-revoke: the same command takes over after expiry, each leaked token is revoked once; attach sees it all', async () => {
    const state = mkdtempSync(join(tmpdir(), 'runbook-tdrill-'));
    // the revoke answers late, so the runner is killed with the call in flight
    const faults = ['--faults', 'github.revokeCredentials:latency=3s'];
    const a = cliAsync(drillArgs(state, 'td2', ...faults, '--operator', 'alice@soc'), { cwd: state, env: env() });
    started.push(a.child);
    await waitFor(async () => (await records('td2')).some((r) => r.type === 'intent'), 'the drill to open its incident in the store');
    // an operator at another terminal attaches (piped: the text mode)
    let seen = '';
    const attach = spawn(process.execPath, [CLI, 'attach', 'td2', '--store', db.url, '--operator', 'bob@soc'], { cwd: state, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env() }, stdio: ['pipe', 'pipe', 'pipe'] });
    started.push(attach);
    attach.stdout.on('data', (d) => (seen += d));
    const attachDone = new Promise<number | null>((resolve) => attach.on('close', (code) => resolve(code)));
    await waitFor(async () => (await records('td2')).some((r) => r.type === 'intent' && r.line.includes('"step":"revoke-tokens"')), 'the intent of a revoke');
    a.child.kill('SIGKILL');
    const ra = await a.done;
    expect(ra.signal).toBe('SIGKILL');
    await leaseFree('td2');
    const b = cli(drillArgs(state, 'td2', ...faults, '--operator', 'carol@soc'), { cwd: state, env: env(), timeout: T });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/lease \(generation 1\) expired at .* without a heartbeat/);
    const recs = await records('td2');
    expect(recs.filter((r) => r.type === 'lock.broken')).toHaveLength(1);
    expect(recs.map((r) => r.seq)).toEqual(recs.map((_, i) => i + 1));
    // the drill world: one revoke call for the leaked live token, none repeated
    const fx = effects(state, 'td2');
    expect(fx.filter((e) => e.op === 'github revokeCredentials')).toHaveLength(1);
    const sc = await scorecard('td2');
    expect(sc).toMatchObject({ status: 'done', leaked: 2, leaked_dead: 2, duplicate_effects: [], items_in_doubt: [] });
    expect(await attachDone).toBe(0);
    // the call was in flight (the world answers it 3 s late, before applying it): the world never
    // saw it, so the takeover verified the token still live and revoked it — once in the world
    expect(seen).toMatch(/alice@soc intent revoke-tokens\/acme\/api#1 gh\.revokeCredentials \(attempt 1\)/);
    expect(seen).toMatch(/carol@soc lock\.broken/);
    expect(seen).toMatch(/carol@soc verify revoke-tokens\/acme\/api#1/);
    expect(seen).toMatch(/carol@soc note drill: adversary github\.read_repo/);
    expect(seen).toMatch(/carol@soc run\.stopped done$/m);
  }, 2 * T);

  it('kill -9 after the world revoked the token, before the outcome was journalled: the takeover verifies it revoked and calls nothing again', async () => {
    const state = mkdtempSync(join(tmpdir(), 'runbook-tdrill-'));
    // the third outcome is the revoke's: the process kills itself (SIGKILL) once the world has
    // applied the revoke and answered, before the outcome reaches the store
    const a = cli(drillArgs(state, 'td3', '--operator', 'alice@soc'), { cwd: state, env: { ...env(), RUNBOOK_CRASH_AT: 'before-outcome#3' }, timeout: T });
    expect(a.signal, a.stderr).toBe('SIGKILL');
    expect(effects(state, 'td3').filter((e) => e.op === 'github revokeCredentials')).toHaveLength(1);
    const before = await parsed('td3');
    expect(before.at(-1)).toMatchObject({ type: 'intent', step: 'revoke-tokens' });
    await leaseFree('td3');
    // a responder on another machine (another state dir) cannot take the drill over: the world
    // the drill acted on lives on the first runner's machine — refused, nothing written
    const other = mkdtempSync(join(tmpdir(), 'runbook-tdrill-other-'));
    const elsewhere = cli(drillArgs(other, 'td3', '--operator', 'bob@soc'), { cwd: other, env: env(), timeout: T });
    expect(elsewhere.code, elsewhere.stderr).toBe(1);
    expect(elsewhere.stderr).toContain('the drill world of this incident is missing');
    expect(elsewhere.stderr).toContain('A drill is resumed only in the world it acted on');
    expect(await parsed('td3')).toHaveLength(before.length);
    // it released the lease it took on the way out
    await leaseFree('td3');
    const b = cli(drillArgs(state, 'td3', '--operator', 'carol@soc'), { cwd: state, env: env(), timeout: T });
    expect(b.code, b.stderr).toBe(0);
    const recs = await parsed('td3');
    const revokes = recs.filter((r) => r.step === 'revoke-tokens');
    expect(revokes.filter((r) => r.type === 'intent')).toHaveLength(1);
    expect(revokes.find((r) => r.type === 'verify')).toBeDefined();
    expect(effects(state, 'td3').filter((e) => e.op === 'github revokeCredentials')).toHaveLength(1);
    expect(await scorecard('td3')).toMatchObject({ status: 'done', leaked_dead: 2, duplicate_effects: [], items_in_doubt: [] });
  }, 2 * T);
});
