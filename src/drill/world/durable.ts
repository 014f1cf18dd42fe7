/**
 * The drill world, as durable as the journal. Every effect a simulator applies — a token
 * revoked, a secret set, a Space restarted, a key created, a message posted, a mail accepted, a
 * page — is appended to `<incident>/drill/effects.jsonl` and fsynced *before the simulator
 * answers* (an HTTP simulator through its effect hook, the SMTP server before its 250), as are
 * the attacker's actions and the progress the drill measured. `state.json` is a snapshot written
 * rarely (at start, at the end of each run, and once the effects since the last one are as many
 * as the objects in the world, at least SNAPSHOT_EVERY: see snapshotDue) that says how many
 * effects it already holds; a resume restores the snapshot, then applies the later effects in
 * order. So a kill -9 at any moment loses nothing the world ever confirmed to a client.
 *
 * An effect holds only the objects the request changed (./snapshot.ts, values as references —
 * never a credential value), plus the identities of the non-idempotent things it accepted (a
 * mail per recipient and dedupe id, a Slack post per channel and idempotency key, a page per
 * dedup_key, a revoke per credential, a key created per user): the same identity accepted twice
 * is a duplicate effect, which the scorecard reports.
 *
 * Group commit, like the journal's intents: an effect is written (in order) the moment it is
 * applied, and its fsync runs off the event loop (libuv's pool) — shared by every effect written
 * while the previous fsync was in flight. A simulator's answer waits for the fsync that covers
 * every effect written so far (not only its own: a read must not show a client a change that is
 * not yet durable), so 16 requests in flight cost about one fsync, not 16, and no fsync blocks
 * the engine or the other simulators. A failed fsync fails that answer and every later one (the
 * world can no longer promise durability; the drill's calls end in doubt, never as done).
 *
 * One JSON object per line with a checksum, like the journal: a torn last line (the process died
 * while writing it — so the simulator never answered) is dropped; corruption anywhere else is an
 * error, and so is a missing log on resume.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fsync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { JournalError } from '../../core/errors.js';
import type { Redactor } from '../../core/secrets/redactor.js';
import type { AdversaryRecord } from '../adversary.js';
import type { Adversary } from '../adversary.js';
import type { ProgressState } from '../progress.js';
import type { SimRequest, SimResponse } from '../simulators/base.js';
import type { StoredMessage } from '../simulators/smtp.js';
import { captureHfTouched, captureSection, Naming, SECTIONS, type HfTouched, type Ref, type Section, type WorldSnapshot } from '../snapshot.js';
import type { LiveWorld } from './live.js';
import { fsyncDir } from '../../core/atomic-write.js';

export interface Effect {
  /** 1, 2, 3, … */
  n: number;
  /** drill ms */
  at: number;
  k: 'fx' | 'adv' | 'prog';
  /* prog: what changed since the previous prog effect (older logs hold the whole state; both merge the same: mergeProgress) */
  /** `<service> <operation>` */
  op?: string;
  part?: WorldSnapshot;
  /** identities of the non-idempotent effects accepted */
  dup?: string[];
  adv?: AdversaryRecord;
  prog?: ProgressState;
}

export const SNAPSHOT_EVERY = 500;
/** marks an identity that takes an earlier one back */
const COMPENSATED = '-';
const FILE = 'effects.jsonl';

const sum = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const SUM_RE = /,"sum":"([0-9a-f]{12})"\}$/;

export function effectsFile(dir: string): string {
  return join(dir, FILE);
}

/** Read the effects log; a torn tail is dropped (and reported in `torn`), other damage throws naming the line. */
export function readEffects(dir: string): { effects: Effect[]; goodBytes: number; torn: boolean } {
  const file = effectsFile(dir);
  const text = readFileSync(file, 'utf8');
  const effects: Effect[] = [];
  let pos = 0;
  let line = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    line++;
    const last = nl < 0 || text.slice(nl + 1).trim() === '';
    const raw = nl < 0 ? text.slice(pos) : text.slice(pos, nl);
    const m = SUM_RE.exec(raw);
    let ok = nl >= 0 && !!m && sum(raw.slice(0, m.index) + '}') === m[1];
    let e: Effect | undefined;
    if (ok) {
      try {
        e = JSON.parse(raw) as Effect;
        ok = e.n === effects.length + 1;
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      if (last) return { effects, goodBytes: Buffer.byteLength(text.slice(0, pos)), torn: true };
      throw new JournalError(`the drill world ${file} is corrupt at line ${line}`, { nextSteps: ['The drill cannot be resumed in a world it cannot trust: start a new drill (another --incident).'] });
    }
    effects.push(e!);
    pos = nl + 1;
  }
  return { effects, goodBytes: Buffer.byteLength(text), torn: false };
}

