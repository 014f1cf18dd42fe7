/**
 * The aws provider's shared test suite. It runs twice — against moto_server (an independent
 * AWS emulator) and against our own simulator — so "our simulator passes the same suite as
 * moto does" is checked, not claimed. Target-specific cases live in the two test files.
 */
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import aws from '../../src/providers/aws/index.js';
import { createActionContext, memoryLogger } from '../../src/providers/context.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { ProviderError } from '../../src/core/errors.js';
import { isSecret, type Secret } from '../../src/core/secrets/secret.js';
import type { Evidence } from '../../src/providers/sdk.js';
import { newAccessKeyId } from '../../src/drill/simulators/aws/world.js';

export interface SeededKey {
  id: string;
  secret: string;
}
export interface AwsTarget {
  endpoint: string;
  /** the operator's key pair (changes on reset) */
  operator: SeededKey;
  /** empty world plus a fresh operator */
  reset(): Promise<void>;
  seedUser(name: string, keys?: number): Promise<SeededKey[]>;
  seedSecret(name: string, value: string): Promise<void>;
  stop(): Promise<void>;
}

/** Drives the provider's actions the way the engine does: parsed input, a fresh context, parsed output. */
export class Harness {
  readonly registry = new SecretRegistry();
  readonly log = memoryLogger();
  readonly evidence: Evidence[] = [];
  constructor(
    readonly t: AwsTarget,
    readonly endpoint = t.endpoint,
  ) {}
  config() {
    return aws.config.parse({ endpoint: this.endpoint, access_key_id: this.registry.create(this.t.operator.id, 'secrets.aws_key_id'), secret_access_key: this.registry.create(this.t.operator.secret, 'secrets.aws_secret') });
  }
  ctx(action: string, item = '-') {
    return createActionContext({ type: 'aws', instance: 'aws', action, config: this.config(), secrets: this.registry, log: this.log, incident: { id: 'inc-1', stepId: action, itemKey: item }, onEvidence: (e) => this.evidence.push(e) });
  }
  secret(value: string, label = 'test value'): Secret {
    return this.registry.create(value, label);
  }
  async run(action: string, input: unknown, item?: string): Promise<any> {
    const def = aws.actions[action];
    if (!def) throw new Error(`no action ${action}`);
    const out = await def.run(this.ctx(action, item), def.input.parse(input));
    return def.output.parse(out);
  }
  async verify(action: string, input: unknown, output?: unknown, item?: string) {
    const def = aws.actions[action];
    if (!def?.verify) throw new Error(`no verify for ${action}`);
    return def.verify(this.ctx(action, item), def.input.parse(input), output);
  }
  /** Runs an action that must fail and returns its ProviderError. */
  async fails(action: string, input: unknown, item?: string): Promise<ProviderError> {
    const err = await this.run(action, input, item).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, `${action} should have failed`).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  /** The value of a secret read back with the plain SDK (not through the provider). */
  async readSecret(id: string, stage?: string): Promise<{ value?: string; version?: string }> {
    const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: this.t.endpoint, maxAttempts: 1, credentials: { accessKeyId: this.t.operator.id, secretAccessKey: this.t.operator.secret } });
    const out = await sm.send(new GetSecretValueCommand({ SecretId: id, VersionStage: stage }));
    return { value: out.SecretString, version: out.VersionId };
  }
}

/** Every text form of an error or value a user or a log could ever see. */
export function renderings(v: unknown): string[] {
  const e = v as Partial<ProviderError>;
  return [String(v), JSON.stringify(v) ?? '', inspect(v, { depth: 10, showHidden: true }), String(e?.message ?? ''), (e?.nextSteps ?? []).join('\n'), String(e?.stack ?? '')];
}

/** A loopback port nothing listens on (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/**
 * For the enclosing describe: starts the target once (stopped after its tests) and, before each
 * test, resets it and hands `use` the target and a fresh Harness on it.
 */
export function eachFresh<T extends AwsTarget>(start: () => Promise<T>, use: (t: T, h: Harness) => void): void {
  let t: T | undefined;
  beforeAll(async () => {
    t = await start();
  });
  afterAll(async () => t?.stop());
  beforeEach(async () => {
    await t!.reset();
    use(t!, new Harness(t!));
  });
}

