/**
 * Format 1.1 watch in a drill (built cli): the flagship's final monitor step watches the revoked
 * tokens for 30 minutes of drill time — the scripted drill gets there in seconds because the
 * drill clock jumps while the engine waits — and a drill killed mid-watch resumes with the time
 * already watched kept (it does not start the 30 minutes again).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { journal, scorecard, stateDir } from './helpers.js';

const FLAGSHIP = 'runbooks/hf-spaces-secrets-exposure.yaml';
const T = 180_000;

beforeAll(() => ensureBuilt());

const watchRecords = (dir: string) => journal(dir).filter((r) => r.type === 'watch' && r.step === 'monitor');

describe('watch in a drill', () => {
  it('watches for 30 minutes of drill time: 31 checks, nothing seen, the drill is won', () => {
    const dir = stateDir('watch');
    const r = cli(['drill', FLAGSHIP, '--yes', '--state-dir', dir], { timeout: T });
    expect(r.code, r.stderr).toBe(0);
    const w = watchRecords(dir);
    expect(w).toHaveLength(31);
    expect(w.at(-1)).toMatchObject({ check: 31, watchedMs: 30 * 60_000, forMs: 30 * 60_000 });
    expect(w.some((x) => x.seen)).toBe(false);
    // the checks are drill time apart: a minute each (the last one what is left)
    const gaps = w.slice(1, -1).map((x, i) => x.watchedMs - w[i]!.watchedMs);
    expect(gaps.every((g) => g >= 60_000)).toBe(true);
    expect(scorecard(dir)!.status).toBe('done');
    expect(r.stderr + r.stdout).toMatch(/watching: .* left/);
  });

  it('killed mid-watch, resumed: the time watched is kept and only the rest is watched', () => {
    const dir = stateDir('watch-crash');
    const args = ['drill', FLAGSHIP, '--yes', '--state-dir', dir, '--incident', 'w'];
    const crashed = cli(args, { timeout: T, env: { RUNBOOK_CRASH_AT: 'after-write:watch#10' } });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const before = watchRecords(dir);
    expect(before).toHaveLength(10);
    const watched = before.at(-1)!.watchedMs as number;
    expect(watched).toBeGreaterThanOrEqual(9 * 60_000);
    const resumed = cli([...args, '--break-lock'], { timeout: T });
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = watchRecords(dir);
    // resumed at check 11 with `watched` kept: a restarted watch would need 31 more checks
    expect(after[10]).toMatchObject({ check: 11 });
    expect(after.at(-1)).toMatchObject({ watchedMs: 30 * 60_000 });
    // one check at once on resume, then one a minute for what was left
    expect(after.length - before.length).toBeLessThanOrEqual(Math.ceil((30 * 60_000 - watched) / 60_000) + 1);
    expect(scorecard(dir, 'w')!.status).toBe('done');
  });
});
