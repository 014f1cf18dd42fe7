/**
 * The drill clock and the adversary. Drill time starts at 0 when the drill opens and runs at
 * `speed` drill seconds per real second; a simulated responder (a manual step's `drill.takes`)
 * moves it forward at once. At each scheduled drill minute the attacker tries its action with a
 * leaked credential: if the credential is still live in the world (and allowed to), the action
 * succeeds and changes the simulated world — a private Space read, a Space tampered with, a
 * new token or key created, a message posted. Every attempt is recorded.
 */
import { durationMs } from '../core/runbook/step-rules.js';
import { canRead, canWrite, liveToken } from './simulators/huggingface/world.js';
import { canSee } from './simulators/github/world.js';
import type { AdversaryStep } from './scenario/schema.js';
import type { LiveWorld } from './world/live.js';
import type { TrailEvent } from './simulators/aws/world.js';
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
  /** AWS: the access key id or role session id the action made (identifiers; a resumed drill knows them again) */
  made?: { service: 'aws' | 'aws-session'; value: string; owner: string };
}

/** The attacker's moves in the order they are due (drill ms). */
export function adversaryPlan(steps: readonly AdversaryStep[]): (AdversaryStep & { ms: number })[] {
  return steps.map((s) => ({ ...s, ms: durationMs(s.at) })).sort((a, b) => a.ms - b.ms);
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
    this.#plan = adversaryPlan(o.steps);
    this.records.push(...(o.done ?? []));
    this.records.forEach((r, n) => r.made && this.created.push({ ...r.made, n }));
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
      const rec = this.#act(step, now);
      this.records.push(rec);
      this.onRecord(rec);
    }
  }

  #act(step: AdversaryStep & { ms: number }, now: number): AdversaryRecord {
    const cred = this.world.built.credentials.get(step.credential)!;
    const base = { at: step.ms, do: step.do, credential: step.credential, target: step.target };
    if (step.do.startsWith('aws.')) return this.#aws(step, base, now);
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
      case 'slack.post_message': {
        const slack = w.slack!;
        const ch = slack.channels.get((step.target ?? '').replace(/^#/, ''));
        if (!ch || ch.archived || !ch.member) return { ok: false, detail: `cannot post to ${step.target}` };
        const ts = `${Math.floor(Date.now() / 1000)}.9${String(n).padStart(5, '0')}`;
        slack.messages.push({ channel: ch.id, ts, text: 'Please re-authenticate: https://attacker.invalid/login', via: 'api' });
        this.posted.add(ts);
        return { ok: true, detail: `posted a phishing message to #${ch.name}` };
      }
      default:
        return { ok: false, detail: `${step.do} is not an action of this service` };
    }
  }

  /**
   * An AWS action, recorded in the world's CloudTrail history as AWS records it: successful calls
   * and authorization failures (AccessDenied) with the caller's key and user; a call signed with
   * a deactivated or deleted key fails authentication and is not recorded under the user.
   */
  #aws(step: AdversaryStep & { ms: number }, base: Pick<AdversaryRecord, 'at' | 'do' | 'credential' | 'target'>, now: number): AdversaryRecord {
    const aw = this.world.aws!.world;
    // the world's time when the action was due (the drill clock may have jumped past it)
    const when = new Date(aw.now().getTime() - Math.max(0, now - step.ms));
    const cred = this.world.built.credentials.get(step.credential)!;
    const n = this.records.length;
    const madeKeys = this.created.filter((c) => c.service === 'aws');
    const session = step.do === 'aws.use_role' ? [...this.created].reverse().find((c) => c.service === 'aws-session' && aw.sessions.get(c.value)?.role === step.target) : undefined;
    const actor = step.do === 'aws.use_role' ? session?.value : step.use_created ? madeKeys[madeKeys.length - 1]?.value : cred.value;
    if (!actor) return { ...base, outcome: 'failed', beforeContainment: false, detail: step.do === 'aws.use_role' ? `no session of role ${step.target} yet` : 'the attacker has made no key yet' };
    const key = aw.keys.get(actor);
    const sess = aw.sessions.get(actor);
    const username = sess ? 'attacker-session' : (key?.user ?? null);
    const role = step.target && aw.roles.get(step.target);
    const call = { 'aws.list_keys': ['ListAccessKeys', 'iam', true], 'aws.create_key': ['CreateAccessKey', 'iam', false], 'aws.assume_role': ['AssumeRole', 'sts', true], 'aws.use_role': ['RunInstances', 'ec2', false] }[step.do as 'aws.list_keys'] as [string, string, boolean];
    const resources = role ? [{ type: 'AWS::IAM::Role', name: role.arn }] : [];
    const record = (extra: Partial<TrailEvent>) => aw.record({ time: when.toISOString(), name: call[0], source: `${call[1]}.amazonaws.com`, username, accessKeyId: actor, readOnly: call[2], resources, ...extra });
    const live = sess ? aw.sessionLive(actor) : aw.keyLive(actor);
    const what = sess ? `the role session ${actor}` : `access key ${actor}`;
    if (!live) {
      if (sess || key?.status === 'Active') record({ errorCode: 'AccessDenied' });
      return { ...base, outcome: 'blocked', beforeContainment: false, detail: `${what} is dead or denied: the attempt failed` };
    }
    const ok = (detail: string): AdversaryRecord => ({ ...base, outcome: 'succeeded', beforeContainment: true, detail });
    const failed = (detail: string): AdversaryRecord => ({ ...base, outcome: 'failed', beforeContainment: true, detail });
    switch (step.do) {
      case 'aws.list_keys':
        record({ request: { userName: step.target ?? key?.user } });
        return ok(`listed the access keys of ${step.target ?? key?.user ?? cred.owner} with ${what}`);
      case 'aws.create_key': {
        const user = step.target ?? key?.user ?? cred.owner;
        try {
          const k = aw.createAccessKey(user);
          this.register(k.secret);
          const made = { service: 'aws' as const, value: k.id, owner: k.user };
          this.created.push({ ...made, n });
          record({ request: { userName: user }, response: { accessKey: { accessKeyId: k.id, userName: k.user, status: k.status, createDate: k.created.toISOString() } }, resources: [{ type: 'AWS::IAM::AccessKey', name: k.id }] });
          return { ...ok(`created access key ${k.id} for ${k.user} with ${what} (persistence)`), made };
        } catch (e) {
          const code = (e as { code?: string }).code ?? 'error';
          record({ errorCode: code });
          return failed(`CreateAccessKey refused (${code})`);
        }
      }
      case 'aws.assume_role': {
        if (!role) {
          record({ errorCode: 'AccessDenied' });
          return failed(`no role ${step.target} to assume`);
        }
        const s = aw.assumeRole(actor, role.name, when);
        const made = { service: 'aws-session' as const, value: s.id, owner: role.name };
        this.created.push({ ...made, n });
        record({ request: { roleArn: role.arn, roleSessionName: 'attacker-session' }, response: { credentials: { accessKeyId: s.id }, assumedRoleUser: { arn: `arn:aws:sts::${aw.account}:assumed-role/${role.name}/attacker-session` } } });
        return { ...ok(`assumed role ${role.name} with ${what}: session ${s.id} (persistence)`), made };
      }
      case 'aws.use_role':
        record({ request: { instanceType: 'p4d.24xlarge', minCount: 1, maxCount: 1 }, resources: [] });
        return ok(`launched an EC2 instance with ${what} of role ${step.target}`);
      default:
        return failed(`${step.do} is not an AWS action`);
    }
  }

  /** Attacker-created credentials that are still live (HF tokens, AWS keys, AWS role sessions). */
  persistence(): number {
    const aw = this.world.aws?.world;
    return this.created.filter((c) => (c.service === 'huggingface' ? this.world.hf?.isLive(c.value) : c.service === 'aws-session' ? aw?.sessionLive(c.value) : aw?.keyLive(c.value))).length;
  }
}
