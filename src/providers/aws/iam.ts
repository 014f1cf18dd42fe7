/**
 * IAM access-key actions: list, last used (the exposure window), deactivate (contain first,
 * reversible), create (the new secret is a Secret from birth), delete (verified by listing).
 */
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import { defineAction, SecretOut, type ActionContext } from '../sdk.js';
import type { Secret } from '../../core/secrets/secret.js';
import { call, isAwsError } from './errors.js';
import { iamClient, loadIam, type AwsConfig } from './transport.js';

type Ctx = ActionContext<AwsConfig>;
const NO_SUCH = ['NoSuchEntity'];

export const UserName = z.string().min(1).max(64).regex(/^[\w+=,.@-]+$/, 'must be an IAM user name');
export const AccessKeyId = z.string().regex(/^(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}$/, 'must be an access key id (AKIA… plus 16 characters)');
const KeyRef = z.strictObject({ user_name: UserName, access_key_id: AccessKeyId });
type KeyRef = z.infer<typeof KeyRef>;

const KeyMeta = z.object({ access_key_id: z.string(), status: z.string(), create_date: z.string().nullable() });
type KeyMeta = z.infer<typeof KeyMeta>;

/** All access keys of a user (follows pagination). */
export async function listKeys(ctx: Ctx, user: string): Promise<KeyMeta[]> {
  const iam = await iamClient(ctx);
  const { ListAccessKeysCommand } = await loadIam();
  const keys: KeyMeta[] = [];
  let marker: string | undefined;
  do {
    const doing = `listing the access keys of IAM user ${user}`;
    const out = await call(ctx, { doing, messages: { NoSuchEntityException: `IAM user '${user}' does not exist in this account` } }, () => iam.send(new ListAccessKeysCommand({ UserName: user, Marker: marker })));
    for (const k of out.AccessKeyMetadata ?? []) keys.push({ access_key_id: k.AccessKeyId ?? '', status: k.Status ?? 'unknown', create_date: k.CreateDate?.toISOString() ?? null });
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return keys;
}

/** Who owns a key (GetAccessKeyLastUsed names the user); `null` when no such key exists in the account. */
async function ownerOf(ctx: Ctx, keyId: string): Promise<string | null> {
  const iam = await iamClient(ctx);
  const { GetAccessKeyLastUsedCommand } = await loadIam();
  try {
    const out = await call(ctx, { doing: `looking up access key ${keyId}` }, () => iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId })));
    return out.UserName ?? null;
  } catch (e) {
    if (isAwsError(e, ...NO_SUCH)) return null;
    throw e;
  }
}

/**
 * IAM said NoSuchEntity for (user, key): a wrong user name, or a key that is gone. Lists that
 * user's keys and asks who owns the key. Returns 'absent' when the key exists nowhere.
 */
