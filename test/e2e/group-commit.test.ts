/**
 * Issue 15 item 6: the intents of items started together are written as one batch with one
 * fsync — and still before any call of that batch is made. Checked with the labelled crash
 * points (src/core/journal/crash.ts) on a revoke step that starts three items at once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './cli.js';
import { FileJournal } from '../../src/core/journal/store.js';
import { fold } from '../../src/core/journal/fold.js';
import { cliWorkspace, fileLines as effects } from '../engine/helpers.js';

beforeAll(ensureBuilt);

const ws = () => cliWorkspace('group', 'group-commit.yaml');
const args = (w: ReturnType<typeof ws>) => ['run', 'group-commit.yaml', '--incident', 'inc', '--state-dir', w.state, '--input', `effects=${w.effects}`, '--yes', '--done', 'confirm=called the owner'];
const intents = (state: string) => new FileJournal(state, 'inc').read().filter((r) => r.type === 'intent' && r.step === 'revoke');

describe('group commit of the intents of items started together', () => {
  it('a crash right after the first revoke intent is durable (intent #2: #1 is the detect step) finds all three intents of the batch on disk, and no call made', () => {
    const w = ws();
    const crashed = cli(args(w), { cwd: w.dir, env: { RUNBOOK_CRASH_AT: 'after-write:intent#2' } });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    // one batch, one fsync: the first intent is durable only together with the other two
    expect(intents(w.state).map((r) => (r as { item: string }).item).sort()).toEqual(['a', 'b', 'c']);
    expect(effects(w.effects)).toEqual([]);
    // resume: each item in doubt is read back (not done) and called exactly once
    const resumed = cli([...args(w), '--break-lock'], { cwd: w.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(effects(w.effects).sort()).toEqual(['a', 'b', 'c', 'notified']);
    const s = fold(new FileJournal(w.state, 'inc').read())!;
    expect(Object.values(s.steps.revoke!.items).map((i) => i.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('a crash while the batch is being written leaves no call made (no call before its intent is durable)', () => {
    for (const point of ['before-write:intent#2', 'before-write:intent#4']) {
      const w = ws();
      const crashed = cli(args(w), { cwd: w.dir, env: { RUNBOOK_CRASH_AT: point } });
      expect(crashed.signal, `${point}: ${crashed.stderr}`).toBe('SIGKILL');
      expect(intents(w.state), point).toEqual([]);
      expect(effects(w.effects), point).toEqual([]);
      const resumed = cli([...args(w), '--break-lock'], { cwd: w.dir });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(effects(w.effects).sort()).toEqual(['a', 'b', 'c', 'notified']);
    }
  });

  it('an uninterrupted run writes the three intents as consecutive records before any outcome of the step', () => {
    const w = ws();
    const r = cli(args(w), { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
    const recs = new FileJournal(w.state, 'inc').read().filter((x) => x.type !== 'verify' && (x as { step?: string }).step === 'revoke' && (x.type === 'intent' || x.type === 'outcome'));
    expect(recs.slice(0, 3).map((x) => x.type)).toEqual(['intent', 'intent', 'intent']);
    expect(new FileJournal(w.state, 'inc').check().state).toBe('ok');
  });
});