type Keyed = Record<string, ((x: any) => string) | 'append'>;
const KEYS: Record<Section, Keyed> = {
  hf: { tokens: (t) => JSON.stringify(t.ref), spaces: (s) => s.id },
  github: { tokens: (t) => JSON.stringify(t.ref), alerts: (a) => `${a.repo}#${a.number}`, secrets: (s) => `${s.repo}/${s.name}` },
  aws: { keys: (k) => JSON.stringify(k.ref), created: (k) => String(k.n), secrets: (s) => s.name, inline: (x) => x.holder, sessions: (x) => String(x.n), trail: 'append' },
  slack: { tokens: (t) => JSON.stringify(t.ref), messages: 'append' },
  smtp: { messages: 'append' },
  pagerduty: { incidents: (i) => String(i.number), events: 'append' },
};

/**
 * What was last committed, per section: for a keyed list each object's JSON by key, for an
 * append list how many. A diff compares only the objects it is given against it, so a commit
 * that captured the few objects one request touched costs O(touched), not O(world).
 */
type Known = Record<string, Map<string, string> | number>;

/** The objects of `now` that differ from what was last committed (keyed lists), and the items added (append lists); updates `known`. */
function diff(section: Section, known: Known, now: Record<string, unknown[]> | undefined): Record<string, unknown[]> | undefined {
  if (!now) return undefined;
  const out: Record<string, unknown[]> = {};
  for (const [field, key] of Object.entries(KEYS[section])) {
    const b = now[field];
    if (b === undefined) continue;
    if (key === 'append') {
      const had = (known[field] as number | undefined) ?? 0;
      if (b.length > had) out[field] = b.slice(had);
      known[field] = b.length;
      continue;
    }
    const before = (known[field] ??= new Map<string, string>()) as Map<string, string>;
    const changed: unknown[] = [];
    for (const x of b) {
      const k = key(x);
      const j = JSON.stringify(x);
      if (before.get(k) !== j) {
        changed.push(x);
        before.set(k, j);
      }
    }
    if (changed.length) out[field] = changed;
  }
  return Object.keys(out).length ? out : undefined;
}

const SPACE_PATH = /^\/api\/spaces\/([^/]+)\/([^/]+)\/(?:secrets|variables|restart)$/;

/** The Hugging Face objects a write request can have changed; undefined: not known, capture the whole section. */
function hfTouched(op: string, req: SimRequest): HfTouched | undefined {
  if (op === 'revokeCredentials') {
    const creds = req.json<{ credentials?: unknown }>()?.credentials;
    return Array.isArray(creds) ? { tokens: creds.filter((c): c is string => typeof c === 'string'), spaces: [] } : undefined;
  }
  const m = SPACE_PATH.exec(req.path);
  if (m && ['setSecret', 'setVariable', 'deleteSecret', 'deleteVariable', 'restartSpace'].includes(op)) return { tokens: [], spaces: [`${m[1]}/${m[2]}`] };
  return undefined;
}

const refText = (r: Ref) => ('c' in r ? r.c : 'g' in r ? r.g : 'a' in r ? `attacker token ${r.a}` : `unnamed ${r.u}`);
const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 10);

function slackParams(req: SimRequest): Record<string, unknown> {
  if (String(req.headers['content-type'] ?? '').includes('application/json')) return req.json<Record<string, unknown>>() ?? {};
  const p: Record<string, unknown> = Object.fromEntries(new URLSearchParams(req.body));
  try {
    if (typeof p.metadata === 'string') p.metadata = JSON.parse(p.metadata);
  } catch {
    /* no metadata */
  }
  return p;
}

