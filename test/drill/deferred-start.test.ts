/**
 * A new drill on a terminal puts its first complete frame (the plan, the first question) up
 * before its simulated world starts (issue 12): the simulators, the workspace and the attacker
 * start once that frame is on the terminal. A key pressed at that moment — before the world
 * runs — is acted on, never dropped: its answer reaches the engine once the world is up.
 *
 * In-process: the real drill command, the flagship runbook and scenario, the real TUI on fake
 * TTY streams. The key is typed from inside the write of the first frame that shows the
 * question, so it is pressed before anything of the world exists (its workspace included).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import drill from '../../src/commands/drill.js';
import { ROOT, cli, ensureBuilt } from '../e2e/cli.js';
import { terminal, KEY, plain, waitFor } from '../ui/helpers.js';


describe('runbook drill on a terminal — the world starts after the first complete frame', () => {
  it('a key pressed on the first frame, before the world runs, runs the step once the world is up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-deferred-'));
    const state = join(dir, 'state');
    const workspace = join(state, 'incidents', 'deferred', 'drill', 'workspace');
    const { stdin, stdout, stderr, ctx } = terminal(dir);
    let worldAtFirstQuestion: boolean | undefined;
    stdout.onWrite = (s) => {
      if (worldAtFirstQuestion !== undefined || !plain(s).includes('Next step · find-spaces')) return;
      worldAtFirstQuestion = existsSync(workspace);
      // ⏎ as the frame lands: queued before anything the frame lets start
      setImmediate(() => stdin.type(KEY.enter));
    };
    const done = drill([join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml'), '--state-dir', state, '--incident', 'deferred'], ctx);
    const until = (what: string) => waitFor(() => stdout.text.includes(what), () => `${what} in:\n${stdout.text.slice(-3000)}`, 60_000);

    await until('Next step · find-spaces');
    expect(worldAtFirstQuestion, 'the first question was on screen before the drill world was built').toBe(false);
    // the ⏎ typed then ran find-spaces against the world (its Spaces listed), and the run asks the next step
    await until('Next step · find-secrets');
    expect(existsSync(workspace)).toBe(true);
    stdin.type('q');
    await until('y quit');
    stdin.type('y');
    await expect(done).resolves.toBe(130);
    const records = readFileSync(join(state, 'incidents', 'deferred', 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step?: string; status?: string });
    expect(records.find((r) => r.type === 'step.finished' && r.step === 'find-spaces')).toMatchObject({ status: 'ok' });
    expect(stderr.text).toContain('Drill scorecard');
  }, 120_000);

  it('the loading screen gives way to the run’s screen once it has its plan and first question: one frame, no empty checklist first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-one-frame-'));
    const { stdin, stdout, ctx } = terminal(dir);
    const frames: string[] = [];
    stdout.onWrite = (s) => {
      if (plain(s).trim()) frames.push(plain(s));
    };
    const done = drill([join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml'), '--state-dir', join(dir, 'state'), '--incident', 'one-frame'], ctx);
    await waitFor(() => stdout.text.includes('Next step · find-spaces'), () => stdout.text.slice(-3000), 60_000);
    // first the loading screen (the header and what is being done), then at once the plan with
    // its first question — never the run's screen still waiting for the runbook
    const loading = (f: string) => f.includes('  loading ') || f.includes("starting the drill's simulated world");
    expect(frames.filter(loading).length).toBeGreaterThan(0);
    const first = frames.find((f) => !loading(f))!;
    expect(first, first).toContain('Next step · find-spaces');
    expect(first).toContain('List the Spaces of the org');
    expect(stdout.text).not.toContain('waiting for the runbook');
    stdin.type('q');
    await waitFor(() => stdout.text.includes('y quit'), () => stdout.text.slice(-2000), 60_000);
    stdin.type('y');
    await expect(done).resolves.toBe(130);
  }, 120_000);

  it('killed on that first frame (before its world ran), the drill resumes with its world started then', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'drill-deferred-kill-'));
    const state = join(dir, 'state');
    const crashed = join(dir, 'crashed');
    const { stdin, stdout, ctx } = terminal(dir);
    // what kill -9 leaves at the moment the first question is drawn: the files as they are then
    stdout.onWrite = (s) => {
      if (existsSync(crashed) || !plain(s).includes('Next step · find-spaces')) return;
      cpSync(state, crashed, { recursive: true });
    };
    const done = drill([join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml'), '--state-dir', state, '--incident', 'killed'], ctx);
    await waitFor(() => existsSync(crashed), () => `the first question in:\n${stdout.text.slice(-3000)}`, 60_000);
    stdin.type('q');
    await waitFor(() => stdout.text.includes('y quit'), () => stdout.text.slice(-2000), 60_000);
    stdin.type('y');
    await done;
    expect(existsSync(join(crashed, 'incidents', 'killed', 'drill', 'state.json')), 'the world was not saved yet when the frame was drawn').toBe(false);

    // the copy's lock names this test's own (living) process; after a real kill -9 that pid is
    // gone and the lock is taken over (test/e2e/lock.test.ts) — here it is removed instead
    rmSync(join(crashed, 'incidents', 'killed', 'lock'), { force: true });
    // back where it was (the drill's inputs name paths inside its state directory)
    rmSync(state, { recursive: true, force: true });
    renameSync(crashed, state);
    // the resume command a responder runs: the world starts now and the drill runs to its end
    const r = cli(['drill', 'hf-spaces-secrets-exposure', '--incident', 'killed', '--state-dir', state, '--yes'], { timeout: 120_000 });
    expect(r.stderr).not.toContain('drill world of this incident is missing');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Drill scorecard');
    expect(r.stderr).toMatch(/4\/4 leaked credentials dead/);
  }, 180_000);

  it('a drill whose journal holds a step\'s call but no saved world is still refused (never resumed in a fresh world)', () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'drill-lost-world-'));
    const state = join(dir, 'state');
    const first = cli(['drill', 'hf-spaces-secrets-exposure', '--incident', 'lost', '--state-dir', state, '--yes'], { timeout: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    rmSync(join(state, 'incidents', 'lost', 'drill', 'state.json'));
    const again = cli(['drill', 'hf-spaces-secrets-exposure', '--incident', 'lost', '--state-dir', state, '--yes'], { timeout: 120_000 });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('the drill world of this incident is missing');
  }, 180_000);
});
