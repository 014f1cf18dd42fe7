/**
 * Frame pacing (issue 15 item 3, key latency): a key press is drawn at once, even right after
 * a progress frame — Ink renders with the TUI's own options (src/ui/ink-options.ts) into a
 * terminal-like stream, and the timers are frozen, so nothing a timer would draw later counts.
 * Progress is paced before Ink (the store observer's batches), never a key.
 */
import { render } from 'ink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/ui/app.js';
import { createController } from '../../src/ui/controller.js';
import { INK_OPTIONS } from '../../src/ui/ink-options.js';
import { createTuiPorts } from '../../src/ui/ports.js';
import { createObserver, createRunStore } from '../../src/ui/store.js';
import { createTheme } from '../../src/ui/theme.js';
import { FakeIn, FakeOut, begin, plain, rec, step, waitFor } from './helpers.js';

/** one turn of the event loop (setImmediate is not frozen): microtasks, React's commit, Ink's frame */
const turn = () => new Promise<void>((r) => setImmediate(r));

function mount(onRender?: () => void, intervalMs = 5) {
  const stdin = new FakeIn();
  const out = new FakeOut();
  const store = createRunStore({ mode: 'live' });
  const obs = createObserver(store, { intervalMs });
  const ports = createTuiPorts(store);
  const controller = createController({ store, ports, note() {}, quit() {}, exit() {} });
  const ink = render(<App store={store} controller={controller} theme={createTheme({ color: false })} commands={{ resume: 'r', report: 'p' }} />, {
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: out as unknown as NodeJS.WriteStream,
    stderr: new FakeOut() as unknown as NodeJS.WriteStream,
    ...INK_OPTIONS,
    ...(onRender ? { onRender } : {}),
  });
  /** what was written from chunk `from` on */
  const since = (from: number) => plain(out.chunks.slice(from).join(''));
  const emit = (...events: Parameters<typeof obs.observe>[0][]) => {
    for (const e of events) obs.observe(e);
    obs.flush();
  };
  return { stdin, out, obs, ink, since, emit };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('frame pacing', () => {
  it('a key pressed right after a progress frame is drawn in the same turn, not after a render throttle', async () => {
    const t = mount();
    const items = Array.from({ length: 100 }, (_, i) => `tok-${i}`);
    const emit = t.emit;
    emit(begin([step('find'), step('revoke', { kind: 'revoke', fanOut: true }), step('last', { kind: 'notify' })]));
    emit(rec({ type: 'step.started', step: 'find' }), rec({ type: 'step.finished', step: 'find', status: 'ok' }), rec({ type: 'step.started', step: 'revoke' }), rec({ type: 'items', step: 'revoke', keys: items }));
    await waitFor(() => t.since(0).includes('Step revoke'), () => t.since(0).slice(-2000));
    // from here no timer fires: a frame that waits for one (Ink's throttle) never shows
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    for (let round = 0; round < 3; round++) {
      // a progress frame: 10 more items revoked
      const mark = t.out.chunks.length;
      const done = items.slice(round * 10, round * 10 + 10);
      emit(...done.flatMap((k) => [rec({ type: 'intent', step: 'revoke', item: k, attempt: 1, action: 'x', key: k, input: {}, idempotent: true }), rec({ type: 'outcome', step: 'revoke', item: k, attempt: 1, status: 'ok' })]));
      await turn();
      expect(t.since(mark)).toContain(`${(round + 1) * 10}/100`);
      // at once, a key: the other step is on screen within the same turn
      const before = t.out.chunks.length;
      t.stdin.type('j');
      await turn();
      expect(t.since(before)).toContain('Step last');
      const back = t.out.chunks.length;
      t.stdin.type('k');
      await turn();
      expect(t.since(back)).toContain('Step revoke');
    }
    vi.useRealTimers();
    t.ink.unmount();
  });

  it('a key that changes whether the detail is cut is one frame, and that frame’s footer says so (PgDn)', async () => {
    let frames = 0;
    const t = mount(() => frames++);
    const items = Array.from({ length: 200 }, (_, i) => `tok-${i}`);
    t.emit(begin([step('find'), step('revoke', { kind: 'revoke', fanOut: true }), step('last', { kind: 'notify' })]));
    t.emit(rec({ type: 'step.started', step: 'find' }), rec({ type: 'step.finished', step: 'find', status: 'ok' }), rec({ type: 'step.started', step: 'revoke' }), rec({ type: 'items', step: 'revoke', keys: items }));
    await waitFor(() => t.since(0).includes('Step revoke') && t.since(0).includes('PgDn more'), () => t.since(0).slice(-2000));
    // frozen timers: only what the key itself causes is drawn
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const footer = (from: number) => t.since(from).trimEnd().split('\n').at(-1) ?? '';
    // unmounted whatever happens: a clock's shared timer left behind would tick under the next test's frozen time
    try {
      for (let round = 0; round < 2; round++) {
        // j: the last step (nothing cut): one frame, without PgDn
        let mark = t.out.chunks.length;
        let before = frames;
        t.stdin.type('j');
        for (let i = 0; i < 5; i++) await turn();
        expect(t.since(mark)).toContain('Step last');
        expect(footer(mark)).not.toContain('PgDn');
        expect(frames - before).toBe(1);
        // meanwhile 10 more items are revoked (the step's detail is not on screen)
        const done = items.slice(round * 10, round * 10 + 10);
        t.emit(...done.flatMap((k) => [rec({ type: 'intent', step: 'revoke', item: k, attempt: 1, action: 'x', key: k, input: {}, idempotent: true }), rec({ type: 'outcome', step: 'revoke', item: k, attempt: 1, status: 'ok' })]));
        for (let i = 0; i < 5; i++) await turn();
        // k: 200 items, cut below: one frame, and it offers PgDn — and the detail is of now, not of when it was last shown
        mark = t.out.chunks.length;
        before = frames;
        t.stdin.type('k');
        for (let i = 0; i < 5; i++) await turn();
        expect(t.since(mark)).toContain('Step revoke');
        expect(t.since(mark)).toContain(`Items  ${(round + 1) * 10}/200`);
        expect(footer(mark)).toContain('PgDn more');
        expect(frames - before).toBe(1);
      }
    } finally {
      vi.useRealTimers();
      t.ink.unmount();
    }
  });

  it('a large fan-out’s progress is drawn on the 1 s tick with the clocks: one frame a second, not two', async () => {
    // frozen timers from the start: the clocks' shared tick and the observer's windows move only when the test says
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    let frames = 0;
    // the observer's own windows (50 ms; items 250 ms, ×4 over 5,000 items: 1 s)
    const t = mount(() => frames++, 50);
    const items = Array.from({ length: 6_000 }, (_, i) => `tok-${i}`);
    t.emit(begin([step('find'), step('revoke', { kind: 'revoke', fanOut: true }), step('last', { kind: 'notify' })]));
    t.emit(rec({ type: 'step.started', step: 'find' }), rec({ type: 'step.finished', step: 'find', status: 'ok' }), rec({ type: 'step.started', step: 'revoke' }), rec({ type: 'items', step: 'revoke', keys: items }));
    // the items start out of step with the clocks' tick (a batch of its own would be a frame of its own)
    await vi.advanceTimersByTimeAsync(1350);
    expect(t.since(0)).toContain('Step revoke');
    const start = frames;
    // 5 s of a fan-out: 20 items revoked every 100 ms, queued (the observer flushes when its window ends)
    let n = 0;
    for (let ms = 0; ms < 5000; ms += 100) {
      for (const k of items.slice(n, n + 20)) {
        t.obs.observe(rec({ type: 'intent', step: 'revoke', item: k, attempt: 1, action: 'x', key: k, input: {}, idempotent: true }));
        t.obs.observe(rec({ type: 'outcome', step: 'revoke', item: k, attempt: 1, status: 'ok' }));
      }
      n += 20;
      await vi.advanceTimersByTimeAsync(100);
    }
    // the counts moved (at most 1 s behind), and the clocks with them: one frame per tick, and
    // 5 s hold at most 6 ticks (the first one's phase is the clocks'); drawn apart, 11
    const shown = Number([...t.since(0).matchAll(/(\d+)\/6000/g)].at(-1)?.[1]);
    expect(shown).toBeGreaterThanOrEqual(n - 200);
    expect(frames - start).toBeLessThanOrEqual(6);
    vi.useRealTimers();
    t.ink.unmount();
  });
});
