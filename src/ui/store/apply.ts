/**
 * Pure batch reducer: (state, queued engine events, pending log lines) → next state.
 * Mirrors fold() in src/core/journal/fold.ts for what the screen shows; objects touched in a
 * batch are copied once per batch — except a step's item table, updated in place (see Draft) —
 * so a flush costs O(changes), whatever the number of items.
 */
import type { EngineEvent, StepInfo } from '../../core/engine/events.js';
import type { RunState } from '../../core/journal/fold.js';
import type { Counts, ItemView, LogLine, RunStoreState, StepView, StoreLimits } from './types.js';
import { appendTail, emptyTail, enforceBudget, sanitize } from './logs.js';
import { parentOf, roundsUnderRepeat } from '../../report/rounds.js';

export { roundsUnderRepeat };

export type QueuedEvent = Exclude<EngineEvent, { type: 'log' }>;
type Rec = Extract<EngineEvent, { type: 'record' }>['record'];

export function placeholderInfo(id: string): StepInfo {
  return { id, kind: 'manual', title: id, needs: [], confirm: false, fanOut: false, evidence: { type: 'none', required: false } };
}


/** Where a step the journal names but the run did not list goes: a round under its repeat step (after its earlier rounds), anything else at the end. */
export function insertAt(order: readonly string[], id: string): number {
  const parent = parentOf(id);
  const at = parent === undefined ? -1 : order.indexOf(parent);
  if (at < 0) return order.length;
  let i = at + 1;
  while (i < order.length && parentOf(order[i]!) === parent) i++;
  return i;
}

export function newStep(info: StepInfo): StepView {
  return { info, status: 'pending', itemOrder: [], items: {}, itemsRev: 0, itemPos: new Map(), urgent: new Set(), counts: countItems([], {}), log: emptyTail() };
}

/** In doubt, failed or running (retrying counts as running): what the detail pane lists first. */
export const isUrgent = (status: ItemView['status']): boolean => status === 'in-doubt' || status === 'failed' || status === 'running';

/** The side tables of a step's items (see StepView.itemPos), built whole. */
export function itemIndex(order: readonly string[], items: Record<string, ItemView>): { itemPos: Map<string, number>; urgent: Set<string> } {
  const itemPos = new Map<string, number>();
  const urgent = new Set<string>();
  order.forEach((k, i) => {
    itemPos.set(k, i);
    const st = items[k]?.status;
    if (st && isUrgent(st)) urgent.add(k);
  });
  return { itemPos, urgent };
}

export function countItems(order: string[], items: Record<string, ItemView>): Counts {
  const c: Counts = { total: order.length, pending: 0, running: 0, ok: 0, failed: 0, skipped: 0, inDoubt: 0, retrying: 0 };
  for (const k of order) {
    const it = items[k];
    count(c, it?.status ?? 'pending', it?.retry !== undefined, 1);
  }
  return c;
}

function count(c: Counts, status: ItemView['status'], retrying: boolean, by: 1 | -1): void {
  if (status === 'in-doubt') c.inDoubt += by;
  else c[status] += by;
  if (retrying) c.retrying += by;
}

/**
 * One batch's changes. Steps are copied once per batch (so selectors see a new StepView), but
 * a step's item table (`items`, `itemOrder`) is a side table updated in place: with 10,000
 * items, copying it on every flush cost more than the run. `itemsRev` says it changed, and
 * the counts are kept up to date from the items touched in the batch (never a rescan).
 */
class Draft {
  steps: Map<string, StepView>;
  order: string[];
  #stepsCopied = false;
  #orderCopied = false;
  #copied = new Set<string>();
  /** per step: the items touched in this batch, with their status and retry before it */
  #before = new Map<string, Map<string, { status: ItemView['status']; retrying: boolean } | null>>();
  constructor(readonly base: RunStoreState) {
    this.steps = base.steps as Map<string, StepView>;
    this.order = base.stepOrder;
  }
  step(id: string): StepView {
    if (!this.#stepsCopied) {
      this.steps = new Map(this.steps);
      this.#stepsCopied = true;
    }
    let s = this.steps.get(id);
    if (!s) {
      s = newStep(placeholderInfo(id));
      this.steps.set(id, s);
      if (!this.#orderCopied) {
        this.order = [...this.order];
        this.#orderCopied = true;
      }
      this.order.splice(insertAt(this.order, id), 0, id);
      this.#copied.add(id);
    } else if (!this.#copied.has(id)) {
      s = { ...s };
      this.steps.set(id, s);
      this.#copied.add(id);
    }
    return s;
  }
  item(stepId: string, key: string): ItemView {
    const s = this.step(stepId);
    let before = this.#before.get(stepId);
    if (!before) this.#before.set(stepId, (before = new Map()));
    let it = s.items[key];
    if (!before.has(key)) before.set(key, it ? { status: it.status, retrying: it.retry !== undefined } : null);
    if (!it) {
      it = { key, status: 'pending', attempts: 0 };
      s.itemPos?.set(key, s.itemOrder.length);
      s.itemOrder.push(key);
    } else it = { ...it };
    s.items[key] = it;
    return it;
  }
  /** bring the counts of the steps whose items changed up to date (O(items touched)) */
  settle(): void {
    for (const [id, before] of this.#before) {
      const s = this.steps.get(id)!;
      const c = { ...s.counts };
      for (const [key, was] of before) {
        const it = s.items[key]!;
        if (was) count(c, was.status, was.retrying, -1);
        else c.total++;
        count(c, it.status, it.retry !== undefined, 1);
        if (isUrgent(it.status)) s.urgent?.add(key);
        else s.urgent?.delete(key);
      }
      s.counts = c;
      s.itemsRev++;
    }
  }
}

