/**
 * Journal records: the durable source of truth of an incident. One JSON object per line,
 * with a sequence number, time, operator, type and checksum. No secret value is ever
 * written: secrets appear only as `{ $secret, fingerprint, last4 }`.
 */
import type { Evidence, VerifyResult } from '../../providers/sdk.js';
import type { FailureClass, LockOwner } from '../errors.js';

export type Mode = 'live' | 'drill';
export type OutcomeStatus = 'ok' | 'failed' | 'skipped' | 'in-doubt';

/** How a secret is stored: never the value. */
export interface StoredSecret {
  $secret: string;
  fingerprint: string;
  last4: string;
}

/** An output the journal keeps masked, AES-256-GCM encrypted with the incident's seal key (src/core/engine/seal.ts). */
export interface Sealed {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

export interface StoredError {
  message: string;
  code?: string;
  failure?: FailureClass;
  status?: number;
  requestId?: string;
}

/** An item a fan-out watch check names: why (its own result meets fail_if / until, or changed since the last check) and its stored result. */
export interface WatchNote {
  key: string;
  why: 'fail_if' | 'until' | 'changed';
  output?: unknown;
}

/** How many items a watch record lists with their results (the tripped ones are all named in `tripped`). */
export const WATCH_NOTABLE = 20;

export type RecordBody =
  | {
      type: 'incident.opened';
      incident: string;
      mode: Mode;
      runbook: { id: string; title: string; severity: string; path: string; hash: string };
      /** inputs as given; secret inputs as StoredSecret */
      inputs: Record<string, unknown>;
      /** fingerprints of the runbook's resolved secrets */
      secrets: Record<string, StoredSecret>;
      /** inputs that the redactor masked (they look like credentials): keyed fingerprints, so a resume can check the value given again */
      inputFingerprints?: Record<string, string>;
    }
  | { type: 'run.started'; resumed: boolean; pid: number; runbookHash: string; acceptedChangedRunbook?: boolean }
  | { type: 'step.started'; step: string; kind?: string; title?: string }
  /** the keys of a fan-out, in order */
  | { type: 'items'; step: string; keys: string[] }
  | { type: 'approval'; step: string; items?: string[]; decision: 'approved' | 'denied'; via: string; reason?: string }
  /** before a side effect (fsynced): the call is about to be made */
  | { type: 'intent'; step: string; item: string; action: string; attempt: number; key: string; input: unknown; idempotent: boolean }
  /** after it: what happened */
  | {
      type: 'outcome';
      step: string;
      item: string;
      status: OutcomeStatus;
      attempt: number;
      output?: unknown;
      error?: StoredError;
      evidence?: Evidence;
      verify?: VerifyResult;
      reason?: string;
      /** the live output, encrypted, when the stored one is masked */
      sealed?: Sealed;
    }
  /** a read-back (after an action, or on resume for an in-doubt item) */
  | { type: 'verify'; step: string; item: string; state: VerifyResult['state']; detail?: string; on: 'after-run' | 'resume' | 'retry' }
  /** the operator settled an in-doubt item */
  | { type: 'settled'; step: string; item: string; decision: 'done' | 'redo'; via: string }
  | { type: 'manual'; step: string; item?: string; note?: string; link?: string; via: string }
  /** `masked`: the stored outputs differ from the live ones (the redactor masked something) */
  | { type: 'step.finished'; step: string; status: 'ok' | 'failed' | 'skipped'; reason?: string; outputs?: unknown; masked?: boolean; sealed?: Sealed }
  | { type: 'secret.created'; step: string; item: string; secret: StoredSecret }
  /**
   * format 1.1 watch: a check finished; `watchedMs`: time watched so far (kept across resume); `seen`: the condition that ended the watch.
   * A watch over a fan-out (a detect step with for_each) journals its check as this one record, not an intent and outcome per item:
   * `items` (how many were checked), `tripped` (every item whose own result meets the condition seen), `changed` (how many results
   * differ from the previous check of this run) and `notable` (at most WATCH_NOTABLE of those items, with their stored results).
   */
  | { type: 'watch'; step: string; check: number; watchedMs: number; forMs: number; seen?: 'fail_if' | 'until'; items?: number; tripped?: string[]; changed?: number; notable?: WatchNote[] }
  | { type: 'note'; text: string }
  | { type: 'run.stopped'; reason: 'done' | 'failed' | 'waiting' | 'interrupted'; detail?: string }
  /** the lock of a process that is gone was taken over: `why` says how it was judged; `forced`: taken with --break-lock (its owner could not be proven alive or dead) */
  | { type: 'lock.broken'; previous: LockOwner & { why?: string; forced?: boolean } }
  /** drill scorecard and other extensions */
  | { type: 'scorecard'; data: Record<string, unknown> };

export type RecordType = RecordBody['type'];

export type JournalRecord = RecordBody & {
  seq: number;
  /** ISO time */
  ts: string;
  /** user@host */
  op: string;
  /** hash of the previous line (the hash chain; absent in journals of the older format) */
  prev?: string;
  /** checksum of the record without `sum` */
  sum: string;
};

export function isStoredSecret(v: unknown): v is StoredSecret {
  return !!v && typeof v === 'object' && typeof (v as StoredSecret).$secret === 'string' && typeof (v as StoredSecret).fingerprint === 'string';
}
