/**
 * The state of the simulated AWS account: IAM users with access keys (status, last use), inline
 * policies, login profiles and MFA devices; IAM roles with inline policies and the sessions
 * assumed from them; Secrets Manager secrets with versions and stages; the CloudTrail event
 * history (every action the drill's attacker takes is recorded there, as AWS would); GuardDuty
 * findings. Plain methods that throw `AwsSimError` with AWS's error codes; the wire protocols
 * live in ./wire.ts.
 *
 * Policy evaluation is the one rule containment needs: an inline statement `Effect: Deny,
 * Action: *, Resource: *` denies every request of the user or role — unless it carries a
 * `DateLessThan: {aws:TokenIssueTime: T}` condition, which denies only sessions issued before T
 * (AWS's AWSRevokeOlderSessions). Any other statement or condition is kept but not evaluated.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export class AwsSimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface LastUse {
  date: Date;
  service: string;
  region: string;
}
export interface SimKey {
  id: string;
  secret: string;
  user: string;
  status: 'Active' | 'Inactive';
  created: Date;
  lastUsed?: LastUse;
}
export interface SimUser {
  name: string;
  id: string;
  arn: string;
  /** attached managed policy names (e.g. AWSCompromisedKeyQuarantineV3); nothing here removes them */
  policies: string[];
  /** inline policies: name → document (JSON text) */
  inline: Map<string, string>;
  loginProfile?: { created: Date };
  mfa: { serial: string; enabled: Date }[];
}
export interface SimRole {
  name: string;
  id: string;
  arn: string;
  inline: Map<string, string>;
}
/** Temporary credentials from sts:AssumeRole (ASIA…); `n`: the n-th session of the world */
export interface SimSession {
  n: number;
  id: string;
  role: string;
  issued: Date;
  /** the access key that assumed the role */
  source: string;
}
/** A CloudTrail management event (no secret in it: AWS leaves secret access keys out, and so do we with session tokens). */
export interface TrailEvent {
  id: string;
  time: string;
  name: string;
  source: string;
  username: string | null;
  accessKeyId: string | null;
  readOnly: boolean;
  errorCode?: string;
  resources: { type: string; name: string }[];
  request?: Record<string, unknown>;
  response?: Record<string, unknown>;
}
export interface SimFinding {
  id: string;
  type: string;
  severity: number;
  title: string;
  accessKeyId: string;
  userName: string;
  first: string;
  last: string;
  count: number;
}
export interface SimSecretVersion {
  id: string;
  value: string;
  stages: string[];
  created: Date;
}
export interface SimSecret {
  name: string;
  arn: string;
  versions: SimSecretVersion[];
}

export interface SeedKey {
  id?: string;
  secret?: string;
  status?: 'Active' | 'Inactive';
  created?: string;
  last_used?: { date: string; service: string; region: string };
}
/** A world described as a plain object (scenario files, tests). */
export interface AwsSeed {
  account?: string;
  region?: string;
  users?: Array<{ name: string; keys?: SeedKey[]; policies?: string[]; login_profile?: boolean; mfa_devices?: number }>;
  roles?: Array<{ name: string }>;
  secrets?: Array<{ name: string; value?: string }>;
  /** GuardDuty findings about an access key (by id) */
  findings?: Array<{ access_key_id: string; type: string; severity?: number; title?: string; count?: number; first_seen?: string }>;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function randomFrom(alphabet: string, n: number): string {
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}
/** AKIA + 16 [A-Z2-7] */
export const newAccessKeyId = (prefix = 'AKIA') => prefix + randomFrom(B32, 16);
/** 40 [A-Za-z0-9+/] */
export const newSecretAccessKey = () => randomFrom(B64, 40);

export const KEYS_PER_USER = 2;

export class AwsWorld {
  account = '123456789012';
  region = 'us-east-1';
  readonly users = new Map<string, SimUser>();
  readonly keys = new Map<string, SimKey>();
  readonly secrets = new Map<string, SimSecret>();
  readonly roles = new Map<string, SimRole>();
  readonly sessions = new Map<string, SimSession>();
  /** CloudTrail event history, oldest first */
  readonly trail: TrailEvent[] = [];
  readonly findings: SimFinding[] = [];
  readonly detectorId = 'd0c1a5e0b5e7f1e2a3b4c5d6e7f80912';
  /** makes the id of the n-th session (a drill derives it from its seed) */
  sessionMaker: ((n: number) => string) | undefined;
  /** how many keys CreateAccessKey made so far */
  created = 0;
  /** makes the id and secret of the n-th created key (a drill derives them from its seed, so a resumed world makes the same ones) */
  keyMaker: ((n: number) => { id: string; secret: string }) | undefined;
  /** the world's time now (a drill: its epoch + the drill clock, as `now()` in expressions); default real time */
  now: () => Date = () => new Date();

