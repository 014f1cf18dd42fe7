/** The chronological timeline: one entry per meaningful journal record, in journal order. */
import { ownerName } from '../core/errors.js';
import type { JournalRecord, StoredError } from '../core/journal/records.js';
import { fmtTime, oneLine } from './format.js';
import { formatDuration } from '../core/duration.js';
import type { ReportError, ReportEvidence, ReportVerify, TimelineEntry } from './types.js';

export function reportError(e: StoredError | undefined): ReportError | undefined {
  if (!e) return undefined;
  return { message: oneLine(e.message, 500), code: e.code, failure: e.failure, status: e.status, requestId: e.requestId };
}

export function reportEvidence(e: ReportEvidence | undefined): ReportEvidence | undefined {
  if (!e || Object.values(e).every((v) => v === undefined)) return undefined;
  return { httpStatus: e.httpStatus, requestId: e.requestId, exitCode: e.exitCode, detail: e.detail === undefined ? undefined : oneLine(e.detail, 300) };
}

const list = (keys: readonly string[], n = 5) => (keys.length > n ? `${keys.slice(0, n).join(', ')} and ${keys.length - n} more` : keys.join(', '));

export function buildTimeline(records: readonly JournalRecord[], kindOf: (step: string) => string | null = () => null, title: (step: string, raw: string) => string = (_s, raw) => raw): TimelineEntry[] {
  // intents that never got an outcome for the same step/item/attempt (in doubt, or settled later)
  const answered = new Set<string>();
  for (const r of records) if (r.type === 'outcome') answered.add(`${r.step}\u0000${r.item}\u0000${r.attempt}`);
  const out: TimelineEntry[] = [];
  for (const r of records) {
    const base = { seq: r.seq, at: r.ts, by: r.op, event: r.type };
    const push = (e: Omit<TimelineEntry, 'seq' | 'at' | 'by' | 'event'>) => out.push({ ...base, ...e });
    switch (r.type) {
      case 'incident.opened':
        push({ text: `incident opened (${r.mode}) with runbook ${r.runbook.id} "${oneLine(r.runbook.title, 80)}", severity ${r.runbook.severity}` });
        break;
      case 'run.started':
        push({ text: `${r.resumed ? 'run resumed' : 'run started'} (pid ${r.pid})${r.acceptedChangedRunbook ? ' — accepted a changed runbook' : ''}` });
        break;
      case 'step.started': {
        const extra = r as { kind?: unknown; title?: unknown };
        push({ step: r.step, text: `step started${typeof extra.title === 'string' ? `: ${oneLine(title(r.step, extra.title), 80)}` : ''}` });
        break;
      }
      case 'items':
        push({ step: r.step, text: `${r.keys.length} item${r.keys.length === 1 ? '' : 's'}: ${list(r.keys)}` });
        break;
      case 'approval':
        push({
          step: r.step,
          status: r.decision,
          text: `${r.decision} by ${r.op} via ${r.via}${r.items?.length ? ` (items: ${list(r.items)})` : ''}${r.reason ? ` — ${oneLine(r.reason)}` : ''}`,
        });
        break;
      case 'intent':
        if (!answered.has(`${r.step}\u0000${r.item}\u0000${r.attempt}`))
          push({ step: r.step, item: r.item, status: 'in-doubt', text: `called ${r.action} (attempt ${r.attempt}) — no outcome recorded: it may or may not have happened` });
        break;
      case 'outcome': {
        const err = reportError(r.error);
        const why = r.status === 'failed' ? err?.message : r.reason;
        push({
          step: r.step,
          item: r.item,
          status: r.status,
          text: `${r.status}${r.attempt > 1 ? ` (attempt ${r.attempt})` : ''}${why ? `: ${oneLine(why)}` : ''}`,
          evidence: reportEvidence(r.evidence),
          verify: r.verify ? { state: r.verify.state, detail: r.verify.detail } : undefined,
          error: err,
        });
        break;
      }
      case 'verify':
        push({ step: r.step, item: r.item, status: r.state, text: `read-back (${r.on}): ${r.state}${r.detail ? ` — ${oneLine(r.detail)}` : ''}`, verify: { state: r.state, detail: r.detail } });
        break;
      case 'settled':
        push({ step: r.step, item: r.item, status: r.decision, text: `in-doubt item settled as ${r.decision} by ${r.op} via ${r.via}` });
        break;
      case 'manual': {
        const parts = [r.note && `note: ${oneLine(r.note, 300)}`, r.link && `link: ${r.link}`].filter(Boolean);
        push({ step: r.step, item: r.item, status: 'ok', text: `done by hand (via ${r.via})${parts.length ? ` — ${parts.join('; ')}` : ' — no evidence recorded'}` });
        break;
      }
      case 'step.finished':
        push({ step: r.step, status: r.status, text: `step ${r.status}${r.reason ? `: ${oneLine(r.reason)}` : ''}` });
        break;
      case 'secret.created':
        // a rotate step makes a credential; any other step (a scan, a lookup) records one it found
        push({
          step: r.step,
          item: r.item,
          text: `${kindOf(r.step) === 'rotate' ? 'new credential created' : 'credential found and recorded'}: ${r.secret.fingerprint.slice(0, 12)}… ending …${r.secret.last4}`,
        });
        break;
      case 'note':
        push({ text: `note: ${oneLine(r.text, 500)}` });
        break;
      case 'run.stopped':
        push({ status: r.reason, text: `run stopped: ${r.reason}${r.detail ? ` — ${oneLine(r.detail)}` : ''}` });
        break;
      case 'lock.broken':
        push({ text: `broke the lock of pid ${r.previous.pid} (${ownerName(r.previous)}, since ${fmtTime(r.previous.startedAt)})` });
        break;
      case 'watch':
        push({
          step: r.step,
          status: r.seen === 'fail_if' ? 'failed' : r.seen ? 'ok' : undefined,
          text: `watch check ${r.check}: ${formatDuration(r.watchedMs)} of ${formatDuration(r.forMs)} watched${r.items !== undefined ? ` — ${r.items} item${r.items === 1 ? '' : 's'} checked${r.changed ? `, ${r.changed} changed since the last check (${changedNames(r.notable)})` : ''}` : ''}${r.seen ? ` — ${r.seen} seen${r.tripped?.length ? `, met by ${namesOf(r.tripped)}` : ''}` : ''}`,
        });
        break;
      case 'scorecard':
        push({ text: 'drill scorecard recorded' });
        break;
    }
  }
  return out;
}

export function verifyOf(v: ReportVerify | undefined): ReportVerify | undefined {
  return v ? { state: v.state, detail: v.detail } : undefined;
}

const NAMED = 20;

/** `a, b, c (+N more)`: the items a watch check names, by their keys. */
function namesOf(keys: string[]): string {
  const more = keys.length - NAMED;
  return `${keys.slice(0, NAMED).join(', ')}${more > 0 ? ` (+${more} more; the JSON report lists them all)` : ''}`;
}

function changedNames(notable: { key: string; why: string }[] | undefined): string {
  const keys = (notable ?? []).filter((n) => n.why === 'changed').map((n) => n.key);
  return keys.length ? `e.g. ${keys.join(', ')}` : 'not listed';
}