export function describeAwsSuite(name: string, start: () => Promise<AwsTarget>): void {
  describe(`aws provider against ${name}`, () => {
    let t: AwsTarget;
    let h: Harness;
    eachFresh(start, (x, y) => {
      t = x;
      h = y;
    });

    it('lists a user’s access keys', async () => {
      const keys = await t.seedUser('alice', 2);
      const out = await h.run('listAccessKeys', { user_name: 'alice' });
      expect(out.user_name).toBe('alice');
      expect(out.keys.map((k: any) => k.access_key_id).sort()).toEqual(keys.map((k) => k.id).sort());
      for (const k of out.keys) {
        expect(k.status).toBe('Active');
        expect(Date.parse(k.create_date)).toBeGreaterThan(Date.now() - 120_000);
      }
    });

    it('reads the exposure window: never used, then used through STS', async () => {
      const [k] = await t.seedUser('alice', 1);
      const before = await h.run('keyLastUsed', { access_key_id: k!.id });
      expect(before).toMatchObject({ access_key_id: k!.id, user_name: 'alice', last_used_date: null, service_name: null, region: null });
      const started = Date.now() - 2_000;
      expect((await h.run('verifyKey', { access_key_id: k!.id, secret_access_key: h.secret(k!.secret) })).live).toBe(true);
      const after = await h.run('keyLastUsed', { access_key_id: k!.id });
      expect(after).toMatchObject({ user_name: 'alice', service_name: 'sts', region: 'us-east-1' });
      expect(Date.parse(after.last_used_date)).toBeGreaterThanOrEqual(started);
    });

    it('deactivates a key (idempotent) and verifies Inactive by listing', async () => {
      const [k, other] = await t.seedUser('alice', 2);
      const ref = { user_name: 'alice', access_key_id: k!.id };
      expect((await h.verify('deactivateKey', ref)).state).toBe('not-done');
      expect(await h.run('deactivateKey', ref)).toEqual({ ...ref, status: 'Inactive' });
      expect(await h.run('deactivateKey', ref)).toEqual({ ...ref, status: 'Inactive' });
      expect((await h.verify('deactivateKey', ref)).state).toBe('done');
      const listed = (await h.run('listAccessKeys', { user_name: 'alice' })).keys;
      expect(listed.find((x: any) => x.access_key_id === k!.id).status).toBe('Inactive');
      expect(listed.find((x: any) => x.access_key_id === other!.id).status).toBe('Active');
    });

    it('creates a key whose secret exists only inside a Secret', async () => {
      await t.seedUser('alice', 1);
      const out = await h.run('createKey', { user_name: 'alice' });
      expect(out.access_key_id).toMatch(/^AKIA[A-Z0-9]{16}$/);
      expect(isSecret(out.secret_access_key)).toBe(true);
      const raw = (out.secret_access_key as Secret).reveal();
      expect(raw).toMatch(/^[A-Za-z0-9+/]{40}$/);
      for (const text of [...renderings(out), ...h.log.lines, JSON.stringify(h.evidence)]) expect(text).not.toContain(raw);
      expect(h.registry.redactor.redact(`value=${raw}`)).not.toContain(raw);
      expect((await h.verify('createKey', { user_name: 'alice' }, out)).state).toBe('done');
      expect((await h.run('verifyKey', { access_key_id: out.access_key_id, secret_access_key: out.secret_access_key })).live).toBe(true);
    });

    it('refuses a third key with a message that says what to do', async () => {
      await t.seedUser('alice', 2);
      const err = await h.fails('createKey', { user_name: 'alice' });
      expect(err.failure).toBe('definite');
      expect(err.code).toMatch(/^LimitExceeded/);
      expect(err.message).toMatch(/already has 2 access keys.*delete or deactivate/);
      expect(err.nextSteps.join(' ')).toMatch(/deleteKey/);
      expect((await h.run('listAccessKeys', { user_name: 'alice' })).keys).toHaveLength(2);
    });

    it('deletes a key, confirms by listing, and is safe to repeat', async () => {
      const [k, other] = await t.seedUser('alice', 2);
      const ref = { user_name: 'alice', access_key_id: k!.id };
      expect(await h.run('deleteKey', ref)).toEqual({ ...ref, deleted: true, already_absent: false });
      const ids = (await h.run('listAccessKeys', { user_name: 'alice' })).keys.map((x: any) => x.access_key_id);
      expect(ids).toEqual([other!.id]);
      expect((await h.verify('deleteKey', ref)).state).toBe('done');
      expect(await h.run('deleteKey', ref)).toEqual({ ...ref, deleted: true, already_absent: true });
    });

    it('explains a wrong user name on delete instead of calling it done', async () => {
      const [k] = await t.seedUser('alice', 1);
      await t.seedUser('carol', 0);
      const missing = await h.fails('deleteKey', { user_name: 'bob', access_key_id: k!.id });
      expect(missing.failure).toBe('definite');
      expect(missing.message).toMatch(/IAM user 'bob' does not exist — access key \S+ belongs to user 'alice'/);
      const other = await h.fails('deleteKey', { user_name: 'carol', access_key_id: k!.id });
      expect(other.message).toMatch(/does not belong to user 'carol' — it belongs to 'alice'/);
      expect(other.nextSteps.join(' ')).toMatch(/user_name to 'alice'/);
      expect((await h.run('listAccessKeys', { user_name: 'alice' })).keys).toHaveLength(1);
      expect((await h.verify('deleteKey', { user_name: 'alice', access_key_id: k!.id })).state).toBe('not-done');
    });

    it('tells a live key from a dead one (after delete)', async () => {
      const [k] = await t.seedUser('alice', 1);
      const pair = { access_key_id: k!.id, secret_access_key: h.secret(k!.secret) };
      const live = await h.run('verifyKey', pair);
      expect(live).toMatchObject({ live: true, arn: expect.stringMatching(/:user\/alice$/) });
      await h.run('deleteKey', { user_name: 'alice', access_key_id: k!.id });
      const dead = await h.run('verifyKey', pair);
      expect(dead).toMatchObject({ live: false, arn: null });
      expect(dead.reason).toMatch(/InvalidClientTokenId/);
    });

    it('stores a rotated value in Secrets Manager, idempotently', async () => {
      await t.seedSecret('app/aws-key', 'old-value');
      await t.seedUser('alice', 1);
      const created = await h.run('createKey', { user_name: 'alice' });
      const input = { secret_id: 'app/aws-key', value: created.secret_access_key };
      const first = await h.run('putSecretValue', input, 'alice');
      expect(first.name).toBe('app/aws-key');
      expect(first.version_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const again = await h.run('putSecretValue', input, 'alice');
      expect(again.version_id).toBe(first.version_id);
      const current = await h.readSecret('app/aws-key');
      expect(current).toEqual({ value: (created.secret_access_key as Secret).reveal(), version: first.version_id });
      expect((await h.readSecret('app/aws-key', 'AWSPREVIOUS')).value).toBe('old-value');
      expect((await h.verify('putSecretValue', input, first, 'alice')).state).toBe('done');
      expect((await h.verify('putSecretValue', input, undefined, 'someone-else')).state).toBe('not-done');
      const changed = await h.fails('putSecretValue', { secret_id: 'app/aws-key', value: h.secret('a-different-value') }, 'alice');
      expect(changed.message).toMatch(/already stored a different value/);
      const nowhere = await h.fails('putSecretValue', { secret_id: 'app/missing', value: h.secret('x-value') });
      expect(nowhere.failure).toBe('definite');
      expect(nowhere.message).toMatch(/secret 'app\/missing' does not exist/);
    });

    it('canary: no secret reaches an error, a log line or evidence', async () => {
      await t.seedSecret('app/aws-key', 'old-value');
      const [k] = await t.seedUser('alice', 1);
      const created = await h.run('createKey', { user_name: 'alice' });
      const newSecret = (created.secret_access_key as Secret).reveal();
      const errors: unknown[] = [];
      errors.push(await h.fails('createKey', { user_name: 'alice' }));
      errors.push(await h.fails('deleteKey', { user_name: 'bob', access_key_id: created.access_key_id }));
      errors.push(await h.fails('putSecretValue', { secret_id: 'app/missing', value: created.secret_access_key }));
      const refused = new Harness({ ...t, operator: { id: newAccessKeyId(), secret: newSecret } });
      errors.push(await refused.fails('listAccessKeys', { user_name: 'alice' }));
      expect((errors[3] as ProviderError).message).toMatch(/refused the operator credentials \(InvalidClientTokenId\)/);
      const closed = new Harness(t, `http://127.0.0.1:${await closedPort()}`);
      errors.push(await closed.fails('createKey', { user_name: 'alice' }));
      expect(errors.map((e) => (e as ProviderError).failure)).toEqual(['definite', 'definite', 'definite', 'definite', 'not-sent']);
      const secrets = [newSecret, t.operator.secret, k!.secret];
      const texts = [...errors.flatMap(renderings), ...h.log.lines, ...refused.log.lines, JSON.stringify(h.evidence), JSON.stringify(created), inspect(created, { depth: 10, showHidden: true })];
      for (const text of texts) for (const s of secrets) expect(text).not.toContain(s);
    });
  });
}
