/**
 * The file store's group commit (store.ts appendDeferred): fsyncs on libuv's threadpool, each
 * covering every line written before it starts — at most two in flight (the lines written while
 * one runs get the next at once; the rest wait to share one); the callers waiting for a record
 * go on, in seq order, once an fsync covers it. A failed fsync fails every waiter, and the store
 * refuses every later append (`failed`).
 */
import { closeSync, fsync } from 'node:fs';
import type { JournalError } from '../errors.js';

/** What the store has written so far: its file, its last record's seq and hash. */
export interface Written {
  fd: number | undefined;
  seq: number;
  last: string;
}

/** fsyncs in flight at once: one running, the next (records written meanwhile) already handed to another thread */
const IN_FLIGHT = 2;

export class GroupSync {
  /** callers waiting for an fsync that covers record `seq` (in seq order) */
  #waiters: { seq: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  /** fsyncs running on the threadpool: the file and the last record each covers (in start order) */
  #running: { fd: number; seq: number }[] = [];
  /** close() while fsyncs ran: the fd the last of their callbacks closes */
  #closeAfterSync: number | undefined;
  /** the last record known durable */
  durableSeq = 0;
  /** an fsync failed: every later append throws this */
  failed: JournalError | undefined;

  /** `written`: the store's state now; `onDurable`: every record up to seq is durable (the store writes its head); `toError`: the operator's error for a failed fsync */
  constructor(
    private readonly written: () => Written,
    private readonly onDurable: (seq: number, last: string) => void,
    private readonly toError: (e: unknown) => JournalError,
  ) {}

  /** Something written is not known durable yet (a waiter, or an fsync running that covers more than is durable). */
  get pending(): boolean {
    return this.#waiters.length > 0 || this.#running.some((r) => r.seq > this.durableSeq);
  }

  /** Resolves once an fsync covers record `seq`; starts one if none running covers it. */
  wait(seq: number): Promise<void> {
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ seq, resolve, reject }));
    this.#start();
    return p;
  }

  /**
   * Start an fsync when a waiter's record is covered by none running. An fsync covers every
   * line written before it starts, so the records written while one runs go to the next at
   * once (on another threadpool thread) rather than after the running one reports back — the
   * kernel still orders them; a step's intent then waits for one fsync, not for the previous
   * outcome's callback and then its own. At most IN_FLIGHT at a time: the rest wait to share one.
   */
  #start(landed = 0): void {
    if (this.failed || this.#running.length >= IN_FLIGHT || this.#closeAfterSync !== undefined) return;
    const { fd, seq, last } = this.written();
    // (`landed`: an fsync that just returned, its waiters not yet told)
    const covered = Math.max(landed, this.durableSeq, this.#running[this.#running.length - 1]?.seq ?? 0);
    if (fd === undefined || (this.#waiters[this.#waiters.length - 1]?.seq ?? 0) <= covered) return;
    const run = { fd, seq };
    this.#running.push(run);
    fsync(fd, (err) => {
      this.#running.splice(this.#running.indexOf(run), 1);
      if (this.#closeAfterSync === fd) {
        // the store made it all durable already (synced) and left the fd to close here, after the last
        if (!this.#running.some((r) => r.fd === fd)) {
          this.#closeAfterSync = undefined;
          closeSync(fd);
        }
      } else if (err || this.failed) {
        // after a failed fsync nothing counts as durable, whatever a later one says
        if (err) this.fail(err);
        return;
      } else {
        this.#start(seq);
        this.synced(seq, last);
      }
      this.#start();
    });
  }

  /** Every record up to `seq` is durable: the store's head names the last one; its waiters go on. */
  synced(seq: number, last: string): void {
    if (seq <= this.durableSeq) return;
    this.durableSeq = seq;
    this.onDurable(seq, last);
    while (this.#waiters.length && this.#waiters[0]!.seq <= seq) this.#waiters.shift()!.resolve();
  }

  fail(e: unknown): void {
    this.failed ??= this.toError(e);
    for (const w of this.#waiters.splice(0)) w.reject(this.failed);
  }

  /** The store closes `fd`: now, or — fsyncs still running on the threadpool — when the last returns (never a reused fd). */
  close(fd: number): void {
    if (this.#running.some((r) => r.fd === fd)) this.#closeAfterSync = fd;
    else closeSync(fd);
  }
}
