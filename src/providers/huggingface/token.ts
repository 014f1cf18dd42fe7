/**
 * Token actions: `verifyToken` (whoami-v2, cached per token fingerprint — the endpoint is
 * heavily rate limited) and `revokeToken` (the credentials-revoke endpoint; where the Hub does
 * not offer it, a MANUAL_REQUIRED error that the engine turns into a guided manual step whose
 * completion `verify()` checks: whoami-v2 → 401).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import type { Secret } from '../../core/secrets/secret.js';
import { defineAction, secretField } from '../sdk.js';
import { capturingFetch, fromClientError, hubUrl, loadHub, resError, type Ctx } from './common.js';

export const VerifyOutput = z.object({
  live: z.boolean(),
  /** user or org that owns the token */
  name: z.string().optional(),
  type: z.enum(['user', 'org', 'app']).optional(),
  /** `read`, `write`, `fineGrained` (or whatever the Hub reports) */
  role: z.string().optional(),
  token_name: z.string().optional(),
  fine_grained: z.boolean(),
  /** a classic read/write token or a legacy `api_org_` token: replace it with a fine-grained one */
  replace: z.boolean(),
  orgs: z.array(z.string()),
  /** true when the answer came from this process's cache */
  cached: z.boolean(),
});
export type VerifyOutput = z.infer<typeof VerifyOutput>;

const VerifyInput = z.strictObject({
  token: secretField('the token to check, e.g. ${{ item.token }}'),
  /** skip the cache (a revoke's read-back always does) */
  fresh: z.boolean().default(false),
});

// ---- cache: keyed by hub + keyed fingerprint (never the value); dead answers are final ----
const cacheKey = randomBytes(32);
const LIVE_TTL_MS = 5 * 60_000;
const cache = new Map<string, { at: number; out: VerifyOutput }>();
/** a Secret's keyed fingerprint, computed once per Secret object (a watch checks the same token every minute) */
const fingerprints = new WeakMap<Secret, string>();
function fingerprintOf(t: Secret): string {
  let fp = fingerprints.get(t);
  if (fp === undefined) fingerprints.set(t, (fp = t.fingerprint(cacheKey)));
  return fp;
}
const keyOf = (ctx: Ctx, t: Secret) => `${hubUrl(ctx)}|${fingerprintOf(t)}`;

/** For tests and long-running processes. */
export function clearWhoamiCache(): void {
  cache.clear();
}

function cached(ctx: Ctx, t: Secret): VerifyOutput | undefined {
  const hit = cache.get(keyOf(ctx, t));
  if (!hit) return undefined;
  if (hit.out.live && Date.now() - hit.at > LIVE_TTL_MS) return undefined;
  return { ...hit.out, cached: true };
}

const isLegacyOrg = (t: Secret) => t.reveal().startsWith('api_org_');

function dead(t: Secret): VerifyOutput {
  return { live: false, fine_grained: false, replace: isLegacyOrg(t), orgs: [], cached: false };
}

interface WhoAmIBody {
  type?: string;
  name?: string;
  orgs?: { name: string }[];
  auth?: { accessToken?: { displayName?: string; role?: string; fineGrained?: unknown } };
}

function shape(t: Secret, b: WhoAmIBody): VerifyOutput {
  const role = b.auth?.accessToken?.role;
  const fine = role === 'fineGrained' || b.auth?.accessToken?.fineGrained !== undefined;
  const type = b.type === 'user' || b.type === 'org' || b.type === 'app' ? b.type : undefined;
  return {
    live: true,
    name: b.name,
    type,
    role,
    token_name: b.auth?.accessToken?.displayName,
    fine_grained: fine,
    replace: isLegacyOrg(t) || (!fine && (role === 'read' || role === 'write' || role === 'admin')),
    orgs: (b.orgs ?? []).map((o) => o.name),
    cached: false,
  };
}

/** One whoami-v2 call (through the official client for `hf_` tokens, plain fetch otherwise). */
export async function whoami(ctx: Ctx, token: Secret, opts: { fresh: boolean }): Promise<VerifyOutput> {
  if (!opts.fresh) {
    const hit = cached(ctx, token);
    if (hit) return hit;
  }
  let out: VerifyOutput;
  if (token.reveal().startsWith('hf_')) {
    const { whoAmI } = await loadHub();
    const cap = capturingFetch(ctx);
    try {
      const body = (await whoAmI({ accessToken: token.reveal(), hubUrl: hubUrl(ctx), fetch: cap.fetch })) as WhoAmIBody;
      out = shape(token, body);
    } catch (e) {
      if (!(e instanceof ProviderError) && cap.last()?.status === 401) out = dead(token);
      else throw fromClientError(ctx, e, cap.last(), 'whoami-v2 failed');
    }
  } else {
    // legacy api_org_ tokens: the official client refuses anything that does not start with hf_
    const res = await ctx.http({ url: `${hubUrl(ctx)}/api/whoami-v2`, headers: { authorization: `Bearer ${token.reveal()}` } });
    if (res.status === 401) out = dead(token);
    else if (!res.ok) throw resError(ctx, res, 'whoami-v2 failed');
    else out = shape(token, res.json<WhoAmIBody>());
  }
  cache.set(keyOf(ctx, token), { at: Date.now(), out });
  return out;
}

