/** Format 1.1 watch in the TUI: the status bar counts down the time left and names the checks. */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { begin, rec, setup, step } from './helpers.js';

afterEach(() => cleanup());

const STEPS = [step('monitor', { kind: 'detect', title: 'Watch the revoked tokens' })];

describe('watch countdown', () => {
  it('shows time left, checks and the next check while a watch waits; gone when the step finishes', async () => {
    const t = setup({ mode: 'drill' });
    t.emit(begin(STEPS, { mode: 'drill' }), rec({ type: 'step.started', step: 'monitor' }));
    t.emit({ type: 'watching', step: 'monitor', checks: 18, watchedMs: 17 * 60_000 + 30_000, forMs: 30 * 60_000, remainingMs: 12 * 60_000 + 30_000, nextCheckMs: 60_000 });
    await t.until((f) => f.includes('⏱ monitor: watching'), 'countdown');
    expect(t.frame()).toMatch(/⏱ monitor: watching · 12m30s left · 18 checks · next in 1m00s/);
    t.emit(rec({ type: 'step.finished', step: 'monitor', status: 'ok' }));
    await t.until((f) => !f.includes('watching ·'), 'countdown gone');
  });
});
