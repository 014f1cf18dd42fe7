/**
 * journal → IncidentReport. A pure function of the records (and, optionally, the runbook
 * file's step kinds and titles): the same journal always gives the same report.
 */
import { previewText, stepLevelTitle } from '../core/engine/text.js';
import { fold, SINGLE_ITEM, type RunState, type StepState } from '../core/journal/fold.js';
import { isStoredSecret, type JournalRecord } from '../core/journal/records.js';
import { StepKind } from '../core/runbook/schema.js';
import { collectCredentials } from './credentials.js';
import { between, didNotApply, earliest, fmtTime, latest, oneLine } from './format.js';
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
  // a fan-out's title over `item` reads "each of N items" at step level, not blanks
  const title = (id: string, raw: string) => stepLevelTitle(raw, state.steps[id]?.itemOrder.length, (t) => renderTitle(t, state.inputs));
  const rawTitle = (id: string) => journaled.get(id)?.title ?? rbSteps.get(id)?.title;
  const steps = [...new Set(order)].map((id) => step(id, state.steps[id], kindOf(id), rawTitle(id) === undefined ? undefined : title(id, rawTitle(id)!), uses.get(id), state.running));
  const credentials = collectCredentials(records, (id) => kindOf(id).kind);
  const openItems = buildOpenItems(steps, credentials);
  const last = records[records.length - 1];
  const scorecard = state.scorecard === undefined ? undefined : (plain(state.scorecard) as Record<string, unknown>);
  return {
    reportVersion: REPORT_VERSION,
    summary: summary(state, file.status, openItems.length),
    steps,
    timeline: buildTimeline(records, (id) => kindOf(id).kind, title),
    credentials,
    metrics: state.mode === 'drill' && scorecard && 'contain_ms' in scorecard ? drillMetrics(scorecard, steps) : wallMetrics(steps, credentials, state.openedAt, scorecard),
    openItems,
    journal: { records: records.length, lastSeq: last?.seq ?? 0 },
  };
}

/**
 * `${{ inputs.NAME }}` in a step title with the incident's input (a secret input as its
 * fingerprint label); other expressions are left as written.
 */
export function renderTitle(title: string, inputs: Record<string, unknown>): string {
  const simple = renderInputRefs(title, inputs);
  // any other expression over inputs only (join(inputs.roles, ', '), a || fallback) is evaluated
  // as the engine would; one that reads steps or item stays as written. A secret input is its
  // mask here, never the stored reference.
  const masked = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, isStoredSecret(v) ? `secret …${v.last4}` : v]));
  return previewText(simple, { inputs: masked }) ?? simple;
}

