/**
 * Format 1.1 `watch:` — hold and watch. The step's action (a read) runs every `every`, for `for`
 * in all, and the step ends as soon as `fail_if` (failed) or `until` (ok, seen) holds for a
 * check's result. A single check is an item `check-<n>`: intent and outcome as for any call;
 * then a `watch` record keeps the time watched so far, so a resumed run watches only what is
 * left (starting with a check at once). Time is the operator ports' clock: real time, or drill
 * time in drills.
 *
 * A detect watch over a fan-out journals each check as ONE `watch` record (items checked, the
 * items whose own result meets the condition seen, how many changed, a few notable results) —
 * not an intent and outcome per item per check: a 30-minute watch over 10,000 tokens would
 * otherwise write 600,000 records. Its calls are reads (the step is a detect step), so there is
 * no side effect to journal before; a check cut short is simply run again on resume. A failed
 * call still journals its outcome (`check-<n>.<key>`, failed) before the step fails.
 */
import { createHash } from 'node:crypto';
import { durationMs, type Step } from '../runbook/step-rules.js';
import { evaluateField, truthy } from '../runbook/expressions.js';
import { formatDuration } from '../duration.js';
import { SINGLE_ITEM } from '../journal/fold.js';
import { runItem, type ItemResult } from './item.js';
import { sleep } from './retry.js';
import type { Clock, FailureAnswer } from './ports.js';
import type { ActionRef, RunContext, StepResult } from './run-context.js';
import { toStored } from './stored.js';
import { WATCH_NOTABLE, type RecordBody, type WatchNote } from '../journal/records.js';

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

/** How step.ts asks the operator about a failed call (retry / continue / stop), as for any step's failure. */
export type AskFailure = (message: string, items: string[]) => Promise<FailureAnswer>;

