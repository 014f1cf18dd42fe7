/**
 * The shared aws suite against moto_server — a real, independent AWS emulator. moto runs with
 * IAM authentication switched on (after bootstrapping an operator user), so unknown and
 * deleted keys are refused the way AWS refuses them. Without moto_server on PATH this file
 * fails in CI with a clear message and is skipped only when CI is unset.
 */
import { describe, expect, it } from 'vitest';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startMoto, motoAvailable, MOTO_MISSING } from '../helpers/moto.js';
import { newAccessKeyId, newSecretAccessKey } from '../../src/drill/simulators/aws/world.js';
import { describeAwsSuite, Harness, type AwsTarget, type SeededKey } from './aws.suite.js';

async function motoTarget(): Promise<AwsTarget> {
  const moto = await startMoto();
  const opts = (k: SeededKey) => ({ region: 'us-east-1', endpoint: moto.endpoint, maxAttempts: 1, credentials: { accessKeyId: k.id, secretAccessKey: k.secret } });
  const t: AwsTarget = {
    endpoint: moto.endpoint,
    operator: { id: '', secret: '' },
    async reset() {
      await moto.reset();
      await moto.api('reset-auth', 'inf'); // bootstrap without authentication …
      const boot = new IAMClient(opts({ id: newAccessKeyId(), secret: newSecretAccessKey() }));
      await boot.send(new CreateUserCommand({ UserName: 'runbook-operator' }));
      const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
      await boot.send(new PutUserPolicyCommand({ UserName: 'runbook-operator', PolicyName: 'admin', PolicyDocument: JSON.stringify(policy) }));
      const { AccessKey } = await boot.send(new CreateAccessKeyCommand({ UserName: 'runbook-operator' }));
      t.operator = { id: AccessKey!.AccessKeyId!, secret: AccessKey!.SecretAccessKey! };
      await moto.api('reset-auth', '0'); // … then every request must be signed by a known key
    },
    async seedUser(name, n = 1) {
      const iam = new IAMClient(opts(t.operator));
      await iam.send(new CreateUserCommand({ UserName: name }));
      const keys: SeededKey[] = [];
      for (let i = 0; i < n; i++) {
        const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
        keys.push({ id: AccessKey!.AccessKeyId!, secret: AccessKey!.SecretAccessKey! });
      }
      return keys;
    },
    async seedSecret(name, value) {
      await new SecretsManagerClient(opts(t.operator)).send(new CreateSecretCommand({ Name: name, SecretString: value }));
    },
    stop: () => moto.stop(),
  };
  return t;
}

if (!motoAvailable() && !process.env.CI) {
  describe.skip(`aws provider against moto_server — skipped locally: ${MOTO_MISSING}`, () => {
    it('needs moto_server', () => {});
  });
} else {
  describeAwsSuite('moto_server', motoTarget);

  describe('aws provider against moto_server: signatures', () => {
    it('calls a pair with the wrong secret dead (SignatureDoesNotMatch)', async () => {
      const t = await motoTarget();
      try {
        await t.reset();
        const h = new Harness(t);
        const [k] = await t.seedUser('alice', 1);
        const out = await h.run('verifyKey', { access_key_id: k!.id, secret_access_key: h.secret(newSecretAccessKey()) });
        expect(out).toMatchObject({ live: false, reason: expect.stringMatching(/SignatureDoesNotMatch/) });
      } finally {
        await t.stop();
      }
    });
  });
}