function renderInputRefs(title: string, inputs: Record<string, unknown>): string {
  return title.replace(/\$\{\{\s*inputs\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g, (whole, name: string) => {
    if (!Object.hasOwn(inputs, name)) return whole;
    const v = inputs[name];
    if (isStoredSecret(v)) return `secret …${v.last4}`;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join(', ') : whole;
  });
}

/** A drill's metrics are its scorecard's: drill clock, measured against the simulated world. */
function drillMetrics(sc: Record<string, unknown>, steps: ReportStep[]): IncidentReport['metrics'] {
  const n = (k: string) => (typeof sc[k] === 'number' ? (sc[k] as number) : undefined);
  const metric = (key: string, kind: StepKind | null, basis: string): Metric => {
    const ms = n(`${key}_ms`);
    const incompleteSteps = kind ? steps.filter((s) => s.kind === kind && s.status !== 'ok').map((s) => s.id) : [];
    return { reached: ms !== undefined, ...(ms !== undefined ? { ms } : {}), clock: 'drill', incompleteSteps, basis };
  };
  const of = (a: string, b: string) => `${n(a) ?? '?'}/${n(b) ?? '?'}`;
  return {
    clock: 'drill',
    detect: metric('detect', null, `drill clock: the run had seen every leaked credential of the world (${of('leaked_detected', 'leaked')})`),
    contain: metric('contain', 'revoke', `drill clock: every leaked credential dead in the simulated world (${of('leaked_dead', 'leaked')})`),
    rotate: metric('rotate', 'rotate', `drill clock: every place that held a leaked value rotated and reloaded (${of('consumers_rotated', 'consumers')})`),
    notify: metric('notify', 'notify', 'drill clock: every expected notification delivered'),
    scorecard: sc,
  };
}

/** A live incident's metrics (and a drill's without a scorecard): wall clock, from the journal. */
function wallMetrics(steps: ReportStep[], credentials: Credential[], openedAt: string, scorecard: Record<string, unknown> | undefined): IncidentReport['metrics'] {
  return {
    clock: 'wall',
    detect: detectMetric(credentials, steps, openedAt),
    contain: containMetric(credentials, steps, openedAt),
    rotate: kindMetric('rotate', steps, openedAt),
    notify: kindMetric('notify', steps, openedAt),
    scorecard,
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
    ...(st.watch?.items !== undefined ? { watch: { checks: st.watch.checks, watchedMs: st.watch.watchedMs, forMs: st.watch.forMs, seen: st.watch.seen, items: st.watch.items, tripped: st.watch.tripped, changed: st.watch.changed } } : {}),
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
  if (of.length === 0) return { reached: false, clock: 'wall', incompleteSteps: [], basis: `no ${kind} step recorded` };
  let at: string | undefined;
  let by: string | undefined;
  for (const s of of) {
    const times = s.items.filter((i) => i.status === 'ok').map((i) => i.finishedAt);
    if (s.items.length === 0 && s.status === 'ok') times.push(s.finishedAt ?? s.manual?.at);
    for (const t of times) if (t && latest(at, t) === t) [at, by] = [t, s.id];
  }
  const incompleteSteps = of.filter((s) => s.status !== 'ok').map((s) => s.id);
  if (!at) return { reached: false, clock: 'wall', incompleteSteps, basis: `no ${kind} step finished ok` };
  return { reached: true, at, ms: between(openedAt, at), clock: 'wall', incompleteSteps, basis: `last ok outcome of a ${kind} step (${by})` };
}

/**
 * Time to detect (wall clock): when the run had seen every leaked credential — the latest of
 * their first sightings in the journal. With no leaked credential recorded: the first ok
 * outcome of a detect step. (Never the last detect step: a final re-verify is not detection.)
 */
function detectMetric(creds: Credential[], steps: ReportStep[], openedAt: string): Metric {
  const leaked = creds.filter((c) => c.role === 'leaked');
  const incompleteSteps: string[] = [];
  if (leaked.length) {
    const at = leaked.reduce<string | undefined>((m, c) => latest(m, c.detectedAt), undefined);
    return { reached: !!at, at, ms: between(openedAt, at), clock: 'wall', incompleteSteps, basis: `every leaked credential (${leaked.length}) seen by the run` };
  }
  let at: string | undefined;
  let by: string | undefined;
  for (const s of steps.filter((x) => x.kind === 'detect')) {
    const times = s.items.filter((i) => i.status === 'ok').map((i) => i.finishedAt);
    if (s.items.length === 0 && s.status === 'ok') times.push(s.finishedAt);
    for (const t of times) if (t && earliest(at, t) === t) [at, by] = [t, s.id];
  }
  if (!at) return { reached: false, clock: 'wall', incompleteSteps: steps.filter((s) => s.kind === 'detect' && s.status !== 'ok').map((s) => s.id), basis: 'no leaked credential recorded and no detect step finished ok' };
  return { reached: true, at, ms: between(openedAt, at), clock: 'wall', incompleteSteps, basis: `first ok outcome of a detect step (${by}); no leaked credential recorded` };
}

function containMetric(creds: Credential[], steps: ReportStep[], openedAt: string): Metric {
  const leaked = creds.filter((c) => c.role === 'leaked');
  const incompleteSteps = steps.filter((s) => s.kind === 'revoke' && s.status !== 'ok').map((s) => s.id);
  if (leaked.length === 0) return { reached: false, clock: 'wall', incompleteSteps, basis: 'no leaked credential recorded' };
  const live = leaked.filter((c) => !c.verifiedDead);
  if (live.length) return { reached: false, clock: 'wall', incompleteSteps, basis: `${live.length} of ${leaked.length} leaked credential${leaked.length === 1 ? '' : 's'} not verified dead` };
  const at = leaked.reduce<string | undefined>((m, c) => latest(m, c.verifiedDead?.at), undefined);
  return { reached: true, at, ms: between(openedAt, at), clock: 'wall', incompleteSteps, basis: `every leaked credential (${leaked.length}) verified dead` };
}

function buildOpenItems(steps: ReportStep[], creds: Credential[]): OpenItem[] {
  const out: OpenItem[] = [];
  for (const s of steps) {
    const before = out.length;
    for (const it of s.items) {
      const item = it.key === SINGLE_ITEM ? undefined : it.key;
      const where = { step: s.id, item };
      if (it.status === 'failed') out.push({ kind: 'failed', ...where, text: `failed${it.error ? `: ${it.error.message}` : ''}` });
      else if (it.status === 'skipped' && !didNotApply(it.reason)) out.push({ kind: 'skipped', ...where, text: `skipped${it.reason ? `: ${oneLine(it.reason)}` : ''}` });
      else if (it.status === 'in-doubt')
        out.push({ kind: 'in-doubt', ...where, text: `in doubt since ${fmtTime(it.startedAt)}: the call may or may not have happened — check it, then settle it as done or redo` });
      else if (s.kind === 'manual' && it.status === 'pending') out.push({ kind: 'manual-not-done', ...where, text: `not done by hand yet (${s.title})` });
    }
    if (out.length > before) continue;
    if (s.status === 'failed') out.push({ kind: 'failed', step: s.id, text: `step failed${s.reason ? `: ${oneLine(s.reason)}` : ''}` });
    else if (s.status === 'skipped' && didNotApply(s.reason)) continue;
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
        text: `leaked credential ${c.id ?? `${c.fingerprint.slice(0, 12)}… ending …${c.last4}`} not verified dead${c.revoked ? ' (revoked, not verified)' : ' (not revoked)'}`,
      });
  return out;
}
