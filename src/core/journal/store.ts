/**
 * The journal store interface (a shared database store can implement it later) and the
 * embedded default: an append-only JSONL file per incident, fsynced record by record — or, for
 * the engine's records (appendDeferred), written together at the end of the turn that appended
 * them and fsynced on libuv's threadpool, one fsync for everything written before it starts
 * (group commit; started when the turn is over, at most two in flight — group-sync.ts).
 *
 *   <state-dir>/incidents/<incident-id>/journal.jsonl   (0600, directory 0700; line format: codec.ts)
 *   <state-dir>/incidents/<incident-id>/journal.head    (the last durable line's number and hash)
 *   <state-dir>/incidents/<incident-id>/lock            (owner and lease: lock.ts)
 *
 * Nothing here follows a symbolic link: the files are opened with O_NOFOLLOW and the folders
 * inside the state directory are checked with lstat. A journal is created whole (its first
 * record written to a temp file, fsynced, then hard-linked into place), so an empty journal
 * file was never written by runbook: it is an error, not a new incident.
 */
import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { JournalError, type LockOwner } from '../errors.js';
import type { JournalRecord, RecordBody } from './records.js';
import { crashArmed, crashPoint } from './crash.js';
import { GroupSync } from './group-sync.js';
import { DURABLE, checkIncidentId, operator, type JournalStore } from './contract.js';
import { GENESIS, checkJournal, decodeHead, decodeJournal, droppedWords, encodeHead, encodeRecord, lineHash, type Decoded, type JournalCheck } from './codec.js';
import { HeldLock, diskWords, writeError, type TakenLock } from './lock.js';
import { fsyncDir } from '../atomic-write.js';
import { createWhole } from './create.js';
import { mkdirTree } from '../mkdir.js';

export { decodeJournal, encodeRecord } from './codec.js';
export { DURABLE, checkIncidentId, listIncidentIds, operator, type JournalStore } from './contract.js';
export type { JournalCheck } from './codec.js';
export { isPidAlive } from './lock.js';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

const code = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

export class FileJournal implements JournalStore {
  readonly incident: string;
  readonly stateDir: string;
  readonly dir: string;
  readonly file: string;
  readonly headFile: string;
  readonly lockFile: string;
  readonly location: string;
  /** what loading dropped or noticed (a torn last line), for the operator */
  readonly warnings: string[] = [];
  /** called (from a timer) when the lock was taken by another process while this one held it */
  onLockLost?: (why: string) => void;
  #fd: number | undefined;
  /** the journal file's size: every byte in it was written through #fd (what a failed write is cut back to) */
  #size = 0;
  #headFd: number | undefined;
  #seq = 0;
  #last = GENESIS;
  #op = operator();
  #holds = 0;
  #lock: HeldLock | undefined;
  #taken: TakenLock | undefined;
  /** deferred records of this turn, not written yet (#write) */
  #pending = '';
  /** appendDeferred's fsyncs on the threadpool (group commit) */
  readonly #sync = new GroupSync(
    () => {
      this.#flushQuietly(); // (an fsync covers what was written before it starts)
      return { fd: this.#fd, seq: this.#seq, last: this.#last };
    },
    (seq, last) => this.#writeHead(seq, last),
    (e) => writeError(this.location, e),
  );
  /** told of every record written through this object (see follow) */
  readonly #followers = new Set<(records: readonly JournalRecord[]) => void>();

  /** `operator`: who is named in each record (default: operator(), the OS user@host; --operator sets it) */
  constructor(stateDir: string, incident: string, opts: { operator?: string } = {}) {
    this.incident = checkIncidentId(incident);
    if (opts.operator) this.#op = opts.operator;
    this.stateDir = stateDir;
    this.dir = join(stateDir, 'incidents', incident);
    this.file = join(this.dir, 'journal.jsonl');
    this.headFile = join(this.dir, 'journal.head');
    this.lockFile = join(this.dir, 'lock');
    this.location = this.file;
  }

