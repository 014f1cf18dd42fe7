/**
 * The scheduler's order (src/core/engine/ready.ts, used by engine.ts #schedule): a step starts
 * once each of its needs is ok, failed or skipped, the ready ones in runbook order, at most
 * `concurrency` at once; nothing starts after a halt. The queue is checked against the rescan
 * the engine used to do (the specification, below) over random DAGs and completion orders, and
 * a whole engine run over a DAG with diamonds pins the order, skips, a false `if`, a failed
 * need with on_failure: continue, and a halting failure.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { runEngine, workspace } from './helpers.js';
import { ReadyQueue } from '../../src/core/engine/ready.js';
import { stepNeeds } from '../../src/core/engine/engine.js';
import { defineAction, defineProvider } from '../../src/providers/sdk.js';
import { ProviderError } from '../../src/core/errors.js';

type Status = 'ok' | 'failed' | 'skipped' | 'halt-failed' | 'halt-waiting';
interface Step {
  id: string;
  needs?: string[];
}

/**
 * Run the scheduler over `steps` with a scripted world: each turn, `finish` of the running steps
 * (picked by index) end with the statuses given. Returns the order steps started in.
 * `spec`: the rescan the engine did before the ready queue (every pending step, in runbook
 * order, whose needs are all ok/failed/skipped, after each turn).
 */
function schedule(steps: Step[], limit: number, turns: { picks: number[]; statuses: Status[] }[], spec: boolean): string[] {
  const needs = stepNeeds(steps as never);
  const state = new Map<string, string>(steps.map((s) => [s.id, 'pending']));
  const terminal = (id: string) => ['ok', 'failed', 'skipped'].includes(state.get(id) ?? '');
  const queue = spec ? undefined : new ReadyQueue(steps, needs);
  const running: string[] = [];
  const started: string[] = [];
  let halted = false;
  const start = (s: Step) => {
    state.set(s.id, 'running');
    running.push(s.id);
    started.push(s.id);
  };
  for (let t = 0; ; t++) {
    if (!halted) {
      if (queue) {
        while (running.length < limit) {
          const s = queue.next();
          if (!s) break;
          start(s);
        }
      } else {
        for (const s of steps) {
          if (running.length >= limit) break;
          if (state.get(s.id) === 'pending' && (needs.get(s.id) ?? []).every(terminal)) start(s);
        }
      }
    }
    if (running.length === 0) break;
    const turn = turns[t % turns.length]!;
    // one or more of the running steps finish before the scheduler looks again
    const n = 1 + (turn.picks.length ? turn.picks[0]! % running.length : 0);
    for (let k = 0; k < n; k++) {
      const id = running.splice((turn.picks[k] ?? 0) % running.length, 1)[0]!;
      const st = turn.statuses[k % turn.statuses.length]!;
      const to = st === 'halt-waiting' ? 'pending' : st === 'halt-failed' ? 'failed' : st;
      state.set(id, to);
      if (to !== 'pending') queue?.finished(id);
      if (st.startsWith('halt')) halted = true;
    }
  }
  return started;
}

const dag = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.tuple(
    fc.array(
      fc.oneof(
        { weight: 1, arbitrary: fc.constant(undefined) },
        // any other step, before or after it (a later one: it waits; a cycle: never runs), or no step at all
        { weight: 3, arbitrary: fc.uniqueArray(fc.integer({ min: 0, max: n }), { maxLength: 3 }) },
      ),
      { minLength: n, maxLength: n },
    ),
    fc.constant(n),
  ).map(([ns, count]) =>
    Array.from({ length: count }, (_, i): Step => {
      const raw = ns[i];
      return raw === undefined ? { id: `s${i}` } : { id: `s${i}`, needs: raw.filter((j) => j !== i).map((j) => (j === count ? 'nowhere' : `s${j}`)) };
    }),
  ),
);
const turns = fc.array(
  fc.record({
    picks: fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }),
    statuses: fc.array(fc.constantFrom<Status>('ok', 'ok', 'ok', 'failed', 'skipped', 'halt-failed', 'halt-waiting'), { minLength: 1, maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 8 },
);

describe('scheduler: the ready queue starts steps as the rescan did', () => {
  it('same start order for random DAGs, limits and completion orders (ok, failed, skipped, halts)', () => {
    fc.assert(
      fc.property(dag, fc.integer({ min: 1, max: 5 }), turns, (steps, limit, ts) => {
        expect(schedule(steps, limit, ts, false)).toEqual(schedule(steps, limit, ts, true));
      }),
      { numRuns: 500 },
    );
  });

  it('a step placed before a step it needs waits for it; an unknown need never becomes ready', () => {
    const steps: Step[] = [{ id: 'a' }, { id: 'late', needs: ['b'] }, { id: 'b', needs: ['a'] }, { id: 'never', needs: ['a', 'nowhere'] }];
    const q = new ReadyQueue(steps, stepNeeds(steps as never));
    expect(q.next()?.id).toBe('a');
    expect(q.next()).toBeUndefined();
    q.finished('a');
    expect(q.next()?.id).toBe('b');
    q.finished('b');
    q.finished('b'); // once per id
    expect(q.next()?.id).toBe('late');
    expect(q.next()).toBeUndefined();
  });
});

const noop = defineProvider({
  type: 'noop',
  description: 'test',
  config: z.strictObject({}),
  actions: {
    run: defineAction({ kind: 'any', description: 'nothing', input: z.strictObject({}), output: z.object({ ok: z.boolean() }), idempotent: true, run: async () => ({ ok: true }) }),
    fail: defineAction({
      kind: 'any',
      description: 'fails',
      input: z.strictObject({}),
      output: z.object({}),
      idempotent: true,
      run: async (ctx) => {
        throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'it broke', failure: 'definite' });
      },
    }),
  },
});

