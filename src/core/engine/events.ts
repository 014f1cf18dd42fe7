/**
 * Typed events the engine emits. The UI store and the scripted reporters observe them
 * (the journal is written by the engine itself, before the event, so that a side effect can
 * never happen without its intent on disk). A broken observer never stops an incident run.
 */
import type { RecordBody, Mode } from '../journal/records.js';
import type { StepKind } from '../runbook/schema.js';
import type { RunState } from '../journal/fold.js';

export interface StepInfo {
  id: string;
  kind: StepKind;
  title: string;
  uses?: string;
  needs: string[];
  confirm: boolean;
  fanOut: boolean;
  instructions?: string;
  evidence: { type: 'none' | 'note' | 'link'; required: boolean; prompt?: string };
}

export type EngineEvent =
  /** every durable record, as written (seq, ts and op included) */
  | { type: 'record'; record: RecordBody & { seq: number; ts: string; op: string } }
  | {
      type: 'run.begin';
      incident: string;
      mode: Mode;
      dryRun: boolean;
      runbook: { id: string; title: string; severity: string; path: string };
      steps: StepInfo[];
      resumed: boolean;
      openedAt: string;
    }
  /** a line of output from a step (already redacted) */
  | { type: 'log'; step: string; item: string; stream: 'stdout' | 'stderr' | 'info' | 'warn' | 'debug'; text: string }
  | { type: 'retry'; step: string; item: string; attempt: number; delayMs: number; reason: string }
  /** the run cannot go on without the operator */
  | { type: 'waiting'; step: string; item?: string; on: 'approval' | 'manual' | 'in-doubt' | 'input'; hint: string }
  /** format 1.1 watch: a check is done and the next one is due in `nextCheckMs` (drill time in drills); the run goes on by itself */
  | { type: 'watching'; step: string; checks: number; watchedMs: number; forMs: number; remainingMs: number; nextCheckMs: number }
  /**
   * `state`: the incident's whole journal folded (src/core/journal/fold.ts) as this run holds it
   * (a file journal under this run's lock: the records read at the start and every one written
   * since), so an observer at the end (a drill's scorecard) need not decode the journal again —
   * at 10,000 items a decode is a 45 MB read and ~100 MiB. It is the engine's own state, kept up
   * to date by later writes: read it, never change it. Not enumerable: not part of the `--json`
   * output (docs/events.md), not copied by `{ ...e }`.
   */
  | { type: 'run.end'; status: RunStatus; detail?: string; exitCode: number; state?: RunState };

export type RunStatus = 'done' | 'failed' | 'waiting' | 'interrupted';

export interface EngineObserver {
  (event: EngineEvent): void;
}
