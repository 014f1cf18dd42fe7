/**
 * The drill scorecard: how fast the leak was detected, contained, rotated and notified (drill
 * time, checked against the world), what the attacker managed meanwhile, what was left
 * skipped, failed or in doubt, and how this drill compares with earlier drills of the same
 * runbook in the same state directory. Stored in the journal as a `scorecard` record (flat
 * keys, so `runbook report` can show it as a table) and printed at the end.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../core/duration.js';
import { fold, type RunState } from '../core/journal/fold.js';
import { decodeJournal, listIncidentIds } from '../core/journal/store.js';
import type { AdversaryRecord } from './adversary.js';

export type Scorecard = Record<string, unknown> & {
  scenario: string;
  /** a string: the report shows large numbers as durations */
  seed: string;
  status: string;
  detect_ms: number | null;
  contain_ms: number | null;
  rotate_ms: number | null;
  notify_ms: number | null;
  leaked: number;
  leaked_dead: number;
  adversary_succeeded: number;
  adversary_blocked: number;
};

export interface ScorecardInput {
  scenario: string;
  seed: number;
  speed: number;
  status: string;
  times: { detect?: number; contain?: number; rotate?: number; notify?: number };
  leaked: number;
  leakedDead: number;
  leakedDetected: number;
  consumers: number;
  consumersRotated: number;
  adversary: readonly AdversaryRecord[];
  adversaryPending: number;
  persistence: number;
  state: RunState | undefined;
  notifyMissing: string[];
  duplicates: string[];
  /** non-idempotent effects the world accepted more than once (a mail, a post, a page, a revoke, a key created) */
  duplicateEffects: string[];
  /** effects made twice where the second run took the first back (e.g. an unusable AWS key deleted) */
  compensatedEffects: string[];
  faults: string[];
  faultsInjected: Record<string, number>;
  refused: number;
  previous: { incident: string; data: Record<string, unknown> }[];
}

const msOrNull = (v: number | undefined) => (v === undefined ? null : v);

function items(state: RunState | undefined, status: string): string[] {
  const out: string[] = [];
  for (const id of state?.stepOrder ?? []) {
    const st = state!.steps[id]!;
    const keys = st.itemOrder.filter((k) => st.items[k]?.status === status);
    if (keys.length) out.push(...keys.map((k) => (k === '-' ? id : `${id}/${k}`)));
    else if (status !== 'in-doubt' && st.status === status) out.push(id);
  }
  return out;
}

export function computeScorecard(i: ScorecardInput): Scorecard {
  const adv = i.adversary;
  const prev = i.previous.map((p) => p.data.contain_ms).filter((v): v is number => typeof v === 'number');
  const contain = msOrNull(i.times.contain);
  const sc: Scorecard = {
    scenario: i.scenario,
    seed: String(i.seed),
    speed: i.speed,
    status: i.status,
    detect_ms: msOrNull(i.times.detect),
    contain_ms: contain,
    rotate_ms: msOrNull(i.times.rotate),
    notify_ms: msOrNull(i.times.notify),
    leaked: i.leaked,
    leaked_detected: i.leakedDetected,
    leaked_dead: i.leakedDead,
    consumers: i.consumers,
    consumers_rotated: i.consumersRotated,
    adversary_attempted: adv.length,
    adversary_succeeded: adv.filter((a) => a.outcome === 'succeeded').length,
    adversary_blocked: adv.filter((a) => a.outcome === 'blocked').length,
    adversary_pending: i.adversaryPending,
    adversary_persistence_live: i.persistence,
    adversary_actions: adv.map((a) => `${fmtMs(a.at)} ${a.do} with ${a.credential}: ${a.outcome} — ${a.detail}`),
    items_failed: items(i.state, 'failed'),
    items_skipped: items(i.state, 'skipped'),
    items_in_doubt: items(i.state, 'in-doubt'),
    notify_missing: i.notifyMissing,
    notify_duplicates: i.duplicates,
    duplicate_effects: i.duplicateEffects,
    compensated_effects: i.compensatedEffects,
    faults: i.faults,
    faults_injected: Object.values(i.faultsInjected).reduce((a, b) => a + b, 0),
    outbound_refused: i.refused,
    previous_drills: i.previous.length,
    best_previous_contain_ms: prev.length ? Math.min(...prev) : null,
  };
  return sc;
}

/** Drill ms in the one duration format (src/core/duration.ts); `not reached` when null. */
export function fmtMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? 'not reached' : formatDuration(ms);
}

/** One paragraph (the TUI's end panel shows it). */
export function scorecardLine(sc: Scorecard): string {
  const adv = sc.adversary_succeeded === 0 ? 'the attacker got nothing done' : `the attacker succeeded ${sc.adversary_succeeded} time(s) before containment`;
  return `Drill scorecard (drill time): detect ${fmtMs(sc.detect_ms)} · contain ${fmtMs(sc.contain_ms)} (${sc.leaked_dead}/${sc.leaked} leaked credentials dead) · rotate ${sc.rotate_ms == null && !sc.consumers ? 'none needed' : fmtMs(sc.rotate_ms)} · notify ${fmtMs(sc.notify_ms)} — ${adv}.`;
}

/** how many entries of a list the text scorecard shows */
const LIST_MAX = 10;

