/**
 * IncidentReport → Markdown that reads well on GitHub and in a terminal: short sections,
 * tables with one-line cells, times in UTC. The result is passed through the redactor.
 */
import { SINGLE_ITEM } from '../core/journal/fold.js';
import type { Redactor } from '../core/secrets/redactor.js';
import { mermaidGantt } from './chart.js';
import { credLabel, fmtDuration, fmtTime, oneLine } from './format.js';
import type { Credential, IncidentReport, Metric, OpenItem, ReportEvidence, ReportVerify, TimelineEntry } from './types.js';

/** Table-cell / inline text: one line, no pipes, no raw HTML. */
function esc(s: string, n = 300): string {
  return oneLine(s, n).replace(/\|/g, '\\|').replace(/</g, '\\<');
}
function code(s: string): string {
  const t = oneLine(s, 120).replace(/\|/g, '\\|');
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}
function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function evidenceText(e: ReportEvidence | undefined, v: ReportVerify | undefined): string {
  const parts: string[] = [];
  if (e?.httpStatus !== undefined) parts.push(`HTTP ${e.httpStatus}`);
  if (e?.requestId) parts.push(`request ${e.requestId}`);
  if (e?.exitCode !== undefined) parts.push(`exit ${e.exitCode ?? 'signal'}`);
  if (e?.detail) parts.push(e.detail);
  if (v) parts.push(`verify: ${v.state}${v.detail ? ` (${v.detail})` : ''}`);
  return parts.join(' · ');
}

const FILE_STATUS: Record<IncidentReport['summary']['runbook']['file'], string> = {
  matched: 'unchanged since the incident; step kinds and titles taken from it',
  changed: 'changed since the incident; step kinds come from the journal or are inferred',
  missing: 'no longer exists; step kinds come from the journal or are inferred',
  unreadable: 'could not be read; step kinds come from the journal or are inferred',
  'not-recorded': 'not recorded in the journal',
};

function summary(r: IncidentReport): string[] {
  const s = r.summary;
  const inputs = Object.entries(s.inputs).map(([k, v]) => {
    const fp = v && typeof v === 'object' && 'fingerprint' in v ? (v as { fingerprint: string; last4: string }) : undefined;
    return `${code(k)} = ${fp ? `secret ${code(credLabel(fp.fingerprint, fp.last4))}` : esc(typeof v === 'string' ? v : JSON.stringify(v), 80)}`;
  });
  const rows: string[][] = [
    ['Incident', code(s.incident)],
    ['Runbook', `${esc(s.runbook.title)} (${code(s.runbook.id)}, severity ${esc(s.runbook.severity)})`],
    ['Runbook file', s.runbook.path ? `${code(s.runbook.path)}, sha256 ${code(s.runbook.hash.slice(0, 12))} — ${FILE_STATUS[s.runbook.file]}` : FILE_STATUS['not-recorded']],
    ['Mode', s.mode === 'drill' ? 'drill (simulated providers)' : 'live'],
    ['Operators', s.operators.map((o) => esc(o)).join(', ')],
    ['Started', fmtTime(s.openedAt)],
    ['Ended', s.endedAt ? `${fmtTime(s.endedAt)} (after ${fmtDuration(s.durationMs)})` : `still open — last record ${fmtTime(s.lastRecordAt)} (${fmtDuration(s.durationMs)} after start)`],
    ['Outcome', `**${s.outcome}**${s.outcomeDetail ? ` — ${esc(s.outcomeDetail)}` : ''}; ${s.openItems === 0 ? 'no open items' : `${s.openItems} open item${s.openItems === 1 ? '' : 's'}`}`],
    ['Runs', `${s.runs}${s.runs > 1 ? ` (resumed ${s.runs - 1} time${s.runs === 2 ? '' : 's'})` : ''}`],
  ];
  if (inputs.length) rows.push(['Inputs', inputs.join('; ')]);
  return ['## Summary', '', ...table(['Field', 'Value'], rows)];
}

