/**
 * The file store's group commit (store.ts appendDeferred): fsyncs on libuv's threadpool, each
 * covering every line written before it starts. An fsync starts once the turn that wrote its
 * records is over (setImmediate: after the microtasks), so what one turn writes shares one
 * fsync — a step's outcome, the next step's start and its intent: one fsync per step, not one
 * for the outcome and another for the intent. At most two in flight (the lines written while
 * one runs get the next, on another thread; the rest wait to share one); the callers waiting for
 * a record go on, in seq order, once an fsync covers it. The head file is written after the next
 * fsync has been handed to its thread, off the path from one fsync to the next. A failed fsync
 * fails every waiter, and the store refuses every later append (`failed`).
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

  /** Resolves once an fsync covers record `seq`; starts one, once this turn is over, if none running covers it. */
  wait(seq: number): Promise<void> {
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ seq, resolve, reject }));
    this.#soon();
    return p;
  }

  #scheduled = false;
  /** the durable record the head file does not name yet (written after the next fsync started) */
  #head: { seq: number; last: string } | undefined;
  /** the last record the head file names */
  #headSeq = 0;

  /**
   * After this turn's microtasks (the records they write join this fsync): start an fsync if a
   * waiter needs one, then write the head while it runs.
   */
  #soon(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#start();
      this.#writeHead();
    });
  }

  /**
   * Start an fsync when a waiter's record is covered by none running. An fsync covers every
   * line written before it starts, so the records written while one runs go to the next (on
   * another threadpool thread) rather than after the running one reports back — the kernel
   * still orders them. At most IN_FLIGHT at a time: the rest wait to share one.
   */
  #start(): void {
    if (this.failed || this.#running.length >= IN_FLIGHT || this.#closeAfterSync !== undefined) return;
    const { fd, seq, last } = this.written();
    if (this.failed) return; // (writing what it would cover failed)
    const covered = Math.max(this.durableSeq, this.#running[this.#running.length - 1]?.seq ?? 0);
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
      } else this.#durable(seq, last, false);
      this.#soon();
    });
  }

  /** Every record up to `seq` is durable: its waiters go on; the head names it now, or (`headNow` false) after the next fsync started. */
  #durable(seq: number, last: string, headNow: boolean): void {
    if (seq <= this.durableSeq) return;
    this.durableSeq = seq;
    this.#head = { seq, last };
    if (headNow) this.#writeHead();
    while (this.#waiters.length && this.#waiters[0]!.seq <= seq) this.#waiters.shift()!.resolve();
  }

  /** Name the last durable record in the head now, if it does not yet (the store, before it closes). */
  writeHead(): void {
    this.#writeHead();
  }

  #writeHead(): void {
    const h = this.#head;
    this.#head = undefined;
    // never back: the store may have named a later record itself (synced)
    if (!h || h.seq <= this.#headSeq) return;
    this.#headSeq = h.seq;
    this.onDurable(h.seq, h.last);
  }

  /** Every record up to `seq` is durable (the store fsynced it itself): its head names it at once; its waiters go on. */
  synced(seq: number, last: string): void {
    this.#durable(seq, last, true);
  }

  /** The store opened its journal again: its head names record `seq` (what it read). */
  opened(seq: number): void {
    this.durableSeq = seq;
    this.#headSeq = seq;
    this.#head = undefined;
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
