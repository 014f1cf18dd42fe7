/**
 * Ports through which the engine asks the operator. The TUI implements them interactively;
 * scripted mode answers from flags (--yes, --approve, --done, --settle) and never waits.
 */
import type { StepKind } from '../runbook/schema.js';

export interface ApprovalRequest {
  step: string;
  title: string;
  kind: StepKind;
  /** what will be called, from the provider's plan() (redacted) */
  plan: string[];
  /** item keys of a fan-out (or [`-`]) */
  items: string[];
  /** the rendered input per item (redacted) */
  inputs: Record<string, unknown>;
}

export type ApprovalAnswer =
  | { decision: 'approved'; items?: string[]; via: string }
  | { decision: 'denied'; reason?: string; via: string }
  /** scripted mode: no flag answers it — stop and say which flag does */
  | { decision: 'wait'; hint: string };

export interface ManualRequest {
  step: string;
  item?: string;
  title: string;
  instructions?: string;
  evidence: { type: 'none' | 'note' | 'link'; required: boolean; prompt?: string };
}

export type ManualAnswer =
  | { done: true; note?: string; link?: string; via: string }
  | { done: false; skip?: { reason: string }; hint?: string };

export interface DoubtRequest {
  step: string;
  item: string;
  action: string;
  /** why verify could not settle it */
  reason: string;
}

/** done: it happened; redo: call it again; verify: read it back again (then ask again if still unknown); wait: decide later */
export type DoubtAnswer = { decision: 'done' | 'redo'; via: string } | { decision: 'verify' } | { decision: 'wait'; hint: string };

export type ProceedAnswer = { action: 'run' } | { action: 'skip'; reason: string };
export type FailureAnswer = 'retry' | 'continue' | 'stop';

export interface InputRequest {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'list';
  description?: string;
  prompt?: string;
  pattern?: string;
  default?: unknown;
  secret: false;
}

/** The time a watch (and a repeat's `every`) runs on: real time, or the drill clock in drills. */
export interface Clock {
  /** milliseconds on this clock (only differences are used) */
  now(): number;
  /** wait `ms` of this clock's time for `step`; resolves false when the signal aborts */
  sleep(ms: number, signal: AbortSignal, step: string): Promise<boolean>;
  /**
   * ms since the Unix epoch on this clock's time: what `now()` in expressions and providers'
   * own timestamps read. A drill: the drill world's time (its epoch + the drill clock), the time
   * its simulators stamp events with. Absent → real time.
   */
  wall?(): number;
}

/** Which question an answer is for (team mode: another operator answered it through the shared store). */
export type QuestionRef = { kind: 'approval'; step: string } | { kind: 'manual'; step: string; item?: string } | { kind: 'doubt'; step: string; item: string };

/** A step about to start, as step-by-step mode shows it (uses and confirm: whether ⏎ opens a gate). */
export interface ProceedRequest {
  id: string;
  title: string;
  kind: StepKind;
  instructions?: string;
  uses?: string;
  confirm?: boolean;
}

export interface OperatorPorts {
  /** the clock of watches and repeat pauses; absent → real time */
  clock?: Clock;
  approve(req: ApprovalRequest): Promise<ApprovalAnswer>;
  manual(req: ManualRequest): Promise<ManualAnswer>;
  settle(req: DoubtRequest): Promise<DoubtAnswer>;
  /** ask the operator for a secret (hidden input); absent in scripted mode */
  promptSecret?(question: string): Promise<string>;
  /** ask for a runbook input that no flag gave (TUI); absent in scripted mode → usage error naming --input */
  askInput?(req: InputRequest): Promise<string>;
  /** step-by-step mode: called before each step starts; absent → run */
  /** title and instructions as far as they are known when the step is ready (see previewText) */
  proceed?(step: ProceedRequest): Promise<ProceedAnswer>;
  /** a step failed: retry it, continue past it, or stop the run; absent → the runbook's on_failure */
  onFailure?(step: { id: string; title: string }, error: { message: string; items: string[] }): Promise<FailureAnswer>;
  /** team mode: another operator answered this question (engine/team-answers.ts) — take it off the screen; absent → nothing to do */
  withdraw?(q: QuestionRef): void;
  /**
   * team mode: a four-eyes gate lacks approvals — resolves true when a new approval for `step`
   * arrived (the engine reads the store again), false to stop waiting (exit 3); absent → false
   */
  answered?(step: string, hint: string): Promise<boolean>;
}
