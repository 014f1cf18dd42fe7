/**
 * The file store's group commit (store.ts appendDeferred): one fsync at a time on libuv's
 * threadpool, covering every line written before it starts; the callers waiting for a record
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

export class GroupSync {
  /** callers waiting for an fsync that covers record `seq` (in seq order) */
  #waiters: { seq: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  /** an fsync is running on the threadpool */
  #syncing = false;
  /** close() while an fsync ran: the fd its callback closes */
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

  /** Something written is not durable yet (a waiter, or an fsync running). */
  get pending(): boolean {
    return this.#waiters.length > 0 || this.#syncing;
  }

  /** Resolves once an fsync covers record `seq`; starts one if none runs. */
  wait(seq: number): Promise<void> {
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ seq, resolve, reject }));
    this.#start();
    return p;
  }

  #start(): void {
    const { fd, seq, last } = this.written();
    if (this.#syncing || fd === undefined || this.#waiters.length === 0) return;
    this.#syncing = true;
    fsync(fd, (err) => {
      this.#syncing = false;
      if (this.#closeAfterSync === fd) {
        // the store made it all durable already (synced) and left the fd to close here
        this.#closeAfterSync = undefined;
        closeSync(fd);
      } else if (err) return this.fail(err);
      else {
        // records written while this one ran: their fsync starts before the head is written
        if ((this.#waiters[this.#waiters.length - 1]?.seq ?? 0) > seq) this.#start();
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

  /** The store closes `fd`: now, or — an fsync still running on the threadpool — when it returns (never a reused fd). */
  close(fd: number): void {
    if (this.#syncing) this.#closeAfterSync = fd;
    else closeSync(fd);
  }
}
