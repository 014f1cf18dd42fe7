/**
 * Format 1.1 `watch:` — hold and watch. The step's action (a read) runs every `every`, for `for`
 * in all, and the step ends as soon as `fail_if` (failed) or `until` (ok, seen) holds for a
 * check's result. Each check is an item `check-<n>` (with for_each `check-<n>.<key>`): intent
 * and outcome as for any call; then a `watch` record keeps the time watched so far, so a resumed
 * run watches only what is left (starting with a check at once). Time is the operator ports'
 * clock: real time, or drill time in drills.
 */
import { durationMs, type Step } from '../runbook/schema.js';
import { evaluateField, truthy } from '../runbook/expressions.js';
import { formatDuration } from '../duration.js';
import { SINGLE_ITEM } from '../journal/fold.js';
import { runItem } from './item.js';
import { sleep } from './retry.js';
import type { Clock } from './ports.js';
import type { ActionRef, RunContext, StepResult } from './run-context.js';

/** Real time: the clock of a live run. */
export const realClock: Clock = { now: () => Date.now(), sleep: (ms, signal) => sleep(ms, signal) };

export function clockOf(rc: RunContext): Clock {
  return rc.ports.clock ?? realClock;
}

export interface WatchItem {
  key: string;
  item: unknown;
  input?: unknown;
  invalid?: string;
}

/** How step.ts finishes a step (journal + live outputs). */
export type Finish = (status: 'ok' | 'failed', outputs: unknown, reason?: string) => void;

export function checkKey(n: number, key: string): string {
  return key === SINGLE_ITEM ? `check-${n}` : `check-${n}.${key}`;
}

export async function runWatch(rc: RunContext, step: Step, ref: ActionRef, planned: WatchItem[], finish: Finish): Promise<StepResult> {
  const w = step.watch!;
  const forMs = durationMs(w.for);
  const everyMs = durationMs(w.every);
  const clock = clockOf(rc);
  const prior = rc.prior?.steps[step.id];
  let checks = prior?.watch?.checks ?? 0;
  const base = prior?.watch?.watchedMs ?? 0;
  const t0 = clock.now();
  for (;;) {
    const n = checks + 1;
    const outs = new Map<string, unknown>();
    for (const p of planned) {
      const key = checkKey(n, p.key);
      const st = prior?.items[key];
      if (st?.status === 'ok') {
        // the check ran before the process stopped, its watch record did not: keep its answer
        outs.set(p.key, st.output);
        continue;
      }
      if (p.invalid !== undefined) {
        const error = { message: `invalid input: ${p.invalid}`, code: 'BAD_INPUT', failure: 'definite' as const };
        rc.write({ type: 'outcome', step: step.id, item: key, status: 'failed', attempt: 0, error });
        return failed(rc, step, finish, `check ${n}: ${error.message}`, [key]);
      }
      const r = await runItem(rc, { step, key, input: p.input, ref, item: p.item });
      if (r.status === 'ok') outs.set(p.key, r.output);
      else if (r.status === 'failed') return failed(rc, step, finish, `check ${n} failed: ${r.error.message}`, [key]);
      else if (r.status === 'in-doubt' || r.status === 'waiting') return { status: 'waiting', hint: r.hint };
      else return { status: 'interrupted' };
    }
    const result = step.for_each === undefined ? outs.get(SINGLE_ITEM) : { items: planned.map((p) => outs.get(p.key)), keys: planned.map((p) => p.key), count: planned.length };
    const scope = rc.scope({ result });
    const seen = w.fail_if !== undefined && truthy(evaluateField(w.fail_if, scope)) ? 'fail_if' : w.until !== undefined && truthy(evaluateField(w.until, scope)) ? 'until' : undefined;
    const watched = Math.min(forMs, base + Math.max(0, clock.now() - t0));
    checks = n;
    rc.write({ type: 'watch', step: step.id, check: n, watchedMs: watched, forMs, ...(seen ? { seen } : {}) });
    const outputs = () => {
      if (!step.outputs) return { checks: n, seen: seen !== undefined, watched_ms: watched, last: result ?? null };
      const named: Record<string, unknown> = {};
      for (const [k, expr] of Object.entries(step.outputs)) named[k] = evaluateField(expr, scope);
      return named;
    };
    const when = `at check ${n} (${formatDuration(watched)} of ${formatDuration(forMs)} watched)`;
    if (seen === 'fail_if') return failed(rc, step, finish, `fail_if (${w.fail_if}) seen ${when}`, [], outputs());
    if (seen === 'until') {
      finish('ok', outputs(), `until (${w.until}) seen ${when}`);
      return { status: 'ok' };
    }
    const remaining = forMs - watched;
    if (remaining <= 0) {
      finish('ok', outputs(), `nothing seen in ${formatDuration(forMs)} (${n} checks)`);
      return { status: 'ok' };
    }
    const next = Math.min(everyMs, remaining);
    rc.emit({ type: 'watching', step: step.id, checks: n, watchedMs: watched, forMs, remainingMs: remaining, nextCheckMs: next });
    if (!(await clock.sleep(next, rc.signal, step.id)) || rc.signal.aborted) return { status: 'interrupted' };
  }
}

function failed(rc: RunContext, step: Step, finish: Finish, message: string, items: string[], outputs?: unknown): StepResult {
  finish('failed', outputs, message);
  return { status: 'failed', message, items, ...(step.on_failure === 'continue' ? { continued: true } : {}) };
}
