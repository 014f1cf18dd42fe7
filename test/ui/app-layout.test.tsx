import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { Text } from 'ink';
import { begin, rec, setup, step } from './helpers.js';
import { useRunStore } from '../../src/ui/store.js';
import type { EngineEvent } from '../../src/core/engine/events.js';

afterEach(() => cleanup());

const fits = (frame: string, columns: number, rows: number) => {
  const lines = frame.split('\n');
  expect(lines.length, frame).toBeLessThan(rows);
  for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(columns);
};

function fanOut(): EngineEvent[] {
  const out: EngineEvent[] = [rec({ type: 'step.started', step: 'find' }), rec({ type: 'step.finished', step: 'find', status: 'ok', outputs: { count: 5 } })];
  out.push(rec({ type: 'step.started', step: 'revoke' }), rec({ type: 'items', step: 'revoke', keys: ['a', 'b', 'c', 'd', 'e'] }));
  for (const k of ['a', 'b', 'c']) out.push(rec({ type: 'intent', step: 'revoke', item: k, action: 'hf.revokeToken', attempt: 1, key: k, input: { token: k }, idempotent: true }), rec({ type: 'outcome', step: 'revoke', item: k, status: 'ok', attempt: 1 }));
  out.push(rec({ type: 'outcome', step: 'revoke', item: 'd', status: 'in-doubt', attempt: 1 }));
  return out;
}

const STEPS = [
  step('find', { kind: 'detect', title: 'Find leaked tokens' }),
  step('revoke', { kind: 'revoke', title: 'Revoke tokens', fanOut: true, confirm: true }),
  step('tell', { kind: 'manual', title: 'Tell the users', instructions: '## Call legal\n\nUse **the hotline**: `+1 555`' }),
];

