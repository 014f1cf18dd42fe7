/**
 * The shape of a run's UI store: data only (steps, statuses, times, output tails, prompts).
 * Never JSX, never an Ink instance, never a promise resolver (those live in ports.ts).
 */
import type { StepInfo, RunStatus } from '../../core/engine/events.js';
import type {
  ApprovalRequest,
  DoubtRequest,
  InputRequest,
  ManualRequest,
} from '../../core/engine/ports.js';
import type { StoredError, StoredSecret } from '../../core/journal/records.js';
import type { Evidence, VerifyResult } from '../../providers/sdk.js';
import type { StepKind } from '../../core/runbook/schema.js';

export type UiMode = 'live' | 'drill' | 'dry-run';
/** `running`: an intent seen in this session without its outcome yet */
export type ItemStatus = 'pending' | 'running' | 'ok' | 'failed' | 'skipped' | 'in-doubt';
export type StepStatus = 'pending' | 'running' | 'ok' | 'failed' | 'skipped';

export interface LogLine {
  stream: 'stdout' | 'stderr' | 'info' | 'warn' | 'debug';
  item: string;
  text: string;
}

export interface LogTail {
  /** the last lines (bounded by limits.logTail) */
  lines: LogLine[];
  /** every line seen, including those no longer kept */
  total: number;
  /** bumped on every change: the global budget trims the least recently written tails first */
  touched: number;
}

export interface ItemView {
  key: string;
  status: ItemStatus;
  attempts: number;
  input?: unknown;
  action?: string;
  output?: unknown;
  error?: StoredError;
  evidence?: Evidence;
  verify?: VerifyResult;
  reason?: string;
  settled?: 'done' | 'redo';
  manual?: { note?: string; link?: string };
  secret?: StoredSecret;
  retry?: { attempt: number; delayMs: number; reason: string; at: number };
}

export interface Counts {
  total: number;
  pending: number;
  running: number;
  ok: number;
  failed: number;
  skipped: number;
  inDoubt: number;
  /** items waiting to retry (any status) */
  retrying: number;
}

export interface StepView {
  info: StepInfo;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  reason?: string;
  outputs?: unknown;
  /**
   * The step's items: a side table the store's flush updates IN PLACE (a new StepView per
   * change, the same table) — with 10,000 items, copying it per flush cost more than the run.
   * Read it during render; never keep it to compare later: compare `itemsRev` instead.
   */
  itemOrder: string[];
  items: Record<string, ItemView>;
  /** bumped whenever an item changes */
  itemsRev: number;
  /**
   * Side tables kept in place with `items` (absent on a hand-built view): each key's place in
   * `itemOrder`, and the keys that need attention (in doubt, failed, running) — so the detail
   * pane finds what to show in O(shown), not by scanning 10,000 items every frame.
   */
  itemPos?: Map<string, number>;
  urgent?: Set<string>;
  /** kept up to date from the items each flush touches */
  counts: Counts;
  approval?: { decision: 'approved' | 'denied'; items?: string[]; via: string; reason?: string };
  manual?: { note?: string; link?: string; via: string };
  log: LogTail;
}

export type Prompt =
  | { id: number; kind: 'approval'; step: string; req: ApprovalRequest }
  | { id: number; kind: 'manual'; step: string; req: ManualRequest }
  | { id: number; kind: 'doubt'; step: string; req: DoubtRequest }
  | { id: number; kind: 'input'; step?: undefined; req: InputRequest }
  | { id: number; kind: 'secret'; step?: undefined; question: string }
  | { id: number; kind: 'proceed'; step: string; req: { id: string; title: string; kind: StepKind; instructions?: string } }
  | { id: number; kind: 'failure'; step: string; req: { step: { id: string; title: string }; error: { message: string; items: string[] } } };
export type PromptKind = Prompt['kind'];

/** What a text entry is for; its value stays in the widget until submitted. */
export type EntryPurpose = 'note' | 'deny' | 'skip-step' | 'skip-manual' | 'evidence';
export interface Entry {
  purpose: EntryPurpose;
  label: string;
  required: boolean;
  /** for evidence: note or link */
  evidenceType?: 'note' | 'link';
}

export interface UiState {
  /** the step shown in the detail pane; null → follow the run */
  selected: string | null;
  /** follow the step that needs attention (the default until the operator moves) */
  follow: boolean;
  /** null: automatic (top of detail with the log tail pinned at the bottom) */
  detailScroll: number | null;
  /** scroll of the prompt pane (long plans) */
  promptScroll: number;
  /** the prompt pane is cut below (what PgDn would show): set by the pane, read by the footer */
  promptMore: boolean;
  helpScroll: number;
  /** show the step detail instead of the prompt that is pending */
  showDetail: boolean;
  overlay: 'help' | 'quit' | null;
  entry: Entry | null;
  entryError: string | null;
  /** picking items of a fan-out approval (the prompt id) */
  picker: number | null;
  /** proceed without asking before each step */
  autoRun: boolean;
  /** the step the operator answered last: followed while its next question is due (its gate, its tick-off) */
  acted: string | null;
  /** a key that does nothing where it was pressed: what does (until the next key) */
  keyHint: string | null;
}

export interface RunEnd {
  status: RunStatus;
  exitCode: number;
  detail?: string;
}

export interface RunStoreState {
  mode: UiMode;
  /** `runbook attach`: the screen follows another process's run (only answers and notes are given here) */
  attached?: boolean;
  begun: boolean;
  incident?: string;
  runbook?: { id: string; title: string; severity: string; path: string };
  openedAt?: string;
  resumed: boolean;
  stepOrder: string[];
  /** a Map (copying it per flush is ~10× cheaper than spreading a 2,000-key object); never mutated in place */
  steps: ReadonlyMap<string, StepView>;
  /** log lines kept across all steps */
  logKept: number;
  /** the step that started most recently and has not finished */
  current?: string;
  notes: { text: string; at: string }[];
  waiting?: { step: string; item?: string; on: 'approval' | 'manual' | 'in-doubt' | 'input' | 'proceed'; hint: string };
  /** a format 1.1 watch between checks: time left (of the run's clock, drill time in drills) as of `at` (Date.now) */
  watching?: { step: string; checks: number; remainingMs: number; nextCheckMs: number; at: number };
  prompts: Prompt[];
  /** warnings from outside the engine (console output of libraries), redacted, bounded */
  system: string[];
  /** the engine journaled run.stopped */
  stopped?: { reason: string; detail?: string };
  /** closed: the TUI is unmounting (the last frame must not offer keys) */
  phase: 'starting' | 'running' | 'quitting' | 'ended' | 'closed';
  end?: RunEnd;
  ui: UiState;
  /** how many events were applied (for tests and the bench) */
  applied: number;
}

export interface StoreLimits {
  /** lines kept per step */
  logTail: number;
  /** lines kept across all steps; the least recently written tails are trimmed first */
  logBudget: number;
  /** what a trimmed tail keeps */
  logTrimTo: number;
  /** characters kept per log line */
  lineLength: number;
  notes: number;
  system: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
  logTail: 200,
  logBudget: 20_000,
  logTrimTo: 20,
  lineLength: 1_000,
  notes: 200,
  system: 50,
};
