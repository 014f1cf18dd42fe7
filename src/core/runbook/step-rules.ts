/**
 * What the engine and a drill read from a validated runbook without its zod schema (./schema.ts
 * re-exports all of it): durations, default gates, evidence. Apart from the schema so that a run
 * of a stored runbook (./compiled.ts) does not build the schema on its way to the first frame.
 */
import type { Step } from './schema.js';

export type { Step };

/** The longest a Node timer can wait (2^31-1 ms, about 24.8 days): a longer delay fires at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** A duration (`30s`, `5m`, `1h`, `250ms`, or a number of seconds) in ms; NaN when it is not one. */
export function durationMs(d: number | string): number {
  if (typeof d === 'number') return d * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d);
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = m[2];
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
}

/** Whether a step waits for approval by default. */
export function needsConfirm(step: Step): boolean {
  // a repeat calls nothing itself: its inner steps have their own gates
  if (step.repeat !== undefined) return false;
  return step.confirm ?? (step.approvals !== undefined || step.kind === 'revoke' || step.kind === 'rotate');
}

export function evidenceOf(step: Step): { type: 'none' | 'note' | 'link'; required: boolean; prompt?: string } {
  const e = step.evidence;
  if (e === undefined || e === 'none') return { type: 'none', required: false };
  if (typeof e === 'string') return { type: e, required: true };
  return { type: e.type, required: e.required, prompt: e.prompt };
}
