/**
 * How the engine writes the journal and tells its observers, without an fsync on the event
 * loop: a record is appended at once (JournalStore.appendDeferred: in the file by the end of the turn) and reported — as a `record`
 * event — only once it is durable; every other event keeps its place behind it, so observers
 * see exactly the order the engine produced, and no record before an fsync covers it. The
 * store fsyncs on libuv's threadpool, each fsync covering all that was written before it
 * started (intents and outcomes of a fan-out alike; src/core/journal/group-sync.ts). A store without appendDeferred (e.g. the
 * shared database store) writes durably when append() returns, as before.
 *
 * `commit` resolves once its records are durable and reported: an intent's call is made only
 * then (./group-commit.ts). `write` is the same without waiting (an outcome: the item goes on,
 * the outcome is reported when durable). `idle` waits until everything written is reported; it
 * rejects with the journal's error if an fsync failed (those records were never reported).
 */
import type { EngineEvent } from './events.js';
import type { OperatorPorts } from './ports.js';
import type { JournalRecord, RecordBody } from '../journal/records.js';
import type { JournalStore } from '../journal/store.js';

export interface JournalWriter {
  /** write and report when durable; throws JournalError at once when it cannot write */
  write(body: RecordBody): void;
  /** write as one batch; resolves when durable and reported, rejects when the fsync failed */
  commit(bodies: readonly RecordBody[]): Promise<void>;
  /** report an event after everything before it */
  emit(e: EngineEvent): void;
  /** everything written so far durable and reported */
  idle(): Promise<void>;
}

export function journalWriter(store: JournalStore, report: (e: EngineEvent) => void): JournalWriter {
  // events waiting for an fsync (theirs or one before them), in order
  const queue: { e: EngineEvent; after?: Promise<void>; told?: () => void }[] = [];
  let pumping = false;
  let failure: unknown;
  const idlers: (() => void)[] = [];

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    while (queue.length > 0) {
      const q = queue[0]!;
      let ok = true;
      if (q.after) {
        try {
          await q.after;
        } catch (e) {
          failure ??= e;
          ok = false; // not durable: never reported
        }
      }
      queue.shift();
      if (ok) report(q.e);
      q.told?.();
    }
    pumping = false;
    for (const f of idlers.splice(0)) f();
  };
  const enqueue = (e: EngineEvent, after?: Promise<void>, told?: () => void) => {
    if (queue.length === 0 && !after) {
      report(e);
      told?.();
      return;
    }
    queue.push({ e, after, told });
    void pump();
  };
  const append = (bodies: readonly RecordBody[]): { records: JournalRecord[]; durable?: Promise<void> } => {
    if (store.appendDeferred) return store.appendDeferred(bodies);
    return { records: store.appendBatch ? store.appendBatch(bodies) : bodies.map((b) => store.append(b)) };
  };

  return {
    write(body) {
      const { records, durable } = append([body]);
      for (const record of records) enqueue({ type: 'record', record }, durable);
    },
    commit(bodies) {
      const { records, durable } = append(bodies);
      if (records.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        records.forEach((record, i) => enqueue({ type: 'record', record }, durable, i === records.length - 1 ? () => (durable ? durable.then(resolve, reject) : resolve()) : undefined));
      });
    },
    emit: (e) => enqueue(e),
    idle() {
      const done = queue.length === 0 && !pumping ? Promise.resolve() : new Promise<void>((r) => idlers.push(r));
      return done.then(() => {
        if (failure !== undefined) throw failure;
      });
    },
  };
}

/**
 * The operator is asked nothing before every record written so far is reported (an item in
 * doubt is shown in doubt before the question about it).
 */
export function askAfter(ports: OperatorPorts, idle: () => Promise<void>): OperatorPorts {
  const wrapped = Object.create(ports) as OperatorPorts;
  for (const k of ['approve', 'manual', 'settle', 'promptSecret', 'askInput', 'proceed', 'onFailure'] as const) {
    const fn = ports[k] as ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (fn) (wrapped as unknown as Record<string, unknown>)[k] = async (...a: unknown[]) => {
      await idle();
      return fn.apply(ports, a);
    };
  }
  return wrapped;
}