function metricRow(name: string, m: Metric): string[] {
  const inc = m.incompleteSteps.length ? `; not finished: ${m.incompleteSteps.map(code).join(', ')}` : '';
  const at = m.clock === 'drill' ? 'drill time' : m.reached ? fmtTime(m.at) : '—';
  return [name, m.reached ? fmtDuration(m.ms) : 'not reached', at, `${esc(m.basis)}${inc}`];
}

function scalar(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 1000) return `${v} (${fmtDuration(v)})`;
  return esc(typeof v === 'string' ? v : JSON.stringify(v) ?? 'null', 200);
}

function metrics(r: IncidentReport): string[] {
  const m = r.metrics;
  const out = [
    '## Metrics',
    '',
    m.clock === 'drill'
      ? 'Measured from the incident opening on the **drill clock** (simulated time, which can run faster than real time and jumps over simulated waits), against the simulated world — the same figures as the drill scorecard. Times elsewhere in this report (steps, timeline) are wall-clock UTC.'
      : 'Measured from the incident opening on the **wall clock** (UTC), from the journal. Definitions: docs/report-format.md.',
    '',
    ...table(['Measure', 'Time', 'At', 'Basis'], [
      metricRow('Time to detect', m.detect),
      metricRow('Time to contain', m.contain),
      metricRow('Time to rotate', m.rotate),
      metricRow('Time to notify', m.notify),
    ]),
  ];
  if (m.scorecard) {
    const rows = Object.entries(m.scorecard).map(([k, v]) => [code(k), scalar(v)]);
    out.push('', r.summary.mode === 'drill' ? '### Drill scorecard' : '### Scorecard', '', ...(rows.length ? table(['Measure', 'Value'], rows) : ['(empty)']));
  }
  return out;
}

function credential(c: Credential): string[] {
  const by = (step?: string, item?: string) => (step ? `step ${code(step)}${item && item !== SINGLE_ITEM && item !== c.fingerprint ? ` / ${code(item)}` : ''}` : '');
  const found = c.foundIn.length
    ? c.foundIn.map((f) => `${f.where ? code(f.where) : 'unknown place'} (${[f.rule && `rule ${esc(f.rule)}`, by(f.step, f.item), fmtTime(f.at)].filter(Boolean).join(', ')})`).join('; ')
    : 'not recorded';
  const lu = c.lastUsed;
  const w = c.exposureWindow;
  const dead = c.verifiedDead;
  const lines = [
    `### ${code(c.id ?? credLabel(c.fingerprint, c.last4))} — leaked${c.providerHint ? ` (${esc(c.providerHint)})` : ''}`,
    '',
    c.id ? `- **Identifier:** ${code(c.id)} (not a secret; no secret value was handled)` : `- **Fingerprint:** ${code(c.fingerprint)}, last 4 characters ${code(c.last4 || '?')}`,
    `- **Found:** ${found}`,
    `- **First exposed:** ${c.firstExposedAt ? fmtTime(c.firstExposedAt) : 'unknown (no provider or scanner reported it)'}`,
    `- **Last used:** ${lu ? `${fmtTime(lu.at)}${lu.service || lu.region ? ` (${[lu.service, lu.region].filter(Boolean).map((x) => esc(x!)).join(', ')})` : ''}, as reported by ${by(lu.step, lu.item)}` : 'not reported by a provider'}`,
    `- **Revoked:** ${c.revoked ? `${fmtTime(c.revoked.at)} by ${esc(c.revoked.by)} (${by(c.revoked.step, c.revoked.item)}${c.revoked.via === 'settled' ? ', settled by the operator' : ''})` : '**not revoked**'}`,
    `- **Verified dead:** ${dead ? `${fmtTime(dead.at)} (${dead.basis === 'verify' ? 'read-back' : 'liveness check'}${dead.detail ? `: ${esc(dead.detail)}` : ''}${dead.step ? `, ${by(dead.step, dead.item)}` : ''})` : '**not verified**'}`,
    `- **Exposure window:** ${w.from ? fmtTime(w.from) : 'unknown'}${w.fromBasis === 'detected' ? ' (detected; first exposure unknown)' : ''} → ${
      w.to ? `${fmtTime(w.to)}${w.toBasis === 'revoked' ? ' (revoked, not verified dead)' : ''}` : 'still open'
    }${w.durationMs !== undefined ? ` — **${fmtDuration(w.durationMs)}**` : ''}`,
  ];
  return lines;
}