const clearsWaiting = new Set(['approval', 'manual', 'settled', 'step.finished', 'intent', 'outcome']);

function applyRecord(next: RunStoreState, d: Draft, r: Rec, limits: StoreLimits): void {
  if ('step' in r && next.waiting?.step === r.step && clearsWaiting.has(r.type)) next.waiting = undefined;
  switch (r.type) {
    case 'incident.opened':
      next.incident = r.incident;
      next.runbook = { id: r.runbook.id, title: r.runbook.title, severity: r.runbook.severity, path: r.runbook.path };
      next.openedAt ??= r.ts;
      break;
    case 'run.started':
      next.resumed = next.resumed || r.resumed;
      break;
    case 'step.started': {
      const s = d.step(r.step);
      // a repeat's round step (`eradicate#1.find`) is not in the run's list: its kind and title come with its start
      if (s.info.title === r.step && r.title !== undefined) s.info = { ...s.info, kind: (r.kind as StepInfo['kind'] | undefined) ?? s.info.kind, title: r.title };
      s.status = 'running';
      s.startedAt ??= r.ts;
      s.finishedAt = undefined;
      next.current = r.step;
      break;
    }
    case 'items':
      for (const k of r.keys) d.item(r.step, k);
      break;
    case 'approval':
      d.step(r.step).approval = { decision: r.decision, items: r.items, via: r.via, reason: r.reason };
      break;
    case 'intent': {
      const it = d.item(r.step, r.item);
      it.status = 'running';
      it.attempts = Math.max(it.attempts, r.attempt);
      it.input = r.input;
      it.action = r.action;
      it.settled = undefined;
      it.retry = undefined;
      break;
    }
    case 'outcome': {
      const it = d.item(r.step, r.item);
      it.status = r.status;
      it.attempts = Math.max(it.attempts, r.attempt);
      it.output = r.output;
      it.error = r.error;
      it.evidence = r.evidence;
      it.verify = r.verify ?? it.verify;
      it.reason = r.reason;
      it.retry = undefined;
      break;
    }
    case 'verify':
      d.item(r.step, r.item).verify = { state: r.state, detail: r.detail };
      break;
    case 'settled': {
      const it = d.item(r.step, r.item);
      it.settled = r.decision;
      it.status = r.decision === 'done' ? 'ok' : 'pending';
      break;
    }
    case 'manual':
      if (r.item) d.item(r.step, r.item).manual = { note: r.note, link: r.link };
      else d.step(r.step).manual = { note: r.note, link: r.link, via: r.via };
      break;
    case 'step.finished': {
      const s = d.step(r.step);
      s.status = r.status;
      s.finishedAt = r.ts;
      s.reason = r.reason;
      s.outputs = r.outputs;
      if (next.current === r.step) next.current = undefined;
      if (next.watching?.step === r.step) next.watching = undefined;
      break;
    }
    case 'secret.created':
      d.item(r.step, r.item).secret = r.secret;
      break;
    case 'note':
      next.notes = [...next.notes, { text: sanitize(r.text, 500), at: r.ts }].slice(-limits.notes);
      break;
    case 'lock.broken':
      // said as what it means to the responder, not as a failure ("lock … broken" read like an error)
      next.notes = [
        ...next.notes,
        {
          text: r.previous.forced
            ? `took the incident over from pid ${r.previous.pid} (--break-lock)`
            : `the last run (pid ${r.previous.pid}) had stopped without closing: carried on from its journal`,
          at: r.ts,
        },
      ].slice(-limits.notes);
      break;
    case 'run.stopped':
      next.stopped = { reason: r.reason, detail: r.detail };
      break;
    default:
      break;
  }
}

