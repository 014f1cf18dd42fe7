/**
 * Group commit of intents (issue 15 item 6): the items a fan-out starts together each queue
 * their intent; the queue is written as one batch (`commit`: ./journal-writer.ts, which fsyncs
 * off the event loop and shares one fsync with everything written meanwhile) at the end of the
 * current turn of the event loop's microtasks, and every item waits for that batch to be
 * durable before it makes its call. So no call is made before its intent is durable, and N
 * items started together cost one fsync instead of N.
 */
import type { RecordBody } from '../journal/records.js';

export function groupCommitter(commit: (bodies: readonly RecordBody[]) => Promise<void>): (body: RecordBody) => Promise<void> {
  let queue: { body: RecordBody; done: () => void; fail: (e: unknown) => void }[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    let durable: Promise<void>;
    try {
      durable = commit(batch.map((q) => q.body));
    } catch (e) {
      // nothing of the batch counts as written: every item waiting on it fails before its call
      for (const q of batch) q.fail(e);
      return;
    }
    durable.then(
      () => batch.forEach((q) => q.done()),
      (e: unknown) => batch.forEach((q) => q.fail(e)),
    );
  };
  return (body) =>
    new Promise<void>((done, fail) => {
      if (queue.length === 0) queueMicrotask(flush);
      queue.push({ body, done, fail });
    });
}