  constructor(seed?: AwsSeed) {
    if (seed) this.seed(seed);
  }

  /** Forget everything (moto's /moto-api/reset). */
  reset(): void {
    this.users.clear();
    this.keys.clear();
    this.secrets.clear();
    this.roles.clear();
    this.sessions.clear();
    this.trail.length = 0;
    this.findings.length = 0;
  }

  /** Add users, keys and secrets; returns the keys that were created (with their secrets). */
  seed(s: AwsSeed): SimKey[] {
    if (s.account) this.account = s.account;
    if (s.region) this.region = s.region;
    const made: SimKey[] = [];
    for (const u of s.users ?? []) {
      const user = this.addUser(u.name, u.policies);
      if (u.login_profile) user.loginProfile = { created: new Date() };
      for (let i = 1; i <= (u.mfa_devices ?? 0); i++) user.mfa.push({ serial: `arn:aws:iam::${this.account}:mfa/${u.name}-${i}`, enabled: new Date() });
      for (const k of u.keys ?? []) made.push(this.addKey(u.name, k));
    }
    for (const r of s.roles ?? []) this.addRole(r.name);
    for (const sec of s.secrets ?? []) this.addSecret(sec.name, sec.value);
    for (const f of s.findings ?? []) {
      const owner = this.keys.get(f.access_key_id)?.user ?? 'unknown';
      const first = f.first_seen ?? new Date().toISOString();
      this.findings.push({
        id: randomBytes(16).toString('hex'),
        type: f.type,
        severity: f.severity ?? 5,
        title: f.title ?? `${f.type} with access key ${f.access_key_id}`,
        accessKeyId: f.access_key_id,
        userName: owner,
        first,
        last: first,
        count: f.count ?? 1,
      });
    }
    return made;
  }

  addRole(name: string): SimRole {
    if (this.roles.has(name)) throw new AwsSimError('EntityAlreadyExists', `Role with name ${name} already exists.`, 409);
    const role = { name, id: `AROA${randomFrom(B32, 17)}`, arn: `arn:aws:iam::${this.account}:role/${name}`, inline: new Map<string, string>() };
    this.roles.set(name, role);
    return role;
  }

  role(name: string): SimRole {
    const r = this.roles.get(name);
    if (!r) throw new AwsSimError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
    return r;
  }

