/**
 * Format 1.1 repeat under kill -9: crash in the middle of a round (after an inner intent, after
 * an inner outcome, between rounds), then resume with the same command: the run continues the
 * round it was in, and no destructive inner item of a finished round — or of this one — runs twice.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuilt } from './cli.js';
import { FileJournal } from '../../src/core/journal/store.js';
import { fold } from '../../src/core/journal/fold.js';
import { FIXTURES, fileLines as effects } from '../engine/helpers.js';

beforeAll(ensureBuilt);

function ws() {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-crash-repeat-'));
  for (const f of ['effects.mjs', 'keys.mjs', 'repeat.yaml']) copyFileSync(join(FIXTURES, f), join(dir, f));
  return { dir, state: join(dir, 'state'), effects: join(dir, 'effects.log') };
}
const args = (w: ReturnType<typeof ws>) => ['run', 'repeat.yaml', '--incident', 'inc', '--state-dir', w.state, '--input', `effects=${w.effects}`, '--yes'];

describe('kill -9 inside a repeat round, then resume', () => {
  // intents: start #1, round 1 find #2, disable k1 #3, round 2 find #4, disable k2 #5, round 3 find #6
  const points = [
    ['after-write:intent#3', 1],
    ['before-write:outcome#3', 1],
    ['after-write:outcome#3', 1],
    ['after-write:intent#4', 2],
    ['after-write:intent#5', 2],
    ['after-write:outcome#5', 2],
    ['after-write:step.finished#5', 2], // round 2 over, round 3 not begun
    ['after-write:step.finished#6', 3],
  ] as const;
  it.each(points)('%s: resumes in round %i, each key disabled once', (point, round) => {
    const w = ws();
    const crashed = cli(args(w), { cwd: w.dir, env: { RUNBOOK_CRASH_AT: point } });
    expect(crashed.signal, `${point}: ${crashed.stderr}`).toBe('SIGKILL');
    const mid = fold(new FileJournal(w.state, 'inc').read())!;
    const rounds = mid.stepOrder.filter((s) => s.startsWith('eradicate#')).map((s) => Number(/#(\d+)\./.exec(s)![1]));
    expect(Math.max(...rounds)).toBe(round);
    const resumed = cli([...args(w), '--break-lock'], { cwd: w.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(effects(w.effects)).toEqual(['k1', 'k2', 'rounds=3 last=0']);
    const st = fold(new FileJournal(w.state, 'inc').read())!;
    expect(st.steps.eradicate?.outputs).toEqual({ rounds: 3, until_met: true });
    // the round the crash was in was continued, not started again as a new round
    expect(st.stepOrder.filter((s) => s.startsWith('eradicate#')).sort()).toEqual(
      ['eradicate#1.find', 'eradicate#1.disable', 'eradicate#2.find', 'eradicate#2.disable', 'eradicate#3.find', 'eradicate#3.disable'].sort(),
    );
  });
});
