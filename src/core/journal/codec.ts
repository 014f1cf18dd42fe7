/**
 * The journal's line format and its checks.
 *
 * One record per line: the record's JSON with `prev` (the hash of the previous line — a hash
 * chain) and `sum` (a checksum of the line without `sum`) appended last:
 *
 *   {"seq":7,"ts":"…","op":"…","type":"outcome",…,"prev":"<32 hex>","sum":"<12 hex>"}
 *
 * `sum` catches a torn or garbled line; `prev` makes rewriting any earlier record (even with a
 * recomputed sum) visible at the next line; the head file (`journal.head`, see store.ts) names
 * the last durable line and its hash, so removing the last lines is visible too. Journals
 * written before the chain (no `prev`) still load: they are reported "unchained".
 */
import { hash } from 'node:crypto';
import { JournalError } from '../errors.js';
import type { JournalRecord } from './records.js';

/** The `prev` of a journal's first record. */
export const GENESIS = '0'.repeat(32);

// one-shot crypto.hash (package.json engines: Node ≥ 20.19): the digest of createHash().update().digest() without its objects — two per record written
const sha256 = (s: string) => hash('sha256', s, 'hex');

function checksum(s: string): string {
  return sha256(s).slice(0, 12);
}

/** The hash of one line (without its newline) that the next record's `prev` carries. */
export function lineHash(line: string): string {
  return sha256(line).slice(0, 32);
}

/** Encode a record as one line: the JSON with `sum` appended last. */
export function encodeRecord(r: Omit<JournalRecord, 'sum'>): string {
  const json = JSON.stringify(r);
  return `${json.slice(0, -1)},"sum":"${checksum(json)}"}`;
}

const SUM_RE = /,"sum":"([0-9a-f]{12})"\}$/;

export interface ChainState {
  /** the first line that carries `prev` (undefined: an unchained journal, older format) */
  chainedFrom?: number;
  /** the first line whose link does not match */
  brokenAt?: number;
  why?: string;
}

/** A torn last line that was dropped: where, what, how long. */
export interface Dropped {
  line: number;
  type: string;
  bytes: number;
}

export interface Decoded {
  records: JournalRecord[];
  /** the hash of each record's line, by index */
  hashes: string[];
  /** bytes of the good part */
  goodBytes: number;
  torn: boolean;
  dropped?: Dropped;
  chain: ChainState;
}

/** "line 12 (a step.started record, 57 bytes)" */
export function droppedWords(d: Dropped): string {
  const what = d.type === '?' ? 'a record of unknown type' : `${/^[aeiou]/.test(d.type) ? 'an' : 'a'} ${d.type} record`;
  return `line ${d.line} (${what}, ${d.bytes} bytes)`;
}

/** How many journals this process decoded (tests count them: a command decodes its journal once). */
export const journalDecodes = { count: 0 };

/**
 * Parse a journal file's text. A torn last line is dropped (and described in `dropped`);
 * corruption elsewhere throws naming the line. The hash chain is checked, not enforced: the
 * verdict is in `chain` (the store refuses to resume a broken chain; `status` reports it).
 */
export function decodeJournal(text: string, location: string): Decoded {
  journalDecodes.count++;
  const records: JournalRecord[] = [];
  const hashes: string[] = [];
  const chain: ChainState = {};
  let pos = 0;
  let lineNo = 0;
  const tear = (line: string): Decoded => ({
    records,
    hashes,
    goodBytes: Buffer.byteLength(text.slice(0, pos)),
    torn: true,
    dropped: { line: lineNo, type: /"type":"([a-z.]{1,40})"/.exec(line)?.[1] ?? '?', bytes: Buffer.byteLength(line) },
    chain,
  });
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    lineNo++;
    const isLast = nl < 0 || text.slice(nl + 1).trim() === '';
    const line = nl < 0 ? text.slice(pos) : text.slice(pos, nl);
    const bad = (why: string) => {
      if (isLast) return true;
      throw new JournalError(`journal ${location} is corrupt at line ${lineNo}: ${why}`, {
        nextSteps: ['Do not edit the journal by hand. Keep a copy of the file and report it; a later line cannot be trusted without this one.'],
      });
    };
    if (nl < 0) {
      // no newline: the write was torn
      if (line.trim()) return tear(line);
      break;
    }
    const m = SUM_RE.exec(line);
    if (!m || checksum(line.slice(0, m.index) + '}') !== m[1]) {
      if (bad('checksum mismatch')) return tear(line);
    } else {
      let rec: JournalRecord | undefined;
      try {
        rec = JSON.parse(line) as JournalRecord;
      } catch {
        if (bad('not JSON')) return tear(line);
      }
      if (rec) {
        if (rec.seq !== records.length + 1) {
          if (bad(`sequence ${rec.seq} where ${records.length + 1} was expected`)) return tear(line);
        } else {
          checkLink(rec, lineNo, hashes[hashes.length - 1] ?? GENESIS, chain);
          records.push(rec);
          hashes.push(lineHash(line));
        }
      }
    }
    pos = nl + 1;
  }
  return { records, hashes, goodBytes: Buffer.byteLength(text), torn: false, chain };
}

