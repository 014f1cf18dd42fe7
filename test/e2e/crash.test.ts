/**
 * SECURITY.md target 1: kill -9 at every labelled crash point of a reference run, then
 * resume: 0 lost completed steps, 0 duplicate non-idempotent side effects, final state equal
 * to an uninterrupted run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './cli.js';
import { FileJournal } from '../../src/core/journal/store.js';
import { fold } from '../../src/core/journal/fold.js';
import { cliWorkspace, fileLines as effects } from '../engine/helpers.js';

beforeAll(ensureBuilt);

const ws = () => cliWorkspace('crash', 'crash.yaml', 'noverify.yaml');
const summary = (state: string, id: string) => {
  const s = fold(new FileJournal(state, id).read())!;
  return Object.fromEntries(s.stepOrder.map((k) => [k, { status: s.steps[k]!.status, items: Object.fromEntries(Object.entries(s.steps[k]!.items).map(([i, v]) => [i, v.status])) }]));
};

const args = (w: ReturnType<typeof ws>) => ['run', 'crash.yaml', '--incident', 'inc', '--state-dir', w.state, '--input', `effects=${w.effects}`, '--yes', '--done', 'confirm=called the owner'];

describe('kill -9 at every labelled crash point, then resume', () => {
  let reference: ReturnType<typeof summary>;
  beforeAll(() => {
    const w = ws();
    const r = cli(args(w), { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
    reference = summary(w.state, 'inc');
    expect(effects(w.effects).sort()).toEqual(['a', 'b', 'c', 'notified']);
  });

  const points = [
    'before-write:incident.opened',
    'after-write:incident.opened',
    'before-write:intent#1',
    'after-write:intent#1',
    'before-write:outcome#1',
    'after-write:outcome#1',
    'before-write:intent#2',
    'after-write:intent#2',
    'before-write:outcome#2',
    'after-write:outcome#2',
    'mid-fanout',
    'after-write:intent#4',
    'before-write:outcome#4',
    'after-write:intent#5',
    'after-write:outcome#5',
    'after-write:step.finished#3',
    'after-write:manual',
  ];
  it.each(points)('%s', (point) => {
    const w = ws();
    const crashed = cli(args(w), { cwd: w.dir, env: { RUNBOOK_CRASH_AT: point } });
    expect(crashed.signal, `${point}: ${crashed.stderr}`).toBe('SIGKILL');
    const before = effects(w.effects);
    const resumed = cli([...args(w), '--break-lock'], { cwd: w.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = effects(w.effects);
    // nothing done twice, nothing lost
    expect(after.sort()).toEqual(['a', 'b', 'c', 'notified']);
    expect(after.length).toBe(4);
    expect(before.every((x) => after.includes(x))).toBe(true);
    expect(summary(w.state, 'inc')).toEqual(reference);
  });
});

describe('in doubt without a read-back', () => {
  it('stops with exit 3 naming --settle, and --settle done does not call again', () => {
    const w = ws();
    const base = ['run', 'noverify.yaml', '--incident', 'nv', '--state-dir', w.state, '--input', `effects=${w.effects}`];
    const crashed = cli(base, { cwd: w.dir, env: { RUNBOOK_CRASH_AT: 'before-write:outcome#1' } });
    expect(crashed.signal).toBe('SIGKILL');
    expect(effects(w.effects)).toEqual(['paged']);
    const waiting = cli([...base, '--break-lock'], { cwd: w.dir });
    expect(waiting.code).toBe(3);
    expect(waiting.stderr).toContain('--settle page=done');
    expect(effects(w.effects)).toEqual(['paged']);
    const settled = cli([...base, '--settle', 'page=done'], { cwd: w.dir });
    expect(settled.code, settled.stderr).toBe(0);
    expect(effects(w.effects)).toEqual(['paged', 'after']);
  });

  it('--settle redo calls it again, by the operator\'s decision', () => {
    const w = ws();
    const base = ['run', 'noverify.yaml', '--incident', 'nv', '--state-dir', w.state, '--input', `effects=${w.effects}`];
    cli(base, { cwd: w.dir, env: { RUNBOOK_CRASH_AT: 'after-write:intent#1' } });
    expect(effects(w.effects)).toEqual([]);
    const r = cli([...base, '--break-lock', '--settle', 'page=redo'], { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(effects(w.effects)).toEqual(['paged', 'after']);
  });
});