function credentials(r: IncidentReport): string[] {
  const leaked = r.credentials.filter((c) => c.role === 'leaked');
  const created = r.credentials.filter((c) => c.role === 'created');
  const out = ['## Credentials', ''];
  if (leaked.length === 0)
    out.push(
      r.metrics.clock === 'drill'
        ? `The journal names no leaked credential by value or identifier; the drill world had ${String(r.metrics.scorecard?.leaked ?? '?')} (see the metrics).`
        : 'No leaked credential was recorded in the journal.',
    );
  // a breach of thousands of tokens: the ones still needing attention in full, the rest counted
  const settled = (c: Credential) => !!c.revoked && !!c.verifiedDead;
  const many = leaked.length > REPORT_ITEMS;
  if (many) {
    const done = leaked.filter(settled).length;
    out.push(`**${leaked.length} leaked credentials**: ${done} revoked and verified dead${done ? ' (not listed one by one here: the JSON report, `--format json`, has every credential)' : ''}; ${leaked.length - done} still need attention${leaked.length - done ? ', listed below' : ''}.`, '');
  }
  for (const c of many ? leaked.filter((x) => !settled(x)) : leaked) out.push(...credential(c), '');
  if (created.length) {
    out.push('### Created during the incident', '');
    out.push(...table(['Credential', 'Created', 'By'], created.map((c) => [code(credLabel(c.fingerprint, c.last4)), fmtTime(c.createdAt ?? c.detectedAt), c.foundIn.map((f) => (f.step ? code(f.step) : esc(f.where))).join(', ')])));
  }
  while (out[out.length - 1] === '') out.pop();
  return out;
}

function steps(r: IncidentReport): string[] {
  const rows = r.steps.map((s, i) => {
    const ok = s.items.filter((it) => it.status === 'ok').length;
    const items = s.items.length === 0 || (s.items.length === 1 && s.items[0]?.key === SINGLE_ITEM) ? '' : `${ok}/${s.items.length} ok`;
    const kind = s.kind ? `${s.kind}${s.kindSource === 'inferred' ? ' (inferred)' : ''}` : 'unknown';
    return [String(i + 1), `${code(s.id)} ${esc(s.title, 80)}`, kind, `${s.status}${s.reason ? `: ${esc(s.reason, 80)}` : ''}`, fmtTime(s.startedAt), fmtTime(s.finishedAt), items];
  });
  return ['## Steps', '', ...table(['#', 'Step', 'Kind', 'Status', 'Started', 'Finished', 'Items'], rows)];
}

function timelineRow(e: TimelineEntry): string[] {
  const where = e.step ? `${code(e.step)}${e.item && e.item !== SINGLE_ITEM ? ` · ${code(e.item)}` : ''}` : '';
  const ev = evidenceText(e.evidence, e.verify);
  const extra = e.event === 'verify' ? '' : ev;
  const err = e.error && (e.error.status !== undefined || e.error.code) ? ` (${[e.error.code, e.error.status !== undefined && `HTTP ${e.error.status}`, e.error.requestId && `request ${e.error.requestId}`].filter(Boolean).join(', ')})` : '';
  return [fmtTime(e.at), esc(e.by), where, `${esc(e.text, 400)}${err}${extra ? ` — ${esc(extra)}` : ''}`];
}

/** a fan-out with more items than this is summarised (the JSON report keeps every item and event) */
export const REPORT_ITEMS = 20;

/** An item's event worth a row of its own in a large fan-out: a failure, a doubt, an operator's decision. */
function notable(e: TimelineEntry): boolean {
  return !!e.error || e.status === 'failed' || e.status === 'in-doubt' || e.event === 'settled' || e.event === 'manual' || e.event === 'approval' || (e.event === 'verify' && e.verify?.state !== 'done');
}

