/**
 * fold(records) → RunState: a pure function from the journal to the checklist.
 * An item with an intent but no outcome after it is *in doubt*.
 */
import { ownerName } from '../errors.js';
import type { VerifyResult, Evidence } from '../../providers/sdk.js';
import type { JournalRecord, Mode, OutcomeStatus, Sealed, StoredError, StoredSecret, WatchNote } from './records.js';

export type ItemStatus = 'pending' | OutcomeStatus;
export type StepStatus = 'pending' | 'running' | 'ok' | 'failed' | 'skipped';

export interface ItemState {
  key: string;
  status: ItemStatus;
  attempts: number;
  /** time of the latest intent without an outcome */
  intentAt?: string;
  startedAt?: string;
  finishedAt?: string;
  output?: unknown;
  error?: StoredError;
  evidence?: Evidence;
  verify?: VerifyResult;
  reason?: string;
  op?: string;
  settled?: 'done' | 'redo';
  /** the live output, sealed (the stored one is masked) */
  sealed?: Sealed;
  manual?: { note?: string; link?: string; by: string; at: string };
}

export interface StepState {
  id: string;
  /** from `step.started`: a repeat's round step (`eradicate#1.hunt`) is in no list, its record says what it is */
  kind?: string;
  title?: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  reason?: string;
  /** item keys in order (a step without for_each has the single item `-`) */
  itemOrder: string[];
  items: Record<string, ItemState>;
  approval?: { decision: 'approved' | 'denied'; items?: string[]; by: string; at: string; via: string; reason?: string };
  manual?: { note?: string; link?: string; by: string; at: string; via: string };
  outputs?: unknown;
  /** the stored outputs were masked by the redactor: the live values must be recovered */
  masked?: boolean;
  sealed?: Sealed;
  /** a watch step (format 1.1): checks done, time watched (kept across resume), what was seen */
  watch?: WatchState;
}

/**
 * A watch step (format 1.1): checks done, time watched (kept across resume), what was seen. A
 * watch over a fan-out also keeps what its latest check saw (one record per check: see records.ts):
 * the items checked, the items whose own result met the condition seen, how many changed.
 */
export interface WatchState {
  checks: number;
  watchedMs: number;
  forMs: number;
  seen?: 'fail_if' | 'until';
  items?: number;
  tripped?: string[];
  changed?: number;
  notable?: WatchNote[];
}

export interface RunState {
  incident: string;
  mode: Mode;
  runbook: { id: string; title: string; severity: string; path: string; hash: string };
  inputs: Record<string, unknown>;
  secrets: Record<string, StoredSecret>;
  inputFingerprints: Record<string, string>;
  openedAt: string;
  updatedAt: string;
  operators: string[];
  steps: Record<string, StepState>;
  stepOrder: string[];
  notes: { text: string; by: string; at: string }[];
  secretsCreated: { step: string; item: string; secret: StoredSecret; at: string }[];
  /** the latest run.stopped, if the last run ended cleanly */
  lastStop?: { reason: string; detail?: string; at: string };
  /** a run.started without a later run.stopped: the process died or is still running */
  running: boolean;
  runs: number;
  scorecard?: Record<string, unknown>;
  recordCount: number;
  /**
   * The latest scorecard record is newer than every record that acted (see ACTED): the journal
   * ends with a scorecard that is still current (a finished drill run again adds none).
   */
  scoredLast?: boolean;
}

/** records that mean the run did something (a scorecard written before them is out of date) */
export const ACTED: ReadonlySet<string> = new Set<JournalRecord['type']>(['intent', 'outcome', 'manual', 'settled', 'approval', 'step.started', 'step.finished', 'items', 'verify', 'secret.created']);

export const SINGLE_ITEM = '-';

function item(step: StepState, key: string): ItemState {
  let it = step.items[key];
  if (!it) {
    it = { key, status: 'pending', attempts: 0 };
    step.items[key] = it;
    // every key in itemOrder has its entry in items (only this function adds either): no scan
    step.itemOrder.push(key);
  }
  return it;
}

export function fold(records: readonly JournalRecord[]): RunState | undefined {
  let s: RunState | undefined;
  for (const r of records) s = foldRecord(s, r);
  return s;
}

/**
 * One record more into the state (`fold` is this over the journal): the state `s` is changed in
 * place and returned (a new one for incident.opened). Lets a writer keep the state of what it
 * appends as it goes, without keeping the records.
 */
