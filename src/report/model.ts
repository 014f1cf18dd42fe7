/**
 * journal → IncidentReport. A pure function of the records (and, optionally, the runbook
 * file's step kinds and titles): the same journal always gives the same report.
 */
import { fold, SINGLE_ITEM, type RunState, type StepState } from '../core/journal/fold.js';
import { isStoredSecret, type JournalRecord } from '../core/journal/records.js';
import { StepKind } from '../core/runbook/schema.js';
import { collectCredentials } from './credentials.js';
import { between, fmtTime, latest, oneLine } from './format.js';
import { inferKind, type RunbookFileInfo } from './runbook-file.js';
import { buildTimeline, reportError, reportEvidence, verifyOf } from './timeline.js';
import { REPORT_VERSION, type Credential, type IncidentReport, type KindSource, type Metric, type OpenItem, type ReportStep } from './types.js';

export interface BuildOptions {
  /** step kinds/titles from the runbook file, when its hash matched */
  runbookFile?: RunbookFileInfo;
}

/** Any StoredSecret (at any depth) becomes `{fingerprint, last4}`: no `$secret` reference leaves the model. */
function plain(v: unknown, depth = 0): unknown {
  if (isStoredSecret(v)) return { fingerprint: v.fingerprint, last4: v.last4 };
  if (depth > 32) return null;
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, depth + 1)]));
  return v;
}

export function buildReport(records: readonly JournalRecord[], opts: BuildOptions = {}): IncidentReport {
  const state = fold(records);
  if (!state) throw new Error('the journal has no incident.opened record');
  const file = opts.runbookFile ?? { status: 'not-recorded', steps: [] };
  const rbSteps = new Map(file.steps.map((s) => [s.id, s]));
  const journaled = new Map<string, { kind?: StepKind; title?: string }>();
  const uses = new Map<string, string>();
  for (const r of records) {
    if (r.type === 'step.started') {
      const extra = r as { kind?: unknown; title?: unknown };
      const k = StepKind.safeParse(extra.kind);
      const prev = journaled.get(r.step) ?? {};
      journaled.set(r.step, { kind: k.success ? k.data : prev.kind, title: typeof extra.title === 'string' ? extra.title : prev.title });
    }
    if (r.type === 'intent' && !uses.has(r.step)) uses.set(r.step, r.action);
  }
  const kinds = new Map<string, { kind: StepKind | null; source: KindSource }>();
  const kindOf = (id: string) => {
    let k = kinds.get(id);
    if (!k) {
      const st = state.steps[id];
      const guess = inferKind(uses.get(id)) ?? (!uses.has(id) && (st?.manual || Object.values(st?.items ?? {}).some((i) => i.manual)) ? 'manual' : undefined);
      const j = journaled.get(id)?.kind;
      const rb = rbSteps.get(id)?.kind;
      k = j ? { kind: j, source: 'journal' } : rb ? { kind: rb, source: 'runbook' } : guess ? { kind: guess, source: 'inferred' } : { kind: null, source: 'unknown' };
      kinds.set(id, k);
    }
    return k;
  };

  const order = file.status === 'matched' ? [...file.steps.map((s) => s.id), ...state.stepOrder.filter((id) => !rbSteps.has(id))] : state.stepOrder;
  const steps = [...new Set(order)].map((id) => step(id, state.steps[id], kindOf(id), journaled.get(id)?.title ?? rbSteps.get(id)?.title, uses.get(id), state.running));
  const credentials = collectCredentials(records, (id) => kindOf(id).kind);
  const openItems = buildOpenItems(steps, credentials);
  const last = records[records.length - 1];
  return {
    reportVersion: REPORT_VERSION,
    summary: summary(state, file.status, openItems.length),
    steps,
    timeline: buildTimeline(records),
    credentials,
    metrics: {
      detect: kindMetric('detect', steps, state.openedAt),
      contain: containMetric(credentials, steps, state.openedAt),
      rotate: kindMetric('rotate', steps, state.openedAt),
      notify: kindMetric('notify', steps, state.openedAt),
      scorecard: state.scorecard === undefined ? undefined : (plain(state.scorecard) as Record<string, unknown>),
    },
    openItems,
    journal: { records: records.length, lastSeq: last?.seq ?? 0 },
  };
}

function summary(s: RunState, file: RunbookFileInfo['status'], open: number): IncidentReport['summary'] {
  const outcome = s.runs === 0 ? 'not-started' : s.running ? 'in-progress' : ((s.lastStop?.reason ?? 'in-progress') as IncidentReport['summary']['outcome']);
  const endedAt = !s.running && (s.lastStop?.reason === 'done' || s.lastStop?.reason === 'failed') ? s.lastStop.at : undefined;
  return {
    incident: s.incident,
    mode: s.mode,
    runbook: { ...s.runbook, file },
    inputs: plain(s.inputs) as Record<string, unknown>,
    operators: s.operators,
    openedAt: s.openedAt,
    endedAt,
    lastRecordAt: s.updatedAt,
    durationMs: between(s.openedAt, endedAt ?? s.updatedAt),
    runs: s.runs,
    outcome,
    outcomeDetail: s.running
      ? 'no run.stopped after the last run.started: a run is still going, or its process died (run the same command again to resume)'
      : s.lastStop?.detail,
    openItems: open,
  };
}

