/**
 * What the drill measures, in drill time, against the world (not against what the runbook
 * claims): when the run first held every leaked credential (detect), when every leaked
 * credential was dead in the simulators (contain), when no consumer still held or ran a
 * leaked value (rotate), and when every expected notification had arrived (notify).
 */
import { fingerprintValue } from '../core/secrets/secret.js';
import type { JournalRecord } from '../core/journal/records.js';
import { fingerprintsIn } from '../report/credentials.js';
import type { Scenario } from './scenario/schema.js';
import { deliveries, type LiveWorld } from './world/live.js';

export interface ProgressState {
  /** credential id → drill ms it first appeared in a step's input or output */
  detected: Record<string, number>;
  containAt?: number;
  rotateAt?: number;
  notifyAt?: number;
}

function strings(v: unknown, out: Set<string>, depth = 0): void {
  if (depth > 32) return;
  if (typeof v === 'string') out.add(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out, depth + 1);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out, depth + 1);
}

const AWS_KEY_ID = /AKIA[A-Z0-9]{16}/g;

/** Progress `b` (a change since the last one, or a whole state) applied to `a`: what a resume rebuilds from the effects log. */
export function mergeProgress(a: ProgressState | undefined, b: ProgressState): ProgressState {
  const out: ProgressState = { ...a, detected: { ...a?.detected } };
  for (const [id, at] of Object.entries(b.detected ?? {})) out.detected[id] ??= at;
  for (const k of ['containAt', 'rotateAt', 'notifyAt'] as const) if (b[k] !== undefined) out[k] ??= b[k];
  return out;
}

export class Progress {
  readonly state: ProgressState;
  readonly #fps = new Map<string, string>();
  /** leaked AWS key ids (shown in full in records) → credential id: looked up per record, never a rescan of the world */
  readonly #awsIds = new Map<string, string>();
  readonly #world: LiveWorld;
  readonly #expectEmail: string[];
  /** credentials detected since the last change() */
  #newly: string[] = [];
  /** the times change() last handed out */
  #told: Pick<ProgressState, 'containAt' | 'rotateAt' | 'notifyAt'> = {};

  constructor(
    world: LiveWorld,
    private readonly scenario: Scenario,
    fingerprintKey: Buffer,
    private readonly attackerPosts: ReadonlySet<string>,
    prior?: ProgressState,
  ) {
    this.#world = world;
    this.state = prior ? { ...prior, detected: { ...prior.detected } } : { detected: {} };
    this.#told = { containAt: this.state.containAt, rotateAt: this.state.rotateAt, notifyAt: this.state.notifyAt };
    for (const c of world.built.credentials.values()) {
      if (!c.leaked) continue;
      this.#fps.set(fingerprintValue(c.value, fingerprintKey), c.id);
      if (c.secret) this.#fps.set(fingerprintValue(c.secret, fingerprintKey), c.id);
      if (c.service === 'aws') this.#awsIds.set(c.value, c.id);
    }
    this.#expectEmail = (scenario.expect.email ?? [...new Set([...world.built.credentials.values()].filter((c) => c.leaked && c.email).map((c) => c.email!))]).map((e) => e.toLowerCase());
  }

  get leakedIds(): string[] {
    return [...this.#world.built.credentials.values()].filter((c) => c.leaked).map((c) => c.id);
  }

  get expectedEmail(): readonly string[] {
    return this.#expectEmail;
  }

  /**
   * A journal record: did it carry a leaked credential — as a fingerprint, or an AWS access key
   * id anywhere in its text? A run that handles an AWS key only by its id (an input, a fan-out
   * over ids, a CLI's JSON on stdout, a manual note) has found it: the id is what IAM acts on.
   */
  onRecord(r: JournalRecord | (Record<string, unknown> & { type: string }), now: number): void {
    const rec = r as Record<string, unknown>;
    const body = r.type === 'incident.opened' ? [rec.inputs, rec.secrets] : rec[{ outcome: 'output', 'step.finished': 'outputs', intent: 'input', items: 'keys', manual: 'note' }[r.type] ?? ''];
    if (body === undefined) return;
    for (const fp of fingerprintsIn(body).keys()) {
      const id = this.#fps.get(fp);
      if (id && this.state.detected[id] === undefined) this.#detect(id, now);
    }
    if (!this.#awsIds.size) return;
    const seen = new Set<string>();
    strings(body, seen);
    // an access key id (AKIA + 16 of [A-Z2-7], from the seed) inside a longer text is still that key
    for (const v of seen)
      for (const k of v.length === 20 ? [v] : v.match(AWS_KEY_ID) ?? []) {
        const id = this.#awsIds.get(k);
        if (id && this.state.detected[id] === undefined) this.#detect(id, now);
      }
  }

  #detect(id: string, now: number): void {
    this.state.detected[id] = now;
    this.#newly.push(id);
  }

  /**
   * What changed since the last call (newly detected credentials, goals newly reached), or
   * undefined: the drill persists only that — O(change), never the whole state per record.
   */
  change(): ProgressState | undefined {
    const s = this.state;
    const out: ProgressState = { detected: {} };
    let any = false;
    for (const id of this.#newly) {
      out.detected[id] = s.detected[id]!;
      any = true;
    }
    this.#newly = [];
    for (const k of ['containAt', 'rotateAt', 'notifyAt'] as const)
      if (s[k] !== undefined && this.#told[k] !== s[k]) {
        out[k] = this.#told[k] = s[k];
        any = true;
      }
    return any ? out : undefined;
  }

  #leaked: LiveWorld['built']['credentials'] extends Map<string, infer C> ? C[] : never = [];
  #consumers: LiveWorld['built']['consumers'] = [];
  #liveAt = 0;
  #staleAt = 0;

  /** Whether some item is still `bad`: from where the last one was found, wrapping — usually O(1) a tick, not a rescan of the world. */
  static #findFrom<T>(list: readonly T[], start: number, bad: (x: T) => boolean): number {
    for (let i = 0; i < list.length; i++) {
      const j = (start + i) % list.length;
      if (bad(list[j]!)) return j;
    }
    return -1;
  }

