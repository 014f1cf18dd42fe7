/**
 * A runner that waits acts on the answers of attached operators LIVE (a real PostgreSQL 15):
 * a scripted runner with --wait-for-answers stops at a gate, a manual step and a four-eyes
 * gate, and goes on — without a restart — when another operator answers through
 * `runbook attach` or `runbook approve`; the journal and the report name who answered. A
 * four-eyes gate still refuses the runner's own approval while it waits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cli, cliAsync, ROOT, until } from '../e2e/cli.js';
import type { PgServer } from './pg-server.mjs';
import { useTeamStore } from './store.js';

let db: PgServer;
useTeamStore((server) => (db = server));
const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function ws(fixture: string) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-live-'));
  copyFileSync(join(ROOT, 'test', 'team', 'fixtures', fixture), join(dir, fixture));
  return { dir, state: join(dir, 'state'), fx: join(dir, 'effects') };
}
const effects = (fx: string) => (existsSync(fx) ? readFileSync(fx, 'utf8').split('\n').filter(Boolean) : []);

/** `runbook attach ID` with a pipe for stdin: answers typed into it as a person would. */
function attach(id: string, cwd: string, operator: string) {
  const child = spawn(process.execPath, [CLI, 'attach', id, '--operator', operator, '--exit-on-eof'], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...db.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { child, seen: () => out, type: (line: string) => child.stdin.write(`${line}\n`) };
}

describe('a waiting runner acts on answers from the shared store', () => {
  it('goes on past a gate and a manual step answered from runbook attach, naming the operator who answered', async () => {
    const w = ws('team-live.yaml');
    const runner = cliAsync(['run', 'team-live.yaml', '--incident', 'live', '--state-dir', w.state, '--input', `effects=${w.fx}`, '--operator', 'alice@soc', '--wait-for-answers', '2m'], { cwd: w.dir, env: db.env });
    started.push(runner.child);
    await until(() => /waiting up to 2m00s for an answer from the team: .* attach live/.test(runner.out().stderr), 60_000, 'the runner to wait at the gate');
    expect(runner.out().stderr).toContain('step gate (detect) needs approval');
    expect(effects(w.fx)).toEqual([]);
    const a = attach('live', w.dir, 'bob@soc');
    await until(() => a.seen().includes('attached to incident live'), 30_000, 'attach');
    a.type('approve gate');
    // the same runner process goes on: the effect behind the gate happens, then it waits at the manual step
    await until(() => effects(w.fx).length === 1 && /manual step tick is waiting/.test(runner.out().stderr), 60_000, 'the runner to pass the gate and wait at the manual step').catch((e: Error) => {
      throw new Error(`${e.message}\nrunner: ${runner.out().stderr}\nattach: ${a.seen()}`);
    });
    expect(runner.child.exitCode).toBeNull();
    a.type('done tick no use of the token after 11:02');
    const r = await runner.done;
    expect(r.code, r.stderr).toBe(0);
    expect(effects(w.fx)).toEqual(['revoked', 'last']);
    a.child.stdin.end();
    const { rows } = await db.db.query<{ op: string; type: string; line: string; generation: number | null }>("SELECT op, type, line, generation::int FROM runbook_records WHERE incident = 'live' AND type IN ('approval', 'manual') ORDER BY seq");
    // bob's answers (no lease), then the runner acting on them, naming bob and his record
    expect(rows.map((x) => [x.op, x.type, x.generation === null])).toEqual([
      ['bob@soc', 'approval', true],
      ['alice@soc', 'approval', false],
      ['bob@soc', 'manual', true],
      ['alice@soc', 'manual', false],
    ]);
    expect(JSON.parse(rows[1]!.line).via).toMatch(/^answer #\d+ by bob@soc \(runbook attach\)$/);
    expect(JSON.parse(rows[3]!.line)).toMatchObject({ note: 'no use of the token after 11:02', via: expect.stringMatching(/by bob@soc/) });
    const report = cli(['report', 'live', '--state-dir', w.state], { cwd: w.dir, env: db.env });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/approved by alice@soc via answer #\d+ by bob@soc \(runbook attach\)/);
    expect(report.stdout).toContain('no use of the token after 11:02');
  }, 180_000);

  it("a four-eyes gate waits for other operators' approvals as they come, and still refuses the runner's own", async () => {
    const w = ws('team-gate.yaml');
    const runner = cliAsync(['run', 'team-gate.yaml', '--incident', 'live-4', '--state-dir', w.state, '--input', `effects=${w.fx}`, '--operator', 'alice@soc', '--wait-for-answers', '2m'], { cwd: w.dir, env: db.env });
    started.push(runner.child);
    const hints = (re: RegExp) => runner.out().stderr.split('\n').filter((l) => re.test(l)).length;
    const needs2 = /four-eyes gate: it needs 2 more approvals by an operator other than alice@soc;/;
    await until(() => hints(needs2) === 1, 60_000, 'the runner to wait at the four-eyes gate');
    // the runner's own approval arrives while it waits: it reads the store again and still needs two
    expect(cli(['approve', 'live-4', 'gate', '--operator', 'alice@soc'], { cwd: w.dir, env: db.env }).code).toBe(0);
    await until(() => hints(needs2) === 2, 60_000, "the runner to read the runner's own approval and wait on");
    expect(effects(w.fx)).toEqual([]);
    expect(cli(['approve', 'live-4', 'gate', '--operator', 'bob@soc'], { cwd: w.dir, env: db.env }).code).toBe(0);
    await until(() => hints(/needs 1 more approval by an operator other than alice@soc \(approved so far by bob@soc\)/) === 1, 60_000, "bob's approval to count");
    expect(effects(w.fx)).toEqual([]);
    expect(runner.child.exitCode).toBeNull();
    expect(cli(['approve', 'live-4', 'gate', '--operator', 'carol@soc'], { cwd: w.dir, env: db.env }).code).toBe(0);
    const r = await runner.done;
    expect(r.code, r.stderr).toBe(0);
    expect(effects(w.fx)).toEqual(['revoked']);
    const report = cli(['report', 'live-4', '--state-dir', w.state], { cwd: w.dir, env: db.env });
    expect(report.stdout).toContain('four-eyes gate gate: approved by bob@soc, carol@soc (runner alice@soc; 2 required)');
  }, 180_000);

  it('--wait-for-answers is refused without the shared store', () => {
    const w = ws('team-live.yaml');
    const r = cli(['run', 'team-live.yaml', '--state-dir', w.state, '--input', `effects=${w.fx}`, '--wait-for-answers', '1m'], { cwd: w.dir, env: { RUNBOOK_STORE: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--wait-for-answers needs the shared store');
    const bad = cli(['run', 'team-live.yaml', '--state-dir', w.state, '--input', `effects=${w.fx}`, '--wait-for-answers', 'soon'], { cwd: w.dir, env: db.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--wait-for-answers: "soon" is not a duration');
  });
});
