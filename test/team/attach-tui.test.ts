/**
 * `runbook attach ID` on a terminal: the run screen fed by the shared store (a real
 * PostgreSQL 15; the attach TUI in tmux on a private server, as a person would use it). The
 * attached operator sees the runner's steps and events live, approves its gate and ticks its
 * manual step with a note — and the WAITING runner (another process) goes on without a
 * restart. A note key writes a note. A four-eyes gate still refuses the runner's own approval.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { CLI, cli, cliAsync, ROOT, until } from '../e2e/cli.js';
import { Tmux, asked, hasTmux } from '../e2e/tmux.js';
import type { PgServer } from './pg-server.mjs';
import { useTeamStore } from './store.js';

let db: PgServer;
useTeamStore((server) => (db = server));
const started: ChildProcess[] = [];
let tmux: Tmux | undefined;
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  tmux?.kill();
  tmux = undefined;
});

function ws(fixture: string) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-attach-tui-'));
  copyFileSync(join(ROOT, 'test', 'team', 'fixtures', fixture), join(dir, fixture));
  return { dir, state: join(dir, 'state'), fx: join(dir, 'effects') };
}
const effects = (fx: string) => (existsSync(fx) ? readFileSync(fx, 'utf8').split('\n').filter(Boolean) : []);
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The attach TUI of `operator` in tmux (its own private server). */
function attachTui(id: string, cwd: string, operator: string): Tmux {
  const t = new Tmux();
  tmux = t;
  const env = Object.entries(db.env).map(([k, v]) => `${k}=${q(v)}`).join(' ');
  t.start('attach', cwd, `env ${env} ${q(process.execPath)} ${q(CLI)} attach ${id} --operator ${operator}`);
  return t;
}

async function runnerWaiting(id: string, fixture: string, w: ReturnType<typeof ws>) {
  const runner = cliAsync(['run', fixture, '--incident', id, '--state-dir', w.state, '--input', `effects=${w.fx}`, '--operator', 'alice@soc', '--wait-for-answers', '3m'], { cwd: w.dir, env: db.env });
  started.push(runner.child);
  await until(() => /waiting up to 3m00s for an answer from the team/.test(runner.out().stderr), 60_000, 'the runner to wait');
  return runner;
}

describe.skipIf(!hasTmux)('runbook attach on a terminal', () => {
  it("shows the runner's checklist live; approving its gate and ticking its manual step with a note there lets the waiting runner go on", async () => {
    const w = ws('team-live.yaml');
    const runner = await runnerWaiting('tui', 'team-live.yaml', w);
    const t = attachTui('tui', w.dir, 'bob@soc');
    // the runner's events: its steps (from its view) and what they did (records), and its question
    const s1 = await t.until('attach', (s) => asked(s)?.what === 'Approval needed' && /✓ done\s+detect\s+Look first/.test(s), 'the gate to be asked on the attach screen');
    expect(s1).toMatch(/○ pending\s+manual\s+Check the audit log by hand/);
    // the header says how the RUNNER goes on: a scripted runner runs every step by itself
    expect(s1).toMatch(/running all/);
    expect(s1).not.toMatch(/step by step/);
    expect(asked(s1)?.step).toBe('gate');
    expect(effects(w.fx)).toEqual([]);
    // a note from the war room
    t.keys('attach', 'n');
    await t.until('attach', (s) => s.includes('Timeline note'), 'the note entry');
    t.type('attach', 'bob is on the call');
    t.keys('attach', 'Enter');
    // approve the gate: the runner (waiting in another process) goes on and then waits at the manual step
    await t.until('attach', (s) => asked(s)?.what === 'Approval needed' && !s.includes('Timeline note'), 'the note to be written');
    t.keys('attach', 'y');
    await t.until('attach', (s) => asked(s)?.what === 'Manual step' && asked(s)?.step === 'tick', 'the manual step to be asked', 60_000);
    expect(effects(w.fx)).toEqual(['revoked']);
    expect(runner.child.exitCode).toBeNull();
    // tick it with its evidence (a note, as the runbook requires)
    t.keys('attach', 'Enter');
    await t.until('attach', (s) => s.includes('Note: what was done'), 'the evidence entry');
    t.type('attach', 'no use after 11:02');
    await t.until('attach', (s) => s.includes('no use after 11:02'), 'the note typed');
    t.keys('attach', 'Enter');
    const end = Date.now() + 60_000;
    while ((await db.db.query("SELECT 1 FROM runbook_records WHERE incident = 'tui' AND type = 'manual'")).rowCount === 0) {
      if (Date.now() > end) throw new Error(`the tick was not written; screen:\n${t.screen('attach')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await runner.done;
    expect(r.code, r.stderr).toBe(0);
    expect(effects(w.fx)).toEqual(['revoked', 'last']);
    await t.until('attach', (s) => /✓ done\s+detect\s+A last side effect/.test(s), 'the end of the run on the attach screen');
    const { rows } = await db.db.query<{ op: string; type: string; line: string }>("SELECT op, type, line FROM runbook_records WHERE incident = 'tui' AND op = 'bob@soc' ORDER BY seq");
    expect(rows.map((x) => x.type)).toEqual(['note', 'approval', 'manual']);
    expect(JSON.parse(rows[0]!.line).text).toBe('bob is on the call');
    expect(JSON.parse(rows[2]!.line)).toMatchObject({ step: 'tick', note: 'no use after 11:02', via: 'runbook attach' });
    const report = cli(['report', 'tui', '--state-dir', w.state], { cwd: w.dir, env: db.env });
    expect(report.stdout).toMatch(/approved by alice@soc via answer #\d+ by bob@soc \(runbook attach\)/);
    t.keys('attach', 'q');
    await t.until('attach', (s) => /EXIT=0/.test(s), 'attach to leave');
  }, 240_000);

  it("a four-eyes gate asked on the attach screen: the runner's own approval there does not count, another operator's does", async () => {
    const w = ws('team-gate.yaml');
    const runner = await runnerWaiting('tui-4', 'team-gate.yaml', w);
    const t = attachTui('tui-4', w.dir, 'alice@soc');
    await t.until('attach', (s) => asked(s)?.what === 'Approval needed' && asked(s)?.step === 'gate', 'the four-eyes gate on the attach screen');
    t.keys('attach', 'y');
    // alice runs the incident: her approval is written, read by the runner, and refused
    await until(() => runner.out().stderr.split('\n').filter((l) => /needs 2 more approvals by an operator other than alice@soc;/.test(l)).length === 2, 60_000, "the runner to refuse its own operator's approval");
    await t.until('attach', (s) => asked(s)?.what === 'Approval needed', 'the gate to be asked again');
    expect(effects(w.fx)).toEqual([]);
    expect(cli(['approve', 'tui-4', 'gate', '--operator', 'bob@soc'], { cwd: w.dir, env: db.env }).code).toBe(0);
    expect(cli(['approve', 'tui-4', 'gate', '--operator', 'carol@soc'], { cwd: w.dir, env: db.env }).code).toBe(0);
    const r = await runner.done;
    expect(r.code, r.stderr).toBe(0);
    expect(effects(w.fx)).toEqual(['revoked']);
  }, 240_000);
});
