/**
 * Group commit of intents (issue 15 item 6): the items a fan-out starts together each queue
 * their intent; the queue is written as one batch with ONE fsync (JournalStore.appendBatch)
 * at the end of the current turn of the event loop's microtasks, and every item waits for
 * that batch before it makes its call. So no call is made before its intent is durable, and N
 * items started together cost one fsync instead of N. A store without appendBatch gets one
 * append per record (the same durability, no batching).
 */
import type { JournalRecord, RecordBody } from '../journal/records.js';
import type { JournalStore } from '../journal/store.js';

export function groupCommitter(store: JournalStore, onRecord: (rec: JournalRecord) => void): (body: RecordBody) => Promise<void> {
  let queue: { body: RecordBody; done: () => void; fail: (e: unknown) => void }[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    let recs: JournalRecord[];
    try {
      recs = store.appendBatch ? store.appendBatch(batch.map((q) => q.body)) : batch.map((q) => store.append(q.body));
    } catch (e) {
      // nothing of the batch counts as written: every item waiting on it fails before its call
      for (const q of batch) q.fail(e);
      return;
    }
    for (const r of recs) onRecord(r);
    for (const q of batch) q.done();
  };
  return (body) =>
    new Promise<void>((done, fail) => {
      if (queue.length === 0) queueMicrotask(flush);
      queue.push({ body, done, fail });
    });
}
