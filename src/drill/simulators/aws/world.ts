/**
 * The state of the simulated AWS account: IAM users with access keys (status, last use),
 * Secrets Manager secrets with versions and stages. Plain methods that throw `AwsSimError`
 * with AWS's error codes; the wire protocols live in ./wire.ts.
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
  users?: Array<{ name: string; keys?: SeedKey[]; policies?: string[] }>;
  secrets?: Array<{ name: string; value?: string }>;
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
  /** how many keys CreateAccessKey made so far */
  created = 0;
  /** makes the id and secret of the n-th created key (a drill derives them from its seed, so a resumed world makes the same ones) */
  keyMaker: ((n: number) => { id: string; secret: string }) | undefined;

  constructor(seed?: AwsSeed) {
    if (seed) this.seed(seed);
  }

  /** Forget everything (moto's /moto-api/reset). */
  reset(): void {
    this.users.clear();
    this.keys.clear();
    this.secrets.clear();
  }

  /** Add users, keys and secrets; returns the keys that were created (with their secrets). */
  seed(s: AwsSeed): SimKey[] {
    if (s.account) this.account = s.account;
    if (s.region) this.region = s.region;
    const made: SimKey[] = [];
    for (const u of s.users ?? []) {
      this.addUser(u.name, u.policies);
      for (const k of u.keys ?? []) made.push(this.addKey(u.name, k));
    }
    for (const sec of s.secrets ?? []) this.addSecret(sec.name, sec.value);
    return made;
  }

  addUser(name: string, policies: string[] = []): SimUser {
    if (this.users.has(name)) throw new AwsSimError('EntityAlreadyExists', `User with name ${name} already exists.`, 409);
    const user = { name, id: `AIDA${randomFrom(B32, 17)}`, arn: `arn:aws:iam::${this.account}:user/${name}`, policies: [...policies] };
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
      created: k.created ? new Date(k.created) : new Date(),
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

  /** The key a request was signed with; unknown, deleted and inactive keys are refused. Records the use. */
  authenticate(keyId: string | undefined, use: Omit<LastUse, 'date'>): SimKey | undefined {
    const key = keyId ? this.keys.get(keyId) : undefined;
    if (!key || key.status !== 'Active') return undefined;
    key.lastUsed = { date: new Date(), ...use };
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
    const version = { id: token ?? randomUUID(), value, stages: ['AWSCURRENT'], created: new Date() };
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
      users: [...this.users.values()].map((u) => ({ name: u.name, policies: [...u.policies], keys: this.keysOf(u.name).map((k) => ({ id: k.id, status: k.status, last_used: k.lastUsed?.date.toISOString() ?? null })) })),
      secrets: [...this.secrets.values()].map((s) => ({ name: s.name, versions: s.versions.map((v) => ({ id: v.id, stages: [...v.stages] })) })),
    };
  }
}
