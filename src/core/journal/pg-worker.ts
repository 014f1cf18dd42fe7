/**
 * The PostgreSQL side of the shared journal, in a worker thread (pg-store.ts explains why: the
 * store contract's append() is synchronous; the main thread blocks on an Atomics flag until
 * this worker has committed). This file is the only one that imports the `pg` client library,
 * and it is loaded only when a postgres:// store is used.
 *
 * Requests arrive on `port`; each answer is posted back, then the shared flag is raised.
 * The lease heartbeat runs here, on the worker's own event loop; when it finds the lease taken
 * by a newer generation, it says so on `notices`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import pg from 'pg';
import { encodeRecord, lineHash } from './codec.js';
import type { JournalRecord, RecordBody } from './records.js';

export type PgRequest =
  | { op: 'lock'; incident: string; holder: Holder; ttlMs: number; breakLock: boolean }
  | { op: 'unlock'; incident: string; generation: number }
  | { op: 'append'; incident: string; generation: number | null; op_: string; body: RecordBody }
  /** several records in ONE transaction (group commit) */
  | { op: 'appendBatch'; incident: string; generation: number | null; op_: string; bodies: RecordBody[] }
  | { op: 'read'; incident: string }
  | { op: 'list' }
  | { op: 'import'; incident: string; generation: number; lines: string[] }
  | { op: 'follow'; incident: string; after: number }
  | { op: 'view'; incident: string; generation: number; view: unknown }
  | { op: 'ping' };

export interface Holder {
  pid: number;
  host: string;
  user: string;
  operator: string;
  startedAt: string;
}

export type PgAnswer =
  | { ok: true; value: unknown }
  | { ok: false; kind: 'fenced' | 'locked' | 'missing' | 'schema' | 'connection' | 'refused'; message: string; owner?: Holder & { expires?: string; generation?: number } };

interface Init {
  url: string;
  flag: SharedArrayBuffer;
  port: MessagePort;
  notices: MessagePort;
}

const init = workerData as Init;
const flag = new Int32Array(init.flag);
let client: pg.Client | undefined;
let beat: NodeJS.Timeout | undefined;

class Refusal extends Error {
  constructor(
    readonly kind: Exclude<PgAnswer, { ok: true }>['kind'],
    message: string,
    readonly owner?: Holder & { expires?: string; generation?: number },
  ) {
    super(message);
  }
}

async function connect(): Promise<pg.Client> {
  if (client) return client;
  const c = new pg.Client({ connectionString: init.url, application_name: 'runbook', connectionTimeoutMillis: 10_000 });
  c.on('error', () => {
    // the server ended the connection (restart, pg_terminate_backend): the next request reconnects
    if (client === c) client = undefined;
  });
  try {
    await c.connect();
  } catch (e) {
    throw new Refusal('connection', `cannot connect to the shared journal: ${words(e)}`);
  }
  client = c;
  return c;
}

function words(e: unknown): string {
  const err = e as { code?: string; message?: string };
  // pg's messages name host, port, user and database, never the password
  return err.code ? `${err.message ?? 'error'} (${err.code})` : (err.message ?? String(e));
}

/** A connection-level failure (not an answer from SQL): worth one reconnect. */
function isConnectionError(e: unknown): boolean {
  if (e instanceof Refusal) return e.kind === 'connection';
  const code = (e as { code?: string }).code ?? '';
  const msg = (e as Error)?.message ?? '';
  return code === '57P01' || code === '57P02' || code === '57P03' || code === '08006' || code === '08003' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || /Connection terminated|not queryable|ended/.test(msg);
}

function drop(): void {
  const c = client;
  client = undefined;
  c?.end().catch(() => undefined);
}

