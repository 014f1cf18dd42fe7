/**
 * The shared journal store on PostgreSQL (team mode, docs/team-mode.md). Same records, same
 * line format (checksum and hash chain: codec.ts) as the file journal; the database keeps the
 * lines in `runbook_records` and checks the chain and the lease generation itself (pg-schema.ts).
 *
 * Why a worker thread: the store contract (store.ts `JournalStore`) is synchronous — the engine
 * writes an intent and, when append() returns, the intent is durable and the call may be made.
 * To keep that contract (and the engine) unchanged, this class hands each request to a worker
 * thread that owns the `pg` connection (pg-worker.ts) and blocks on a shared flag
 * (Atomics.wait) until the worker has committed. On loopback that is a few hundred microseconds
 * to a few milliseconds per durable record (bench/team.mjs), the price an fsync has too.
 *
 * Lease and fencing: lock() takes the incident's lease — a new generation, written in the same
 * transaction that judged the previous holder's lease expired (database clock). Every append
 * of the holder carries that generation; the database refuses it once a newer generation
 * exists. Appends without the lease (approve, attach: an operator's answer) carry none, and
 * the database accepts only answer records (approval, manual, settled, note) that way.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ExitCode, JournalError, LockedError, RunbookError, UsageError, type LockOwner } from '../errors.js';
import type { JournalRecord, RecordBody } from './records.js';
import { checkIncidentId, operator, type JournalStore } from './store.js';
import { checkJournal, decodeJournal, type JournalCheck } from './codec.js';
import type { TakenLock } from './lock.js';
import type { Holder, PgAnswer, PgRequest } from './pg-worker.js';
import { mkdirTree } from '../mkdir.js';

/** The runner's lease lasts this long without a heartbeat (RUNBOOK_LEASE_MS overrides; tests use a short one). */
export const PG_LEASE_MS = 30_000;
/** How long one request may take before the store gives up (the database does not answer). */
const REQUEST_TIMEOUT_MS = 30_000;

/** The runner lost its lease: another runner holds the incident now. Exit 4 (locked). */
export class FencedError extends RunbookError {
  constructor(incident: string, detail: string) {
    super(`runbook: fenced — ${detail}; this runner stops and calls nothing more on incident ${incident}`, ExitCode.locked, {
      nextSteps: ['Another responder has taken the incident over; `runbook incidents` shows who holds it, `runbook attach` follows it.'],
    });
  }
}

/**
 * A postgres:// URL for the store, checked: no password in it (argv and shell history would
 * keep it) — passwords come from PGPASSWORD or PGPASSFILE (~/.pgpass), TLS from PGSSLMODE.
 */
export function checkStoreUrl(url: string, from: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`${from}: "${url.replace(/:[^:@/]*@/, ':***@').slice(0, 80)}" is not a URL; the shared store is postgres://USER@HOST:PORT/DATABASE`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new UsageError(`${from}: only postgres:// stores are supported (got ${u.protocol}//…)`, { nextSteps: ['Use postgres://USER@HOST:PORT/DATABASE, or leave the store unset for the local file journal.'] });
  if (u.password || u.searchParams.has('password')) {
    throw new UsageError(`${from}: the store URL holds a password — refused (it would be kept in argv, shell history and config files)`, {
      nextSteps: ['Remove the password from the URL and give it through the environment: PGPASSWORD, or a PGPASSFILE (~/.pgpass, mode 0600).'],
    });
  }
  return url;
}

/** The URL as shown in messages: no query string (it may name files). */
export function showUrl(url: string): string {
  const u = new URL(url);
  return `postgres://${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
}

/** dist/pg-worker.mjs next to the bundle; from source (benches, tests under tsx) the TypeScript file, loaded through tsx. */
function workerSource(): URL | string {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new URL('./pg-worker.mjs', here);
  // Node 20 does not apply --import hooks to a worker's entry module: register tsx in the worker first
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(new URL('./pg-worker.ts', here).href)}); })`;
}

export class PgJournal implements JournalStore {
  readonly incident: string;
  readonly location: string;
  /** a local folder for what stays on this machine (a drill's workspace, the TUI's state) */
  readonly dir: string;
  readonly url: string;
  readonly warnings: string[] = [];
  onLockLost?: (why: string) => void;
  #op: string;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #flag: Int32Array | undefined;
  #generation: number | undefined;
  #holds = 0;
  #taken: TakenLock | undefined;
  #leaseMs: number;
  #failed: string | undefined;
  #notices: MessagePort | undefined;
  #followers = new Set<(r: JournalRecord) => void>();
  #waiting = 0;

