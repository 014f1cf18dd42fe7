/**
 * Repo and org consumers of a leaked credential: rotate an Actions secret (sealed with
 * libsodium `crypto_box_seal` against the repo's public key), delete a deploy key, and revoke
 * an org's access for a fine-grained PAT (GitHub App installation token required).
 */
import { z } from 'zod';
import { defineAction, secretField, type VerifyResult } from '../sdk.js';
import { apiUrl, ghFail, operatorClient, RepoId, split, statusOf, type Ctx } from './client.js';

const SecretName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _ (not starting with a digit)')
  .refine((s) => !/^GITHUB_/i.test(s), 'names starting with GITHUB_ are reserved');

let libsodium: Promise<(typeof import('libsodium-wrappers'))['default']> | undefined;
/** libsodium (sealed boxes), imported on first use: it is only needed to rotate an Actions secret. */
const loadSodium = () => (libsodium ??= import('libsodium-wrappers').then((m) => m.default));

const SKEW_MS = 5 * 60_000;

export const rotateActionsSecret = defineAction({
  kind: 'rotate',
  description: "Set a repository Actions secret to a new value, sealed against the repo's public key.",
  input: z.strictObject({ repo: RepoId, name: SecretName, value: secretField('the new value, e.g. ${{ steps.new_key.outputs.secret }}') }),
  output: z.object({ repo: z.string(), name: z.string(), created: z.boolean(), set_at: z.string() }),
  idempotent: true,
  plan: (ctx: Ctx, input) => [
    `GET ${apiUrl(ctx)}/repos/${input.repo}/actions/secrets/public-key`,
    `PUT ${apiUrl(ctx)}/repos/${input.repo}/actions/secrets/${input.name} (sealed ${input.value})`,
  ],
  async run(ctx: Ctx, input) {
    const gh = await operatorClient(ctx);
    const sodium = await loadSodium();
    const set_at = new Date().toISOString();
    try {
      const { data: key } = await gh.rest.actions.getRepoPublicKey(split(input.repo));
      await sodium.ready;
      const sealed = sodium.crypto_box_seal(sodium.from_string(input.value.reveal()), sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL));
      const res = await gh.rest.actions.createOrUpdateRepoSecret({
        ...split(input.repo),
        secret_name: input.name,
        encrypted_value: sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL),
        key_id: key.key_id,
      });
      ctx.evidence({ httpStatus: res.status });
      return { repo: input.repo, name: input.name, created: res.status === 201, set_at };
    } catch (e) {
      throw ghFail(ctx, e, `rotating the Actions secret ${input.name} of ${input.repo}`, {
        nextSteps: statusOf(e) === 403 ? ['The operator token needs admin rights on the repo (classic: repo scope; fine-grained: Secrets write).'] : undefined,
      });
    }
  },
  /** done when the secret exists and was updated at or after this run (values are write-only) */
  async verify(ctx: Ctx, input, output): Promise<VerifyResult> {
    try {
      const { data } = await (await operatorClient(ctx)).rest.actions.getRepoSecret({ ...split(input.repo), secret_name: input.name });
      if (!output) return { state: 'unknown', detail: `${input.name} exists (updated ${data.updated_at}); its value cannot be read back` };
      return Date.parse(data.updated_at) >= Date.parse(output.set_at) - SKEW_MS ? { state: 'done', detail: `updated ${data.updated_at}` } : { state: 'not-done', detail: `last updated ${data.updated_at}, before this run` };
    } catch (e) {
      if (statusOf(e) === 404) return { state: 'not-done', detail: `${input.name} does not exist on ${input.repo}` };
      throw ghFail(ctx, e, `reading the Actions secret ${input.name} of ${input.repo}`);
    }
  },
});

/** Is the repo itself reachable? (Tells "key already gone" from "wrong repo / no access".) */
async function repoReachable(ctx: Ctx, repo: string): Promise<boolean> {
  try {
    await (await operatorClient(ctx)).rest.repos.get(split(repo));
    return true;
  } catch (e) {
    if (statusOf(e) === 404) return false;
    throw ghFail(ctx, e, `reading ${repo}`);
  }
}