async function tx<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connect();
  await c.query('BEGIN');
  try {
    const v = await fn(c);
    await c.query('COMMIT');
    return v;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

function missingSchema(e: unknown): boolean {
  return (e as { code?: string }).code === '42P01';
}

async function lock(r: Extract<PgRequest, { op: 'lock' }>): Promise<{ generation: number; taken?: Holder & { why: string; forced?: boolean } }> {
  return tx(async (c) => {
    await c.query('INSERT INTO runbook_incidents (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [r.incident]);
    const { rows } = await c.query<{ generation: string; holder: Holder | null; expires: Date | null; live: boolean }>(
      'SELECT generation, holder, lease_expires AS expires, lease_expires > now() AS live FROM runbook_incidents WHERE id = $1 FOR UPDATE',
      [r.incident],
    );
    const row = rows[0]!;
    let taken: (Holder & { why: string; forced?: boolean }) | undefined;
    if (row.holder) {
      const expires = row.expires?.toISOString();
      if (row.live && !r.breakLock) {
        throw new Refusal('locked', `lease held until ${expires}`, { ...row.holder, expires, generation: Number(row.generation) });
      }
      taken = row.live ? { ...row.holder, why: `its lease (generation ${row.generation}) was live until ${expires}; --break-lock fenced it`, forced: true } : { ...row.holder, why: `its lease (generation ${row.generation}) expired at ${expires} without a heartbeat` };
    }
    const g = Number(row.generation) + 1;
    await c.query(`UPDATE runbook_incidents SET generation = $2, holder = $3, lease_expires = now() + make_interval(secs => $4::double precision / 1000) WHERE id = $1`, [r.incident, g, JSON.stringify(r.holder), r.ttlMs]);
    startHeartbeat(r.incident, g, r.ttlMs);
    return { generation: g, ...(taken ? { taken } : {}) };
  });
}

function startHeartbeat(incident: string, generation: number, ttlMs: number): void {
  if (beat) clearInterval(beat);
  beat = setInterval(() => {
    void (async () => {
      try {
        const c = await connect();
        const res = await c.query(`UPDATE runbook_incidents SET lease_expires = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1 AND generation = $2`, [incident, generation, ttlMs]);
        if (res.rowCount === 0) {
          if (beat) clearInterval(beat);
          beat = undefined;
          init.notices.postMessage({ lost: `the lease on incident ${incident} was taken by another runner (generation ${generation} is no longer current)` });
        }
      } catch {
        drop(); // the next beat (or request) reconnects
      }
    })();
  }, Math.max(200, Math.floor(ttlMs / 3)));
}

async function unlock(r: Extract<PgRequest, { op: 'unlock' }>): Promise<null> {
  if (beat) clearInterval(beat);
  beat = undefined;
  const c = await connect();
  await c.query('UPDATE runbook_incidents SET holder = NULL, lease_expires = NULL WHERE id = $1 AND generation = $2', [r.incident, r.generation]);
  return null;
}

/** The incident's head as this worker last wrote or read it (the lease holder is its main writer; answers move it too). */
let head: { incident: string; seq: number; hash: string } | undefined;

async function readHead(c: pg.Client, r: Extract<PgRequest, { op: 'appendBatch' }>): Promise<{ incident: string; seq: number; hash: string }> {
  const { rows } = await c.query<{ generation: string; head_seq: string; head_hash: string }>('SELECT generation, head_seq, head_hash FROM runbook_incidents WHERE id = $1', [r.incident]);
  const row = rows[0];
  if (!row) throw new Refusal('missing', `there is no incident ${r.incident} in the shared journal`);
  if (r.generation !== null && Number(row.generation) !== r.generation) {
    throw new Refusal('fenced', `this runner's lease (generation ${r.generation}) was taken over by generation ${row.generation}`);
  }
  return { incident: r.incident, seq: Number(row.head_seq), hash: row.head_hash };
}

/**
 * Records in order, in ONE statement (one round trip, one transaction, one commit): the lines
 * are built on the head this worker knows; the database's trigger checks each row — the
 * generation (fencing) and that it follows the head — and moves the head. When an operator's
 * answer moved the head meanwhile (RB004), the head is read again and the lines rebuilt.
 */
async function appendOnce(r: Extract<PgRequest, { op: 'appendBatch' }>, tried: { seq?: number } = {}): Promise<Array<{ record: JournalRecord; hash: string }>> {
  const c = await connect();
  for (let attempt = 0; ; attempt++) {
    const h = head?.incident === r.incident ? head : await readHead(c, r);
    let seq = h.seq;
    let prev = h.hash;
    const out: Array<{ record: JournalRecord; hash: string }> = [];
    const values: unknown[] = [];
    const tuples: string[] = [];
    tried.seq = seq + 1;
    for (const body of r.bodies) {
      const rec = { seq: ++seq, ts: new Date().toISOString(), op: r.op_, ...body, prev } as Omit<JournalRecord, 'sum'>;
      const line = encodeRecord(rec);
      const hash = lineHash(line);
      const n = values.length;
      tuples.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}, $${n + 9})`);
      values.push(r.incident, rec.seq, r.generation, body.type, r.op_, rec.ts, rec.prev, hash, line);
      out.push({ record: JSON.parse(line) as JournalRecord, hash });
      prev = hash;
    }
    try {
      await c.query(`INSERT INTO runbook_records (incident, seq, generation, type, op, ts, prev, hash, line) VALUES ${tuples.join(', ')}`, values);
    } catch (e) {
      head = undefined;
      if ((e as { code?: string }).code === 'RB004' && attempt < 20) continue;
      throw e;
    }
    head = { incident: r.incident, seq, hash: prev };
    return out;
  }
}

async function appendBatch(r: Extract<PgRequest, { op: 'appendBatch' }>): Promise<Array<{ record: JournalRecord; hash: string }>> {
  const tried: { seq?: number } = {};
  try {
    return await appendOnce(r, tried);
  } catch (e) {
    if (!isConnectionError(e)) throw e;
    drop();
    head = undefined;
  }
  // the connection died: the commit may or may not have happened (all of the batch or none) — look before writing again
  const c = await connect();
  if (tried.seq !== undefined) {
    const { rows } = await c.query<{ line: string; op: string; type: string }>('SELECT line, op, type FROM runbook_records WHERE incident = $1 AND seq >= $2 AND seq < $3 ORDER BY seq', [r.incident, tried.seq, tried.seq + r.bodies.length]);
    if (rows.length === r.bodies.length && rows.every((got, i) => got.op === r.op_ && got.type === r.bodies[i]!.type && sameBody(got.line, r.bodies[i]!))) return rows.map((got) => ({ record: JSON.parse(got.line) as JournalRecord, hash: lineHash(got.line) }));
  }
  return appendOnce(r);
}

async function append(r: Extract<PgRequest, { op: 'append' }>): Promise<{ record: JournalRecord; hash: string }> {
  const [one] = await appendBatch({ op: 'appendBatch', incident: r.incident, generation: r.generation, op_: r.op_, bodies: [r.body] });
  return one!;
}

/** The stored line carries this body (the commit that lost its answer happened). */
function sameBody(line: string, body: RecordBody): boolean {
  const rec = JSON.parse(line) as Record<string, unknown>;
  for (const [k, v] of Object.entries(body)) if (JSON.stringify(rec[k]) !== JSON.stringify(v)) return false;
  return true;
}

async function read(r: Extract<PgRequest, { op: 'read' }>): Promise<{ lines: string[]; head: { seq: number; hash: string } | null }> {
  const c = await connect();
  const inc = await c.query<{ head_seq: string; head_hash: string }>('SELECT head_seq, head_hash FROM runbook_incidents WHERE id = $1', [r.incident]);
  const { rows } = await c.query<{ line: string }>('SELECT line FROM runbook_records WHERE incident = $1 ORDER BY seq', [r.incident]);
  const h = inc.rows[0];
  return { lines: rows.map((x) => x.line), head: h ? { seq: Number(h.head_seq), hash: h.head_hash } : null };
}

async function list(): Promise<unknown[]> {
  const c = await connect();
  const { rows } = await c.query(
    `SELECT i.id, i.generation::int AS generation, i.holder, i.lease_expires > now() AS live, i.head_seq::int AS records,
            (SELECT line FROM runbook_records r WHERE r.incident = i.id AND r.seq = 1) AS first,
            (SELECT line FROM runbook_records r WHERE r.incident = i.id AND r.seq = i.head_seq) AS last
       FROM runbook_incidents i ORDER BY i.created_at DESC`,
  );
  return rows;
}

/** runbook push: a local journal's lines, verbatim (their chain starts at the same genesis), into an incident with no records. */
async function importLines(r: Extract<PgRequest, { op: 'import' }>): Promise<number> {
  return tx(async (c) => {
    const { rows } = await c.query<{ head_seq: string }>('SELECT head_seq FROM runbook_incidents WHERE id = $1 FOR UPDATE', [r.incident]);
    if (Number(rows[0]?.head_seq ?? -1) !== 0) throw new Refusal('refused', `incident ${r.incident} already has records in the shared journal`);
    for (const line of r.lines) {
      const rec = JSON.parse(line) as JournalRecord;
      await c.query('INSERT INTO runbook_records (incident, seq, generation, type, op, ts, prev, hash, line) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [r.incident, rec.seq, r.generation, rec.type, rec.op, rec.ts, rec.prev, lineHash(line), line]);
    }
    return r.lines.length;
  });
}

/**
 * follow: the answer records of an incident after `after`, posted on `notices` as `{ lines }` as they
 * are committed — its own connection LISTENs on runbook_journal (the trigger NOTIFYs each
 * insert); a lost connection is re-opened and caught up, so no record is missed.
 */
let follower: { incident: string; after: number; client?: pg.Client; busy: Promise<void> } | undefined;

async function follow(r: Extract<PgRequest, { op: 'follow' }>): Promise<null> {
  follower ??= { incident: r.incident, after: r.after, busy: Promise.resolve() };
  await listen();
  return null;
}

function catchUp(): Promise<void> {
  const f = follower;
  if (!f?.client) return Promise.resolve();
  const c = f.client;
  f.busy = f.busy.then(async () => {
    // answers only: the records written without a lease (an operator's approval, tick, settlement, note)
    const { rows } = await c.query<{ line: string; seq: string; answer: boolean }>('SELECT seq, line, generation IS NULL AS answer FROM runbook_records WHERE incident = $1 AND seq > $2 ORDER BY seq', [f.incident, f.after]);
    if (!rows.length) return;
    f.after = Number(rows[rows.length - 1]!.seq);
    const lines = rows.filter((x) => x.answer).map((x) => x.line);
    if (lines.length) init.notices.postMessage({ lines });
  }).catch(() => undefined);
  return f.busy;
}

async function listen(): Promise<void> {
  const f = follower;
  if (!f || f.client) return;
  const c = new pg.Client({ connectionString: init.url, application_name: 'runbook follow', connectionTimeoutMillis: 10_000 });
  const retry = () => {
    if (f.client !== c) return;
    f.client = undefined;
    c.end().catch(() => undefined);
    setTimeout(() => void listen().catch(retry), 500).unref();
  };
  c.on('error', retry);
  c.on('notification', (n) => {
    if (n.payload?.split(' ')[0] === f.incident) void catchUp();
  });
  f.client = c;
  try {
    await c.connect();
    await c.query('LISTEN runbook_journal');
  } catch {
    retry();
    return;
  }
  await catchUp();
}

/** The runner's view for attached operators (its steps, what it asks now) in its holder entry; NOTIFY 'INCIDENT view'. */
async function view(r: Extract<PgRequest, { op: 'view' }>): Promise<null> {
  const c = await connect();
  const res = await c.query(`UPDATE runbook_incidents SET holder = holder || jsonb_build_object('view', $3::jsonb) WHERE id = $1 AND generation = $2 AND holder IS NOT NULL`, [r.incident, r.generation, JSON.stringify(r.view)]);
  if (res.rowCount) await c.query(`SELECT pg_notify('runbook_journal', $1 || ' view')`, [r.incident]);
  return null;
}

async function handle(r: PgRequest): Promise<unknown> {
  const retry = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (!isConnectionError(e)) throw e;
      drop();
      return fn();
    }
  };
  switch (r.op) {
    case 'lock':
      return retry(() => lock(r));
    case 'unlock':
      return retry(() => unlock(r));
    case 'append':
      return append(r);
    case 'appendBatch':
      return appendBatch(r);
    case 'read':
      return retry(() => read(r));
    case 'list':
      return retry(() => list());
    case 'import':
      return importLines(r);
    case 'follow':
      return follow(r);
    case 'view':
      return retry(() => view(r));
    case 'ping':
      return retry(async () => (await connect(), null));
  }
}

function answer(a: PgAnswer): void {
  init.port.postMessage(a);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

init.port.on('message', (r: PgRequest) => {
  handle(r).then(
    (value) => answer({ ok: true, value }),
    (e: unknown) => {
      if (e instanceof Refusal) return answer({ ok: false, kind: e.kind, message: e.message, ...(e.owner ? { owner: e.owner } : {}) });
      const code = (e as { code?: string }).code;
      if (code === 'RB001') return answer({ ok: false, kind: 'fenced', message: words(e) });
      if (missingSchema(e)) return answer({ ok: false, kind: 'schema', message: words(e) });
      if (isConnectionError(e)) {
        drop();
        return answer({ ok: false, kind: 'connection', message: `the connection to the shared journal failed: ${words(e)}` });
      }
      answer({ ok: false, kind: 'refused', message: words(e) });
    },
  );
});
parentPort?.on('close', () => {
  drop();
  void follower?.client?.end().catch(() => undefined);
});
