/**
 * Token actions: `verifyToken` (GET /user: live or dead, scopes from X-OAuth-Scopes, expiry
 * from github-authentication-token-expiration) and `revokeCredentials` (the credentials-revoke
 * endpoint, unauthenticated, ≤ 1000 per call). GitHub accepts a revoke with 202 and acts
 * later, so the revoke is done only when `verify()` has seen every token answer 401.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import type { Secret } from '../../core/secrets/secret.js';
import { defineAction, secretField, type VerifyResult } from '../sdk.js';
import { apiUrl, client, ghFail, headersOf, serverMessage, statusOf, type Ctx } from './client.js';

export type TokenKind = 'classic' | 'fine-grained' | 'oauth' | 'app-user' | 'installation' | 'refresh' | 'unknown';
export function tokenKind(v: string): TokenKind {
  const m = /^(ghp|gho|ghu|ghs|ghr)_/.exec(v)?.[1];
  if (v.startsWith('github_pat_')) return 'fine-grained';
  return m === 'ghp' ? 'classic' : m === 'gho' ? 'oauth' : m === 'ghu' ? 'app-user' : m === 'ghs' ? 'installation' : m === 'ghr' ? 'refresh' : 'unknown';
}

/** `2024-06-30 12:00:00 UTC` (or with a numeric offset) → ISO */
export function parseExpiry(h: string | null | undefined): string | undefined {
  if (!h) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ?(UTC|[+-]\d{4})?$/.exec(h.trim());
  const t = m ? Date.parse(`${m[1]}T${m[2]}${!m[3] || m[3] === 'UTC' ? 'Z' : `${m[3].slice(0, 3)}:${m[3].slice(3)}`}`) : Date.parse(h);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

const VerifyOutput = z.object({
  live: z.boolean(),
  login: z.string().optional(),
  kind: z.string(),
  /** from X-OAuth-Scopes (classic and OAuth tokens); null when GitHub sends none (fine-grained, app tokens) */
  scopes: z.array(z.string()).nullable(),
  expires_at: z.string().optional(),
});
type VerifyOutput = z.infer<typeof VerifyOutput>;

/** One GET /user with the token itself: 401 → dead (a result, not an error). */
export async function checkToken(ctx: Ctx, token: Secret): Promise<VerifyOutput> {
  const kind = tokenKind(token.reveal());
  try {
    const res = await (await client(ctx, token)).rest.users.getAuthenticated();
    const h = res.headers as Record<string, string | undefined>;
    const scopes = h['x-oauth-scopes'];
    return {
      live: true,
      login: res.data.login,
      kind,
      scopes: scopes === undefined ? null : scopes.split(',').map((s) => s.trim()).filter(Boolean),
      expires_at: parseExpiry(h['github-authentication-token-expiration']),
    };
  } catch (e) {
    const status = statusOf(e);
    if (status === 401) return { live: false, kind, scopes: null };
    // an installation token is live but is not a user: GET /user answers 403 "…integration"
    if (status === 403 && headersOf(e).get('x-ratelimit-remaining') !== '0' && /integration/i.test(serverMessage(e))) return { live: true, kind, scopes: null };
    throw ghFail(ctx, e, 'GET /user failed');
  }
}

export const verifyToken = defineAction({
  kind: 'detect',
  description: 'Is this GitHub token live? Owner, scopes (X-OAuth-Scopes) and expiry.',
  input: z.strictObject({ token: secretField('the token to check, e.g. ${{ item.token }}') }),
  output: VerifyOutput,
  idempotent: true,
  plan: (ctx: Ctx, input) => [`GET ${apiUrl(ctx)}/user with ${input.token}`],
  async run(ctx: Ctx, input) {
    const out = await checkToken(ctx, input.token);
    ctx.evidence({ detail: out.live ? `live ${out.kind} token${out.login ? ` of ${out.login}` : ''}` : 'token is dead (401)' });
    return out;
  },
});

const RevokeInput = z.strictObject({
  credentials: z.array(secretField('leaked tokens, e.g. ${{ steps.find.outputs.tokens }}')).min(1),
  /** credentials per call (GitHub's maximum is 1000) */
  batch_size: z.number().int().min(1).max(1000).default(1000),
});
const RevokeOutput = z.object({ accepted: z.number(), batches: z.number() });

const tail = (s: Secret) => `…${s.last4 || '????'}`;

export const revokeCredentials = defineAction({
  kind: 'revoke',
  description: 'Ask GitHub to revoke leaked credentials (unauthenticated, ≤ 1000 per call). 202 = accepted; done once every token answers 401.',
  input: RevokeInput,
  output: RevokeOutput,
  idempotent: false,
  plan: (ctx: Ctx, input) => {
    const n = Math.ceil(input.credentials.length / input.batch_size);
    return [`POST ${apiUrl(ctx)}/credentials/revoke × ${n} (no auth; ${input.credentials.length} credential(s): ${input.credentials.map(tail).join(', ')})`, 'then GET /user with each token until it answers 401'];
  },
  async run(ctx: Ctx, input) {
    const gh = await client(ctx, null);
    const batches: Secret[][] = [];
    for (let i = 0; i < input.credentials.length; i += input.batch_size) batches.push(input.credentials.slice(i, i + input.batch_size));
    let accepted = 0;
    for (const [i, batch] of batches.entries()) {
      try {
        const res = await gh.rest.credentials.revoke({ credentials: batch.map((s) => s.reveal()) });
        ctx.evidence({ httpStatus: res.status, requestId: (res.headers as Record<string, string | undefined>)['x-github-request-id'] });
      } catch (e) {
        const err = ghFail(ctx, e, `revoke batch ${i + 1} of ${batches.length}${accepted ? ` (after ${accepted} credential(s) were accepted)` : ''}`, {
          nextSteps: statusOf(e) === 422 ? ['GitHub refused the batch as invalid: check that every value is a GitHub token.'] : undefined,
        });
        throw err;
      }
      accepted += batch.length;
    }
    ctx.log.info(`GitHub accepted ${accepted} credential(s) for revocation; revocation is asynchronous`);
    return { accepted, batches: batches.length };
  },
  /** polls GET /user with each token until all answer 401, or the configured time runs out */
  async verify(ctx: Ctx, input): Promise<VerifyResult> {
    const deadline = Date.now() + ctx.config.revoke_verify_timeout_ms;
    let wait = ctx.config.revoke_verify_interval_ms;
    let pending = [...input.credentials];
    for (;;) {
      const still: Secret[] = [];
      for (let i = 0; i < pending.length; i += 8) {
        const chunk = pending.slice(i, i + 8);
        const live = await Promise.all(chunk.map(async (t) => (await checkToken(ctx, t)).live));
        chunk.forEach((t, j) => live[j] && still.push(t));
      }
      pending = still;
      if (!pending.length) return { state: 'done', detail: `all ${input.credentials.length} credential(s) answer 401` };
      if (Date.now() + wait > deadline) return { state: 'not-done', detail: `${pending.length} of ${input.credentials.length} still live: ${pending.slice(0, 10).map(tail).join(', ')}` };
      try {
        await sleep(wait, undefined, { signal: ctx.signal });
      } catch {
        throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'verification was cancelled', failure: 'ambiguous', code: 'ABORTED' });
      }
      wait = Math.min(wait * 2, 15_000);
    }
  },
});