  /**
   * A step that rotates (kind rotate, or `drill: { rotates: true }`: a manual reissue) finished ok.
   * Where the world holds no consumer of a leaked value, that is the rotation; otherwise the world's
   * consumers (rotated and reloaded) decide.
   */
  stepRotated(now: number): void {
    if (this.state.rotateAt !== undefined) return;
    if (this.#world.built.consumers.some((c) => this.#world.built.credentials.get(c.credential)?.leaked)) return;
    this.state.rotateAt = now;
  }

  /** Check the world; record the first time each goal holds. */
  check(now: number): void {
    const s = this.state;
    const w = this.#world;
    if (s.containAt === undefined) {
      if (!this.#leaked.length) this.#leaked = [...w.built.credentials.values()].filter((c) => c.leaked);
      const at = Progress.#findFrom(this.#leaked, this.#liveAt, (c) => w.isLive(c));
      if (this.#leaked.length && at < 0) s.containAt = now;
      else this.#liveAt = Math.max(0, at);
    }
    if (s.rotateAt === undefined) {
      if (!this.#consumers.length) this.#consumers = w.built.consumers.filter((c) => w.built.credentials.get(c.credential)?.leaked);
      const at = Progress.#findFrom(this.#consumers, this.#staleAt, (c) => !w.consumerState(c).restarted);
      if (this.#consumers.length && at < 0) s.rotateAt = now;
      else this.#staleAt = Math.max(0, at);
    }
    if (s.notifyAt === undefined && this.#expectsAny() && this.notifyMissing().length === 0) s.notifyAt = now;
  }

  #expectsAny(): boolean {
    return this.#expectEmail.length > 0 || this.scenario.expect.slack_channels.length > 0 || this.scenario.expect.pagerduty;
  }

  /** Expected notifications not (yet) delivered. */
  notifyMissing(): string[] {
    const d = deliveries(this.#world, this.attackerPosts);
    const missing = this.#expectEmail.filter((e) => !d.email[e]).map((e) => `mail to ${e}`);
    for (const ch of this.scenario.expect.slack_channels) if (!d.slack[ch]) missing.push(`Slack #${ch}`);
    if (this.scenario.expect.pagerduty && d.pagerduty === 0) missing.push('PagerDuty page');
    return missing;
  }

  /**
   * Notices delivered more than once: the same message (its X-Runbook-Dedupe-Id, else its
   * subject and text) to the same recipient. Two different mails to one address (an alert, then
   * a follow-up) are two notices, not a duplicate.
   */
  duplicates(): string[] {
    const seen = new Map<string, { to: string; n: number }>();
    for (const m of this.#world.smtp?.messages ?? []) {
      const notice = m.dedupeId ?? `${m.subject}\u0000${m.text ?? m.html ?? ''}`;
      for (const to of m.to) {
        const key = `${to.toLowerCase()}\u0000${notice}`;
        const e = seen.get(key) ?? { to: to.toLowerCase(), n: 0 };
        e.n++;
        seen.set(key, e);
      }
    }
    return [...seen.values()].filter((e) => e.n > 1).map((e) => `${e.to} ×${e.n}`);
  }

  detectAt(): number | undefined {
    const ids = this.leakedIds;
    if (!ids.length || ids.some((id) => this.state.detected[id] === undefined)) return undefined;
    return Math.max(...ids.map((id) => this.state.detected[id]!));
  }
}