async function diagnose(ctx: Ctx, ref: KeyRef, doing: string, original: unknown): Promise<'absent'> {
  const fail = (message: string, nextSteps: string[]) => new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${doing}: ${message}`, code: 'NoSuchEntityException', failure: 'definite', nextSteps });
  let keys: KeyMeta[];
  try {
    keys = await listKeys(ctx, ref.user_name);
  } catch (e) {
    if (!isAwsError(e, ...NO_SUCH)) throw e;
    const owner = await ownerOf(ctx, ref.access_key_id);
    throw fail(`IAM user '${ref.user_name}' does not exist${owner ? ` — access key ${ref.access_key_id} belongs to user '${owner}'` : ''}`, [
      owner ? `Set user_name to '${owner}' and run the step again.` : 'Check user_name (IAM user names are case-sensitive) and run the step again.',
    ]);
  }
  if (keys.some((k) => k.access_key_id === ref.access_key_id)) throw original;
  const owner = await ownerOf(ctx, ref.access_key_id);
  if (owner) throw fail(`access key ${ref.access_key_id} does not belong to user '${ref.user_name}' — it belongs to '${owner}'`, [`Set user_name to '${owner}' and run the step again.`]);
  return 'absent';
}

export const listAccessKeys = defineAction({
  kind: 'detect',
  description: 'List the access keys of an IAM user (id, status, creation date).',
  input: z.strictObject({ user_name: UserName }),
  output: z.object({ user_name: z.string(), keys: z.array(KeyMeta) }),
  idempotent: true,
  plan: (_ctx, i) => [`iam ListAccessKeys UserName=${i.user_name}`],
  run: async (ctx: Ctx, i) => ({ user_name: i.user_name, keys: await listKeys(ctx, i.user_name) }),
});

const LastUsed = z.object({ access_key_id: z.string(), user_name: z.string().nullable(), last_used_date: z.string().nullable(), service_name: z.string().nullable(), region: z.string().nullable() });
const na = (v: string | undefined) => (v && v !== 'N/A' ? v : null);

export const keyLastUsed = defineAction({
  kind: 'detect',
  description: 'When, where and with which service an access key was last used: the exposure window.',
  input: z.strictObject({ access_key_id: AccessKeyId }),
  output: LastUsed,
  idempotent: true,
  plan: (_ctx, i) => [`iam GetAccessKeyLastUsed AccessKeyId=${i.access_key_id}`],
  async run(ctx: Ctx, i) {
    const doing = `reading when access key ${i.access_key_id} was last used`;
    const iam = await iamClient(ctx);
    const { GetAccessKeyLastUsedCommand } = await loadIam();
    const out = await call(ctx, { doing, messages: { NoSuchEntityException: `access key ${i.access_key_id} does not exist in this account` } }, () =>
      iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: i.access_key_id })),
    );
    const u = out.AccessKeyLastUsed;
    return { access_key_id: i.access_key_id, user_name: out.UserName ?? null, last_used_date: u?.LastUsedDate?.toISOString() ?? null, service_name: na(u?.ServiceName), region: na(u?.Region) };
  },
});

export const deactivateKey = defineAction({
  kind: 'revoke',
  description: 'Contain: set an access key to Inactive (reversible; do this first).',
  input: KeyRef,
  output: z.object({ user_name: z.string(), access_key_id: z.string(), status: z.literal('Inactive') }),
  idempotent: true,
  plan: (_ctx, i) => [`iam UpdateAccessKey UserName=${i.user_name} AccessKeyId=${i.access_key_id} Status=Inactive`],
  async run(ctx: Ctx, i) {
    const doing = `deactivating access key ${i.access_key_id} of IAM user ${i.user_name}`;
    const iam = await iamClient(ctx);
    const { UpdateAccessKeyCommand } = await loadIam();
    try {
      await call(ctx, { doing }, () => iam.send(new UpdateAccessKeyCommand({ UserName: i.user_name, AccessKeyId: i.access_key_id, Status: 'Inactive' })));
    } catch (e) {
      if (!isAwsError(e, ...NO_SUCH)) throw e;
      await diagnose(ctx, i, doing, e);
      throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${doing}: access key ${i.access_key_id} does not exist in this account (already deleted, or a wrong id)`, code: 'NoSuchEntityException', failure: 'definite' });
    }
    return { user_name: i.user_name, access_key_id: i.access_key_id, status: 'Inactive' as const };
  },
  async verify(ctx: Ctx, i) {
    const k = (await listKeys(ctx, i.user_name)).find((x) => x.access_key_id === i.access_key_id);
    if (!k) return { state: 'done', detail: `access key ${i.access_key_id} no longer exists` };
    return k.status === 'Inactive' ? { state: 'done', detail: 'ListAccessKeys shows Inactive' } : { state: 'not-done', detail: `ListAccessKeys shows ${k.status}` };
  },
});

/** Skew allowed between our clock and IAM's CreateDate when telling which key an interrupted call made. */
const SKEW_MS = 60_000;

/**
 * Keys of `user` that an interrupted CreateAccessKey (started at `since`) may have made: created
 * from then on, Active, and never used — IAM returns a key's secret only in the answer to the call
 * that created it, so such a key is unusable by anyone: nobody has its secret.
 */
async function unusableNewKeys(ctx: Ctx, user: string, since: string): Promise<KeyMeta[]> {
  const from = Date.parse(since) - SKEW_MS;
  const iam = await iamClient(ctx);
  const { GetAccessKeyLastUsedCommand } = await loadIam();
  const out: KeyMeta[] = [];
  for (const k of await listKeys(ctx, user)) {
    if (k.status !== 'Active' || !k.create_date || Date.parse(k.create_date) < from) continue;
    const used = await call(ctx, { doing: `checking whether access key ${k.access_key_id} was ever used` }, () => iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.access_key_id })));
    if (!used.AccessKeyLastUsed?.LastUsedDate) out.push(k);
  }
  return out;
}

const Created = z.object({ user_name: z.string(), access_key_id: z.string(), secret_access_key: SecretOut, create_date: z.string().nullable() });

