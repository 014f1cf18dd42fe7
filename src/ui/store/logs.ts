/**
 * Bounded log tails. A step printing 100,000 lines keeps its last `logTail` lines; across
 * steps, at most `logBudget` lines are kept (the least recently written tails shrink first).
 */
import type { LogLine, LogTail, StepView, StoreLimits } from './types.js';
import { neutralise } from '../../core/terminal-text.js';

/** Text that cannot move the cursor, change colours or tear the Ink frame (core's neutralise, on one line). */
export function sanitize(text: string, max = Infinity): string {
  let s = text.length > max * 2 + 64 ? text.slice(0, max * 2 + 64) : text;
  s = neutralise(s.replace(/\t/g, '  ').replace(/\r?\n|\r/g, ' '));
  return s.length > max ? s.slice(0, Math.max(0, max - 1)) + '…' : s;
}

export const emptyTail = (): LogTail => ({ lines: [], total: 0, touched: 0 });

/**
 * Pending lines between two flushes: per step, a buffer that never holds more than twice the
 * tail (amortised O(1) per line) plus a count of every line seen.
 */
export class PendingLogs {
  #byStep = new Map<string, { lines: LogLine[]; count: number }>();
  constructor(private readonly limits: StoreLimits) {}

  push(step: string, line: LogLine): void {
    let p = this.#byStep.get(step);
    if (!p) {
      p = { lines: [], count: 0 };
      this.#byStep.set(step, p);
    }
    p.count++;
    p.lines.push(line);
    if (p.lines.length > this.limits.logTail * 2) p.lines.splice(0, p.lines.length - this.limits.logTail);
  }

  get size(): number {
    let n = 0;
    for (const p of this.#byStep.values()) n += p.lines.length;
    return n;
  }

  get empty(): boolean {
    return this.#byStep.size === 0;
  }

  drain(): Map<string, { lines: LogLine[]; count: number }> {
    const out = this.#byStep;
    this.#byStep = new Map();
    return out;
  }
}

/** Split a log event's text into sanitized lines. */
export function toLines(stream: LogLine['stream'], item: string, text: string, limits: StoreLimits): LogLine[] {
  const parts = text.includes('\n') ? text.replace(/\r?\n$/, '').split(/\r?\n/) : [text];
  return parts.map((p) => ({ stream, item, text: sanitize(p, limits.lineLength) }));
}

export function appendTail(tail: LogTail, lines: LogLine[], count: number, touched: number, limits: StoreLimits): LogTail {
  const keep = limits.logTail;
  const merged = lines.length >= keep ? lines.slice(-keep) : tail.lines.concat(lines).slice(-keep);
  return { lines: merged, total: tail.total + count, touched };
}

/**
 * Trim the least recently written tails until the total kept is within the budget: first to
 * `logTrimTo` lines, then (if that is not enough) to none, the oldest first. Trims to 90% of the budget so a
 * steady stream does not sort on every flush. Mutates `steps`, a Map copied for this batch.
 */
export function enforceBudget(steps: Map<string, StepView>, kept: number, limits: StoreLimits): number {
  if (kept <= limits.logBudget) return kept;
  const target = Math.floor(limits.logBudget * 0.9);
  const withLogs = [...steps.values()].filter((s) => s.log.lines.length > 0).sort((a, b) => a.log.touched - b.log.touched);
  // the few most recently written tails stay whole as long as anything else can give
  const keepWhole = Math.max(1, Math.ceil(limits.logBudget / limits.logTail / 4));
  const older = withLogs.slice(0, Math.max(0, withLogs.length - keepWhole));
  for (const [floor, list] of [[limits.logTrimTo, older], [0, older], [limits.logTrimTo, withLogs], [0, withLogs]] as const) {
    for (const s of list) {
      if (kept <= target) return kept;
      const cur = steps.get(s.info.id)!;
      const drop = cur.log.lines.length - floor;
      if (drop <= 0) continue;
      steps.set(s.info.id, { ...cur, log: { ...cur.log, lines: floor === 0 ? [] : cur.log.lines.slice(-floor) } });
      kept -= drop;
    }
  }
  return kept;
}
