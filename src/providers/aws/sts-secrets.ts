/**
 * verifyKey (STS GetCallerIdentity signed with the leaked pair: live or dead) and
 * putSecretValue (Secrets Manager; idempotent through a ClientRequestToken derived from the
 * item's idempotency key).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import { defineAction, secretField, type ActionContext } from '../sdk.js';
import { awsError, awsErrorInfo, call, isAwsError } from './errors.js';
import { AccessKeyId } from './iam.js';
import { loadSecretsManager, loadSts, smClient, stsClient, type AwsConfig } from './transport.js';

type Ctx = ActionContext<AwsConfig>;

/** AWS's answers that mean "this key pair does not work". */
const DEAD = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'AuthFailure']);

export const verifyKey = defineAction({
  kind: 'detect',
  description: 'Is a (leaked) access key pair live? STS GetCallerIdentity signed with that pair; a refusal means dead.',
  input: z.strictObject({
    access_key_id: AccessKeyId,
    secret_access_key: secretField('the secret access key of the pair to check, as a secret reference'),
    session_token: secretField().optional(),
  }),
  output: z.object({ access_key_id: z.string(), live: z.boolean(), arn: z.string().nullable(), account: z.string().nullable(), reason: z.string() }),
  idempotent: true,
  plan: (_ctx, i) => [`sts GetCallerIdentity signed with access key ${i.access_key_id} (live or dead)`],
  async run(ctx: Ctx, i) {
    const doing = `checking whether access key ${i.access_key_id} is live`;
    const sts = await stsClient(ctx, { accessKeyId: i.access_key_id, secretAccessKey: i.secret_access_key.reveal(), sessionToken: i.session_token?.reveal() });
    const { GetCallerIdentityCommand } = await loadSts();
    try {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      ctx.evidence({ httpStatus: out.$metadata.httpStatusCode, requestId: out.$metadata.requestId, detail: 'live' });
      return { access_key_id: i.access_key_id, live: true, arn: out.Arn ?? null, account: out.Account ?? null, reason: 'GetCallerIdentity answered: the key works' };
    } catch (e) {
      if (!(e instanceof ProviderError)) {
        const info = awsErrorInfo(e);
        if (DEAD.has(info.name)) {
          ctx.evidence({ httpStatus: info.status, requestId: info.requestId, detail: `dead: ${info.name}` });
          return { access_key_id: i.access_key_id, live: false, arn: null, account: null, reason: `AWS refused the key pair (${info.name})` };
        }
        if (info.name === 'AccessDenied' || info.name === 'AccessDeniedException')
          return { access_key_id: i.access_key_id, live: true, arn: null, account: null, reason: 'AWS authenticated the key but denied the call: the key works' };
      }
      const hide = [i.secret_access_key.reveal(), i.session_token?.reveal() ?? '', ctx.config.secret_access_key.reveal()];
      throw awsError(ctx as ActionContext<unknown>, e, { doing, hide });
    }
  },
});

/** A UUID-shaped token derived from the idempotency key: the same item always sends the same token. */
export function clientRequestToken(idempotencyKey: string): string {
  const h = createHash('sha256').update(`runbook/aws/putSecretValue\0${idempotencyKey}`).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const PutInput = z.strictObject({
  /** the secret's name or ARN; it must exist (this action only adds versions) */
  secret_id: z.string().min(1).max(2048),
  value: secretField('the new value as a secret (e.g. the output of createKey)'),
});

export const putSecretValue = defineAction({
  kind: 'rotate',
  description: 'Store a new value in an existing Secrets Manager secret (becomes AWSCURRENT); safe to repeat.',
  input: PutInput,
  output: z.object({ arn: z.string().nullable(), name: z.string().nullable(), version_id: z.string() }),
  idempotent: true,
  plan: (ctx, i) => [`secretsmanager PutSecretValue SecretId=${i.secret_id} ClientRequestToken=${clientRequestToken(ctx.idempotencyKey)} (value: ${i.value.label})`],
  async run(ctx: Ctx, i) {
    const token = clientRequestToken(ctx.idempotencyKey);
    const sm = await smClient(ctx);
    const { PutSecretValueCommand } = await loadSecretsManager();
    const out = await call(
      ctx,
      {
        doing: `storing a new value in secret ${i.secret_id}`,
        hide: [i.value.reveal()],
        messages: {
          ResourceNotFoundException: `secret '${i.secret_id}' does not exist in ${ctx.config.region} — create it first (this action only adds versions)`,
          ResourceExistsException: `this step already stored a different value under its request token ${token}; a new value needs a new step or item`,
        },
      },
      () => sm.send(new PutSecretValueCommand({ SecretId: i.secret_id, SecretString: i.value.reveal(), ClientRequestToken: token })),
    );
    return { arn: out.ARN ?? null, name: out.Name ?? null, version_id: out.VersionId ?? token };
  },
  async verify(ctx: Ctx, i) {
    const token = clientRequestToken(ctx.idempotencyKey);
    const sm = await smClient(ctx);
    const { GetSecretValueCommand } = await loadSecretsManager();
    try {
      const out = await call(ctx, { doing: `reading back secret ${i.secret_id}`, hide: [i.value.reveal()] }, () => sm.send(new GetSecretValueCommand({ SecretId: i.secret_id, VersionId: token })));
      return out.SecretString === i.value.reveal() ? { state: 'done', detail: `version ${token} holds the value` } : { state: 'not-done', detail: `version ${token} holds another value` };
    } catch (e) {
      if (isAwsError(e, 'ResourceNotFoundException')) return { state: 'not-done', detail: `no version ${token} in secret ${i.secret_id}` };
      throw e;
    }
  },
});