export class DurableWorld {
  readonly dir: string;
  readonly naming: Naming;
  #fd: number | undefined;
  #n = 0;
  /** the last whole capture of the sections #identities reads (AWS, PagerDuty: the others are not kept — Hugging Face's is the whole world at 10,000 tokens) */
  #last: Partial<Record<Section, unknown>> = {};
  /** what was last committed, per section (see diff) */
  #known: Partial<Record<Section, Known>> = {};
  readonly #seen = new Map<string, number>();
  readonly #compensated = new Map<string, number>();
  /** effects since the last snapshot */
  sinceSnapshot = 0;
  /** effects known durable (fsynced) */
  #synced = 0;
  #syncing: Promise<void> | undefined;
  /** answers waiting for the fsync that covers effect `n` */
  #waiters: { n: number; done: () => void; fail: (e: unknown) => void }[] = [];
  /** a failed write or fsync: nothing later can be promised durable */
  #broken: unknown;

  constructor(
    dir: string,
    private readonly w: LiveWorld,
    private readonly adv: Adversary,
    private readonly redactor: Redactor,
    private readonly now: () => number,
  ) {
    this.dir = dir;
    this.naming = new Naming(w, adv);
  }

  get count(): number {
    return this.#n;
  }

  /**
   * Time for a snapshot: at least SNAPSHOT_EVERY effects since the last one, and at least as many
   * as the objects the world holds. A snapshot writes the whole world, so it is written once the
   * effects since (each touches one object or more) have cost about as much to log: snapshots
   * cost a bounded share of the effects however large the world (at 10,000 tokens, one every
   * 500 effects was 20 whole-world writes — 6 s of a drill), and a resume replays no more
   * effects than the world has objects.
   */
  snapshotDue(): boolean {
    if (this.sinceSnapshot < SNAPSHOT_EVERY) return false;
    let objects = 0;
    for (const known of Object.values(this.#known)) for (const v of Object.values(known)) objects += typeof v === 'number' ? v : v.size;
    return this.sinceSnapshot >= objects;
  }

  /** Open the log for appending (creating it for a new drill), after `prior` effects were read (and applied). */
  open(prior: readonly Effect[], goodBytes: number | undefined): void {
    const file = effectsFile(this.dir);
    const created = goodBytes === undefined;
    const fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW | (created ? constants.O_TRUNC : 0), 0o600);
    if (!created) {
      ftruncateSync(fd, goodBytes);
      fsyncSync(fd);
    } else {
      fsyncSync(fd);
      fsyncDir(this.dir);
    }
    this.#fd = fd;
    this.#n = prior.length;
    this.#synced = prior.length;
    for (const e of prior) this.#count(e.dup);
    this.rebase();
  }

  /** Take the world as it is now as the base of the next diffs (after a restore). */
  rebase(): void {
    this.#known = {};
    for (const s of SECTIONS) {
      const now = captureSection(this.w, s, this.naming, this.redactor, this.adv) as Record<string, unknown[]> | undefined;
      this.#keep(s, now);
      diff(s, (this.#known[s] = {}), now);
    }
  }

  /** Capture a section whole (or, for Hugging Face, only what `touched` names) and diff it against what was committed. */
  #diff(s: Section, touched?: HfTouched): Record<string, unknown[]> | undefined {
    if (s === 'hf' && touched) return diff(s, (this.#known[s] ??= {}), captureHfTouched(this.w, this.naming, this.redactor, touched) as Record<string, unknown[]> | undefined);
    const now = captureSection(this.w, s, this.naming, this.redactor, this.adv) as Record<string, unknown[]> | undefined;
    this.#keep(s, now);
    return diff(s, (this.#known[s] ??= {}), now);
  }

  #keep(s: Section, capture: unknown): void {
    if (s === 'aws' || s === 'pagerduty') this.#last[s] = capture;
  }

  /** Wait for the effects written so far to be durable, then close the log. */
  async close(): Promise<void> {
    try {
      await this.durable();
    } catch {
      /* reported to the answers that waited on it */
    }
    while (this.#syncing) await this.#syncing.catch(() => undefined);
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  /**
   * A promise for every effect written so far being on disk (undefined when they already are):
   * what a simulator waits for before it answers.
   */
  durable(): Promise<void> | undefined {
    if (this.#broken !== undefined) return Promise.reject(this.#broken as Error);
    if (this.#synced >= this.#n || this.#fd === undefined) return undefined;
    const n = this.#n;
    return new Promise<void>((done, fail) => {
      this.#waiters.push({ n, done, fail });
      this.#sync();
    });
  }

  /** One fsync at a time, covering everything written before it started; the next starts when it ends, for whoever waits then. */
  #sync(): void {
    if (this.#syncing || !this.#waiters.length || this.#fd === undefined) return;
    const upTo = this.#n;
    const fd = this.#fd;
    this.#syncing = new Promise<void>((settled) =>
      fsync(fd, (err) => {
        this.#syncing = undefined;
        settled();
        if (err) {
          this.#fail(err);
          return;
        }
        this.#synced = Math.max(this.#synced, upTo);
        const ready = this.#waiters.filter((w) => w.n <= upTo);
        this.#waiters = this.#waiters.filter((w) => w.n > upTo);
        for (const w of ready) w.done();
        this.#sync();
      }),
    );
  }

  #fail(err: unknown): void {
    this.#broken ??= new JournalError(`the drill world could not be made durable (${effectsFile(this.dir)}): ${err instanceof Error ? err.message : String(err)}`);
    for (const w of this.#waiters.splice(0)) w.fail(this.#broken);
  }

  /** Write one effect (in order, at once); it is durable with the next fsync (see durable()). */
  #append(e: Omit<Effect, 'n' | 'at'>): void {
    if (this.#fd === undefined) return;
    if (this.#broken !== undefined) throw this.#broken;
    const rec = { n: this.#n + 1, at: this.now(), ...e };
    const json = JSON.stringify(rec);
    const line = Buffer.from(`${json.slice(0, -1)},"sum":"${sum(json)}"}\n`, 'utf8');
    let off = 0;
    try {
      while (off < line.length) off += writeSync(this.#fd, line, off, line.length - off);
    } catch (err) {
      // a torn line may be on disk: nothing after it can be trusted
      this.#fail(err);
      throw this.#broken;
    }
    this.#n = rec.n;
    this.sinceSnapshot++;
    this.#count(e.dup);
    // durable soon even when no answer waits for it (the attacker's actions, progress): its own
    // waiter keeps the fsyncs going until it is covered
    this.durable()?.catch(() => undefined);
  }

  #count(dup: readonly string[] | undefined): void {
    for (const d of dup ?? []) {
      if (d.startsWith(COMPENSATED)) {
        const id = d.slice(COMPENSATED.length);
        this.#seen.set(id, (this.#seen.get(id) ?? 0) - 1);
        this.#compensated.set(id, (this.#compensated.get(id) ?? 0) + 1);
      } else this.#seen.set(d, (this.#seen.get(d) ?? 0) + 1);
    }
  }

  /** Diff the given sections against the last state; append one effect when anything changed or was accepted. */
  commit(op: string, sections: readonly Section[], dup: string[] = [], touched?: HfTouched): void {
    const part: Record<string, unknown> = {};
    for (const s of sections) {
      const d = this.#diff(s, touched);
      if (d) part[s] = d;
    }
    if (!Object.keys(part).length && !dup.length) return;
    this.#append({ k: 'fx', op, ...(Object.keys(part).length ? { part: part as WorldSnapshot } : {}), ...(dup.length ? { dup } : {}) });
  }

  /** An HTTP simulator applied a request (called before it answers; the answer waits for the promise). */
  onHttp(section: Section, service: string): (e: { op: string; req: SimRequest; res: SimResponse }) => Promise<void> | undefined {
    return ({ op, req, res }) => {
      if (req.method === 'GET' || res.status >= 400) {
        // nothing applied; but time may have moved a pending change (a GitHub revoke taking effect)
        if (section === 'github') this.commit(`${service} ${op}`, [section]);
      } else this.commit(`${service} ${op}`, [section], this.#identities(section, op, req, res), section === 'hf' ? hfTouched(op, req) : undefined);
      return this.durable();
    };
  }

  /** The SMTP simulator accepted a message (called before it answers 250, which waits for the promise). */
  onMail(m: StoredMessage): Promise<void> | undefined {
    this.commit('smtp message', ['smtp'], m.to.map((to) => `mail to ${to.toLowerCase()} [${m.dedupeId ?? `subject ${hash(m.subject)}`}]`));
    return this.durable();
  }

  /** The attacker acted (its world changes are in the same effect's part). */
  onAdversary(rec: AdversaryRecord): void {
    const part: Record<string, unknown> = {};
    for (const s of SECTIONS) {
      const d = this.#diff(s);
      if (d) part[s] = d;
    }
    this.#append({ k: 'adv', op: `adversary ${rec.do}`, adv: rec, ...(Object.keys(part).length ? { part: part as WorldSnapshot } : {}) });
  }

  /** The drill measured progress: what changed since the last call (detect, contain, rotate, notify times; see mergeProgress). */
  onProgress(change: ProgressState | undefined): void {
    if (change) this.#append({ k: 'prog', prog: change });
  }

  /** Non-idempotent effects the world accepted more than once (and still holds). */
  duplicates(): string[] {
    return [...this.#seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
  }

  /** Effects made twice where the second run took the first back (an unusable key deleted). */
  compensated(): string[] {
    return [...this.#compensated].map(([id, n]) => `${id} ×${n + 1}, ${n} taken back`);
  }

  #identities(section: Section, op: string, req: SimRequest, res: SimResponse): string[] {
    const w = this.w;
    const out: string[] = [];
    if ((section === 'hf' || section === 'github') && op === 'revokeCredentials') {
      const creds = req.json<{ credentials?: unknown }>()?.credentials;
      const tokens = section === 'hf' ? w.hf?.state.tokens : w.github?.state.tokens;
      if (Array.isArray(creds)) for (const v of creds) if (typeof v === 'string' && tokens?.has(v)) out.push(`${section === 'hf' ? 'huggingface' : 'github'} revoke of ${refText(this.naming.ref(v, 'token'))}`);
    } else if (section === 'aws' && op === 'iam:UpdateAccessKey') {
      const p = new URLSearchParams(req.body);
      if (p.get('Status') === 'Inactive') out.push(`aws deactivate of ${refText(this.naming.ref(p.get('AccessKeyId') ?? '', 'key'))}`);
    } else if (section === 'aws' && op === 'iam:CreateAccessKey') {
      out.push(`aws CreateAccessKey for ${new URLSearchParams(req.body).get('UserName') ?? 'the caller'}`);
    } else if (section === 'aws' && op === 'iam:DeleteAccessKey') {
      // deleting a key CreateAccessKey made (an interrupted call's unusable key) takes that creation back
      const ref = this.naming.ref(new URLSearchParams(req.body).get('AccessKeyId') ?? '', 'key');
      const n = 'g' in ref && ref.g.startsWith('aws-key:') ? Number(ref.g.slice(8)) : undefined;
      const made = n === undefined ? undefined : ((this.#last.aws as { created?: { n: number; user: string }[] } | undefined)?.created ?? []).find((k) => k.n === n);
      if (made) out.push(`${COMPENSATED}aws CreateAccessKey for ${made.user}`);
    } else if (section === 'slack' && op === 'chat.postMessage') {
      const body = res.body as { ok?: boolean; channel?: string } | undefined;
      if (body?.ok) {
        const p = slackParams(req);
        const name = [...(w.slack?.channels.values() ?? [])].find((c) => c.id === body.channel)?.name ?? body.channel;
        const key = (p.metadata as { event_payload?: { idempotency_key?: unknown } } | undefined)?.event_payload?.idempotency_key;
        out.push(`slack post to #${name} [${typeof key === 'string' ? key : `text ${hash(String(p.text ?? ''))}`}]`);
      }
    } else if (section === 'slack' && req.path.startsWith('/services/')) {
      const text = req.json<{ text?: unknown }>()?.text;
      out.push(`slack webhook post [${hash(req.path)} text ${hash(String(text ?? ''))}]`);
    } else if (section === 'pagerduty' && op === 'trigger') {
      const before = ((this.#last.pagerduty as { incidents?: unknown[] } | undefined)?.incidents ?? []).length;
      const key = (res.body as { dedup_key?: string } | undefined)?.dedup_key;
      if ((w.pagerduty?.incidents.length ?? 0) > before) out.push(`pagerduty page [${key ?? '?'}]`);
    }
    return out;
  }
}

export function effectsExist(dir: string): boolean {
  return existsSync(effectsFile(dir));
}
