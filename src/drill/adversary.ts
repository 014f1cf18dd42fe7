/**
 * The drill clock and the adversary. Drill time starts at 0 when the drill opens and runs at
 * `speed` drill seconds per real second; a simulated responder (a manual step's `drill.takes`)
 * moves it forward at once. At each scheduled drill minute the attacker tries its action with a
 * leaked credential: if the credential is still live in the world (and allowed to), the action
 * succeeds and changes the simulated world — a private Space read, a Space tampered with, a
 * new token or key created, a message posted. Every attempt is recorded.
 */
import { durationMs } from '../core/runbook/schema.js';
import { canRead, canWrite, liveToken } from './simulators/huggingface/world.js';
import { canSee } from './simulators/github/world.js';
import type { AdversaryStep } from './scenario/schema.js';
import type { LiveWorld } from './world/live.js';
import type { ValueMaker } from './world/values.js';

export class DrillClock {
  /** real ms when the clock last started; undefined while it stands still */
  #since: number | undefined;
  #offset: number;
  readonly speed: number;
  /** called after the clock moves (the adversary acts, containment is checked) */
  onAdvance: (() => void) | undefined;

  /** `paused`: the clock stands still until start() (the TUI starts it on the responder's first key) */
  constructor(speed: number, offsetMs = 0, opts: { paused?: boolean } = {}) {
    this.speed = speed;
    this.#offset = offsetMs;
    this.#since = opts.paused ? undefined : Date.now();
  }
  /** drill milliseconds since the incident opened */
  now(): number {
    return Math.round(this.#offset + (this.#since === undefined ? 0 : (Date.now() - this.#since) * this.speed));
  }
  get running(): boolean {
    return this.#since !== undefined;
  }
  /** start (or go on after pause()) */
  start(): void {
    if (this.#since !== undefined) return;
    this.#since = Date.now();
    this.onAdvance?.();
  }
  /** stand still (help is open); start() goes on */
  pause(): void {
    if (this.#since === undefined) return;
    this.#offset = this.now();
    this.#since = undefined;
  }
  advance(ms: number): void {
    if (ms > 0) this.#offset += ms;
    this.onAdvance?.();
  }
}

export interface AdversaryRecord {
  /** drill ms the action was due */
  at: number;
  do: AdversaryStep['do'];
  credential: string;
  target?: string;
  outcome: 'succeeded' | 'blocked' | 'failed';
  detail: string;
  /** the credential was still live when the action ran (containment had not reached it) */
  beforeContainment: boolean;
}

export class Adversary {
  readonly records: AdversaryRecord[] = [];
  /** values of tokens and keys the attacker created (persistence); `n`: the record that made it */
  readonly created: { service: string; value: string; owner: string; n: number }[] = [];
  /** Slack message timestamps the attacker posted (not notifications) */
  readonly posted = new Set<string>();
  readonly #plan: (AdversaryStep & { ms: number })[];
  #next = 0;

  private readonly world: LiveWorld;
  private readonly values: ValueMaker;
  private readonly onRecord: (r: AdversaryRecord) => void;
  private readonly register: (value: string) => void;

  constructor(o: {
    steps: readonly AdversaryStep[];
    world: LiveWorld;
    values: ValueMaker;
    onRecord: (r: AdversaryRecord) => void;
    /** register a value the attacker made with the redactor */
    register: (value: string) => void;
    /** actions taken in an earlier run of this drill (resume) */
    done?: readonly AdversaryRecord[];
  }) {
    this.world = o.world;
    this.values = o.values;
    this.onRecord = o.onRecord;
    this.register = o.register;
    this.#plan = o.steps.map((s) => ({ ...s, ms: durationMs(s.at) })).sort((a, b) => a.ms - b.ms);
    this.records.push(...(o.done ?? []));
    this.#next = Math.min(this.records.length, this.#plan.length);
  }

  /** An attacker-made HF token found in a saved world (resume): its value, known again. */
  attackerToken(n: number, owner: string): string {
    const value = this.values.hfToken(`attacker-${n}`, false);
    if (!this.created.some((c) => c.value === value)) {
      this.created.push({ service: 'huggingface', value, owner, n });
      this.register(value);
    }
    return value;
  }

  get pending(): number {
    return this.#plan.length - this.#next;
  }

  /** The attacker's next scheduled move (drill ms), if any. */
  nextMove(): (AdversaryStep & { ms: number }) | undefined {
    return this.#plan[this.#next];
  }

  /** Take every action due by `now` (drill ms), in order. */
  tick(now: number): void {
    while (this.#next < this.#plan.length && this.#plan[this.#next]!.ms <= now) {
      const step = this.#plan[this.#next++]!;
      const rec = this.#act(step);
      this.records.push(rec);
      this.onRecord(rec);
    }
  }

  #act(step: AdversaryStep & { ms: number }): AdversaryRecord {
    const cred = this.world.built.credentials.get(step.credential)!;
    const base = { at: step.ms, do: step.do, credential: step.credential, target: step.target };
    const live = this.world.isLive(cred);
    if (!live) return { ...base, outcome: 'blocked', beforeContainment: false, detail: `${cred.label} is dead: the attempt failed` };
    const r = this.#try(step);
    return { ...base, outcome: r.ok ? 'succeeded' : 'failed', beforeContainment: true, detail: r.detail };
  }

  #try(step: AdversaryStep & { ms: number }): { ok: boolean; detail: string } {
    const w = this.world;
    const cred = w.built.credentials.get(step.credential)!;
    const n = this.records.length;
    switch (step.do) {
      case 'huggingface.read_space':
      case 'huggingface.tamper_space': {
        const hf = w.hf!.state;
        const t = liveToken(hf, cred.value);
        const sp = hf.spaces.get(step.target ?? '');
        if (!t || !sp || !canRead(hf, t, sp)) return { ok: false, detail: `cannot see ${step.target}` };
        if (step.do === 'huggingface.read_space') return { ok: true, detail: `read ${sp.private ? 'private ' : ''}Space ${sp.id} (code, files, variables)` };
        if (!canWrite(hf, t, sp)) return { ok: false, detail: `no write access to ${sp.id}` };
        sp.variables.ANNOUNCEMENT_URL = { value: 'https://attacker.invalid/phish', updatedAt: new Date().toISOString() };
        return { ok: true, detail: `changed a variable of ${sp.id} (a phishing link)` };
      }
      case 'huggingface.create_token': {
        const hf = w.hf!.state;
        const t = liveToken(hf, cred.value);
        if (!t || t.role === 'read') return { ok: false, detail: 'a read token cannot create tokens' };
        if (t.value.startsWith('api_org_')) return { ok: false, detail: 'a legacy org token cannot create user tokens' };
        const owner = t.owner;
        const value = this.values.hfToken(`attacker-${n}`, false);
        this.register(value);
        hf.tokens.set(value, { value, owner, role: 'write', displayName: 'backup', createdAt: new Date().toISOString(), scoped: [], revoked: false });
        this.created.push({ service: 'huggingface', value, owner, n });
        return { ok: true, detail: `created a new write token for ${owner} (persistence)` };
      }
      case 'github.read_repo': {
        const gh = w.github!.state;
        const repo = gh.repos.get(step.target ?? '');
        const t = gh.tokens.get(cred.value);
        if (!repo || !canSee(gh, t, repo)) return { ok: false, detail: `cannot see ${step.target}` };
        return { ok: true, detail: `cloned ${repo.private ? 'private ' : ''}repository ${repo.full_name}` };
      }
      case 'aws.list_keys':
        return { ok: true, detail: `listed the access keys of ${cred.owner}` };
      case 'aws.create_key': {
        try {
          const k = w.aws!.world.createAccessKey(step.target ?? cred.owner);
          this.register(k.secret);
          this.created.push({ service: 'aws', value: k.id, owner: k.user, n });
          return { ok: true, detail: `created a new access key for ${k.user} (persistence)` };
        } catch (e) {
          return { ok: false, detail: `CreateAccessKey refused (${(e as { code?: string }).code ?? 'error'})` };
        }
      }
      case 'slack.post_message': {
        const slack = w.slack!;
        const ch = slack.channels.get((step.target ?? '').replace(/^#/, ''));
        if (!ch || ch.archived || !ch.member) return { ok: false, detail: `cannot post to ${step.target}` };
        const ts = `${Math.floor(Date.now() / 1000)}.9${String(n).padStart(5, '0')}`;
        slack.messages.push({ channel: ch.id, ts, text: 'Please re-authenticate: https://attacker.invalid/login', via: 'api' });
        this.posted.add(ts);
        return { ok: true, detail: `posted a phishing message to #${ch.name}` };
      }
    }
  }

  /** Attacker-created credentials that are still live. */
  persistence(): number {
    return this.created.filter((c) => (c.service === 'huggingface' ? this.world.hf?.isLive(c.value) : this.world.aws?.world.keys.get(c.value)?.status === 'Active')).length;
  }
}
