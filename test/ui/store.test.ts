import { describe, expect, it } from 'vitest';
import { createObserver, createRunStore, DEFAULT_LIMITS } from '../../src/ui/store.js';
import { countsText, displayStatus, progressOf, selectedStep } from '../../src/ui/status.js';
import { fold } from '../../src/core/journal/fold.js';
import type { JournalRecord, RecordBody } from '../../src/core/journal/records.js';
import { begin, rec, step } from './helpers.js';
import { opening } from '../report/writer.js';

/** The records of live incident `incident`'s journal (runbook rb, a run started, then `after`), a second apart. */
const journal = (incident: string, after: RecordBody[]): JournalRecord[] =>
  [...opening(incident, 'live'), ...after].map((b, i) => ({ ...b, seq: i + 1, ts: new Date(1_700_000_000_000 + i * 1000).toISOString(), op: 'a@h', sum: '' }) as JournalRecord);

function fresh(limits = {}) {
  const store = createRunStore();
  const obs = createObserver(store, { intervalMs: 10_000, limits });
  return { store, obs, s: () => store.getState() };
}

describe('run store fed by engine events', () => {
  it('maps records to step and item states with fan-out counts', () => {
    const { obs, s } = fresh();
    obs.observe(begin([step('find'), step('revoke', { kind: 'revoke', fanOut: true, confirm: true })]));
    obs.observe(rec({ type: 'step.started', step: 'find' }));
    obs.observe(rec({ type: 'step.finished', step: 'find', status: 'ok', outputs: { tokens: 5 } }));
    obs.observe(rec({ type: 'step.started', step: 'revoke' }));
    obs.observe(rec({ type: 'items', step: 'revoke', keys: ['a', 'b', 'c', 'd', 'e'] }));
    for (const k of ['a', 'b', 'c']) {
      obs.observe(rec({ type: 'intent', step: 'revoke', item: k, action: 'hf.revokeToken', attempt: 1, key: k, input: { token: k }, idempotent: true }));
      obs.observe(rec({ type: 'outcome', step: 'revoke', item: k, status: 'ok', attempt: 1 }));
    }
    obs.observe(rec({ type: 'intent', step: 'revoke', item: 'd', action: 'hf.revokeToken', attempt: 1, key: 'd', input: {}, idempotent: true }));
    obs.observe(rec({ type: 'outcome', step: 'revoke', item: 'd', status: 'in-doubt', attempt: 1 }));
    obs.observe(rec({ type: 'intent', step: 'revoke', item: 'e', action: 'hf.revokeToken', attempt: 1, key: 'e', input: {}, idempotent: true }));
    expect(s().stepOrder).toEqual([]); // nothing applied before the flush
    obs.flush();
    const st = s();
    expect(st.phase).toBe('running');
    expect(st.steps.get('find')?.status).toBe('ok');
    expect(st.steps.get('find')?.outputs).toEqual({ tokens: 5 });
    const revoke = st.steps.get('revoke')!;
    expect(revoke.counts).toMatchObject({ total: 5, ok: 3, inDoubt: 1, running: 1 });
    expect(countsText(revoke)).toBe('3/5, 1 running, 1 in doubt');
    expect(displayStatus(revoke, false)).toBe('in doubt');
    expect(displayStatus(revoke, true)).toBe('waiting');
    expect(revoke.items.a?.input).toEqual({ token: 'a' });
    expect(progressOf(st)).toMatchObject({ total: 2, finished: 1, done: 1 });
    expect(selectedStep(st)).toBe('revoke');
  });

  it('applies a flush as one store update, whatever the number of events', () => {
    const { store, obs } = fresh();
    let updates = 0;
    store.subscribe(() => updates++);
    obs.observe(begin([step('s')]));
    for (let i = 0; i < 5_000; i++) obs.observe({ type: 'log', step: 's', item: '-', stream: 'stdout', text: `line ${i}` });
    for (let i = 0; i < 500; i++) obs.observe(rec({ type: 'note', text: `n${i}` }));
    obs.flush();
    expect(updates).toBe(1);
    expect(store.getState().notes.length).toBe(DEFAULT_LIMITS.notes);
    expect(store.getState().notes.at(-1)?.text).toBe('n499');
  });

  it('keeps the last 200 lines of a step that prints 100,000, and bounds what waits for a flush', () => {
    const { obs, s } = fresh();
    obs.observe(begin([step('flood')]));
    for (let i = 0; i < 100_000; i++) {
      obs.observe({ type: 'log', step: 'flood', item: '-', stream: 'stdout', text: `line ${i}` });
      // between two flushes, the pending buffer never holds more than twice the tail
      if (i % 997 === 0) expect(obs.pendingLines).toBeLessThanOrEqual(2 * DEFAULT_LIMITS.logTail);
      if (i % 20_000 === 0) obs.flush();
    }
    obs.flush();
    const log = s().steps.get('flood')!.log;
    expect(log.total).toBe(100_000);
    expect(log.lines).toHaveLength(200);
    expect(log.lines[0]?.text).toBe('line 99800');
    expect(log.lines.at(-1)?.text).toBe('line 99999');
  });

  it('bounds the lines kept across a 2,000-step runbook (least recently written shrink first)', () => {
    const { obs, s } = fresh();
    const ids = Array.from({ length: 2000 }, (_, i) => `s${i}`);
    obs.observe(begin(ids.map((id) => step(id))));
    obs.flush();
    for (const id of ids) {
      obs.observe(rec({ type: 'step.started', step: id }));
      for (let i = 0; i < 60; i++) obs.observe({ type: 'log', step: id, item: '-', stream: 'stdout', text: `${id} ${i}` });
      obs.observe(rec({ type: 'step.finished', step: id, status: 'ok' }));
      obs.flush();
    }
    const st = s();
    const kept = ids.reduce((n, id) => n + st.steps.get(id)!.log.lines.length, 0);
    expect(kept).toBeLessThanOrEqual(DEFAULT_LIMITS.logBudget);
    expect(st.logKept).toBe(kept);
    expect(st.steps.get('s1999')!.log.lines).toHaveLength(60); // the newest tail is whole
    expect(st.steps.get('s0')!.log.lines).toHaveLength(0); // the oldest tails go first
    expect(st.steps.get('s1700')!.log.lines.length).toBeGreaterThanOrEqual(DEFAULT_LIMITS.logTrimTo);
    expect(st.steps.get('s0')!.log.total).toBe(60);
    expect(progressOf(st).done).toBe(2000);
  });

  it('cuts long lines and strips escape sequences a child process could use to tear the screen', () => {
    const { obs, s } = fresh({ lineLength: 50 });
    obs.observe(begin([step('x')]));
    obs.observe({ type: 'log', step: 'x', item: '-', stream: 'stdout', text: '\u001b[2J\u001b[31mred\u001b[0m\u0007 \u001b]0;title\u0007done\rX' });
    obs.observe({ type: 'log', step: 'x', item: '-', stream: 'stdout', text: 'y'.repeat(10_000) });
    obs.observe({ type: 'log', step: 'x', item: '-', stream: 'stderr', text: 'one\ntwo\n' });
    obs.flush();
    const lines = s().steps.get('x')!.log.lines;
    expect(lines[0]?.text).toBe('red done X');
    expect(lines[1]?.text).toHaveLength(50);
    expect(lines.slice(2).map((l) => l.text)).toEqual(['one', 'two']);
    expect(s().steps.get('x')!.log.total).toBe(4);
  });

  it('shows waiting and retry (with its delay) until the next record for the step', () => {
    const { obs, s } = fresh();
    obs.observe(begin([step('r', { kind: 'revoke' })]));
    obs.observe(rec({ type: 'step.started', step: 'r' }));
    obs.observe(rec({ type: 'intent', step: 'r', item: '-', action: 'x.y', attempt: 1, key: 'k', input: {}, idempotent: true }));
    obs.observe({ type: 'retry', step: 'r', item: '-', attempt: 2, delayMs: 4000, reason: 'HTTP 503' });
    obs.observe({ type: 'waiting', step: 'r', on: 'approval', hint: 'approve with --approve r' });
    obs.flush();
    expect(s().steps.get('r')!.items['-']?.retry).toMatchObject({ attempt: 2, delayMs: 4000, reason: 'HTTP 503' });
    expect(displayStatus(s().steps.get('r')!, false)).toBe('retrying');
    expect(s().waiting?.hint).toBe('approve with --approve r');
    obs.observe(rec({ type: 'outcome', step: 'r', item: '-', status: 'ok', attempt: 2 }));
    obs.flush();
    expect(s().steps.get('r')!.items['-']?.retry).toBeUndefined();
    expect(s().waiting).toBeUndefined();
  });

  it('is seeded from fold(records) on resume, and run.begin keeps what the journal says', () => {
    const records = journal('inc-7', [
      { type: 'step.started', step: 'a' },
      { type: 'step.finished', step: 'a', status: 'ok' },
      { type: 'step.started', step: 'b' },
      { type: 'items', step: 'b', keys: ['x', 'y'] },
      { type: 'intent', step: 'b', item: 'x', action: 'p.q', attempt: 1, key: 'x', input: {}, idempotent: false },
      { type: 'note', text: 'paged the owner' },
    ]);
    const store = createRunStore({ seed: fold(records) });
    const obs = createObserver(store, { intervalMs: 10_000 });
    expect(store.getState().steps.get('a')?.status).toBe('ok');
    expect(store.getState().steps.get('b')?.items.x?.status).toBe('in-doubt');
    expect(store.getState().steps.get('b')?.status).toBe('pending');
    obs.observe(begin([step('a'), step('b', { fanOut: true }), step('c')], { incident: 'inc-7', resumed: true }));
    obs.flush();
    const st = store.getState();
    expect(st.stepOrder).toEqual(['a', 'b', 'c']);
    expect(st.steps.get('a')?.status).toBe('ok');
    expect(st.steps.get('b')?.info.fanOut).toBe(true);
    expect(countsText(st.steps.get('b')!)).toBe('0/2, 1 in doubt');
    expect(st.notes.map((n) => n.text)).toEqual(['paged the owner']);
    expect(st.resumed).toBe(true);
  });

  it('seeded on resume, a repeat round step keeps the kind and title its step.started journaled', () => {
    const records = journal('inc-8', [
      { type: 'step.started', step: 'eradicate' },
      { type: 'step.started', step: 'eradicate#1.hunt', kind: 'detect', title: 'Hunt for attacker keys' },
      { type: 'step.finished', step: 'eradicate#1.hunt', status: 'ok' },
    ]);
    const rs = fold(records)!;
    expect(rs.steps['eradicate#1.hunt']).toMatchObject({ kind: 'detect', title: 'Hunt for attacker keys' });
    const store = createRunStore({ seed: rs });
    const obs = createObserver(store, { intervalMs: 10_000 });
    obs.observe(begin([step('eradicate')], { incident: 'inc-8', resumed: true }));
    obs.flush();
    expect(store.getState().steps.get('eradicate#1.hunt')?.info).toMatchObject({ kind: 'detect', title: 'Hunt for attacker keys' });
  });

  it('ends on run.end; a broken event never throws into the engine', () => {
    const { obs, s } = fresh();
    expect(() => obs.observe(null as never)).not.toThrow();
    obs.observe({ type: 'run.end', status: 'done', exitCode: 0 });
    obs.flush();
    expect(s().phase).toBe('ended');
    expect(s().end).toEqual({ status: 'done', exitCode: 0, detail: undefined });
  });
});

