/**
 * The engine observer that feeds a run store. Events are queued and applied in one batch at
 * most every `intervalMs` (20 fps by default), so a step printing 100,000 lines costs one
 * store update per frame, not one per line; pending log lines are bounded per step.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { EngineEvent, EngineObserver } from '../../core/engine/events.js';
import { applyBatch, type QueuedEvent } from './apply.js';
import { PendingLogs, toLines } from './logs.js';
import { DEFAULT_LIMITS, type RunStoreState, type StoreLimits } from './types.js';

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
  limits?: Partial<StoreLimits>;
  now?: () => number;
}

export function createObserver(store: StoreApi<RunStoreState>, opts: ObserverOptions = {}): RunObserver {
  const limits: StoreLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const intervalMs = opts.intervalMs ?? 50;
  const now = opts.now ?? Date.now;
  const logs = new PendingLogs(limits);
  let queue: QueuedEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0 && logs.empty) return;
    const events = queue;
    queue = [];
    store.setState(applyBatch(store.getState(), events, logs.drain(), limits, now()), true);
  };
  const schedule = () => {
    if (!timer && !disposed) timer = setTimeout(flush, intervalMs);
  };
  const observe = (e: EngineEvent) => {
    // a broken observer never stops an incident run
    try {
      if (e.type === 'log') {
        for (const line of toLines(e.stream, e.item, e.text, limits)) logs.push(e.step, line);
      } else {
        queue.push(e);
      }
      schedule();
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
    },
    get pendingLines() {
      return logs.size;
    },
    get pendingEvents() {
      return queue.length;
    },
  };
}