  // ── inline policies, login profiles, MFA ──────────────────────────────────
  #holder(kind: 'user' | 'role', name: string): SimUser | SimRole {
    return kind === 'user' ? this.user(name) : this.role(name);
  }
  putPolicy(kind: 'user' | 'role', name: string, policyName: string, doc: string): void {
    const h = this.#holder(kind, name);
    try {
      const parsed = JSON.parse(doc) as { Statement?: unknown };
      if (!parsed || typeof parsed !== 'object' || parsed.Statement === undefined) throw new Error('no Statement');
    } catch {
      throw new AwsSimError('MalformedPolicyDocument', 'Syntax errors in policy.', 400);
    }
    h.inline.set(policyName, doc);
  }
  getPolicy(kind: 'user' | 'role', name: string, policyName: string): string {
    const doc = this.#holder(kind, name).inline.get(policyName);
    if (doc === undefined) throw new AwsSimError('NoSuchEntity', `The ${kind} policy with name ${policyName} cannot be found.`, 404);
    return doc;
  }
  listPolicies(kind: 'user' | 'role', name: string): string[] {
    return [...this.#holder(kind, name).inline.keys()].sort();
  }
  getLoginProfile(userName: string): { created: Date } {
    const p = this.user(userName).loginProfile;
    if (!p) throw new AwsSimError('NoSuchEntity', `Login profile for ${userName} not found`, 404);
    return p;
  }

  /** Does an inline deny-all of this user or role apply to a request (made with a session issued at `issued`)? */
  denied(kind: 'user' | 'role', name: string, issued?: Date): boolean {
    const h = kind === 'user' ? this.users.get(name) : this.roles.get(name);
    if (!h) return true;
    for (const doc of h.inline.values()) if (denyApplies(doc, issued)) return true;
    return false;
  }
  /** An access key works: it exists, is Active, and no deny-all of its user applies. */
  keyLive(id: string): boolean {
    const k = this.keys.get(id);
    return !!k && k.status === 'Active' && !this.denied('user', k.user);
  }
  /** A role session works: its role exists and no deny-all (or revocation of older sessions) applies. */
  sessionLive(id: string): boolean {
    const s = this.sessions.get(id);
    return !!s && !this.denied('role', s.role, s.issued);
  }

  /** sts:AssumeRole with an access key (the attacker's path to a role; the simulator does not serve it over HTTP). */
  assumeRole(keyId: string, roleName: string, at = this.now()): SimSession {
    const role = this.role(roleName);
    const n = this.sessions.size + 1;
    const id = this.sessionMaker?.(n) ?? newAccessKeyId('ASIA');
    const s: SimSession = { n, id, role: role.name, issued: at, source: keyId };
    this.sessions.set(id, s);
    return s;
  }

  // ── CloudTrail ────────────────────────────────────────────────────────────
  /** Record a management event (the attacker's actions; AWS records them whether or not they succeed). */
  record(e: Omit<TrailEvent, 'id' | 'time'> & { time?: string }): TrailEvent {
    const ev: TrailEvent = { id: randomUUID(), time: e.time ?? this.now().toISOString(), ...e };
    this.trail.push(ev);
    return ev;
  }
  /** LookupEvents: one attribute, newest first, within [start, end]. */
  lookupEvents(attr: { key: string; value: string } | undefined, start?: Date, end?: Date): TrailEvent[] {
    const match = (e: TrailEvent): boolean => {
      if (!attr) return true;
      switch (attr.key) {
        case 'AccessKeyId':
          return e.accessKeyId === attr.value;
        case 'Username':
          return e.username === attr.value;
        case 'EventName':
          return e.name === attr.value;
        case 'EventSource':
          return e.source === attr.value;
        case 'ReadOnly':
          return String(e.readOnly) === attr.value;
        case 'ResourceName':
          return e.resources.some((r) => r.name === attr.value);
        case 'ResourceType':
          return e.resources.some((r) => r.type === attr.value);
        case 'EventId':
          return e.id === attr.value;
        default:
          throw new AwsSimError('InvalidLookupAttributesException', `Unsupported lookup attribute ${attr.key}.`, 400);
      }
    };
    const t = (e: TrailEvent) => Date.parse(e.time);
    return this.trail.filter((e) => match(e) && (!start || t(e) >= start.getTime()) && (!end || t(e) <= end.getTime())).reverse();
  }

  addUser(name: string, policies: string[] = []): SimUser {
    if (this.users.has(name)) throw new AwsSimError('EntityAlreadyExists', `User with name ${name} already exists.`, 409);
    const user: SimUser = { name, id: `AIDA${randomFrom(B32, 17)}`, arn: `arn:aws:iam::${this.account}:user/${name}`, policies: [...policies], inline: new Map(), mfa: [] };
    this.users.set(name, user);
    return user;
  }

  addKey(userName: string, k: SeedKey = {}): SimKey {
    const user = this.user(userName);
    if (this.keysOf(user.name).length >= KEYS_PER_USER) throw new AwsSimError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`, 409);
    const key: SimKey = {
      id: k.id ?? newAccessKeyId(),
      secret: k.secret ?? newSecretAccessKey(),
      user: user.name,
      status: k.status ?? 'Active',
      created: k.created ? new Date(k.created) : this.now(),
      ...(k.last_used ? { lastUsed: { date: new Date(k.last_used.date), service: k.last_used.service, region: k.last_used.region } } : {}),
    };
    this.keys.set(key.id, key);
    return key;
  }

  addSecret(name: string, value?: string): SimSecret {
    const secret: SimSecret = { name, arn: `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${randomFrom(B64.slice(0, 62), 6)}`, versions: [] };
    this.secrets.set(name, secret);
    if (value !== undefined) this.putSecretValue(name, value);
    return secret;
  }

  user(name: string): SimUser {
    const u = this.users.get(name);
    if (!u) throw new AwsSimError('NoSuchEntity', `The user with name ${name} cannot be found.`, 404);
    return u;
  }

  keysOf(userName: string): SimKey[] {
    return [...this.keys.values()].filter((k) => k.user === userName);
  }

  /** The key a request was signed with; unknown, deleted and inactive keys are refused. Records the use (a denied user's key is returned: the caller is told AccessDenied). */
  authenticate(keyId: string | undefined, use: Omit<LastUse, 'date'>): SimKey | undefined {
    const key = keyId ? this.keys.get(keyId) : undefined;
    if (!key || key.status !== 'Active') return undefined;
    key.lastUsed = { date: this.now(), ...use };
    return key;
  }

  // ── IAM ───────────────────────────────────────────────────────────────────
  private keyOf(userName: string, keyId: string): SimKey {
    this.user(userName);
    const key = this.keys.get(keyId);
    if (!key || key.user !== userName) throw new AwsSimError('NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`, 404);
    return key;
  }
  listAccessKeys(userName: string): SimKey[] {
    return this.keysOf(this.user(userName).name);
  }
  getAccessKeyLastUsed(keyId: string): SimKey {
    const key = this.keys.get(keyId);
    if (!key) throw new AwsSimError('NoSuchEntity', `The Access Key with id ${keyId} cannot be found`, 404);
    return key;
  }
  updateAccessKey(userName: string, keyId: string, status: string): void {
    if (status !== 'Active' && status !== 'Inactive') throw new AwsSimError('ValidationError', `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`, 400);
    this.keyOf(userName, keyId).status = status;
  }
  createAccessKey(userName: string): SimKey {
    this.user(userName);
    if (this.keysOf(userName).length >= KEYS_PER_USER) return this.addKey(userName);
    const made = this.keyMaker?.(++this.created);
    return this.addKey(userName, made ?? {});
  }
  deleteAccessKey(userName: string, keyId: string): void {
    this.keys.delete(this.keyOf(userName, keyId).id);
  }