describe('the batch window of item progress grows with the fan-out', () => {
  it('a 6,000-item step applies item progress within 4× the item window, a 10-item step within 1×; a step event stays prompt', async () => {
    const { vi } = await import('vitest');
    vi.useFakeTimers();
    try {
      for (const [n, factor] of [
        [10, 1],
        [1_500, 2],
        [6_000, 4],
      ] as const) {
        const store = createRunStore();
        const obs = createObserver(store, { intervalMs: 10, itemMs: 100 });
        obs.observe(begin([step('revoke', { kind: 'revoke', fanOut: true })]));
        obs.observe(rec({ type: 'items', step: 'revoke', keys: Array.from({ length: n }, (_, i) => `k${i}`) }));
        obs.flush();
        obs.observe(rec({ type: 'intent', step: 'revoke', item: 'k1', action: 'x', attempt: 1, key: 'k1', input: {}, idempotent: true }));
        vi.advanceTimersByTime(100 * factor - 1);
        expect(obs.pendingEvents, `${n} items`).toBe(1);
        vi.advanceTimersByTime(1);
        expect(obs.pendingEvents, `${n} items`).toBe(0);
        expect(store.getState().steps.get('revoke')!.counts.running).toBe(1);
        // a step-level event is applied within the short window, whatever the size
        obs.observe(rec({ type: 'step.finished', step: 'revoke', status: 'ok' }));
        vi.advanceTimersByTime(10);
        expect(obs.pendingEvents).toBe(0);
        obs.dispose();
      }
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a repeat step\'s rounds in the checklist', () => {
  it('are listed under their repeat step, in order — not after the runbook\'s last step (live and on resume)', () => {
    const { obs, s } = fresh();
    obs.observe(begin([step('scope'), step('eradicate'), step('report')]));
    for (const id of ['eradicate#1.find', 'eradicate#1.disable', 'eradicate#2.find']) obs.observe(rec({ type: 'step.started', step: id }));
    obs.flush();
    expect(s().stepOrder).toEqual(['scope', 'eradicate', 'eradicate#1.find', 'eradicate#1.disable', 'eradicate#2.find', 'report']);
    obs.observe(rec({ type: 'step.started', step: 'eradicate#2.disable' }));
    obs.observe(rec({ type: 'step.started', step: 'report' }));
    obs.flush();
    expect(s().stepOrder).toEqual(['scope', 'eradicate', 'eradicate#1.find', 'eradicate#1.disable', 'eradicate#2.find', 'eradicate#2.disable', 'report']);

    // resume: the journal's rounds are known before the run lists its steps
    const records = journal('inc-8', [
      { type: 'step.started', step: 'scope' },
      { type: 'step.finished', step: 'scope', status: 'ok' },
      { type: 'step.started', step: 'eradicate' },
      { type: 'step.started', step: 'eradicate#1.find' },
      { type: 'step.finished', step: 'eradicate#1.find', status: 'ok' },
    ]);
    const store = createRunStore({ seed: fold(records) });
    const o2 = createObserver(store, { intervalMs: 10_000 });
    o2.observe(begin([step('scope'), step('eradicate'), step('report')], { incident: 'inc-8', resumed: true }));
    o2.flush();
    expect(store.getState().stepOrder).toEqual(['scope', 'eradicate', 'eradicate#1.find', 'report']);
  });
});