export function applyBatch(
  state: RunStoreState,
  events: readonly QueuedEvent[],
  logs: Map<string, { lines: LogLine[]; count: number }>,
  limits: StoreLimits,
  now: number,
): RunStoreState {
  const next: RunStoreState = { ...state, applied: state.applied + events.length };
  const d = new Draft(state);
  for (const e of events) {
    switch (e.type) {
      case 'run.begin': {
        next.begun = true;
        next.incident = e.incident;
        next.mode = e.dryRun ? 'dry-run' : e.mode;
        next.runbook = e.runbook;
        next.resumed = e.resumed;
        next.openedAt = e.openedAt;
        if (next.phase === 'starting') next.phase = 'running';
        const known = new Set(e.steps.map((s) => s.id));
        for (const info of e.steps) d.step(info.id).info = info;
        // the runbook's order first, then any step only the journal knows
        d.order = roundsUnderRepeat([...e.steps.map((s) => s.id), ...d.order.filter((id) => !known.has(id))]);
        break;
      }
      case 'record':
        applyRecord(next, d, e.record, limits);
        break;
      case 'retry': {
        const it = d.item(e.step, e.item);
        it.retry = { attempt: e.attempt, delayMs: e.delayMs, reason: sanitize(e.reason, 300), at: now };
        break;
      }
      case 'waiting':
        next.waiting = { step: e.step, item: e.item, on: e.on, hint: sanitize(e.hint, 300) };
        break;
      case 'watching':
        next.watching = { step: e.step, checks: e.checks, remainingMs: e.remainingMs, nextCheckMs: e.nextCheckMs, at: now };
        break;
      case 'run.end':
        next.end = { status: e.status, exitCode: e.exitCode, detail: e.detail };
        next.waiting = undefined;
        next.watching = undefined;
        if (next.phase !== 'quitting') next.phase = 'ended';
        // a step started but not finished (quit at its prompt) is not running any more
        for (const [id, st] of d.steps) if (st.status === 'running') d.step(id).status = 'pending';
        next.current = undefined;
        break;
    }
  }
  if (logs.size > 0) {
    let seq = state.applied + events.length;
    for (const [id, p] of logs) {
      const s = d.step(id);
      const before = s.log.lines.length;
      s.log = appendTail(s.log, p.lines, p.count, ++seq, limits);
      next.logKept += s.log.lines.length - before;
    }
    next.applied = seq;
  }
  d.settle();
  next.steps = d.steps;
  next.stepOrder = d.order;
  if (logs.size > 0) next.logKept = enforceBudget(d.steps, next.logKept, limits);
  return next;
}

/** Seed the store from the journal (resume): fold(records) → the checklist so far. */
export function seedFromRunState(state: RunStoreState, rs: RunState): RunStoreState {
  const steps = new Map(state.steps);
  const order = [...state.stepOrder];
  for (const id of rs.stepOrder) {
    const src = rs.steps[id];
    if (!src) continue;
    // a repeat's round step is in no list: its kind and title come from its journaled start
    const base = steps.get(id) ?? newStep({ ...placeholderInfo(id), kind: (src.kind as StepInfo['kind'] | undefined) ?? 'manual', title: src.title ?? id });
    if (!steps.has(id)) order.splice(insertAt(order, id), 0, id);
    const items: Record<string, ItemView> = {};
    for (const k of src.itemOrder) {
      const it = src.items[k];
      if (!it) continue;
      items[k] = {
        key: k,
        status: it.status,
        attempts: it.attempts,
        output: it.output,
        error: it.error,
        evidence: it.evidence,
        verify: it.verify,
        reason: it.reason,
        settled: it.settled,
        manual: it.manual && { note: it.manual.note, link: it.manual.link },
      };
    }
    steps.set(id, {
      ...base,
      // a step that was running when the last process stopped is not running now
      status: src.status === 'running' ? 'pending' : src.status,
      startedAt: src.startedAt,
      finishedAt: src.finishedAt,
      reason: src.reason,
      outputs: src.outputs,
      itemOrder: [...src.itemOrder],
      items,
      ...itemIndex(src.itemOrder, items),
      itemsRev: base.itemsRev + 1,
      counts: countItems(src.itemOrder, items),
      approval: src.approval && { decision: src.approval.decision, items: src.approval.items, via: src.approval.via, reason: src.approval.reason },
      manual: src.manual && { note: src.manual.note, link: src.manual.link, via: src.manual.via },
    });
  }
  for (const c of rs.secretsCreated) {
    const s = steps.get(c.step);
    const it = s?.items[c.item];
    if (s && it) s.items[c.item] = { ...it, secret: c.secret };
  }
  return {
    ...state,
    incident: rs.incident,
    mode: state.mode === 'dry-run' ? 'dry-run' : rs.mode,
    runbook: { id: rs.runbook.id, title: rs.runbook.title, severity: rs.runbook.severity, path: rs.runbook.path },
    openedAt: rs.openedAt,
    resumed: true,
    steps,
    stepOrder: order,
    notes: rs.notes.map((n) => ({ text: sanitize(n.text, 500), at: n.at })).slice(-200),
  };
}