function step(
  id: string,
  st: StepState | undefined,
  k: { kind: StepKind | null; source: KindSource },
  title: string | undefined,
  action: string | undefined,
  running: boolean,
): ReportStep {
  const base = { id, title: title ?? id, kind: k.kind, kindSource: k.source, uses: action };
  if (!st) return { ...base, status: 'not-started', items: [] };
  return {
    ...base,
    status: st.status === 'running' && !running ? 'unfinished' : st.status,
    startedAt: st.startedAt,
    finishedAt: st.finishedAt,
    reason: st.reason,
    approval: st.approval && { decision: st.approval.decision, by: st.approval.by, at: st.approval.at, via: st.approval.via, reason: st.approval.reason, items: st.approval.items },
    manual: st.manual,
    items: st.itemOrder.flatMap((key) => {
      const it = st.items[key];
      if (!it) return [];
      return [
        {
          key,
          // a manual item ticked off with its evidence is done
          status: it.status === 'pending' && it.manual ? 'ok' : it.status,
          attempts: it.attempts,
          by: it.op ?? it.manual?.by,
          startedAt: it.startedAt,
          finishedAt: it.finishedAt ?? it.manual?.at,
          evidence: reportEvidence(it.evidence),
          verify: verifyOf(it.verify),
          error: reportError(it.error),
          reason: it.reason,
          settled: it.settled,
          manual: it.manual && { note: it.manual.note, link: it.manual.link, by: it.manual.by, at: it.manual.at },
        },
      ];
    }),
  };
}

function kindMetric(kind: StepKind, steps: ReportStep[], openedAt: string): Metric {
  const of = steps.filter((s) => s.kind === kind);
  if (of.length === 0) return { reached: false, incompleteSteps: [], basis: `no ${kind} step recorded` };
  let at: string | undefined;
  let by: string | undefined;
  for (const s of of) {
    const times = s.items.filter((i) => i.status === 'ok').map((i) => i.finishedAt);
    if (s.items.length === 0 && s.status === 'ok') times.push(s.finishedAt ?? s.manual?.at);
    for (const t of times) if (t && latest(at, t) === t) [at, by] = [t, s.id];
  }
  const incompleteSteps = of.filter((s) => s.status !== 'ok').map((s) => s.id);
  if (!at) return { reached: false, incompleteSteps, basis: `no ${kind} step finished ok` };
  return { reached: true, at, ms: between(openedAt, at), incompleteSteps, basis: `last ok outcome of a ${kind} step (${by})` };
}

function containMetric(creds: Credential[], steps: ReportStep[], openedAt: string): Metric {
  const leaked = creds.filter((c) => c.role === 'leaked');
  const incompleteSteps = steps.filter((s) => s.kind === 'revoke' && s.status !== 'ok').map((s) => s.id);
  if (leaked.length === 0) return { reached: false, incompleteSteps, basis: 'no leaked credential recorded' };
  const live = leaked.filter((c) => !c.verifiedDead);
  if (live.length) return { reached: false, incompleteSteps, basis: `${live.length} of ${leaked.length} leaked credential${leaked.length === 1 ? '' : 's'} not verified dead` };
  const at = leaked.reduce<string | undefined>((m, c) => latest(m, c.verifiedDead?.at), undefined);
  return { reached: true, at, ms: between(openedAt, at), incompleteSteps, basis: `every leaked credential (${leaked.length}) verified dead` };
}

function buildOpenItems(steps: ReportStep[], creds: Credential[]): OpenItem[] {
  const out: OpenItem[] = [];
  for (const s of steps) {
    const before = out.length;
    for (const it of s.items) {
      const item = it.key === SINGLE_ITEM ? undefined : it.key;
      const where = { step: s.id, item };
      if (it.status === 'failed') out.push({ kind: 'failed', ...where, text: `failed${it.error ? `: ${it.error.message}` : ''}` });
      else if (it.status === 'skipped') out.push({ kind: 'skipped', ...where, text: `skipped${it.reason ? `: ${oneLine(it.reason)}` : ''}` });
      else if (it.status === 'in-doubt')
        out.push({ kind: 'in-doubt', ...where, text: `in doubt since ${fmtTime(it.startedAt)}: the call may or may not have happened — check it, then settle it as done or redo` });
      else if (s.kind === 'manual' && it.status === 'pending') out.push({ kind: 'manual-not-done', ...where, text: `not done by hand yet (${s.title})` });
    }
    if (out.length > before) continue;
    if (s.status === 'failed') out.push({ kind: 'failed', step: s.id, text: `step failed${s.reason ? `: ${oneLine(s.reason)}` : ''}` });
    else if (s.status === 'skipped') out.push({ kind: 'skipped', step: s.id, text: `step skipped${s.reason ? `: ${oneLine(s.reason)}` : ''}` });
    else if (s.approval?.decision === 'denied') out.push({ kind: 'denied', step: s.id, text: `approval denied by ${s.approval.by}${s.approval.reason ? `: ${oneLine(s.approval.reason)}` : ''}` });
    else if (s.kind === 'manual' && s.status !== 'ok') out.push({ kind: 'manual-not-done', step: s.id, text: `manual step not done: ${s.title}` });
    else if (s.status === 'not-started') out.push({ kind: 'not-started', step: s.id, text: `not started: ${s.title}` });
    else if (s.status !== 'ok') out.push({ kind: 'unfinished', step: s.id, text: `started but not finished: ${s.title}` });
  }
  for (const c of creds)
    if (c.role === 'leaked' && !c.verifiedDead)
      out.push({
        kind: 'credential-not-dead',
        fingerprint: c.fingerprint,
        text: `leaked credential ${c.fingerprint.slice(0, 12)}… ending …${c.last4} not verified dead${c.revoked ? ' (revoked, not verified)' : ' (not revoked)'}`,
      });
  return out;
}