describe('layout', () => {
  it('header: mode badge, incident, title, severity, clock and progress', async () => {
    const t = setup();
    t.emit(begin(STEPS), ...fanOut());
    await t.until((f) => f.includes('1/3 steps'), 'progress');
    const f = t.frame();
    expect(f).toMatch(/● LIVE\s+Leaked token response\s+HIGH/);
    expect(f).toMatch(/open 0:01:0\d\s+incident inc-42/);
    expect(f).toContain('33%');
  });

  it('shows DRILL and DRY-RUN badges', async () => {
    const d = setup({ mode: 'drill' });
    d.emit(begin(STEPS, { mode: 'drill' }));
    await d.until((f) => f.includes('[DRILL]'), 'drill badge');
    expect(d.frame()).not.toContain('LIVE');
    const r = setup({ mode: 'dry-run' });
    r.emit(begin(STEPS, { dryRun: true }));
    await r.until((f) => f.includes('[DRY-RUN]'), 'dry-run badge');
  });

  it('checklist: icon and word for every status, and fan-out counts', async () => {
    const t = setup();
    t.emit(begin(STEPS), ...fanOut());
    await t.until((f) => f.includes('3/5'), 'counts');
    const f = t.frame();
    expect(f).toMatch(/✓ done\s+detect\s+Find leaked tokens/);
    expect(f).toMatch(/\? in doubt\s+revoke\s+Revoke tokens · 3\/5, 1 in doubt/);
    expect(f).toMatch(/○ pending\s+manual\s+Tell the users/);
  });

  it('detail: Markdown instructions, the journaled input with secrets as …last4, per-item results', async () => {
    const t = setup({ columns: 120, rows: 40 });
    t.emit(begin(STEPS), ...fanOut());
    t.emit(rec({ type: 'intent', step: 'revoke', item: 'e', action: 'hf.revokeToken', attempt: 1, key: 'e', input: { token: { $secret: 'secrets.hf', fingerprint: 'f', last4: 'QRST' } }, idempotent: true }));
    t.emit(rec({ type: 'outcome', step: 'revoke', item: 'e', status: 'failed', attempt: 1, error: { message: 'HTTP 500 from hf', code: 'E500' } }));
    await t.until((f) => f.includes('1 failed'), 'failed item');
    expect(t.frame()).toMatch(/✗ failed\s+e\s+HTTP 500 from hf \[E500\]/);
    expect(t.frame()).toMatch(/\? in doubt\s+d/);
    // select the manual step to read its instructions
    t.press('j');
    await t.until((f) => f.includes('Step tell'), 'select tell');
    expect(t.frame()).toContain('Call legal');
    expect(t.frame()).toContain('Use the hotline: +1 555');
    // a single-item step shows its rendered input; stored secrets never show a value
    t.emit(rec({ type: 'step.started', step: 'tell' }));
    t.emit(rec({ type: 'intent', step: 'tell', item: '-', action: 'shell.run', attempt: 1, key: 'k', input: { command: ['echo'], env: { TOKEN: { $secret: 'secrets.hf', fingerprint: 'f', last4: 'QRST' } } }, idempotent: false }));
    await t.until((f) => f.includes('Input'), 'input');
    expect(t.frame()).toContain('TOKEN: ‹secret secrets.hf …QRST›');
  });

  it('fits 80×24 with a 2,000-step runbook and a flooding log, and uses the room when resized', async () => {
    const t = setup({ columns: 80, rows: 24 });
    const steps = Array.from({ length: 2000 }, (_, i) => step(`s${i}`, { title: `Step number ${i} with a title long enough to need cutting at eighty columns` }));
    t.emit(begin(steps), rec({ type: 'step.started', step: 's0' }));
    for (let i = 0; i < 100_000; i++) t.obs.observe({ type: 'log', step: 's0', item: '-', stream: 'stdout', text: `output line ${i} ${'x'.repeat(i % 150)}` });
    t.obs.flush();
    await t.until((f) => f.includes('last 200 of 100,000 lines'), 'log tail');
    expect(t.frame()).toContain('output line 99999');
    fits(t.frame(), 80, 24);
    expect(t.frame()).toMatch(/1–\d+ of 2000/);
    // narrow: checklist above detail
    expect(t.frame().split('\n').find((l) => l.includes('Checklist'))).not.toContain('Step s0');
    t.resize(140, 40);
    await t.until((f) => f.split('\n').some((l) => l.includes('Checklist') && l.includes('Step s0')), 'side by side');
    fits(t.frame(), 140, 40);
    t.resize(80, 24);
    await t.until((f) => !f.split('\n').some((l) => l.includes('Checklist') && l.includes('Step s0')), 'stacked again');
    fits(t.frame(), 80, 24);
  });

  it('scrolls the checklist with the selection', async () => {
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin(Array.from({ length: 2000 }, (_, i) => step(`s${i}`))));
    await t.until((f) => f.includes('of 2000'), 'list');
    for (let i = 0; i < 60; i++) t.press('j');
    await t.until((f) => /›\s+○ pending\s+detect\s+Title of s60\b/.test(f), 'selection at s60');
    expect(t.frame()).not.toContain('Title of s0\n');
    expect(t.frame()).toContain('Step s60');
    t.press('f'); // follow the run again
    await t.until((f) => f.includes('Step s0'), 'follow');
  });

  it('shows a retry with its wait, and what the engine waits for', async () => {
    const t = setup();
    t.emit(begin(STEPS), rec({ type: 'step.started', step: 'find' }));
    t.emit({ type: 'retry', step: 'find', item: '-', attempt: 2, delayMs: 9000, reason: 'HTTP 429' });
    await t.until((f) => /retry 2 in \d+s — HTTP 429/.test(f), 'retry countdown');
    expect(t.frame()).toMatch(/↻ retrying\s+detect/);
    t.emit({ type: 'waiting', step: 'find', on: 'approval', hint: 'approve it with --approve find' }, rec({ type: 'outcome', step: 'find', item: '-', status: 'ok', attempt: 2 }));
    t.emit({ type: 'waiting', step: 'find', on: 'approval', hint: 'approve it with --approve find' });
    await t.until((f) => f.includes('waiting — find: approve it with --approve find'), 'waiting');
  });

  it('useRunStore throws outside its provider', () => {
    const Bad = () => <Text>{useRunStore((s) => s.phase)}</Text>;
    const errors: unknown[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => errors.push(a);
    try {
      const r = render(<Bad />);
      expect(r.lastFrame()).toContain('StoreProvider');
    } finally {
      console.error = orig;
    }
  });
});
