/**
 * The journal store contract every store implements (the embedded file store, store.ts; the
 * shared PostgreSQL store, pg-store.ts), which records must be durable when appended, and how
 * incidents and operators are named.
 */
import { existsSync, readdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { UsageError, type LockOwner } from '../errors.js';
import type { JournalRecord, RecordBody } from './records.js';

export interface JournalStore {
  readonly incident: string;
  /** where it lives, for messages */
  readonly location: string;
  exists(): boolean;
  /** all records; a torn last line is dropped; corruption elsewhere throws naming the line */
  read(): JournalRecord[];
  /**
   * Durable when it returns (for the record types in DURABLE; the others ride on the next
   * fsync — they can be recomputed on resume); throws JournalError (and nothing else happens)
   * when it cannot write.
   */
  append(body: RecordBody): JournalRecord;
  /**
   * Group commit: append several records in order with ONE fsync (the engine uses it for the
   * intents of items started together). Every record is durable when it returns — so a caller
   * makes none of the side effects the records guard before it returns; a crash before it
   * returns may leave any prefix of the batch (each a complete record, or a torn last line that
   * is dropped). Throws JournalError like append() (and then none of the records counts as
   * written). Optional: a store without it gets one append() per record.
   */
  appendBatch?(bodies: readonly RecordBody[]): JournalRecord[];
  /**
   * Append now, durable later (what the engine uses, so no fsync blocks the event loop): the
   * records are written in order — after every record appended before, before every one
   * appended after; the file store writes what one turn of the event loop appended as one write
   * at the end of the turn (before any read, other write or fsync) — and `durable` resolves once
   * an fsync covers them. The fsync runs off the event loop, started when the turn is over; the
   * records written while one runs share a later one (group commit of intents and outcomes
   * alike). A caller makes none of the side effects the records guard, and reports none of them,
   * before `durable` resolves. Throws JournalError at once when the store has failed; `durable`
   * rejects with one when the write or the fsync fails — the store then refuses every later append
   * (the lines already written stay: an intent without its outcome is in doubt on resume, so
   * it is read back or asked about, never called blindly again). Optional: without it a caller
   * uses appendBatch/append (durable when they return).
   */
  appendDeferred?(bodies: readonly RecordBody[]): { records: JournalRecord[]; durable: Promise<void> };
  /**
   * Take the incident lock (re-entrant: a second call by the same holder counts); throws
   * LockedError naming the owner. `broken`: the owner of a lock that was taken over (gone).
   */
  lock(opts?: { breakLock?: boolean }): { broken?: LockOwner };
  unlock(): void;
}

/**
 * Records that guard a side effect or hold an operator's decision are fsynced before append()
 * returns. The rest (step.started, items, step.finished, run.started, verify, secret.created)
 * are written at once and made durable by the next fsync: on resume they are recomputed.
 */
export const DURABLE = new Set<RecordBody['type']>(['incident.opened', 'intent', 'outcome', 'approval', 'manual', 'settled', 'note', 'run.stopped', 'lock.broken', 'scorecard']);

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function checkIncidentId(id: string): string {
  if (!ID_RE.test(id) || id.includes('..')) {
    throw new UsageError(`invalid incident id "${id.slice(0, 40)}"`, {
      nextSteps: ['Use letters, digits, ".", "-" and "_" (up to 100 characters), e.g. --incident hf-2024-05-31.'],
    });
  }
  return id;
}

export function operator(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

/** Incident ids under a state directory, newest journal first. */
export function listIncidentIds(stateDir: string): string[] {
  const root = join(stateDir, 'incidents');
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'journal.jsonl')))
    .map((d) => d.name);
}
