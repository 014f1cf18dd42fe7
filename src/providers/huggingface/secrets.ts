/**
 * Space secrets and variables. The official client has no calls for them, so these use the
 * HTTP door on the same Hub URL. Secret values are write-only: listing returns keys and update
 * times; the listing endpoint has come and gone over the years, so it is feature-detected.
 */
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import type { HttpResponse } from '../../core/http.js';
import { defineAction, secretField, type VerifyResult } from '../sdk.js';
import { authHeader, EnvKey, operatorToken, resError, SpaceId, spaceUrl, type Ctx } from './common.js';

type Entry = { value?: unknown; description?: unknown; updatedAt?: unknown };

function entries(ctx: Ctx, res: HttpResponse, what: string): [string, Entry][] {
  const body = res.json<unknown>();
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: `unexpected answer shape for ${what}`, failure: 'definite', code: 'BAD_RESPONSE', status: res.status });
  }
  return Object.entries(body as Record<string, Entry>).map(([k, v]) => [k, v && typeof v === 'object' ? v : {}]);
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The common failures of a Space settings call, with what to do about them. */
function settingsError(ctx: Ctx, res: HttpResponse, space: string, what: string): ProviderError {
  if (res.status === 404) return resError(ctx, res, `${space} was not found (or the token cannot see it)`, { nextSteps: ['Check the Space id (owner/name) and that the operator token can see it.'] });
  if (res.status === 403) return resError(ctx, res, `the operator token may not ${what} of ${space}`, { nextSteps: [`Use a token with write access to ${space} (a fine-grained token needs repo.write on it).`] });
  return resError(ctx, res, `${what} of ${space} failed`);
}

const SecretKeyOut = z.object({ key: z.string(), description: z.string().optional(), updated_at: z.string().optional(), in_scope: z.boolean() });
const ListSecretsOutput = z.object({ space: z.string(), supported: z.boolean(), secrets: z.array(SecretKeyOut), guidance: z.string().optional() });
type ListSecretsOutput = z.infer<typeof ListSecretsOutput>;

async function readSecrets(ctx: Ctx, space: string, before?: string): Promise<ListSecretsOutput> {
  const res = await ctx.http({ url: spaceUrl(ctx, space, '/secrets'), headers: authHeader(operatorToken(ctx)) });
  ctx.evidence({ httpStatus: res.status, requestId: res.requestId });
  if (res.status === 404 && res.headers.get('x-error-code') !== 'RepoNotFound') {
    return {
      space,
      supported: false,
      secrets: [],
      guidance: `This Hub does not list Space secrets. Open ${space} → Settings → Variables and secrets to see the keys, or rotate every secret the Space is known to use.`,
    };
  }
  if (!res.ok) throw settingsError(ctx, res, space, 'list the secrets');
  const cutoff = before ? Date.parse(before) : undefined;
  const secrets = entries(ctx, res, 'the secrets list').map(([key, e]) => {
    const updated = str(e.updatedAt);
    const t = updated ? Date.parse(updated) : NaN;
    // unknown update time counts as in scope: it may predate the breach
    const in_scope = cutoff === undefined || !Number.isFinite(t) || t < cutoff;
    return { key, description: str(e.description), updated_at: updated, in_scope };
  });
  return { space, supported: true, secrets };
}

export const listSpaceSecrets = defineAction({
  kind: 'detect',
  description: 'List the secret keys of a Space with their update times (values are write-only); in_scope marks keys updated before a cutoff.',
  input: z.strictObject({
    space: SpaceId,
    /** ISO time: keys last updated before it (or at an unknown time) are in scope */
    updated_before: z.iso.datetime({ offset: true }).optional(),
  }),
  output: ListSecretsOutput,
  idempotent: true,
  plan: (ctx: Ctx, input) => [`GET ${spaceUrl(ctx, input.space, '/secrets')}`],
  run: (ctx: Ctx, input) => readSecrets(ctx, input.space, input.updated_before),
});

const SetInput = z.strictObject({ space: SpaceId, key: EnvKey, value: secretField('the new value, e.g. ${{ steps.new_token.outputs.token }}'), description: z.string().max(500).optional() });
const SetOutput = z.object({ space: z.string(), key: z.string(), set_at: z.string() });
const SKEW_MS = 5 * 60_000;