/** The scorecard as text lines (stderr in scripted mode; after the TUI closes). */
export function formatScorecard(sc: Scorecard, opts: { final?: boolean } = {}): string[] {
  // a long list (10,000 leaked tokens) is cut: the whole list is in the journal's scorecard record
  const list = (v: unknown) => (Array.isArray(v) && v.length ? (v.length > LIST_MAX ? `${v.slice(0, LIST_MAX).join(', ')}, … and ${v.length - LIST_MAX} more (all in the journal's scorecard record: runbook report --json)` : v.join(', ')) : 'none');
  const lines = [
    // one heading: an unfinished drill's says so inside it (not after its closing rule)
    `── Drill scorecard${opts.final === false ? ' so far (the drill is not over)' : ''} — ${sc.scenario} (seed ${sc.seed}, drill time) ──`,
    // a world with no leaked credential (a process drill): nothing to find or contain — not "not reached"
    sc.leaked === 0 ? '  time to detect   no leaked credential in this scenario' : `  time to detect   ${fmtMs(sc.detect_ms)}   (${String(sc.leaked_detected)}/${sc.leaked} leaked credentials found by the run)`,
    sc.leaked === 0 ? '  time to contain  no leaked credential in this scenario' : `  time to contain  ${fmtMs(sc.contain_ms)}   (${sc.leaked_dead}/${sc.leaked} leaked credentials dead in the world)`,
    `  time to rotate   ${sc.consumers ? `${fmtMs(sc.rotate_ms)}   (${String(sc.consumers_rotated)}/${String(sc.consumers)} places that held a leaked value rotated and reloaded)` : sc.rotate_ms != null ? `${fmtMs(sc.rotate_ms)}   (the step that rotates was done)` : 'nothing held a leaked value'}`,
    // nothing sent and nothing expected (a runbook with no notify step, a scenario that expects none): not "not reached"
    sc.notify_ms == null && !(sc.notify_missing as string[]).length
      ? '  time to notify   none sent, and the scenario expects none'
      : `  time to notify   ${fmtMs(sc.notify_ms)}${(sc.notify_missing as string[]).length ? `   missing: ${list(sc.notify_missing)}` : ''}`,
    `  attacker         ${sc.adversary_succeeded} succeeded before containment, ${sc.adversary_blocked} blocked${Number(sc.adversary_pending) ? `, ${String(sc.adversary_pending)} not yet due` : ''}${Number(sc.adversary_persistence_live) ? ` — ${String(sc.adversary_persistence_live)} attacker-made credential(s) still live` : ''}`,
  ];
  for (const a of sc.adversary_actions as string[]) lines.push(`      ${a}`);
  lines.push(`  left over        failed: ${list(sc.items_failed)} · skipped: ${list(sc.items_skipped)} · in doubt: ${list(sc.items_in_doubt)}`);
  if ((sc.notify_duplicates as string[]).length) lines.push(`  duplicates       ${list(sc.notify_duplicates)}`);
  if (((sc.duplicate_effects as string[] | undefined) ?? []).length) lines.push(`  repeated effects ${list(sc.duplicate_effects)}`);
  if (((sc.compensated_effects as string[] | undefined) ?? []).length) lines.push(`  taken back       ${list(sc.compensated_effects)}`);
  if ((sc.faults as string[]).length) lines.push(`  faults           ${list(sc.faults)} (${String(sc.faults_injected)} injected)`);
  lines.push(`  outbound         ${String(sc.outbound_refused)} non-loopback connection(s) refused`);
  if (Number(sc.previous_drills) > 0) {
    const best = sc.best_previous_contain_ms as number | null;
    const vs = best === null || sc.contain_ms === null ? '' : sc.contain_ms < best ? ' — a new best' : ` — ${fmtMs(sc.contain_ms - best)} slower than the best`;
    lines.push(`  compared         ${String(sc.previous_drills)} earlier drill(s) of this runbook; best contain ${fmtMs(best)}${vs}`);
  } else lines.push('  compared         first drill of this runbook in this state directory');
  return lines;
}

/** Scorecards of earlier drills of the same runbook in a state directory (newest first). */
/** The first line of a journal as JSON (undefined when it cannot be read that way: the caller reads the whole journal). */
function firstRecord(file: string): Record<string, unknown> | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const nl = buf.subarray(0, n).indexOf(10);
    if (nl < 0) return undefined;
    const j = JSON.parse(buf.subarray(0, nl).toString('utf8')) as Record<string, unknown>;
    return (j.record as Record<string, unknown> | undefined) ?? j;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function previousDrills(stateDir: string, runbookId: string, except: string): { incident: string; data: Record<string, unknown>; openedAt: string }[] {
  const out: { incident: string; data: Record<string, unknown>; openedAt: string }[] = [];
  for (const id of listIncidentIds(stateDir)) {
    if (id === except) continue;
    const file = join(stateDir, 'incidents', id, 'journal.jsonl');
    if (!existsSync(file)) continue;
    // most incidents are not a drill of this runbook: their first record says so — no need to read
    // (and fold) a whole 10,000-item live journal to learn it (issue 15)
    const opened = firstRecord(file);
    if (opened?.type === 'incident.opened' && (opened.mode !== 'drill' || (opened.runbook as { id?: unknown } | undefined)?.id !== runbookId)) continue;
    try {
      const st = fold(decodeJournal(readFileSync(file, 'utf8'), file).records);
      if (st?.mode === 'drill' && st.runbook.id === runbookId && st.scorecard) out.push({ incident: id, data: st.scorecard, openedAt: st.openedAt });
    } catch {
      /* a broken journal is not a drill to compare with */
    }
  }
  return out.sort((a, b) => b.openedAt.localeCompare(a.openedAt));
}