export const createKey = defineAction({
  kind: 'rotate',
  description: 'Create a new access key; its secret is a Secret from birth — send it to a destination (e.g. putSecretValue), never to the screen. Called again after an interrupted call, it first deletes the unusable key that call made (created since, never used).',
  input: z.strictObject({ user_name: UserName }),
  output: Created,
  idempotent: false,
  plan: (_ctx, i) => [`iam CreateAccessKey UserName=${i.user_name} (the new secret access key is kept as a Secret)`],
  async run(ctx: Ctx, i) {
    const doing = `creating an access key for IAM user ${i.user_name}`;
    const iam = await iamClient(ctx);
    const { CreateAccessKeyCommand, DeleteAccessKeyCommand } = await loadIam();
    if (ctx.incident.inDoubtSince) {
      // an earlier call was interrupted: a key it made has a secret nobody kept — delete it before making another
      for (const k of await unusableNewKeys(ctx, i.user_name, ctx.incident.inDoubtSince)) {
        await call(ctx, { doing: `deleting access key ${k.access_key_id}, made by the interrupted call and never used` }, () => iam.send(new DeleteAccessKeyCommand({ UserName: i.user_name, AccessKeyId: k.access_key_id })));
        ctx.log.warn(`deleted access key ${k.access_key_id}: the interrupted call made it (created ${k.create_date}), its secret was never kept, and it was never used`);
        ctx.evidence({ detail: `deleted unusable key ${k.access_key_id} left by the interrupted call` });
      }
    }
    const out = await call(
      ctx,
      {
        doing,
        messages: {
          LimitExceededException: `user '${i.user_name}' already has 2 access keys, the IAM limit — delete or deactivate-and-delete an old key first`,
          NoSuchEntityException: `IAM user '${i.user_name}' does not exist in this account`,
        },
        nextSteps: { LimitExceededException: ['Run deleteKey on the old (leaked or inactive) key, then run this step again.'] },
      },
      () => iam.send(new CreateAccessKeyCommand({ UserName: i.user_name })),
    );
    const k = out.AccessKey;
    const secret: Secret | undefined = k?.SecretAccessKey ? ctx.secret(k.SecretAccessKey, `aws secret access key ${k.AccessKeyId ?? ''}`.trim()) : undefined;
    if (!k?.AccessKeyId || !secret) throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${doing}: AWS answered without the new key`, failure: 'ambiguous', code: 'BadResponse' });
    ctx.log.info(`created access key ${k.AccessKeyId} for ${i.user_name}`);
    return { user_name: i.user_name, access_key_id: k.AccessKeyId, secret_access_key: secret, create_date: k.CreateDate?.toISOString() ?? null };
  },
  async verify(ctx: Ctx, i, out) {
    const keys = await listKeys(ctx, i.user_name);
    if (out) return keys.some((k) => k.access_key_id === out.access_key_id) ? { state: 'done', detail: 'new key is listed' } : { state: 'not-done', detail: 'new key is not listed' };
    const ids = keys.map((k) => `${k.access_key_id} (${k.status}, ${k.create_date ?? '?'})`).join(', ') || 'none';
    if (ctx.incident.inDoubtSince) {
      // what the step is for — a new key whose secret we hold — is not there either way: a key the
      // interrupted call made is unusable, and the next call deletes it before making another
      const left = await unusableNewKeys(ctx, i.user_name, ctx.incident.inDoubtSince);
      return { state: 'not-done', detail: left.length ? `the interrupted call left ${left.map((k) => k.access_key_id).join(', ')} (never used; its secret was never kept): it is deleted before a new key is made` : `no key was made since ${ctx.incident.inDoubtSince}` };
    }
    return { state: 'unknown', detail: `keys of ${i.user_name}: ${ids}. A key made by the interrupted call is unusable (its secret was never kept): delete it, then run this step again.` };
  },
});

const Deleted = z.object({ user_name: z.string(), access_key_id: z.string(), deleted: z.literal(true), already_absent: z.boolean() });

export const deleteKey = defineAction({
  kind: 'revoke',
  description: 'Delete an access key (irreversible) and confirm by listing the user’s keys.',
  input: KeyRef,
  output: Deleted,
  idempotent: true,
  plan: (_ctx, i) => [`iam DeleteAccessKey UserName=${i.user_name} AccessKeyId=${i.access_key_id}`, `iam ListAccessKeys UserName=${i.user_name} (confirm it is gone)`],
  async run(ctx: Ctx, i) {
    const doing = `deleting access key ${i.access_key_id} of IAM user ${i.user_name}`;
    const iam = await iamClient(ctx);
    const { DeleteAccessKeyCommand } = await loadIam();
    try {
      await call(ctx, { doing }, () => iam.send(new DeleteAccessKeyCommand({ UserName: i.user_name, AccessKeyId: i.access_key_id })));
    } catch (e) {
      if (!isAwsError(e, ...NO_SUCH)) throw e;
      await diagnose(ctx, i, doing, e);
      ctx.log.warn(`access key ${i.access_key_id} exists nowhere in this account: already deleted (or a wrong id — the verify step will tell)`);
      return { user_name: i.user_name, access_key_id: i.access_key_id, deleted: true as const, already_absent: true };
    }
    if ((await listKeys(ctx, i.user_name)).some((k) => k.access_key_id === i.access_key_id))
      throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${doing}: AWS accepted the delete but still lists the key`, failure: 'ambiguous', code: 'StillListed' });
    return { user_name: i.user_name, access_key_id: i.access_key_id, deleted: true as const, already_absent: false };
  },
  async verify(ctx: Ctx, i) {
    let keys: KeyMeta[];
    try {
      keys = await listKeys(ctx, i.user_name);
    } catch (e) {
      if (isAwsError(e, ...NO_SUCH)) return { state: 'unknown', detail: `IAM user '${i.user_name}' does not exist: cannot confirm by listing` };
      throw e;
    }
    return keys.some((k) => k.access_key_id === i.access_key_id) ? { state: 'not-done', detail: 'key is still listed' } : { state: 'done', detail: 'key is not listed' };
  },
});