// runbook order on purpose not topological: `late` needs `d`, listed after it
const diamonds = (onFailure: string) => `version: 1
id: diamonds
title: Diamonds
providers: { p: { type: noop } }
steps:
  - { id: a, kind: detect, title: A, uses: p.run }
  - { id: b, kind: detect, title: B, uses: p.run, needs: [a] }
  - { id: c, kind: detect, title: C, uses: p.run, needs: [a], if: false }
  - { id: late, kind: detect, title: Late, uses: p.run, needs: [d] }
  - { id: d, kind: detect, title: D, uses: p.run, needs: [b, c] }
  - { id: e, kind: detect, title: E, uses: p.fail, needs: [a]${onFailure} }
  - { id: f, kind: detect, title: F, uses: p.run, needs: [e, d] }
  - { id: g, kind: detect, title: G, uses: p.run, needs: [f, late] }
`;

describe('scheduler: a whole run over a DAG with diamonds', () => {
  it('starts ready steps in runbook order; a skipped or failed-but-continued need lets its dependants run', async () => {
    const w = workspace();
    const r = await runEngine({ yaml: diamonds(', on_failure: continue'), dir: w.dir, stateDir: w.stateDir, providers: [noop], overrides: { concurrency: 1 } });
    const started = r.journal.read().flatMap((x) => (x.type === 'step.started' ? [x.step] : []));
    expect(started).toEqual(['a', 'b', 'c', 'd', 'late', 'e', 'f', 'g']);
    const st = r.result.state!.steps;
    expect(Object.fromEntries(started.map((id) => [id, st[id]?.status]))).toEqual({ a: 'ok', b: 'ok', c: 'skipped', d: 'ok', late: 'ok', e: 'failed', f: 'ok', g: 'ok' });
    expect(st.c?.reason).toContain('condition is false');
    expect(r.result.status).toBe('failed');
    expect(r.result.detail).toBe('1 step(s) failed (on_failure: continue)');
  });

  it('a failure that stops the run starts nothing after it; the steps that needed it are not run', async () => {
    const w = workspace();
    const r = await runEngine({ yaml: diamonds(''), dir: w.dir, stateDir: w.stateDir, providers: [noop], overrides: { concurrency: 1 } });
    const started = r.journal.read().flatMap((x) => (x.type === 'step.started' ? [x.step] : []));
    expect(started).toEqual(['a', 'b', 'c', 'd', 'late', 'e']);
    expect(r.result.status).toBe('failed');
    expect(r.result.detail).toMatch(/^e: .*it broke/);
    expect(r.result.state!.steps.f).toBeUndefined();
  });

  it('with room for two, the diamond sides run together and the join waits for both', async () => {
    const w = workspace();
    const r = await runEngine({ yaml: diamonds(', on_failure: continue'), dir: w.dir, stateDir: w.stateDir, providers: [noop], overrides: { concurrency: 2 } });
    const recs = r.journal.read();
    const at = (type: string, step: string) => recs.findIndex((x) => x.type === type && 'step' in x && x.step === step);
    for (const [join, needs] of [['d', ['b', 'c']], ['late', ['d']], ['f', ['e', 'd']], ['g', ['f', 'late']]] as const) {
      for (const n of needs) expect(at('step.finished', n)).toBeLessThan(at('step.started', join));
    }
    // b and c start before either finishes (both were ready when a finished, and two may run)
    expect(Math.max(at('step.started', 'b'), at('step.started', 'c'))).toBeLessThan(Math.min(at('step.finished', 'b'), at('step.finished', 'c')));
  });
});
