/**
 * The incident report model (reportVersion 1). `json.ts` serialises exactly this shape;
 * docs/report-format.md documents every field. Times are ISO 8601 UTC strings, durations
 * milliseconds. No field ever holds a secret value: credentials appear as a keyed
 * fingerprint plus their last 4 characters.
 */
import type { StepKind } from '../core/runbook/schema.js';

export const REPORT_VERSION = 1 as const;

/** Where a step's kind came from: the runbook file (hash matched), the journal, a guess from the action name, or nowhere. */
export type KindSource = 'runbook' | 'journal' | 'inferred' | 'unknown';
/** Whether the runbook file named in the journal could be used for step kinds and titles. */
export type RunbookFileStatus = 'matched' | 'changed' | 'missing' | 'unreadable' | 'not-recorded';
export type RunOutcome = 'done' | 'failed' | 'waiting' | 'interrupted' | 'in-progress' | 'not-started';

export interface ReportEvidence {
  httpStatus?: number;
  requestId?: string;
  exitCode?: number | null;
  detail?: string;
}
export interface ReportVerify {
  state: 'done' | 'not-done' | 'unknown';
  detail?: string;
}
export interface ReportError {
  message: string;
  code?: string;
  failure?: string;
  status?: number;
  requestId?: string;
}
export interface ReportManual {
  note?: string;
  link?: string;
  by: string;
  at: string;
}

export interface ReportItem {
  key: string;
  status: 'pending' | 'ok' | 'failed' | 'skipped' | 'in-doubt';
  attempts: number;
  by?: string;
  startedAt?: string;
  finishedAt?: string;
  evidence?: ReportEvidence;
  verify?: ReportVerify;
  error?: ReportError;
  reason?: string;
  settled?: 'done' | 'redo';
  manual?: ReportManual;
}

export interface ReportStep {
  id: string;
  title: string;
  kind: StepKind | null;
  kindSource: KindSource;
  /** `provider.action` as journaled on its intents */
  uses?: string;
  /** `running`: a run is going now; `unfinished`: started, and the last run stopped before it finished */
  status: 'not-started' | 'pending' | 'running' | 'unfinished' | 'ok' | 'failed' | 'skipped';
  startedAt?: string;
  finishedAt?: string;
  reason?: string;
  approval?: { decision: 'approved' | 'denied'; by: string; at: string; via: string; reason?: string; items?: string[] };
  manual?: ReportManual & { via: string };
  items: ReportItem[];
  /** a watch over a fan-out: what its latest check saw (the items met the condition seen, by key) */
  watch?: { checks: number; watchedMs: number; forMs: number; seen?: 'fail_if' | 'until'; items?: number; tripped?: string[]; changed?: number };
}

export interface TimelineEntry {
  seq: number;
  at: string;
  by: string;
  /** the journal record type */
  event: string;
  step?: string;
  item?: string;
  status?: string;
  /** one human-readable line */
  text: string;
  evidence?: ReportEvidence;
  verify?: ReportVerify;
  error?: ReportError;
}

export interface CredentialLocation {
  step?: string;
  item?: string;
  /** when the journal recorded it */
  at: string;
  /** `file:line @ commit`, `input NAME`, or the fields that say where */
  where: string;
  file?: string;
  line?: number;
  commit?: string;
  rule?: string;
}

export interface Credential {
  /** keyed fingerprint of the secret value; '' for a credential known only by its identifier (`id`) */
  fingerprint: string;
  /** an identifier that is not a secret (an AWS access key id), shown in full */
  id?: string;
  last4: string;
  /** `leaked`: found or revoked during the incident; `created`: made by a rotate step */
  role: 'leaked' | 'created';
  providerHint?: string;
  foundIn: CredentialLocation[];
  /** first time the journal saw it */
  detectedAt?: string;
  /** earliest exposure time a provider or the scanner reported (commit/updated time) */
  firstExposedAt?: string;
  lastUsed?: { at: string; service?: string; region?: string; step?: string; item?: string };
  /** liveness read-backs (`live` in provider outputs) */
  liveness: { at: string; live: boolean; step?: string; item?: string }[];
  revoked?: { at: string; by: string; step: string; item: string; via: 'outcome' | 'settled' };
  verifiedDead?: { at: string; step?: string; item?: string; basis: 'verify' | 'liveness'; detail?: string };
  createdAt?: string;
  exposureWindow: {
    from?: string;
    fromBasis: 'first-exposed' | 'detected' | null;
    to?: string;
    toBasis: 'verified-dead' | 'revoked' | null;
    /** true until the credential is verified dead */
    open: boolean;
    durationMs?: number;
  };
}

/** Which clock a metric is on: the drill clock (simulated time, drills) or the wall clock (live incidents). */
export type MetricClock = 'drill' | 'wall';

export interface Metric {
  /** whether the goal was reached (docs/report-format.md defines each metric) */
  reached: boolean;
  /** wall-clock time it was reached (wall-clock metrics only: drill time is not a time of day) */
  at?: string;
  /** milliseconds from the incident opening, on `clock` */
  ms?: number;
  clock: MetricClock;
  /** steps of this kind not finished ok (the metric may still move) */
  incompleteSteps: string[];
  basis: string;
}

export type OpenItemKind = 'failed' | 'skipped' | 'in-doubt' | 'manual-not-done' | 'denied' | 'unfinished' | 'not-started' | 'credential-not-dead';

export interface OpenItem {
  kind: OpenItemKind;
  step?: string;
  item?: string;
  fingerprint?: string;
  text: string;
}

export interface IncidentReport {
  reportVersion: typeof REPORT_VERSION;
  summary: {
    incident: string;
    mode: 'live' | 'drill';
    runbook: { id: string; title: string; severity: string; path: string; hash: string; file: RunbookFileStatus };
    /** inputs as given; secret inputs as {fingerprint, last4} */
    inputs: Record<string, unknown>;
    operators: string[];
    openedAt: string;
    /** when the last run stopped as done or failed; absent while the incident is open */
    endedAt?: string;
    lastRecordAt: string;
    durationMs?: number;
    runs: number;
    outcome: RunOutcome;
    outcomeDetail?: string;
    openItems: number;
  };
  steps: ReportStep[];
  timeline: TimelineEntry[];
  credentials: Credential[];
  metrics: {
    /** the clock of detect/contain/rotate/notify: `drill` for a drill with a scorecard, else `wall` */
    clock: MetricClock;
    detect: Metric;
    contain: Metric;
    rotate: Metric;
    notify: Metric;
    scorecard?: Record<string, unknown>;
  };
  openItems: OpenItem[];
  journal: { records: number; lastSeq: number };
}