  /** The journal file is there (a link or a folder in its place counts: opening it then says what is wrong). */
  exists(): boolean {
    try {
      lstatSync(this.file);
      return true;
    } catch {
      return false;
    }
  }

  /** The folders inside the state directory must be real folders, not links. */
  #checkDirs(): void {
    for (const d of [join(this.stateDir, 'incidents'), this.dir]) {
      let st;
      try {
        st = lstatSync(d);
      } catch {
        return; // not there yet: mkdir makes real folders
      }
      if (st.isSymbolicLink()) throw new JournalError(`${d} is a symbolic link: runbook does not follow links inside its state directory — nothing was called`, { nextSteps: ['Replace the link with a real folder (or use another --state-dir), then run the same command again.'] });
      if (!st.isDirectory()) throw new JournalError(`${d} is not a folder — nothing was called`, { nextSteps: ['Move that file away (or use another --state-dir), then run the same command again.'] });
    }
  }

  #mkdir(): void {
    this.#checkDirs();
    try {
      mkdirTree(this.dir);
    } catch (e) {
      throw new JournalError(`cannot create ${this.dir}: ${diskWords(e, this.dir)} — nothing was called`, {
        nextSteps: [code(e) === 'ENOSPC' ? 'Free space, then run the same command again.' : 'Check that the state directory is writable (--state-dir or RUNBOOK_STATE_DIR to use another).'],
      });
    }
  }

  /** Open the journal (or its head) without following links; undefined when it is not there. */
  #openFile(path: string, flags: number): number | undefined {
    let fd: number;
    try {
      fd = openSync(path, flags | NOFOLLOW, 0o600);
    } catch (e) {
      if (code(e) === 'ENOENT') return undefined;
      if (code(e) === 'ELOOP') throw new JournalError(`${path} is a symbolic link: runbook does not follow links in its state directory (a link could make it overwrite another file) — nothing was called`, { nextSteps: ['Remove the link; if it pointed at this incident\'s real journal, move that file here. Then run the same command again.'] });
      if (code(e) === 'EISDIR') throw this.#notFile(path, 'a folder');
      throw new JournalError(`cannot open ${path}: ${diskWords(e, path)} — nothing was called`, { nextSteps: ['Check that the state directory is readable and writable (--state-dir or RUNBOOK_STATE_DIR to use another).'] });
    }
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      throw this.#notFile(path, st.isDirectory() ? 'a folder' : 'not a regular file');
    }
    return fd;
  }

  #notFile(path: string, what: string): JournalError {
    return new JournalError(`${path} is ${what}, not a journal file — nothing was called`, { nextSteps: ['Move it away (or use another --incident id), then run the same command again.'] });
  }

  #decode(text: string): Decoded {
    if (text === '') {
      throw new JournalError(`journal ${this.location} is empty (0 bytes): that is not a new incident — runbook creates a journal with its first record, so something else emptied or made this file — nothing was called`, {
        nextSteps: ['Restore the journal from a backup if you have one.', 'If no run of this incident ever happened, remove the empty file and run the same command again; otherwise use another --incident id.'],
      });
    }
    const d = decodeJournal(text, this.location);
    if (d.records.length === 0) {
      throw new JournalError(`journal ${this.location} holds no complete record (${Buffer.byteLength(text)} bytes): that is not a new incident — nothing was called`, {
        nextSteps: ['Keep a copy of the file. If no run of this incident ever happened, remove it and run the same command again; otherwise use another --incident id.'],
      });
    }
    this.#warnDropped(d);
    return d;
  }

  #warnDropped(d: Decoded): void {
    if (d.dropped) this.warnings.push(`journal ${this.location}: dropped a torn last line — ${droppedWords(d.dropped)}; a write was cut off (crash or power loss), the run recomputes it`);
  }

  #readText(): string | undefined {
    this.#flushQuietly(); // this process's deferred records are read too
    this.#checkDirs();
    const fd = this.#openFile(this.file, constants.O_RDONLY);
    if (fd === undefined) return undefined;
    try {
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  }

  #readHead(): { seq: number; hash: string } | undefined | 'unreadable' {
    const fd = this.#openFile(this.headFile, constants.O_RDONLY);
    if (fd === undefined) return undefined;
    try {
      return decodeHead(readFileSync(fd, 'utf8')) ?? 'unreadable';
    } finally {
      closeSync(fd);
    }
  }

  /**
   * All records. The lock holder's first read opens the journal from that one decode (the tamper
   * check, a torn last line cut off: see open), so its first write decodes nothing again.
   */
  read(): JournalRecord[] {
    if (this.#holds > 0 && this.#fd === undefined) {
      const opened = this.#open();
      if (opened) return opened;
    }
    const text = this.#readText();
    return text === undefined ? [] : this.#decode(text).records;
  }

  /**
   * Open for appending (as open()) and return the records of that one decode — what a command
   * reads the incident from (its checklist, a drill's checks) before it gives them to the engine
   * (EngineOptions.journal). [] for a new incident.
   */
  openRead(): { warnings: string[]; records: JournalRecord[] } {
    const before = this.warnings.length;
    if (this.#fd !== undefined) return { warnings: [], records: this.read() };
    const records = this.#open() ?? [];
    return { warnings: this.warnings.slice(before), records };
  }

  /**
   * Are `records` (from openRead) still the whole journal — nothing written through this object
   * or beside it since? The engine then starts from them instead of a second decode.
   */
  holdsOnly(records: readonly JournalRecord[]): boolean {
    this.#flushQuietly();
    return this.#fd !== undefined && (records.at(-1)?.seq ?? 0) === this.#seq && fstatSync(this.#fd).size === this.#size;
  }

  /** The tamper check (hash chain and head) — what `runbook status` reports. */
  check(): JournalCheck {
    return this.readChecked().check;
  }

  /** The records and the tamper check of one read and one decode of the file (`runbook status`). */
  readChecked(): { records: JournalRecord[]; check: JournalCheck } {
    // the head first: a running writer updates it only after the line it names is written
    this.#checkDirs();
    const head = this.#readHead();
    const text = this.#readText();
    if (text === undefined) return { records: [], check: { state: 'ok', records: 0, detail: 'no journal yet' } };
    const d = this.#decode(text);
    return { records: d.records, check: checkJournal(d, head, d.records[0]?.prev !== undefined) };
  }

  /**
   * Open for appending (the run path): refuses a link, a folder, an empty journal and a
   * failed tamper check; drops a torn last line. Returns what the operator should be told.
   */
  open(): string[] {
    const before = this.warnings.length;
    this.#open();
    return this.warnings.slice(before);
  }

  /** Open the journal; the records of the decode when it was read now (undefined: open already, or a new incident). */
  #open(): JournalRecord[] | undefined {
    if (this.#fd !== undefined) return undefined;
    this.#mkdir();
    const fd = this.#openFile(this.file, constants.O_RDWR | constants.O_APPEND);
    if (fd === undefined) {
      this.#seq = 0;
      this.#sync.opened(0);
      this.#last = GENESIS;
      return undefined; // the first append creates it
    }
    try {
      const text = readFileSync(fd, 'utf8');
      const bytes = Buffer.byteLength(text);
      const d = this.#decode(text);
      const c = checkJournal(d, this.#readHead(), d.records[0]?.prev !== undefined);
      if (c.state === 'broken') {
        throw new JournalError(`journal ${this.location} fails its tamper check: ${c.detail} — nothing was called`, {
          nextSteps: ['Do not edit the journal by hand. Keep a copy of the incident folder and find out who changed it; `runbook status` shows the check.', 'To go on with the incident, start a new one (another --incident id); the old journal stays as evidence.'],
        });
      }
      if (d.goodBytes !== bytes) {
        ftruncateSync(fd, d.goodBytes);
        fsyncSync(fd);
      }
      this.#seq = d.records.length;
      this.#sync.opened(this.#seq);
      this.#last = d.hashes[d.hashes.length - 1] ?? GENESIS;
      this.#headFd = this.#openFile(this.headFile, constants.O_RDWR | constants.O_CREAT);
      this.#size = d.goodBytes;
      this.#fd = fd;
      return d.records;
    } catch (e) {
      closeSync(fd);
      if (e instanceof JournalError) throw e;
      throw new JournalError(`cannot open the journal ${this.location}: ${diskWords(e, this.file)} — nothing was called`, {
        nextSteps: ['Check that the state directory is writable and the disk is not full (--state-dir or RUNBOOK_STATE_DIR to use another).'],
      });
    }
  }

  /** The journal's first record: written whole (./create.ts), then opened for appending. */
  #create(buf: Buffer, hash: string): void {
    createWhole(this.file, this.headFile, this.location, buf, encodeHead(1, hash));
    fsyncDir(this.dir);
    this.#fd = this.#openFile(this.file, constants.O_RDWR | constants.O_APPEND);
    this.#size = buf.length;
    this.#headFd = this.#openFile(this.headFile, constants.O_RDWR);
  }

  /**
   * Be told of every record written through this store object from now on — by any of the
   * append methods, in seq order, each once, right after it is written (durable or not yet: see
   * appendDeferred). The file has one writer at a time (the lock holder), so a writer that read
   * the journal under its lock knows the whole journal from what it read plus what it is told
   * here, without keeping or decoding the records again (the engine folds them as they come).
   * Returns the function that stops it.
   */
  follow(fn: (records: readonly JournalRecord[]) => void): () => void {
    this.#followers.add(fn);
    return () => this.#followers.delete(fn);
  }

  append(body: RecordBody): JournalRecord {
    return this.#write([body], false)[0]!;
  }

  appendBatch(bodies: readonly RecordBody[]): JournalRecord[] {
    if (bodies.length === 0) return [];
    this.#open();
    // the journal's first record creates the file whole (#create): the rest follow it
    if (this.#fd === undefined) return [this.#write([bodies[0]!], false)[0]!, ...this.appendBatch(bodies.slice(1))];
    return this.#write(bodies, false);
  }

  appendDeferred(bodies: readonly RecordBody[]): { records: JournalRecord[]; durable: Promise<void> } {
    if (bodies.length === 0) return { records: [], durable: Promise.resolve() };
    this.#open();
    if (this.#fd === undefined) {
      // the journal's first record creates the file whole and durable (#create)
      const first = this.#write([bodies[0]!], false)[0]!;
      const rest = this.appendDeferred(bodies.slice(1));
      return { records: [first, ...rest.records], durable: rest.durable };
    }
    const records = this.#write(bodies, true);
    if (!bodies.some((b) => DURABLE.has(b.type)) || this.#sync.durableSeq >= this.#seq) return { records, durable: Promise.resolve() };
    const durable = this.#sync.wait(this.#seq);
    return { records, durable };
  }

  /** The head names the last durable line: written in place, fsynced when the run ends. */
  #writeHead(seq: number, last: string): void {
    if (this.#headFd === undefined) return;
    try {
      writeSync(this.#headFd, encodeHead(seq, last), 0, undefined, 0);
    } catch {
      /* a head that lags behind is accepted; the chain still covers every line */
    }
  }

  /**
   * Write records in order as one write and (when any must be durable and `deferred` is not
   * set) one fsync; deferred: written with the rest of this turn's deferred records in one write
   * at the end of the turn — before the fsync that covers them starts (group-sync.ts), before
   * any read or other write — and the caller waits for the group sync.
   */
  #write(bodies: readonly RecordBody[], deferred: boolean): JournalRecord[] {
    if (this.#sync.failed) throw this.#sync.failed;
    this.#open();
    const recs: JournalRecord[] = [];
    let text = '';
    let seq = this.#seq;
    let last = this.#last;
    const ts = new Date().toISOString();
    for (const body of bodies) {
      const rec = { seq: ++seq, ts, op: this.#op, ...body, prev: last } as Omit<JournalRecord, 'sum'>;
      const line = encodeRecord(rec);
      last = lineHash(line);
      // the line's checksum belongs to the file; the record handed back holds it empty
      (rec as JournalRecord).sum = '';
      recs.push(rec as JournalRecord);
      text += line + '\n';
    }
    const sync = !deferred && bodies.some((b) => DURABLE.has(b.type));
    const created = this.#fd === undefined;
    // (a crash test's labelled points write at once: "after-write" means in the file)
    if (deferred && !created && !crashArmed) {
      if (this.#pending === '') setImmediate(() => this.#flushQuietly());
      this.#pending += text;
    } else {
      this.#flush();
      const buf = Buffer.from(text, 'utf8');
      try {
        if (crashArmed) for (const b of bodies) crashPoint(`before-write:${b.type}`);
        if (created) this.#create(buf, last);
        else this.#writeOut(buf, sync);
        if (crashArmed) for (const b of bodies) crashPoint(`after-write:${b.type}`);
      } catch (e) {
        throw writeError(this.location, e);
      }
    }
    this.#seq = seq;
    this.#last = last;
    // created whole and fsynced, or fsynced here: it covers every line before too
    if (created || sync) this.#sync.synced(seq, last);
    for (const f of this.#followers) f(recs);
    return recs;
  }

  /** Append to the file; a partial write is cut back, so the file stays a valid journal. */
  #writeOut(buf: Buffer, sync: boolean): void {
    const fd = this.#fd!;
    const size = this.#size;
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      if (sync) fsyncSync(fd);
    } catch (e) {
      try {
        ftruncateSync(fd, size);
      } catch {
        /* the torn tail is dropped on the next load */
      }
      throw e;
    }
    this.#size = size + buf.length;
  }

  /** Write the deferred records (see #write). A failure fails the group sync: their waiters, and every later append. */
  #flush(): void {
    if (this.#pending === '' || this.#fd === undefined) return;
    const text = this.#pending;
    this.#pending = '';
    try {
      this.#writeOut(Buffer.from(text, 'utf8'), false);
    } catch (e) {
      this.#sync.fail(e);
      throw this.#sync.failed ?? writeError(this.location, e);
    }
  }

  #flushQuietly(): void {
    try {
      this.#flush();
    } catch {
      /* the group sync failed: its waiters were told, every later append throws */
    }
  }

  lock(opts: { breakLock?: boolean } = {}): { broken?: LockOwner } {
    if (this.#holds > 0) {
      this.#holds++;
      return { broken: this.#taken };
    }
    this.#mkdir();
    this.#lock = new HeldLock(this.lockFile, this.dir, this.incident, this.#op.split('@')[0] ?? 'unknown', opts.breakLock === true, (why) => this.onLockLost?.(why));
    this.#taken = this.#lock.taken;
    this.#holds = 1;
    return { broken: this.#taken };
  }

  /** The owner of the lock this holder took over (a process that was gone), if any. */
  get takenOver(): TakenLock | undefined {
    return this.#taken;
  }

  unlock(): void {
    if (this.#holds > 1) {
      this.#holds--;
      return;
    }
    if (this.#fd !== undefined) {
      const fd = this.#fd;
      this.#flushQuietly();
      if (this.#sync.pending) {
        // records still waiting for their fsync (a caller that did not wait): made durable here
        try {
          fsyncSync(fd);
          this.#sync.synced(this.#seq, this.#last);
        } catch (e) {
          this.#sync.fail(e);
        }
      }
      // the head names the last durable record before it is fsynced and closed below (it is written after the next fsync starts, or here)
      this.#sync.writeHead();
      this.#sync.close(fd);
      this.#fd = undefined;
    }
    if (this.#headFd !== undefined) {
      try {
        fsyncSync(this.#headFd);
      } catch {
        /* a lagging head is accepted */
      }
      closeSync(this.#headFd);
      this.#headFd = undefined;
    }
    if (this.#holds === 0 || !this.#lock) return;
    this.#lock.release();
    this.#holds = 0;
    this.#lock = undefined;
  }
}
