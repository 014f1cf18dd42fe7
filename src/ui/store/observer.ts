/**
 * The engine observer that feeds a run store. Events are queued and applied in one batch:
 * within `intervalMs` (50 ms) of a step-level event (a step starts or ends, the engine waits,
 * the run ends), within `itemMs` (250 ms; 500 ms for a step of over 1,000 items, 1 s over
 * 5,000) when only items progress or lines are printed — so a step printing 100,000 lines or a
 * 10,000-item fan-out costs a few store updates (and frames) a second, not one per line or
 * item, and the event loop stays free for keys. A window of 1 s or more ends on the shared 1 s
 * tick (ticker.ts) instead of a timer of its own: the counts move in the same frame as the
 * clocks, so a large fan-out costs one frame a second, not two.
 * Pending log lines are bounded per step.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { EngineEvent, EngineObserver } from '../../core/engine/events.js';
import { applyBatch, type QueuedEvent } from './apply.js';
import { PendingLogs, toLines } from './logs.js';
import { DEFAULT_LIMITS, type RunStoreState, type StoreLimits } from './types.js';
import { onTick } from '../ticker.js';

export interface RunObserver {
  observe: EngineObserver;
  /** apply everything queued now */
  flush(): void;
  /** stop the timer; later events are still queued and applied on flush() */
  dispose(): void;
  /** lines waiting for the next flush (bounded) */
  readonly pendingLines: number;
  readonly pendingEvents: number;
}

export interface ObserverOptions {
  intervalMs?: number;
  /** the batch window when only items progress and lines are printed (default 5 × intervalMs: 250 ms) */
  itemMs?: number;
  /** subscribe to the shared 1 s tick (default: ticker.ts); windows of 1 s or more end on it */
  tick?: (fn: () => void) => () => void;
  limits?: Partial<StoreLimits>;
  now?: () => number;
}

const ITEM_RECORDS = new Set(['intent', 'outcome', 'verify', 'secret.created', 'items']);
/**
 * A fan-out of thousands redraws its counts less often: each frame re-lays out the whole
 * screen, and at 10,000 items the frames were most of what the TUI cost beside the run
 * (bench/README.md, tui-scale). ×2 the item window above 1,000 items, ×4 above 5,000.
 */
export const itemWindowFactor = (items: number): number => (items > 5000 ? 4 : items > 1000 ? 2 : 1);
/** An event about one item of a step (its progress), not about the step or the run. */
const itemLevel = (e: EngineEvent): boolean => e.type === 'retry' || (e.type === 'record' && ITEM_RECORDS.has(e.record.type));

/**
 * What is queued of an item's intent or outcome: only what the store takes from it (apply.ts),
 * not the journal record (its time, operator, hashes, idempotency key). A large fan-out's events
 * wait up to 1 s for their batch: kept whole, every young-generation GC of the run copied them
 * (and promoted them), which made the TUI's GC several times the scripted run's (bench/README.md).
 */
export function slim(e: QueuedEvent): QueuedEvent {
  if (e.type !== 'record') return e;
  const r = e.record;
  if (r.type === 'intent') {
    const { type, step, item, attempt, action, input } = r;
    return { type: 'record', record: { type, step, item, attempt, action, input } as typeof r };
  }
  if (r.type === 'outcome') {
    const { type, step, item, status, attempt, output, error, evidence, verify, reason } = r;
    return { type: 'record', record: { type, step, item, status, attempt, output, error, evidence, verify, reason } as typeof r };
  }
  return e;
}

export function createObserver(store: StoreApi<RunStoreState>, opts: ObserverOptions = {}): RunObserver {
  const limits: StoreLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const intervalMs = opts.intervalMs ?? 50;
  const itemMs = Math.max(intervalMs, opts.itemMs ?? intervalMs * 5);
  const now = opts.now ?? Date.now;
  const logs = new PendingLogs(limits);
  let queue: QueuedEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** when the pending flush is due */
  let due = Infinity;
  let disposed = false;
  const tick = opts.tick ?? ((fn: () => void) => onTick(1000, fn));
  /** the pending flush on the next 1 s tick (its unsubscribe) */
  let onNextTick: (() => void) | undefined;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    due = Infinity;
    onNextTick?.();
    onNextTick = undefined;
    if (queue.length === 0 && logs.empty) return;
    const events = queue;
    queue = [];
    store.setState(applyBatch(store.getState(), events, logs.drain(), limits, now()), true);
  };
  const schedule = (within: number) => {
    if (disposed) return;
    // a long window ends on the next 1 s tick (at most 1 s away), with the clocks' frame
    if (within >= 1000) {
      if (!timer) onNextTick ??= tick(flush);
      return;
    }
    const at = performance.now() + within;
    if (timer && at >= due) return;
    if (timer) clearTimeout(timer);
    due = at;
    timer = setTimeout(flush, within);
  };
  const observe = (e: EngineEvent) => {
    // a broken observer never stops an incident run
    try {
      if (e.type === 'log') {
        for (const line of toLines(e.stream, e.item, e.text, limits)) logs.push(e.step, line);
        schedule(itemMs);
      } else {
        queue.push(slim(e));
        if (!itemLevel(e)) schedule(intervalMs);
        else {
          const step = e.type === 'record' ? ('step' in e.record ? e.record.step : undefined) : e.type === 'retry' ? e.step : undefined;
          const total = step === undefined ? 0 : (store.getState().steps.get(step)?.counts.total ?? 0);
          schedule(itemMs * itemWindowFactor(total));
        }
      }
    } catch {
      /* ignore: the journal is the record, the screen is a view */
    }
  };
  return {
    observe,
    flush,
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      due = Infinity;
      onNextTick?.();
      onNextTick = undefined;
    },
    get pendingLines() {
      return logs.size;
    },
    get pendingEvents() {
      return queue.length;
    },
  };
}