export const setSpaceSecret = defineAction({
  kind: 'rotate',
  description: 'Add or update a Space secret (takes effect after a restart).',
  input: SetInput,
  output: SetOutput,
  idempotent: true,
  plan: (ctx: Ctx, input) => [`POST ${spaceUrl(ctx, input.space, '/secrets')} {key: ${input.key}, value: ${input.value}}`, `restart ${input.space} afterwards so it loads the new value`],
  async run(ctx: Ctx, input) {
    const set_at = new Date().toISOString();
    const body: Record<string, string> = { key: input.key, value: input.value.reveal() };
    if (input.description !== undefined) body.description = input.description;
    const res = await ctx.http({ method: 'POST', url: spaceUrl(ctx, input.space, '/secrets'), headers: authHeader(operatorToken(ctx)), json: body });
    ctx.evidence({ httpStatus: res.status, requestId: res.requestId });
    if (!res.ok) throw settingsError(ctx, res, input.space, `set the secret ${input.key}`);
    return { space: input.space, key: input.key, set_at };
  },
  /** done when the key exists and was updated at or after this run (values cannot be read back) */
  async verify(ctx: Ctx, input, output): Promise<VerifyResult> {
    const list = await readSecrets(ctx, input.space);
    if (!list.supported) return { state: 'unknown', detail: 'this Hub does not list Space secrets' };
    const e = list.secrets.find((s) => s.key === input.key);
    if (!e) return { state: 'not-done', detail: `${input.key} is not set on ${input.space}` };
    if (!output) return { state: 'unknown', detail: `${input.key} exists; its value cannot be read back` };
    const t = e.updated_at ? Date.parse(e.updated_at) : NaN;
    if (!Number.isFinite(t)) return { state: 'unknown', detail: 'no update time reported' };
    return t >= Date.parse(output.set_at) - SKEW_MS ? { state: 'done', detail: `${input.key} updated at ${e.updated_at}` } : { state: 'not-done', detail: `${input.key} last updated ${e.updated_at}, before this run` };
  },
});

export const deleteSpaceSecret = defineAction({
  kind: 'rotate',
  description: 'Delete a Space secret (the Hub answers 200 also when it was already gone).',
  input: z.strictObject({ space: SpaceId, key: EnvKey }),
  output: z.object({ space: z.string(), key: z.string(), deleted: z.boolean() }),
  idempotent: true,
  plan: (ctx: Ctx, input) => [`DELETE ${spaceUrl(ctx, input.space, '/secrets')} {key: ${input.key}}`],
  async run(ctx: Ctx, input) {
    const res = await ctx.http({ method: 'DELETE', url: spaceUrl(ctx, input.space, '/secrets'), headers: authHeader(operatorToken(ctx)), json: { key: input.key } });
    ctx.evidence({ httpStatus: res.status, requestId: res.requestId });
    if (!res.ok) throw settingsError(ctx, res, input.space, `delete the secret ${input.key}`);
    return { space: input.space, key: input.key, deleted: true };
  },
  async verify(ctx: Ctx, input): Promise<VerifyResult> {
    const list = await readSecrets(ctx, input.space);
    if (!list.supported) return { state: 'unknown', detail: 'this Hub does not list Space secrets' };
    return list.secrets.some((s) => s.key === input.key) ? { state: 'not-done', detail: `${input.key} still set` } : { state: 'done', detail: `${input.key} is gone` };
  },
});

export const listSpaceVariables = defineAction({
  kind: 'detect',
  description: 'List the (non-secret) variables of a Space with values and update times.',
  input: z.strictObject({ space: SpaceId }),
  output: z.object({ space: z.string(), variables: z.array(z.object({ key: z.string(), value: z.string(), description: z.string().optional(), updated_at: z.string().optional() })) }),
  idempotent: true,
  plan: (ctx: Ctx, input) => [`GET ${spaceUrl(ctx, input.space, '/variables')}`],
  async run(ctx: Ctx, input) {
    const res = await ctx.http({ url: spaceUrl(ctx, input.space, '/variables'), headers: authHeader(operatorToken(ctx)) });
    ctx.evidence({ httpStatus: res.status, requestId: res.requestId });
    if (!res.ok) throw settingsError(ctx, res, input.space, 'list the variables');
    const variables = entries(ctx, res, 'the variables list').map(([key, e]) => ({ key, value: str(e.value) ?? '', description: str(e.description), updated_at: str(e.updatedAt) }));
    return { space: input.space, variables };
  },
});