/** The timeline; the routine item events of a large fan-out become one row per step (counted, first and last time). */
function timelineRows(r: IncidentReport): string[][] {
  const big = new Set(r.steps.filter((st) => st.items.length > REPORT_ITEMS).map((st) => st.id));
  // a step that recorded thousands of credentials found (one detect step over a whole export)
  const found = new Map<string, number>();
  for (const e of r.timeline) if (e.event === 'secret.created' && e.step) found.set(e.step, (found.get(e.step) ?? 0) + 1);
  const rows: string[][] = [];
  const folded = new Map<string, { row: string[]; n: number; first: string; last: string; what: string }>();
  for (const e of r.timeline) {
    const many = e.step !== undefined && (e.event === 'secret.created' ? (found.get(e.step) ?? 0) > REPORT_ITEMS : big.has(e.step) && !!e.item && e.item !== SINGLE_ITEM);
    if (!many || notable(e)) {
      rows.push(timelineRow(e));
      continue;
    }
    const key = `${e.step}\u0000${e.event === 'secret.created' ? 'found' : 'items'}`;
    let f = folded.get(key);
    if (!f) {
      const what = e.event === 'secret.created' ? 'credentials found and recorded (fingerprints and last 4 characters)' : 'routine item events (intents, outcomes ok, read-backs)';
      f = { row: [fmtTime(e.at), '', code(e.step!), ''], n: 0, first: e.at, last: e.at, what };
      folded.set(key, f);
      rows.push(f.row);
    }
    f.n++;
    f.last = e.at;
  }
  for (const [, f] of folded) f.row[3] = `${f.n} ${f.what} from ${fmtTime(f.first)} to ${fmtTime(f.last)}, not listed one by one: the JSON report (\`--format json\`) has every event`;
  return rows;
}

const OPEN_LABEL: Record<OpenItem['kind'], string> = {
  failed: 'failed',
  skipped: 'skipped',
  'in-doubt': 'in doubt',
  'manual-not-done': 'manual step not done',
  denied: 'approval denied',
  unfinished: 'unfinished',
  'not-started': 'not started',
  'credential-not-dead': 'credential not verified dead',
};

function openItems(r: IncidentReport): string[] {
  const out = ['## Open items', ''];
  if (r.openItems.length === 0) return [...out, 'Nothing is open: every step finished ok and every leaked credential is verified dead.'];
  for (const o of r.openItems) {
    const where = o.step ? ` ${code(o.step)}${o.item ? ` / ${code(o.item)}` : ''}` : '';
    out.push(`- [ ] **${OPEN_LABEL[o.kind]}**${where} — ${esc(o.text, 400)}`);
  }
  return out;
}

function chart(r: IncidentReport): string[] {
  const block = mermaidGantt(r);
  return block.length ? ['## Timeline chart', '', ...block, ''] : [];
}

export function renderMarkdown(r: IncidentReport, redactor: Redactor): string {
  const s = r.summary;
  const lines = [
    `# Incident report: ${code(s.incident)}`,
    '',
    `**${esc(s.runbook.title)}** — ${s.mode} incident opened ${fmtTime(s.openedAt)}, ${s.endedAt ? `ended ${fmtTime(s.endedAt)}` : 'still open'}; outcome **${s.outcome}**`,
    ...(s.mode === 'drill' ? ['', '> **Drill.** Every provider ran against a simulated world; nothing outside it was changed.'] : []),
    '',
    ...summary(r),
    '',
    ...chart(r),
    ...metrics(r),
    '',
    ...credentials(r),
    '',
    ...steps(r),
    '',
    '## Timeline',
    '',
    ...table(['Time (UTC, wall clock)', 'Who', 'Step · item', 'What happened'], timelineRows(r)),
    '',
    ...openItems(r),
    '',
    '---',
    '',
    `_Written by \`runbook report\` from the incident journal (${r.journal.records} records, last seq ${r.journal.lastSeq}). Credentials appear only as keyed fingerprints and their last 4 characters._`,
    '',
  ];
  return redactor.redact(lines.join('\n'));
}
