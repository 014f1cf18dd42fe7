/**
 * Format 1.1 `repeat:` — a bounded loop. A round runs the repeat's `steps:` in order, each as an
 * ordinary step journaled under its own key `<repeat>#<round>.<inner>`; after the round,
 * `until` is evaluated over that round's outputs. A resumed run finds the round it was in (the
 * highest round with a record) and continues it: inner steps finished in that round are not run
 * again (their items, approvals and in-doubt settling work as for any step).
 */
import type { Runbook, Step } from '../runbook/schema.js';
import { durationMs } from '../runbook/step-rules.js';
import { evaluateField, truthy } from '../runbook/expressions.js';
import type { Scope } from '../runbook/expressions.js';
import { finish, liveOf, runStep } from './step.js';
import { clockOf } from './watch.js';
import type { RunContext, StepResult } from './run-context.js';

/** The journal key of an inner step in one round: `eradicate#2.disable-keys`. */
export function roundKey(repeat: string, round: number, inner: string): string {
  return `${repeat}#${round}.${inner}`;
}

/** `eradicate#2.disable-keys` → its parts (undefined for an ordinary step id). */
export function parseRoundKey(id: string): { repeat: string; round: number; inner: string } | undefined {
  const m = /^([A-Za-z0-9][A-Za-z0-9_-]*)#([1-9]\d*)\.([A-Za-z0-9][A-Za-z0-9_-]*)$/.exec(id);
  return m ? { repeat: m[1]!, round: Number(m[2]), inner: m[3]! } : undefined;
}

/** The runbook step a journal key names: a top-level step, or a repeat's inner step (by round key). */
export function stepForKey(runbook: Pick<Runbook, 'steps'>, id: string): Step | undefined {
  const top = runbook.steps.find((s) => s.id === id);
  if (top) return top;
  const k = parseRoundKey(id);
  if (!k) return undefined;
  const inner = runbook.steps.find((s) => s.id === k.repeat)?.steps?.find((s) => s.id === k.inner);
  return inner && k.round <= (runbook.steps.find((s) => s.id === k.repeat)?.repeat?.max ?? 0) ? inner : undefined;
}

/** The round a resumed run continues (1 when the repeat has not started). */
function currentRound(rc: RunContext, id: string): number {
  let round = 1;
  for (const key of Object.keys(rc.prior?.steps ?? {})) {
    const k = parseRoundKey(key);
    if (k?.repeat === id) round = Math.max(round, k.round);
  }
  return round;
}

export async function runRepeat(rc: RunContext, step: Step): Promise<StepResult> {
  const spec = step.repeat!;
  const inner = step.steps ?? [];
  const prior = rc.prior?.steps[step.id];
  if (prior?.status === 'ok' || prior?.status === 'skipped') {
    rc.outputs.set(step.id, prior.outputs);
    const rounds = (prior.outputs as { rounds?: unknown } | undefined)?.rounds;
    if (typeof rounds === 'number') restoreRound(rc, step, rounds);
    return { status: prior.status };
  }
  const go = step.if === undefined || (typeof step.if === 'boolean' ? step.if : truthy(evaluateField(step.if, rc.scope())));
  if (rc.signal.aborted) return { status: 'interrupted' };
  rc.write({ type: 'step.started', step: step.id, kind: step.kind, title: step.title });
  if (!go) {
    finish(rc, step, 'skipped', undefined, `condition is false: ${String(step.if)}`);
    return { status: 'skipped' };
  }
  const first = currentRound(rc, step.id);
  let last: Round | undefined;
  for (let round = first; round <= spec.max; round++) {
    if (round > first && spec.every !== undefined) {
      if (!(await clockOf(rc).sleep(durationMs(spec.every), rc.signal, step.id)) || rc.signal.aborted) return { status: 'interrupted' };
    }
    const child = roundContext(rc, step, round);
    last = child;
    for (const x of inner) {
      const r = await runStep(child.rc, { ...x, id: roundKey(step.id, round, x.id) });
      if (r.status === 'ok' || r.status === 'skipped' || (r.status === 'failed' && r.continued)) continue;
      if (r.status !== 'failed') return r; // waiting or interrupted: resume continues this round
      const message = `round ${round}: ${x.id} failed: ${r.message}`;
      finish(rc, step, 'failed', { rounds: round, until_met: false }, message);
      return { status: 'failed', message, items: r.items, ...(step.on_failure === 'continue' ? { continued: true } : {}) };
    }
    const met = typeof spec.until === 'boolean' ? spec.until : truthy(evaluateField(spec.until, child.rc.scope()));
    if (met) return done(rc, step, child, round, true);
  }
  if (spec.on_max === 'continue') return done(rc, step, last ?? roundContext(rc, step, spec.max), spec.max, false, `until (${String(spec.until)}) never held in ${spec.max} round(s); on_max: continue`);
  const message = `${spec.max} round(s) ran and until (${String(spec.until)}) never held`;
  finish(rc, step, 'failed', { rounds: spec.max, until_met: false }, message);
  return { status: 'failed', message, items: [], ...(step.on_failure === 'continue' ? { continued: true } : {}) };
}

interface Round {
  rc: RunContext;
  /** outputs of this round's inner steps, by round key */
  outputs: Map<string, unknown>;
}

/** A run context for one round: `steps.<inner id>` is this round's result. */
function roundContext(rc: RunContext, step: Step, round: number): Round {
  const outputs = new Map<string, unknown>();
  const inner = step.steps ?? [];
  const mine = (): Scope['steps'] =>
    Object.fromEntries(inner.filter((x) => outputs.has(roundKey(step.id, round, x.id))).map((x) => [x.id, { outputs: (outputs.get(roundKey(step.id, round, x.id)) ?? {}) as Record<string, unknown> }]));
  const scope = (extra?: Partial<Scope>): Scope => {
    const s = rc.scope(extra);
    return { ...s, steps: { ...s.steps, ...mine() } };
  };
  return { rc: { ...rc, outputs, scope }, outputs };
}

function done(rc: RunContext, step: Step, round: Round, rounds: number, met: boolean, reason?: string): StepResult {
  for (const x of step.steps ?? []) {
    const key = roundKey(step.id, rounds, x.id);
    if (round.outputs.has(key)) rc.outputs.set(x.id, round.outputs.get(key));
  }
  finish(rc, step, 'ok', { rounds, until_met: met }, reason);
  return { status: 'ok' };
}

/** A finished repeat on resume: the steps after it read the last round's outputs. */
function restoreRound(rc: RunContext, step: Step, rounds: number): void {
  for (const x of step.steps ?? []) {
    const key = roundKey(step.id, rounds, x.id);
    const st = rc.prior?.steps[key];
    if (st?.status === 'ok') rc.outputs.set(x.id, liveOf(rc, st.outputs, st.sealed, key, '').value);
  }
}
