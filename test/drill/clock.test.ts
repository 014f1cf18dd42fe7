/** The drill clock's start/pause API (the TUI starts it on the first key and pauses it in help). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DrillClock } from '../../src/drill/adversary.js';

afterEach(() => vi.useRealTimers());

describe('DrillClock', () => {
  it('paused: stands still until start(); pause() keeps the time reached; start() goes on from there', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const c = new DrillClock(0.25, 0, { paused: true });
    let ticks = 0;
    c.onAdvance = () => ticks++;
    vi.advanceTimersByTime(60_000);
    expect(c.now()).toBe(0);
    expect(c.running).toBe(false);
    c.start();
    expect(ticks).toBe(1);
    vi.advanceTimersByTime(40_000);
    expect(c.now()).toBe(10_000);
    c.pause();
    vi.advanceTimersByTime(100_000); // help open, or away
    expect(c.now()).toBe(10_000);
    c.start();
    vi.advanceTimersByTime(4_000);
    expect(c.now()).toBe(11_000);
    c.advance(5_000); // a simulated responder
    expect(c.now()).toBe(16_000);
  });

  it('not paused (scripted runs): runs from construction, resumed from an offset', () => {
    vi.useFakeTimers({ now: 5_000 });
    const c = new DrillClock(10, 30_000);
    vi.advanceTimersByTime(1_000);
    expect(c.now()).toBe(40_000);
    expect(c.running).toBe(true);
  });
});