export const verifyToken = defineAction({
  kind: 'detect',
  description: 'Is this HF token live? Owner, role, orgs; flags classic and legacy org tokens for replacement. Cached per token.',
  input: VerifyInput,
  output: VerifyOutput,
  idempotent: true,
  plan: (ctx: Ctx, input) => [`GET ${hubUrl(ctx)}/api/whoami-v2 with ${input.token}${input.fresh ? '' : ' (cached answer if checked before)'}`],
  async run(ctx: Ctx, input) {
    const out = await whoami(ctx, input.token, { fresh: input.fresh });
    ctx.evidence({ detail: out.live ? `live token of ${out.name ?? '?'} (${out.role ?? '?'})` : 'token is dead (401)' });
    return out;
  },
});

const RevokeInput = z.strictObject({ token: secretField('the leaked token, e.g. ${{ item.token }}') });
const RevokeOutput = z.object({ accepted: z.boolean(), status: z.number() });

function manualSteps(ctx: Ctx, token: Secret): string[] {
  const known = cached(ctx, token);
  const owner = known?.name ? ` signed in as ${known.type === 'org' ? `an admin of the org ${known.name}` : known.name}` : ' signed in as the token owner';
  const which = `${known?.token_name ? `"${known.token_name}", ` : ''}ending in …${token.last4 || '????'}`;
  return [
    `Open ${hubUrl(ctx)}/settings/tokens${owner}.`,
    `Settings → Access Tokens: find the token ${which}; open its ⋮ menu and choose Invalidate (or Delete).`,
    known?.type === 'org' || token.reveal().startsWith('api_org_')
      ? 'Legacy org tokens (api_org_…) are managed in the org settings (Settings → API tokens); delete it there.'
      : 'Create a fine-grained replacement if the owner still needs access (Settings → Access Tokens → Create new token → Fine-grained).',
    'Mark the step done: runbook then checks whoami-v2, which must answer 401 for the token.',
  ];
}

export const revokeToken = defineAction({
  kind: 'revoke',
  description: 'Revoke a leaked HF token through the credentials-revoke endpoint (no auth); falls back to a guided manual step.',
  input: RevokeInput,
  output: RevokeOutput,
  idempotent: false,
  plan: (ctx: Ctx, input) => [
    `POST ${hubUrl(ctx)}/api/credentials/revoke {credentials:[${input.token}]} (no auth)`,
    `if the Hub has no such endpoint: manual step at ${hubUrl(ctx)}/settings/tokens, then whoami-v2 → 401`,
  ],
  async run(ctx: Ctx, input) {
    const res = await ctx.http({ method: 'POST', url: `${hubUrl(ctx)}/api/credentials/revoke`, json: { credentials: [input.token.reveal()] } });
    ctx.evidence({ httpStatus: res.status, requestId: res.requestId });
    if (res.status === 404 || res.status === 405) {
      throw new ProviderError({
        provider: ctx.instance,
        action: ctx.action,
        message: `this Hub offers no credentials-revoke endpoint (HTTP ${res.status}): revoke the token by hand`,
        status: res.status,
        code: 'MANUAL_REQUIRED',
        failure: 'definite',
        nextSteps: manualSteps(ctx, input.token),
      });
    }
    if (!res.ok) throw resError(ctx, res, 'the credentials-revoke call failed');
    // the answer is 202 whether or not the token existed: only whoami-v2 can tell it is dead
    cache.delete(keyOf(ctx, input.token));
    return { accepted: true, status: res.status };
  },
  /** done when whoami-v2 answers 401 for the token; transport failures are thrown (retryable) */
  async verify(ctx: Ctx, input) {
    const out = await whoami(ctx, input.token, { fresh: true });
    return out.live ? { state: 'not-done', detail: `token still live (owner ${out.name ?? '?'})` } : { state: 'done', detail: 'whoami-v2 answers 401' };
  },
});