const KeyInput = z.strictObject({ repo: RepoId, key_id: z.number().int().positive() });

export const deleteDeployKey = defineAction({
  kind: 'revoke',
  description: 'Delete a deploy key (204). A key that is already gone from a reachable repo counts as done.',
  input: KeyInput,
  output: z.object({ repo: z.string(), key_id: z.number(), deleted: z.boolean(), already_gone: z.boolean() }),
  idempotent: true,
  plan: (ctx: Ctx, input) => [`DELETE ${apiUrl(ctx)}/repos/${input.repo}/keys/${input.key_id}`],
  async run(ctx: Ctx, input) {
    try {
      const res = await (await operatorClient(ctx)).rest.repos.deleteDeployKey({ ...split(input.repo), key_id: input.key_id });
      ctx.evidence({ httpStatus: res.status });
      return { repo: input.repo, key_id: input.key_id, deleted: true, already_gone: false };
    } catch (e) {
      if (statusOf(e) === 404 && (await repoReachable(ctx, input.repo))) return { repo: input.repo, key_id: input.key_id, deleted: false, already_gone: true };
      throw ghFail(ctx, e, `deleting deploy key ${input.key_id} of ${input.repo}`, {
        nextSteps: statusOf(e) === 404 ? [`${input.repo} is not visible to the operator token: check the name and the token's access.`] : undefined,
      });
    }
  },
  async verify(ctx: Ctx, input): Promise<VerifyResult> {
    try {
      await (await operatorClient(ctx)).rest.repos.getDeployKey({ ...split(input.repo), key_id: input.key_id });
      return { state: 'not-done', detail: `deploy key ${input.key_id} still exists` };
    } catch (e) {
      if (statusOf(e) !== 404) throw ghFail(ctx, e, `reading deploy key ${input.key_id} of ${input.repo}`);
      return (await repoReachable(ctx, input.repo)) ? { state: 'done', detail: 'deploy key is gone (404)' } : { state: 'unknown', detail: `${input.repo} is not visible to the operator token` };
    }
  },
});

const PatInput = z.strictObject({ org: z.string().regex(/^[\w.-]+$/), pat_id: z.number().int().positive() });

export const revokeOrgPat = defineAction({
  kind: 'revoke',
  description: "Revoke a fine-grained PAT's access to an org (needs a GitHub App installation token of that org).",
  input: PatInput,
  output: z.object({ org: z.string(), pat_id: z.number(), revoked: z.boolean() }),
  idempotent: false,
  plan: (ctx: Ctx, input) => [`POST ${apiUrl(ctx)}/orgs/${input.org}/personal-access-tokens/${input.pat_id} {action: revoke}`],
  async run(ctx: Ctx, input) {
    try {
      const res = await (await operatorClient(ctx)).rest.orgs.updatePatAccess({ org: input.org, pat_id: input.pat_id, action: 'revoke' });
      ctx.evidence({ httpStatus: res.status });
      return { org: input.org, pat_id: input.pat_id, revoked: true };
    } catch (e) {
      throw ghFail(ctx, e, `revoking PAT grant ${input.pat_id} in ${input.org}`, {
        nextSteps: statusOf(e) === 403 ? [`Only a GitHub App installed on ${input.org} (with "Personal access tokens" org permission) may do this: use its installation token.`] : undefined,
      });
    }
  },
  async verify(ctx: Ctx, input): Promise<VerifyResult> {
    try {
      const gh = await operatorClient(ctx);
      const grants = await gh.paginate(gh.rest.orgs.listPatGrants, { org: input.org, per_page: 100 });
      return grants.some((g) => g.id === input.pat_id) ? { state: 'not-done', detail: `grant ${input.pat_id} still present` } : { state: 'done', detail: `grant ${input.pat_id} is gone` };
    } catch (e) {
      throw ghFail(ctx, e, `listing PAT grants of ${input.org}`);
    }
  },
});