export async function runWatch(rc: RunContext, step: Step, ref: ActionRef, planned: WatchItem[], finish: Finish, askFailure: AskFailure): Promise<StepResult> {
  const w = step.watch!;
  const forMs = durationMs(w.for);
  const everyMs = durationMs(w.every);
  const clock = clockOf(rc);
  const prior = rc.prior?.steps[step.id];
  let checks = prior?.watch?.checks ?? 0;
  const base = prior?.watch?.watchedMs ?? 0;
  const t0 = clock.now();
  const batched = isBatched(step);
  // a batched check's calls journal nothing per item (reads); a failed one is written by the loop below
  const irc: RunContext = batched ? { ...rc, write: (b) => quietWrite(rc, b), writeIntent: async () => {} } : rc;
  // what each item answered at the previous check of this run (a digest): to tell which changed
  let previous = new Map<string, string>();
  for (;;) {
    const n = checks + 1;
    const outs = new Map<string, unknown>();
    // a batched check's calls are reads: they run `concurrency` at a time like the step's fan-out
    // (default 4); the first item (in planned order) that did not answer decides, after the
    // calls in flight have settled. A retry (the operator's answer to a failed call) runs the
    // check's items again, past those that answered.
    for (;;) {
      const stopped = await checkItems(planned, batched ? Math.max(1, step.concurrency ?? 4) : 1, async (p) => {
        if (outs.has(p.key)) return undefined;
        const key = checkKey(n, p.key);
        const st = prior?.items[key];
        if (st?.status === 'ok') {
          // the check ran before the process stopped, its watch record did not: keep its answer
          outs.set(p.key, st.output);
          return undefined;
        }
        if (p.invalid !== undefined) return { invalid: p.invalid, key };
        const r = await runItem(irc, { step, key, input: p.input, ref, item: p.item });
        if (r.status === 'ok') {
          outs.set(p.key, r.output);
          return undefined;
        }
        return { r, key };
      });
      if (stopped) {
        const { p, stop } = stopped;
        const key = stop.key;
        if ('invalid' in stop) {
          const error = { message: `invalid input: ${stop.invalid}`, code: 'BAD_INPUT', failure: 'definite' as const };
          rc.write({ type: 'outcome', step: step.id, item: key, status: 'failed', attempt: 0, error });
          return failed(rc, step, finish, `check ${n}: ${error.message}`, [key]);
        }
        const r = stop.r;
        if (r.status === 'failed') {
          if (batched) rc.write({ type: 'outcome', step: step.id, item: key, status: 'failed', attempt: 1, error: r.error, reason: `watch check ${n}` });
          const message = `check ${n} failed${step.for_each !== undefined ? ` for ${p.key}` : ''}: ${r.error.message}`;
          // the operator chooses, as for any failed step: retry this call, go on past the step, or stop
          const choice = await askFailure(message, [key]);
          if (choice === 'retry' && !rc.signal.aborted) continue;
          return failed(rc, step, finish, message, [key], undefined, choice === 'continue');
        } else if (r.status === 'in-doubt' || r.status === 'waiting') return { status: 'waiting', hint: r.hint };
        else return { status: 'interrupted' };
      }
      break;
    }
    const result = step.for_each === undefined ? outs.get(SINGLE_ITEM) : { items: planned.map((p) => outs.get(p.key)), keys: planned.map((p) => p.key), count: planned.length };
    const scope = rc.scope({ result });
    const seen = w.fail_if !== undefined && truthy(evaluateField(w.fail_if, scope)) ? 'fail_if' : w.until !== undefined && truthy(evaluateField(w.until, scope)) ? 'until' : undefined;
    const watched = Math.min(forMs, base + Math.max(0, clock.now() - t0));
    checks = n;
    let named = '';
    if (batched) {
      const batch = summarise(rc, w, planned, outs, previous, seen);
      previous = batch.digests;
      rc.write({ type: 'watch', step: step.id, check: n, watchedMs: watched, forMs, ...(seen ? { seen } : {}), ...batch.fields });
      named = trippedText(batch.fields.tripped);
    } else rc.write({ type: 'watch', step: step.id, check: n, watchedMs: watched, forMs, ...(seen ? { seen } : {}) });
    const outputs = () => {
      if (!step.outputs) return { checks: n, seen: seen !== undefined, watched_ms: watched, last: result ?? null };
      const named: Record<string, unknown> = {};
      for (const [k, expr] of Object.entries(step.outputs)) named[k] = evaluateField(expr, scope);
      return named;
    };
    const when = `at check ${n} (${formatDuration(watched)} of ${formatDuration(forMs)} watched)`;
    if (seen === 'fail_if') return failed(rc, step, finish, `fail_if (${w.fail_if}) seen ${when}${named}`, [], outputs());
    if (seen === 'until') {
      finish('ok', outputs(), `until (${w.until}) seen ${when}${named}`);
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

type Stop = { invalid: string; key: string } | { r: Exclude<ItemResult, { status: 'ok' }>; key: string };

/**
 * Run `one` over the planned items, `limit` at a time (1: one after another, in order). After
 * an item stops the check, no new item starts; the calls in flight settle, and the earliest
 * stopped item in planned order is returned (with limit 1, the first one, as before).
 */
async function checkItems(planned: WatchItem[], limit: number, one: (p: WatchItem) => Promise<Stop | undefined>): Promise<{ p: WatchItem; stop: Stop } | undefined> {
  let next = 0;
  let firstAt = Infinity;
  let found: { p: WatchItem; stop: Stop } | undefined;
  const worker = async () => {
    while (firstAt === Infinity && next < planned.length) {
      const i = next++;
      const p = planned[i]!;
      const stop = await one(p);
      if (stop && i < firstAt) {
        firstAt = i;
        found = { p, stop };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, planned.length) }, worker));
  return found;
}

function failed(rc: RunContext, step: Step, finish: Finish, message: string, items: string[], outputs?: unknown, goOn = step.on_failure === 'continue'): StepResult {
  finish('failed', outputs, message);
  return { status: 'failed', message, items, ...(goOn ? { continued: true } : {}) };
}

/** A watch whose checks are journaled as one record each: a read (detect step) over a fan-out. */
export function isBatched(step: Step): boolean {
  return step.watch !== undefined && step.for_each !== undefined && step.kind === 'detect';
}

/** The records a batched check's calls would write: the intent/outcome/read-back of each call are left out (the check's own record says what it saw). */
function quietWrite(rc: RunContext, b: RecordBody): void {
  if (b.type === 'intent' || b.type === 'outcome' || b.type === 'verify') return;
  rc.write(b);
}

const SHOWN_IN_REASON = 10;

/** ` — tripped by: a, b, c (+N more)`: the items the step's reason names. */
function trippedText(tripped: string[] | undefined): string {
  if (!tripped?.length) return '';
  const more = tripped.length - SHOWN_IN_REASON;
  return ` — by ${tripped.length} item${tripped.length === 1 ? '' : 's'}: ${tripped.slice(0, SHOWN_IN_REASON).join(', ')}${more > 0 ? ` (+${more} more)` : ''}`;
}

function digest(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(v) ?? 'undefined').digest('base64');
}

/** Holds for this item's result on its own (`result` = a fan-out of one)? An expression that cannot be read that way is no. */
function holdsAlone(rc: RunContext, expr: string, key: string, output: unknown): boolean {
  try {
    return truthy(evaluateField(expr, rc.scope({ result: { items: [output], keys: [key], count: 1 } })));
  } catch {
    return false;
  }
}

/** The fields of a batched check's `watch` record, and this check's digests (to compare the next one with). */
function summarise(
  rc: RunContext,
  w: NonNullable<Step['watch']>,
  planned: WatchItem[],
  outs: Map<string, unknown>,
  previous: Map<string, string>,
  seen: 'fail_if' | 'until' | undefined,
): { fields: { items: number; tripped?: string[]; changed?: number; notable?: WatchNote[] }; digests: Map<string, string> } {
  const digests = new Map<string, string>();
  const tripped: string[] = [];
  const changed: string[] = [];
  const expr = seen === 'fail_if' ? w.fail_if : seen === 'until' ? w.until : undefined;
  for (const p of planned) {
    const out = outs.get(p.key);
    const d = digest(out);
    digests.set(p.key, d);
    if (expr !== undefined && holdsAlone(rc, expr, p.key, out)) tripped.push(p.key);
    else if (previous.has(p.key) && previous.get(p.key) !== d) changed.push(p.key);
  }
  const notable: WatchNote[] = [];
  const note = (key: string, why: WatchNote['why']) => notable.push({ key, why, output: toStored(outs.get(key), rc.fingerprintKey, rc.secrets.redactor) });
  for (const k of tripped.slice(0, WATCH_NOTABLE)) note(k, seen!);
  for (const k of changed.slice(0, WATCH_NOTABLE - notable.length)) note(k, 'changed');
  return {
    fields: { items: planned.length, ...(tripped.length ? { tripped } : {}), ...(changed.length ? { changed: changed.length } : {}), ...(notable.length ? { notable } : {}) },
    digests,
  };
}