function checkLink(rec: JournalRecord, lineNo: number, expected: string, chain: ChainState): void {
  if (chain.brokenAt !== undefined) return;
  if (rec.prev === undefined) {
    if (chain.chainedFrom !== undefined) {
      chain.brokenAt = lineNo;
      chain.why = 'the record has no chain link, but the records before it do (it was written or rewritten by something else)';
    }
    return;
  }
  chain.chainedFrom ??= lineNo;
  if (rec.prev !== expected) {
    chain.brokenAt = lineNo;
    chain.why = lineNo === 1 ? 'the first record does not start the chain (lines before it were removed)' : `its link does not match line ${lineNo - 1} (a record up to line ${lineNo - 1} was rewritten, inserted or removed)`;
  }
}

/** The head file: the last durable line's number and hash, padded to a fixed size (rewritten in place). */
export const HEAD_BYTES = 96;

export function encodeHead(seq: number, hash: string): Buffer {
  const json = JSON.stringify({ seq, hash });
  return Buffer.from(json.padEnd(HEAD_BYTES - 1, ' ') + '\n', 'utf8');
}

export function decodeHead(text: string): { seq: number; hash: string } | undefined {
  try {
    const v = JSON.parse(text.trim()) as { seq: number; hash: string };
    return Number.isInteger(v?.seq) && v.seq >= 0 && typeof v.hash === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export type CheckState = 'ok' | 'unchained' | 'broken';

/** The tamper check of a journal, as `runbook status` shows it. */
export interface JournalCheck {
  state: CheckState;
  records: number;
  /** broken: the line where it breaks */
  line?: number;
  detail: string;
}

/**
 * Check the chain and the head. `head` undefined: no head file; `headExpected`: the journal was
 * created chained (its head file was made before its first line), so a missing head is a removal.
 */
export function checkJournal(d: Decoded, head: { seq: number; hash: string } | undefined | 'unreadable', headExpected: boolean): JournalCheck {
  const n = d.records.length;
  if (d.chain.brokenAt !== undefined) return { state: 'broken', records: n, line: d.chain.brokenAt, detail: `broken at line ${d.chain.brokenAt}: ${d.chain.why}` };
  if (d.chain.chainedFrom === undefined) return { state: 'unchained', records: n, detail: `unchained (older format): ${n} record(s) with checksums but no hash chain` };
  if (head === undefined) {
    if (headExpected) return { state: 'broken', records: n, line: n, detail: 'broken: the head file journal.head is missing (it names the last record; without it a removed last line cannot be detected)' };
  } else if (head !== 'unreadable' && head.seq > 0) {
    if (head.seq > n) return { state: 'broken', records: n, line: n + 1, detail: `broken at line ${n + 1}: the journal ends at line ${n} but its head names line ${head.seq} (the last record(s) were removed)` };
    if (d.hashes[head.seq - 1] !== head.hash) return { state: 'broken', records: n, line: head.seq, detail: `broken at line ${head.seq}: the line does not match the hash its head keeps (rewritten)` };
  }
  const from = d.chain.chainedFrom > 1 ? ` (lines 1–${d.chain.chainedFrom - 1} are of the older, unchained format)` : '';
  const at = head === 'unreadable' ? ' (the head file is unreadable: the end of the journal is not checked)' : head && head.seq > 0 ? `, head at line ${head.seq}` : '';
  return { state: 'ok', records: n, detail: `ok: hash chain verified through line ${n}${at}${from}` };
}
