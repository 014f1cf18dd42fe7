/**
 * The incident as a picture: a Mermaid gantt chart (GitHub renders ```mermaid blocks) with
 * the response milestones (detected, contained, rotated, notified), each leaked credential's
 * exposure window, the steps (live) or the attacker's moves (drill).
 *
 * One clock per chart, the metrics' clock: a drill is drawn on the drill clock (elapsed drill
 * time, from its scorecard: the steps' wall times are not on that clock, so they are left out);
 * a live incident on the wall clock (UTC). Times are written as zone-less date strings, which
 * Mermaid parses and prints in the same zone, so the axis shows exactly these digits.
 */
import { parseLeadingDuration } from '../core/duration.js';
import { oneLine } from './format.js';
import type { IncidentReport, Metric } from './types.js';

const DRILL_BASE = Date.UTC(2000, 0, 1);

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** A task name Mermaid accepts: no `:`, `#` or `;`, one line. */
function label(s: string, n = 60): string {
  return oneLine(s, n).replace(/[:#;]/g, ' ').replace(/\s+/g, ' ').trim() || '-';
}

/** `15s …`, `2m05s …`, `1h02m …` (the scorecard's attacker lines) → drill ms. */
export const leadingDuration = parseLeadingDuration;

interface Task {
  section: string;
  name: string;
  start: number;
  end?: number;
  tags: ('milestone' | 'crit' | 'done' | 'active')[];
}

function milestones(r: IncidentReport, at: (m: Metric) => number | undefined): Task[] {
  const m = r.metrics;
  const out: Task[] = [];
  const add = (name: string, metric: Metric) => {
    const t = at(metric);
    if (metric.reached && t !== undefined) out.push({ section: 'Response', name, start: t, tags: ['milestone'] });
  };
  add('Detected', m.detect);
  add('Contained', m.contain);
  add('Rotated', m.rotate);
  add('Notified', m.notify);
  return out;
}

function drillTasks(r: IncidentReport): { tasks: Task[]; end: number } {
  const sc = r.metrics.scorecard ?? {};
  const times = [r.metrics.detect, r.metrics.contain, r.metrics.rotate, r.metrics.notify].map((m) => m.ms ?? 0);
  const attacks = (Array.isArray(sc.adversary_actions) ? sc.adversary_actions : []).filter((a): a is string => typeof a === 'string');
  const moves = attacks.map((a) => ({ at: leadingDuration(a), text: a.replace(/^\S+\s+/, '') })).filter((a): a is { at: number; text: string } => a.at !== undefined);
  const end = Math.max(1000, ...times, ...moves.map((a) => a.at));
  const tasks: Task[] = milestones(r, (m) => m.ms);
  const contain = r.metrics.contain;
  tasks.push({ section: 'Exposure', name: `Leaked credentials live (${String(sc.leaked_dead ?? '?')}/${String(sc.leaked ?? '?')} dead at the end)`, start: 0, end: contain.reached ? Math.max(contain.ms!, 1000) : end, tags: ['crit'] });
  for (const a of moves) tasks.push({ section: 'Attacker', name: label(a.text), start: a.at, tags: / succeeded/.test(a.text) ? ['crit', 'milestone'] : ['milestone'] });
  return { tasks, end };
}

function liveTasks(r: IncidentReport): { tasks: Task[]; end: number } {
  const open = Date.parse(r.summary.openedAt);
  const last = Date.parse(r.summary.endedAt ?? r.summary.lastRecordAt);
  const rel = (iso: string | undefined) => (iso && !Number.isNaN(Date.parse(iso)) ? Date.parse(iso) - open : undefined);
  const end = Math.max(1000, last - open);
  const tasks: Task[] = milestones(r, (m) => rel(m.at));
  for (const c of r.credentials.filter((x) => x.role === 'leaked')) {
    const w = c.exposureWindow;
    const from = rel(w.from);
    const before = from !== undefined && from < 0;
    const name = `${c.id ?? `…${c.last4 || '????'}`}${before ? ' (exposed before the incident)' : ''}${w.open ? (w.to ? ' — revoked, not verified dead' : ' — still open') : ''}`;
    tasks.push({ section: 'Exposure', name: label(name), start: Math.max(0, from ?? 0), end: rel(w.to) ?? end, tags: ['crit'] });
  }
  for (const s of r.steps) {
    const a = rel(s.startedAt);
    if (a === undefined) continue;
    const b = rel(s.finishedAt) ?? end;
    tasks.push({ section: 'Steps', name: label(`${s.id} (${s.kind ?? '?'})`), start: a, end: Math.max(b, a + 1000), tags: [s.status === 'failed' ? 'crit' : s.status === 'ok' ? 'done' : 'active'] });
  }
  return { tasks, end };
}

/** The ```mermaid block (lines), or nothing when the incident has no times to draw. */
export function mermaidGantt(r: IncidentReport): string[] {
  const drill = r.metrics.clock === 'drill';
  const base = drill ? DRILL_BASE : Date.parse(r.summary.openedAt);
  if (Number.isNaN(base)) return [];
  const { tasks } = drill ? drillTasks(r) : liveTasks(r);
  if (!tasks.length) return [];
  const lines = [
    '```mermaid',
    'gantt',
    `  title ${label(r.summary.incident, 80)} — ${drill ? 'drill clock (elapsed drill time)' : 'wall clock (UTC)'}`,
    '  dateFormat YYYY-MM-DD HH:mm:ss',
    '  axisFormat %H:%M:%S',
  ];
  let section = '';
  tasks.forEach((t, i) => {
    if (t.section !== section) lines.push(`  section ${t.section}`);
    section = t.section;
    const milestone = t.tags.includes('milestone') || t.end === undefined;
    // drill times to the nearest second, as the scorecard and the metrics say them (22.6 s reads 23s there, so 00:00:23 here)
    const at = (ms: number) => stamp(base + (drill ? Math.round(ms / 1000) * 1000 : ms));
    const meta = [...t.tags, `t${i + 1}`, at(t.start), milestone ? '0s' : at(Math.max(t.end!, t.start + 1000))];
    lines.push(`  ${t.name} :${meta.join(', ')}`);
  });
  lines.push('```');
  return lines;
}