  // ── Secrets Manager ───────────────────────────────────────────────────────
  secret(id: string): SimSecret {
    const s = this.secrets.get(id) ?? [...this.secrets.values()].find((x) => x.arn === id);
    if (!s) throw new AwsSimError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400);
    return s;
  }
  /** New version, AWSCURRENT; the old current becomes AWSPREVIOUS. Same token + same value = same version. */
  putSecretValue(id: string, value: string, token?: string): { secret: SimSecret; version: SimSecretVersion } {
    const secret = this.secret(id);
    if (token !== undefined && (token.length < 32 || token.length > 64)) throw new AwsSimError('ValidationException', 'ClientRequestToken must be 32 to 64 characters long.', 400);
    const existing = token ? secret.versions.find((v) => v.id === token) : undefined;
    if (existing) {
      if (existing.value !== value) throw new AwsSimError('ResourceExistsException', `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`, 400);
      return { secret, version: existing };
    }
    for (const v of secret.versions) v.stages = v.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : v.stages.filter((s) => s !== 'AWSPREVIOUS' && s !== 'AWSCURRENT');
    const version = { id: token ?? randomUUID(), value, stages: ['AWSCURRENT'], created: this.now() };
    secret.versions.push(version);
    return { secret, version };
  }
  getSecretValue(id: string, versionId?: string, stage?: string): { secret: SimSecret; version: SimSecretVersion } {
    const secret = this.secret(id);
    const version = versionId ? secret.versions.find((v) => v.id === versionId) : secret.versions.find((v) => v.stages.includes(stage ?? 'AWSCURRENT'));
    if (!version || (stage && !version.stages.includes(stage))) throw new AwsSimError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for the given version or stage.", 400);
    return { secret, version };
  }

  /** A plain description of the world for scorecards and assertions (no secret values). */
  snapshot() {
    return {
      roles: [...this.roles.values()].map((r) => ({ name: r.name, inline: [...r.inline.keys()] })),
      trail: this.trail.map((e) => `${e.name} by ${e.accessKeyId ?? e.username ?? '?'}${e.errorCode ? ` (${e.errorCode})` : ''}`),
      users: [...this.users.values()].map((u) => ({ name: u.name, policies: [...u.policies], inline: [...u.inline.keys()], keys: this.keysOf(u.name).map((k) => ({ id: k.id, status: k.status, last_used: k.lastUsed?.date.toISOString() ?? null })) })),
      secrets: [...this.secrets.values()].map((s) => ({ name: s.name, versions: s.versions.map((v) => ({ id: v.id, stages: [...v.stages] })) })),
    };
  }
}

/** Is `doc` a deny-all statement that applies to a request made with a session issued at `issued` (none: long-term key)? */
export function denyApplies(doc: string, issued?: Date): boolean {
  let parsed: { Statement?: unknown };
  try {
    parsed = JSON.parse(doc) as { Statement?: unknown };
  } catch {
    return false;
  }
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
  for (const st of list(parsed.Statement) as Array<Record<string, unknown>>) {
    if (!st || st.Effect !== 'Deny' || !list(st.Action).includes('*') || !list(st.Resource).includes('*')) continue;
    const cond = st.Condition as Record<string, Record<string, unknown>> | undefined;
    if (!cond || !Object.keys(cond).length) return true;
    const keys = Object.keys(cond);
    const before = cond.DateLessThan?.['aws:TokenIssueTime'];
    if (keys.length === 1 && keys[0] === 'DateLessThan' && typeof before === 'string') {
      // long-term keys carry no token issue time: the condition does not match them
      if (issued && issued.getTime() < Date.parse(before)) return true;
    }
  }
  return false;
}
