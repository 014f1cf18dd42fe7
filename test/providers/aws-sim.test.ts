/**
 * The shared aws suite against our own simulator (src/drill/simulators/aws), plus what only
 * the simulator can do: inject throttling, 5xx and dropped connections, and refuse inactive
 * keys (moto accepts them; AWS does not).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import aws from '../../src/providers/aws/index.js';
import { setLoopbackOnly } from '../../src/core/http.js';
import { startAwsSimulator, throttle, type AwsSimulator } from '../../src/drill/simulators/aws/index.js';
import { describeAwsSuite, eachFresh, Harness, type AwsTarget } from './aws.suite.js';

function simTarget(sim: AwsSimulator): AwsTarget {
  const t: AwsTarget = {
    endpoint: sim.url,
    operator: { id: '', secret: '' },
    async reset() {
      sim.setFaults(undefined);
      sim.world.reset();
      const [op] = sim.world.seed({ users: [{ name: 'runbook-operator', keys: [{}] }] });
      t.operator = { id: op!.id, secret: op!.secret };
    },
    async seedUser(name, n = 1) {
      return sim.world.seed({ users: [{ name, keys: Array.from({ length: n }, () => ({})) }] }).map((k) => ({ id: k.id, secret: k.secret }));
    },
    async seedSecret(name, value) {
      sim.world.addSecret(name, value);
    },
    stop: () => sim.close(),
  };
  return t;
}

describeAwsSuite('our simulator', async () => simTarget(await startAwsSimulator()));

describe('aws provider against our simulator: faults and simulator-only behaviour', () => {
  let sim: AwsSimulator;
  let t: AwsTarget;
  let h: Harness;
  eachFresh(
    async () => {
      sim = await startAwsSimulator();
      return simTarget(sim);
    },
    (x, y) => {
      t = x;
      h = y;
    },
  );
  afterEach(() => setLoopbackOnly(false));

  it('maps IAM throttling to not-sent, makes a single attempt, and applies nothing', async () => {
    const [k] = await t.seedUser('alice', 2);
    sim.setFaults(throttle((op) => op === 'iam:DeleteAccessKey'));
    const err = await h.fails('deleteKey', { user_name: 'alice', access_key_id: k!.id });
    expect(err).toMatchObject({ failure: 'not-sent', code: 'Throttling', retryable: true });
    expect(err.message).toMatch(/throttled/);
    expect(sim.count('iam:DeleteAccessKey')).toBe(1);
    expect(sim.world.keysOf('alice')).toHaveLength(2);
  });

  it('maps Secrets Manager throttling to not-sent', async () => {
    sim.world.addSecret('app/key', 'old');
    sim.setFaults(throttle((op) => op.startsWith('secretsmanager:')));
    const err = await h.fails('putSecretValue', { secret_id: 'app/key', value: h.secret('new-value') });
    expect(err).toMatchObject({ failure: 'not-sent', code: 'ThrottlingException' });
    expect(sim.world.secret('app/key').versions).toHaveLength(1);
  });

  it('calls 5xx and a dropped connection ambiguous, and verify settles the doubt', async () => {
    const [k] = await t.seedUser('alice', 2);
    const ref = { user_name: 'alice', access_key_id: k!.id };
    sim.setFaults(({ op }) => (op === 'iam:UpdateAccessKey' ? { type: 'status', status: 500 } : undefined));
    expect(await h.fails('deactivateKey', ref)).toMatchObject({ failure: 'ambiguous', status: 500 });
    expect((await h.verify('deactivateKey', ref)).state).toBe('not-done');
    sim.setFaults(({ op }) => (op === 'iam:DeleteAccessKey' ? { type: 'ambiguous' } : undefined));
    expect(await h.fails('deleteKey', ref)).toMatchObject({ failure: 'ambiguous' });
    sim.setFaults(undefined);
    expect((await h.verify('deleteKey', ref)).state).toBe('done');
  });

  it('refuses inactive keys, so a deactivated leaked key verifies dead', async () => {
    const [k] = await t.seedUser('alice', 1);
    const pair = { access_key_id: k!.id, secret_access_key: h.secret(k!.secret) };
    expect((await h.run('verifyKey', pair)).arn).toBe(`arn:aws:iam::${sim.world.account}:user/alice`);
    await h.run('deactivateKey', { user_name: 'alice', access_key_id: k!.id });
    expect(await h.run('verifyKey', pair)).toMatchObject({ live: false, reason: expect.stringMatching(/InvalidClientTokenId/) });
  });

  it('seeds from a plain object, including the last use of a key', async () => {
    const [k] = sim.world.seed({ users: [{ name: 'dana', keys: [{ status: 'Inactive', created: '2024-05-01T00:00:00Z', last_used: { date: '2024-05-30T12:00:00Z', service: 's3', region: 'eu-west-1' } }] }] });
    expect(await h.run('keyLastUsed', { access_key_id: k!.id })).toEqual({ access_key_id: k!.id, user_name: 'dana', last_used_date: '2024-05-30T12:00:00.000Z', service_name: 's3', region: 'eu-west-1' });
    expect((await h.run('listAccessKeys', { user_name: 'dana' })).keys).toEqual([{ access_key_id: k!.id, status: 'Inactive', create_date: '2024-05-01T00:00:00.000Z' }]);
  });

  it('never touches AWSCompromisedKeyQuarantine: the only policy calls are Put*Policy of inline policies of its own', async () => {
    expect(Object.keys(aws.actions).sort()).toEqual(['createKey', 'deactivateKey', 'deleteKey', 'denyAll', 'guardDutyFindings', 'keyLastUsed', 'listAccessKeys', 'listUserCredentials', 'lookupEvents', 'putSecretValue', 'revokeRoleSessions', 'verifyKey']);
    const [old] = sim.world.seed({ users: [{ name: 'eve', keys: [{}], policies: ['AWSCompromisedKeyQuarantineV3'] }], roles: [{ name: 'eve-role' }] });
    const ref = { user_name: 'eve', access_key_id: old!.id };
    const from = sim.requests.length;
    await h.run('deactivateKey', ref);
    await h.run('createKey', { user_name: 'eve' });
    await h.run('deleteKey', ref);
    await h.run('denyAll', { user_name: 'eve' });
    await h.run('revokeRoleSessions', { role_name: 'eve-role' });
    expect(sim.world.user('eve').policies).toEqual(['AWSCompromisedKeyQuarantineV3']);
    expect([...sim.world.user('eve').inline.keys()]).toEqual(['RunbookIncidentDenyAll']);
    const ops = [...new Set(sim.requests.slice(from).map((r) => r.op))].sort();
    expect(ops).toEqual(['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys', 'iam:PutRolePolicy', 'iam:PutUserPolicy', 'iam:UpdateAccessKey']);
  });

  it('sends through the HTTP door: a drill refuses a non-loopback endpoint before sending', async () => {
    await t.seedUser('alice', 1);
    setLoopbackOnly(true);
    const before = sim.requests.length;
    const err = await new Harness(t, 'https://iam.amazonaws.com').fails('listAccessKeys', { user_name: 'alice' });
    expect(err).toMatchObject({ failure: 'definite', code: 'DRILL_OUTBOUND_REFUSED' });
    expect(sim.requests.length).toBe(before);
    expect((await h.run('listAccessKeys', { user_name: 'alice' })).keys).toHaveLength(1);
  });

  it('keeps the SDK silent: nothing on the console, no process warnings', async () => {
    const spies = [vi.spyOn(console, 'log'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'error'), vi.spyOn(console, 'info'), vi.spyOn(console, 'debug'), vi.spyOn(process, 'emitWarning')];
    try {
      await t.seedUser('alice', 2);
      await h.run('listAccessKeys', { user_name: 'alice' });
      await h.fails('createKey', { user_name: 'alice' });
      sim.setFaults(({ op }) => (op === 'iam:ListAccessKeys' ? { type: 'status', status: 502, body: '<html>bad gateway</html>' } : undefined));
      expect(await h.fails('listAccessKeys', { user_name: 'alice' })).toMatchObject({ failure: 'ambiguous', status: 502 });
      for (const s of spies) expect(s).not.toHaveBeenCalled();
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });
});