  constructor(url: string, incident: string, opts: { stateDir: string; operator?: string; leaseMs?: number }) {
    this.incident = checkIncidentId(incident);
    this.url = url;
    this.location = `${showUrl(url)} (incident ${incident})`;
    this.dir = join(opts.stateDir, 'team', incident);
    this.#op = opts.operator ?? operator();
    this.#leaseMs = opts.leaseMs ?? PG_LEASE_MS;
  }

  get operator(): string {
    return this.#op;
  }

  /** The lease generation this runner holds (undefined: no lease). */
  get generation(): number | undefined {
    return this.#generation;
  }

  #start(): void {
    if (this.#worker) return;
    const { port1, port2 } = new MessageChannel();
    const notices = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    const src = workerSource();
    const w = new Worker(src, { eval: typeof src === 'string', workerData: { url: this.url, flag, port: port2, notices: notices.port2 }, transferList: [port2, notices.port2] });
    w.unref();
    // the worker could not start or crashed: a blocked call times out (REQUEST_TIMEOUT_MS), the next one says why
    w.on('error', (e) => (this.#failed = e.message));
    notices.port1.on('message', (m: { lost?: string; lines?: string[] }) => {
      if (m.lost && this.#generation !== undefined) this.onLockLost?.(m.lost);
      if (m.lines) this.#followed(m.lines);
    });
    notices.port1.unref();
    this.#notices = notices.port1;
    this.#worker = w;
    this.#port = port1;
    this.#flag = new Int32Array(flag);
  }

  #call(req: PgRequest): unknown {
    this.#start();
    const flag = this.#flag!;
    Atomics.store(flag, 0, 0);
    this.#port!.postMessage(req);
    if (Atomics.wait(flag, 0, 0, REQUEST_TIMEOUT_MS) === 'timed-out') {
      this.close();
      throw new JournalError(`the shared journal ${showUrl(this.url)} did not answer within ${REQUEST_TIMEOUT_MS / 1000}s — nothing was called`, { nextSteps: ['Check the database server and the network, then run the same command again to resume.'] });
    }
    const got = receiveMessageOnPort(this.#port!);
    const a = got?.message as PgAnswer | undefined;
    if (!a) {
      const why = this.#failed;
      this.close();
      throw new JournalError(`the shared journal's worker stopped without an answer${why ? ` (${why})` : ''} — nothing was called`, { nextSteps: ['Run the same command again to resume.'] });
    }
    if (a.ok) return a.value;
    switch (a.kind) {
      case 'fenced':
        throw new FencedError(this.incident, a.message);
      case 'locked': {
        const o = a.owner!;
        throw new LockedError(this.incident, { pid: o.pid, host: o.host, user: o.operator, startedAt: o.startedAt }, {
          nextSteps: [`Its lease (generation ${o.generation}) runs until ${o.expires}; it is renewed while that runner lives. Attach to follow it: runbook attach ${this.incident} --store …`, 'If that runner is gone, wait for the lease to expire and run the same command again; --break-lock takes it now (the old runner is fenced: its writes are refused).'],
        });
      }
      case 'schema':
        throw new JournalError(`the database ${showUrl(this.url)} has no runbook tables (${a.message})`, { nextSteps: ['An administrator creates them once with the SQL in docs/team-mode.md ("Set-up").'] });
      case 'missing':
        throw new UsageError(a.message, { nextSteps: ['`runbook incidents --store …` lists the incidents of the shared journal.'] });
      default:
        throw new JournalError(`the shared journal ${showUrl(this.url)}: ${a.message} — nothing was called`, { nextSteps: ['Check the database server, then run the same command again to resume.'] });
    }
  }

  exists(): boolean {
    return this.#read().lines.length > 0;
  }

  #read(): { lines: string[]; head: { seq: number; hash: string } | null } {
    return this.#call({ op: 'read', incident: this.incident }) as { lines: string[]; head: { seq: number; hash: string } | null };
  }

  read(): JournalRecord[] {
    const { lines } = this.#read();
    if (!lines.length) return [];
    return decodeJournal(lines.join('\n') + '\n', this.location).records;
  }

  check(): JournalCheck {
    return this.readChecked().check;
  }

  /** The records and the tamper check of one read and one decode (`runbook status`). */
  readChecked(): { records: JournalRecord[]; check: JournalCheck } {
    const { lines, head } = this.#read();
    if (!lines.length) return { records: [], check: { state: 'ok', records: 0, detail: 'no journal yet' } };
    const d = decodeJournal(lines.join('\n') + '\n', this.location);
    return { records: d.records, check: checkJournal(d, head ?? undefined, true) };
  }

  /** The run path's open: refuses a journal that fails its tamper check. */
  open(): string[] {
    const c = this.check();
    if (c.state === 'broken') {
      throw new JournalError(`the shared journal of incident ${this.incident} fails its tamper check: ${c.detail} — nothing was called`, { nextSteps: ['Do not resume it; keep a dump of the database as evidence and start a new incident.'] });
    }
    return [];
  }

  append(body: RecordBody): JournalRecord {
    const { record } = this.#call({ op: 'append', incident: this.incident, generation: this.#generation ?? null, op_: this.#op, body }) as { record: JournalRecord };
    return record;
  }

  /** Group commit (store.ts): the records in order, in ONE transaction — durable when it returns. */
  appendBatch(bodies: readonly RecordBody[]): JournalRecord[] {
    if (bodies.length === 0) return [];
    const got = this.#call({ op: 'appendBatch', incident: this.incident, generation: this.#generation ?? null, op_: this.#op, bodies: [...bodies] }) as Array<{ record: JournalRecord }>;
    return got.map((x) => x.record);
  }

  lock(opts: { breakLock?: boolean } = {}): { broken?: LockOwner } {
    if (this.#holds > 0) {
      this.#holds++;
      return { broken: this.#taken };
    }
    const [user = 'unknown', host = hostname()] = this.#op.split('@');
    const holder: Holder = { pid: process.pid, host, user, operator: this.#op, startedAt: new Date().toISOString() };
    const got = this.#call({ op: 'lock', incident: this.incident, holder, ttlMs: this.#leaseMs, breakLock: opts.breakLock === true }) as { generation: number; taken?: Holder & { why: string; forced?: boolean } };
    this.#generation = got.generation;
    this.#holds = 1;
    const t = got.taken;
    this.#taken = t ? { pid: t.pid, host: t.host, user: t.operator, startedAt: t.startedAt, why: t.why, ...(t.forced ? { forced: true } : {}) } : undefined;
    mkdirTree(this.dir);
    return { broken: this.#taken };
  }

  get takenOver(): TakenLock | undefined {
    return this.#taken;
  }

  unlock(): void {
    if (this.#holds > 1) {
      this.#holds--;
      return;
    }
    if (this.#holds === 1 && this.#generation !== undefined) {
      try {
        this.#call({ op: 'unlock', incident: this.incident, generation: this.#generation });
      } catch {
        /* the lease expires by itself */
      }
    }
    this.#holds = 0;
    this.#generation = undefined;
    this.close();
  }

  /** runbook push: a local journal's lines, verbatim, into this incident (held, with no records yet). */
  importLines(lines: string[]): number {
    if (this.#generation === undefined) throw new JournalError('import needs the lease: lock() first');
    return this.#call({ op: 'import', incident: this.incident, generation: this.#generation, lines }) as number;
  }

  /**
   * Follow the answers (records written without a lease) committed after `after` (LISTEN/NOTIFY on the worker's own connection):
   * `fn` gets each once, in order. Returns the unsubscribe. The runner uses it to act on the
   * answers of attached operators while it waits (src/core/engine/team-answers.ts).
   */
  follow(after: number, fn: (r: JournalRecord) => void): () => void {
    const first = this.#followers.size === 0;
    this.#followers.add(fn);
    if (first) this.#call({ op: 'follow', incident: this.incident, after });
    return () => this.#followers.delete(fn);
  }

  /**
   * The runner's view for attached operators (`runbook attach`): its steps and the questions it
   * waits on, kept with its lease (redacted by the caller). Best effort: a failure never stops the run.
   */
  publish(view: unknown): void {
    if (this.#generation === undefined) return;
    try {
      this.#call({ op: 'view', incident: this.incident, generation: this.#generation, view });
    } catch {
      /* attached operators see the records anyway */
    }
  }

  /** While something waits on followed records, the process stays alive for them (the worker's port is otherwise unref'd). */
  holdOpen(on: boolean): void {
    this.#waiting += on ? 1 : -1;
    if (this.#waiting > 0) this.#notices?.ref();
    else this.#notices?.unref();
  }

  #followed(lines: string[]): void {
    for (const line of lines) {
      let r: JournalRecord;
      try {
        r = JSON.parse(line) as JournalRecord;
      } catch {
        continue;
      }
      for (const fn of [...this.#followers]) fn(r);
    }
  }

  /** All incidents of the shared journal (runbook incidents). */
  list(): Array<{ id: string; generation: number; holder: Holder | null; live: boolean | null; records: number; first: string | null; last: string | null }> {
    return this.#call({ op: 'list' }) as ReturnType<PgJournal['list']>;
  }

  close(): void {
    const w = this.#worker;
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    this.#notices?.close();
    this.#notices = undefined;
    this.#followers.clear();
    void w?.terminate();
  }
}