export function foldRecord(s: RunState | undefined, r: JournalRecord): RunState | undefined {
  if (r.type === 'incident.opened') {
    s = {
      incident: r.incident,
      mode: r.mode,
      runbook: r.runbook,
      inputs: r.inputs,
      secrets: r.secrets,
      inputFingerprints: r.inputFingerprints ?? {},
      openedAt: r.ts,
      updatedAt: r.ts,
      operators: [r.op],
      steps: {},
      stepOrder: [],
      notes: [],
      secretsCreated: [],
      running: false,
      runs: 0,
      recordCount: 0,
    };
    s.recordCount = 1;
    return s;
  }
  if (!s) return s;
  s.updatedAt = r.ts;
  s.recordCount++;
  if (!s.operators.includes(r.op)) s.operators.push(r.op);
  if (s.scoredLast && ACTED.has(r.type)) s.scoredLast = false;
  switch (r.type) {
    case 'run.started':
      s.running = true;
      s.runs++;
      s.runbook = { ...s.runbook, hash: r.runbookHash };
      break;
    case 'run.stopped':
      s.running = false;
      s.lastStop = { reason: r.reason, detail: r.detail, at: r.ts };
      break;
    case 'step.started': {
      const st = stepIn(s, r.step);
      st.status = 'running';
      if (r.kind !== undefined) st.kind = r.kind;
      if (r.title !== undefined) st.title = r.title;
      st.startedAt ??= r.ts;
      st.finishedAt = undefined;
      break;
    }
    case 'items': {
      const st = stepIn(s, r.step);
      for (const k of r.keys) item(st, k);
      break;
    }
    case 'approval': {
      const st = stepIn(s, r.step);
      st.approval = { decision: r.decision, items: r.items, by: r.op, at: r.ts, via: r.via, reason: r.reason };
      break;
    }
    case 'intent': {
      const it = item(stepIn(s, r.step), r.item);
      it.status = 'in-doubt';
      it.attempts = Math.max(it.attempts, r.attempt);
      it.intentAt = r.ts;
      it.startedAt ??= r.ts;
      it.op = r.op;
      it.settled = undefined;
      break;
    }
    case 'outcome': {
      const it = item(stepIn(s, r.step), r.item);
      it.status = r.status;
      it.attempts = Math.max(it.attempts, r.attempt);
      it.intentAt = undefined;
      it.startedAt ??= r.ts;
      it.finishedAt = r.ts;
      it.output = r.output;
      it.error = r.error;
      it.evidence = r.evidence;
      it.verify = r.verify ?? it.verify;
      it.reason = r.reason;
      it.op = r.op;
      it.sealed = r.sealed;
      break;
    }
    case 'verify': {
      const it = item(stepIn(s, r.step), r.item);
      it.verify = { state: r.state, detail: r.detail };
      break;
    }
    case 'settled': {
      const it = item(stepIn(s, r.step), r.item);
      it.settled = r.decision;
      if (r.decision === 'done') {
        it.status = 'ok';
        it.intentAt = undefined;
        it.finishedAt = r.ts;
        it.reason = `settled by ${r.op} (${r.via})`;
      } else {
        it.status = 'pending';
        it.intentAt = undefined;
      }
      break;
    }
    case 'manual': {
      const st = stepIn(s, r.step);
      const m = { note: r.note, link: r.link, by: r.op, at: r.ts, via: r.via };
      if (r.item) item(st, r.item).manual = m;
      else st.manual = m;
      break;
    }
    case 'step.finished': {
      const st = stepIn(s, r.step);
      st.status = r.status;
      st.finishedAt = r.ts;
      st.reason = r.reason;
      st.outputs = r.outputs;
      st.masked = r.masked;
      st.sealed = r.sealed;
      break;
    }
    case 'watch': {
      const st = stepIn(s, r.step);
      st.watch = { checks: r.check, watchedMs: r.watchedMs, forMs: r.forMs, ...(r.seen ? { seen: r.seen } : {}) };
      if (r.items !== undefined) Object.assign(st.watch, { items: r.items, ...(r.tripped ? { tripped: r.tripped } : {}), ...(r.changed ? { changed: r.changed } : {}), ...(r.notable ? { notable: r.notable } : {}) });
      break;
    }
    case 'secret.created':
      s.secretsCreated.push({ step: r.step, item: r.item, secret: r.secret, at: r.ts });
      break;
    case 'note':
      s.notes.push({ text: r.text, by: r.op, at: r.ts });
      break;
    case 'scorecard':
      s.scorecard = r.data;
      s.scoredLast = true;
      break;
    case 'lock.broken':
      s.notes.push({ text: `lock of pid ${r.previous.pid} (${ownerName(r.previous)}) ${r.previous.forced ? 'broken' : 'taken over'}${r.previous.why ? `: ${r.previous.why}` : ''}`, by: r.op, at: r.ts });
      break;
  }
  return s;
}

function stepIn(s: RunState, id: string): StepState {
  let st = s.steps[id];
  if (!st) {
    st = { id, status: 'pending', itemOrder: [], items: {} };
    s.steps[id] = st;
    s.stepOrder.push(id);
  }
  return st;
}

/** Items (across steps) whose side effect may or may not have happened. */
export function inDoubtItems(s: RunState): { step: string; item: ItemState }[] {
  const out: { step: string; item: ItemState }[] = [];
  for (const id of s.stepOrder) for (const k of s.steps[id]?.itemOrder ?? []) {
    const it = s.steps[id]?.items[k];
    if (it?.status === 'in-doubt') out.push({ step: id, item: it });
  }
  return out;
}
