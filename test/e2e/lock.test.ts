/**
 * The incident lock with real processes: a live owner's lock is never broken (not even with
 * --break-lock), a kill -9 resumes with the same command, a second SIGTERM leaves no stale lock,
 * and nothing touches a new incident's folder before its lock is held.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliAsync, ensureBuilt, ROOT, until } from './cli.js';
import { FileJournal } from '../../src/core/journal/store.js';

beforeAll(ensureBuilt);

const FIXTURE = join(ROOT, 'test', 'e2e', 'fixtures', 'lock-wait.yaml');
const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function ws() {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-lock-'));
  copyFileSync(FIXTURE, join(dir, 'lock-wait.yaml'));
  return { dir, state: join(dir, 'state'), go: join(dir, 'go') };
}
type Ws = ReturnType<typeof ws>;
const args = (w: Ws, id = 'inc') => ['run', 'lock-wait.yaml', '--incident', id, '--state-dir', w.state, '--input', `go=${w.go}`];
const incDir = (w: Ws, id = 'inc') => join(w.state, 'incidents', id);
const journalText = (w: Ws, id = 'inc') => {
  const f = join(incDir(w, id), 'journal.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8') : '';
};

/** Start a run and wait until it is inside the step that waits for the go file (holding the lock). */
async function startWaiting(w: Ws, id = 'inc') {
  const run = cliAsync(args(w, id), { cwd: w.dir });
  started.push(run.child);
  await until(() => journalText(w, id).includes('"type":"intent","step":"wait"'), 30_000, 'the run to reach the step "wait"');
  return run;
}

describe('a live owner', () => {
  it('keeps its lock: a second run with --break-lock is refused (exit 4) and the first finishes with an intact journal', async () => {
    const w = ws();
    const first = await startWaiting(w);
    const second = cli([...args(w), '--break-lock'], { cwd: w.dir, timeout: 20_000 });
    expect(second.code, second.stderr).toBe(4);
    expect(second.stderr).toContain(`locked by pid ${first.child.pid}`);
    expect(second.stderr).toMatch(/never broken/);
    // status reads without the lock while the owner writes: no false alarm
    expect(cli(['status', 'inc', '--state-dir', w.state], { cwd: w.dir }).stdout).toMatch(/journal: ok: hash chain verified through line \d+, head at line \d+/);
    writeFileSync(w.go, '');
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    const j = new FileJournal(w.state, 'inc');
    const recs = j.read();
    expect(recs.filter((r) => r.type === 'run.started')).toHaveLength(1);
    expect(recs.some((r) => r.type === 'lock.broken')).toBe(false);
    expect(j.check().state).toBe('ok');
  });
});

describe('kill -9, then the same command', () => {
  it('resumes without --break-lock: says the owner is gone, takes the lock and journals the take-over', async () => {
    const w = ws();
    const first = await startWaiting(w);
    const pid = first.child.pid!;
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect(existsSync(join(incDir(w), 'lock'))).toBe(true);
    writeFileSync(w.go, '');
    const again = cli(args(w), { cwd: w.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`held by pid ${pid}`);
    expect(again.stderr).toContain(`which is gone: pid ${pid} is not running`);
    const taken = new FileJournal(w.state, 'inc').read().find((r) => r.type === 'lock.broken');
    expect(taken).toMatchObject({ type: 'lock.broken', previous: { pid, why: `pid ${pid} is not running` } });
    expect(existsSync(join(incDir(w), 'lock'))).toBe(false);
  });

  it('a second SIGTERM exits at once and leaves no stale lock behind', async () => {
    const w = ws();
    const first = await startWaiting(w);
    first.child.kill('SIGTERM');
    // keep signalling until it is gone: the second one must stop it at once
    const burst = setInterval(() => first.child.kill('SIGTERM'), 1);
    const done = await first.done;
    clearInterval(burst);
    expect(done.code, done.stderr).toBe(130);
    expect(existsSync(join(incDir(w), 'lock'))).toBe(false);
    writeFileSync(w.go, '');
    const again = cli(args(w), { cwd: w.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/locked|gone/);
  });
});

describe('kill -9 at labelled crash points, then the same command (no --break-lock)', () => {
  it.each(['before-write:incident.opened', 'after-write:incident.opened', 'after-write:intent#2', 'after-write:outcome#3', 'after-write:run.stopped'])('%s', (point) => {
    const w = ws();
    writeFileSync(w.go, '');
    const crashed = cli(args(w), { cwd: w.dir, env: { RUNBOOK_CRASH_AT: point } });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const again = cli(args(w), { cwd: w.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/which is gone: pid \d+ is not running/);
    const j = new FileJournal(w.state, 'inc');
    expect(j.check().state).toBe('ok');
    expect(j.read().filter((r) => r.type === 'step.finished' && r.status === 'ok').map((r) => (r as { step: string }).step)).toEqual(expect.arrayContaining(['first', 'wait', 'last']));
  });
});

describe('start races: nothing touches a new incident before its lock is held', () => {
  it('a drill on an incident whose lock another live process holds exits 4 and leaves the folder as it was', async () => {
    const w = ws();
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `const { FileJournal } = await import(${JSON.stringify(join(ROOT, 'src/core/journal/store.ts'))}); new FileJournal(${JSON.stringify(w.state)}, 'race').lock(); console.log('locked'); setInterval(() => {}, 1000);`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    started.push(holder);
    let out = '';
    holder.stdout!.on('data', (d) => (out += d));
    await until(() => out.includes('locked'), 30_000, 'the helper to take the lock');
    const r = cli(['drill', join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml'), '--yes', '--incident', 'race', '--state-dir', w.state], { cwd: w.dir });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain(`locked by pid ${holder.pid}`);
    expect(readdirSync(incDir(w, 'race'))).toEqual(['lock']);
  });

  it('two drills started at once on a new incident: one runs to the end, the other is refused (exit 4)', async () => {
    const w = ws();
    const a = ['drill', join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml'), '--yes', '--incident', 'both', '--state-dir', w.state];
    const one = cliAsync(a, { cwd: w.dir });
    const two = cliAsync(a, { cwd: w.dir });
    started.push(one.child, two.child);
    const results = await Promise.all([one.done, two.done]);
    const codes = results.map((r) => r.code).sort();
    expect(codes, results.map((r) => r.stderr).join('\n---\n')).toEqual([0, 4]);
    const recs = new FileJournal(w.state, 'both').read();
    expect(recs.filter((r) => r.type === 'run.started')).toHaveLength(1);
    expect(recs.filter((r) => r.type === 'run.stopped').at(-1)).toMatchObject({ reason: 'done' });
    expect(recs.some((r) => r.type === 'scorecard')).toBe(true);
    expect(existsSync(join(incDir(w, 'both'), 'drill', 'state.json'))).toBe(true);
  });
});
