/**
 * The journal store interface (a shared database store can implement it later) and the
 * embedded default: an append-only JSONL file per incident, fsynced record by record.
 *
 *   <state-dir>/incidents/<incident-id>/journal.jsonl   (0600, directory 0700)
 *   <state-dir>/incidents/<incident-id>/lock            (owner: pid, host, user, start)
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, ftruncateSync, writeSync, fstatSync, unlinkSync, chmodSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { JournalError, LockedError, UsageError, type LockOwner } from '../errors.js';
import type { JournalRecord, RecordBody } from './records.js';
import { crashPoint } from './crash.js';

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
  /** take the incident lock; throws LockedError naming the owner */
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

function checksum(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

/** Encode a record as one line: the JSON with `sum` appended last. */
export function encodeRecord(r: Omit<JournalRecord, 'sum'>): string {
  const json = JSON.stringify(r);
  return `${json.slice(0, -1)},"sum":"${checksum(json)}"}`;
}

const SUM_RE = /,"sum":"([0-9a-f]{12})"\}$/;

/** Parse a journal file's text. Returns records and whether a torn tail was dropped (and where the good part ends). */
export function decodeJournal(text: string, location: string): { records: JournalRecord[]; goodBytes: number; torn: boolean } {
  const records: JournalRecord[] = [];
  let pos = 0;
  let lineNo = 0;
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
      if (line.trim()) return { records, goodBytes: pos, torn: true };
      break;
    }
    const m = SUM_RE.exec(line);
    if (!m || checksum(line.slice(0, m.index) + '}') !== m[1]) {
      if (bad('checksum mismatch')) return { records, goodBytes: pos, torn: true };
    } else {
      try {
        const rec = JSON.parse(line) as JournalRecord;
        if (rec.seq !== records.length + 1) {
          if (bad(`sequence ${rec.seq} where ${records.length + 1} was expected`)) return { records, goodBytes: pos, torn: true };
        } else records.push(rec);
      } catch {
        if (bad('not JSON')) return { records, goodBytes: pos, torn: true };
      }
    }
    pos = nl + 1;
  }
  return { records, goodBytes: text.length, torn: false };
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileJournal implements JournalStore {
  readonly incident: string;
  readonly dir: string;
  readonly file: string;
  readonly location: string;
  #fd: number | undefined;
  #seq = 0;
  #op = operator();
  #locked = false;

  constructor(stateDir: string, incident: string) {
    this.incident = checkIncidentId(incident);
    this.dir = join(stateDir, 'incidents', incident);
    this.file = join(this.dir, 'journal.jsonl');
    this.location = this.file;
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  read(): JournalRecord[] {
    if (!this.exists()) return [];
    const { records } = decodeJournal(readFileSync(this.file, 'utf8'), this.location);
    return records;
  }

  #open(): number {
    if (this.#fd !== undefined) return this.#fd;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const created = !existsSync(this.file);
      const fd = openSync(this.file, 'a+', 0o600);
      if (created) {
        chmodSync(this.file, 0o600);
        fsyncDir(this.dir);
      }
      // drop a torn tail so the next record starts on a clean line
      const text = readFileSync(this.file, 'utf8');
      const { records, goodBytes, torn } = decodeJournal(text, this.location);
      if (torn || goodBytes !== Buffer.byteLength(text)) {
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, goodBytes)));
        fsyncSync(fd);
      }
      this.#seq = records.length;
      this.#fd = fd;
      return fd;
    } catch (e) {
      if (e instanceof JournalError) throw e;
      throw new JournalError(`cannot open the journal ${this.location}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} — nothing was called`, {
        nextSteps: ['Check that the state directory is writable and the disk is not full (--state-dir or RUNBOOK_STATE_DIR to use another).'],
      });
    }
  }

  append(body: RecordBody): JournalRecord {
    const fd = this.#open();
    const rec = { seq: this.#seq + 1, ts: new Date().toISOString(), op: this.#op, ...body } as Omit<JournalRecord, 'sum'>;
    const line = encodeRecord(rec) + '\n';
    const buf = Buffer.from(line, 'utf8');
    try {
      const size = fstatSync(fd).size;
      crashPoint(`before-write:${body.type}`);
      let off = 0;
      try {
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
        if (DURABLE.has(body.type)) fsyncSync(fd);
      } catch (e) {
        // undo a partial write so the file stays a valid journal
        try {
          ftruncateSync(fd, size);
        } catch {
          /* the torn tail is dropped on the next load */
        }
        throw e;
      }
      crashPoint(`after-write:${body.type}`);
    } catch (e) {
      throw new JournalError(`cannot write the journal ${this.location}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} — nothing was called`, {
        nextSteps: ['Free disk space or fix permissions, then run the same command again to resume.'],
      });
    }
    this.#seq = rec.seq;
    return { ...rec, sum: '' } as JournalRecord;
  }

  lock(opts: { breakLock?: boolean } = {}): { broken?: LockOwner } {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, 'lock');
    const me: LockOwner = { pid: process.pid, host: hostname(), user: this.#op.split('@')[0] ?? 'unknown', startedAt: new Date().toISOString() };
    let broken: LockOwner | undefined;
    for (let tries = 0; tries < 2; tries++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, JSON.stringify(me));
        fsyncSync(fd);
        closeSync(fd);
        fsyncDir(this.dir);
        this.#locked = true;
        return { broken };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new JournalError(`cannot create the lock ${path}: ${(e as NodeJS.ErrnoException).code}`, { nextSteps: ['Check that the state directory is writable.'] });
        }
        let owner: LockOwner;
        try {
          owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
        } catch {
          owner = { pid: 0, host: 'unknown', user: 'unknown', startedAt: 'unknown' };
        }
        const stale = owner.host === hostname() && (owner.pid === 0 || !isPidAlive(owner.pid));
        if (!opts.breakLock) {
          throw new LockedError(this.incident, owner, {
            stale,
            nextSteps: stale
              ? [`That process (pid ${owner.pid}) is gone: the lock is stale. Break it with --break-lock.`]
              : ['Wait for that run to finish or stop it.', 'If it is gone (another machine, crashed), break the lock with --break-lock.'],
          });
        }
        unlinkSync(path);
        broken = owner;
      }
    }
    throw new JournalError(`could not take the lock ${path}`);
  }

  unlock(): void {
    if (this.#fd !== undefined) {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
    if (!this.#locked) return;
    const path = join(this.dir, 'lock');
    try {
      const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
      if (owner.pid === process.pid) unlinkSync(path);
    } catch {
      /* already gone */
    }
    this.#locked = false;
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some filesystems do not support directory fsync */
  }
}

/** Incident ids under a state directory, newest journal first. */
export function listIncidentIds(stateDir: string): string[] {
  const root = join(stateDir, 'incidents');
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'journal.jsonl')))
    .map((d) => d.name);
}
