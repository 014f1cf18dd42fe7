/**
 * Shared pieces of the Hugging Face adapter: config, the Hub URL, auth, and the one place
 * where Hub failures become ProviderErrors (never the client's own error objects, whose
 * messages carry server text and URLs).
 */
import { z } from 'zod';
import { ProviderError, type FailureClass } from '../../core/errors.js';
import { classifyStatus, retryAfterMs, safeUrl, type HttpResponse } from '../../core/http.js';
import type { Secret } from '../../core/secrets/secret.js';
import { operatorTokenMissing, secretField, type ActionContext } from '../sdk.js';

export const Config = z.strictObject({
  /** the Hub; point it at a simulator in drills and tests */
  hub_url: z.string().url().default('https://huggingface.co'),
  /** the operator's token (write access to the Spaces in scope); not needed to revoke a leaked token */
  token: secretField('the operator token, e.g. ${{ secrets.hf_token }}').optional(),
});
export type Config = z.infer<typeof Config>;
export type Ctx = ActionContext<Config>;

/** `owner/name` */
export const SpaceId = z.string().regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'a Space id such as owner/name');
export const EnvKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

type Hub = typeof import('@huggingface/hub');
let hub: Promise<Hub> | undefined;
let hubLoaded: Hub | undefined;
/** The official client, imported on first use (never when the provider is loaded). */
export const loadHub = () => (hub ??= import('@huggingface/hub').then((m) => (hubLoaded = m)));

export function hubUrl(ctx: Ctx): string {
  return (ctx.config.hub_url ?? 'https://huggingface.co').replace(/\/+$/, '');
}

export function spaceUrl(ctx: Ctx, id: string, sub = ''): string {
  const [owner, name] = id.split('/');
  return `${hubUrl(ctx)}/api/spaces/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}${sub}`;
}

export function operatorToken(ctx: Ctx): Secret {
  const t = ctx.config.token;
  if (!t) throw operatorTokenMissing(ctx, 'Set `token: ${{ secrets.hf_token }}` on the huggingface provider, with write access to the Spaces in scope.');
  return t;
}

export function authHeader(t: Secret): Record<string, string> {
  return { authorization: `Bearer ${t.reveal()}` };
}

/**
 * Server text can echo what it was sent: strip anything token-shaped or value-like (a run of
 * 16+ token characters) and cap the length. The message stays useful ("Invalid credentials in
 * Authorization header") without ever carrying a credential.
 */
export function scrub(text: string | null | undefined): string {
  if (!text) return '';
  return text
    .replace(/\b(hf_|api_org_)\S*/g, '[redacted]')
    .replace(/[A-Za-z0-9_\-+/=.:%]{16,}/g, '[redacted]')
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 200);
}

export interface FailDetail {
  status: number;
  headers: Headers;
  url: string;
}

const WHAT: Record<number, string> = {
  400: 'the Hub rejected the request',
  401: 'the token was refused (invalid, expired or revoked)',
  403: 'the token is not allowed to do this',
  404: 'not found',
  429: 'rate limited by the Hub',
};

/** Build the ProviderError for a non-2xx Hub answer. */
export function hubError(ctx: Ctx, d: FailDetail, message?: string, extra: { code?: string; failure?: FailureClass; nextSteps?: string[] } = {}): ProviderError {
  const serverMsg = scrub(d.headers.get('x-error-message'));
  const base = message ?? WHAT[d.status] ?? `HTTP ${d.status}`;
  const code = extra.code ?? (d.status === 429 ? 'RATE_LIMITED' : undefined) ?? d.headers.get('x-error-code') ?? ( d.status === 401 ? 'UNAUTHORIZED' : d.status === 403 ? 'FORBIDDEN' : d.status === 404 ? 'NOT_FOUND' : undefined);
  return new ProviderError({
    provider: ctx.instance,
    action: ctx.action,
    message: `${base} (HTTP ${d.status} from ${safeUrl(d.url)}${serverMsg ? `: ${serverMsg}` : ''})`,
    status: d.status,
    code: code ?? undefined,
    failure: extra.failure ?? classifyStatus(d.status) ?? 'definite',
    requestId: d.headers.get('x-request-id') ?? undefined,
    retryAfterMs: retryAfterMs(d.headers),
    nextSteps: extra.nextSteps ?? (d.status === 429 ? ['Wait for the rate-limit window to pass; the step can be retried.'] : undefined),
  });
}

export function resError(ctx: Ctx, res: HttpResponse, message?: string, extra: Parameters<typeof hubError>[3] = {}): ProviderError {
  return hubError(ctx, { status: res.status, headers: res.headers, url: res.url }, message, extra);
}

/** A fetch for @huggingface/hub that remembers the last response, so failures keep their headers. */
export function capturingFetch(ctx: Ctx): { fetch: typeof fetch; last(): FailDetail | undefined } {
  let last: FailDetail | undefined;
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await ctx.fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    last = { status: res.status, headers: res.headers, url };
    return res;
  }) as typeof fetch;
  return { fetch: f, last: () => last };
}

/**
 * Turn whatever the official client threw into a ProviderError. Our own errors (from the HTTP
 * door: timeouts, refused connections) pass through; the client's errors are rebuilt from
 * status and headers only.
 */
export function fromClientError(ctx: Ctx, e: unknown, last: FailDetail | undefined, message?: string): ProviderError {
  if (e instanceof ProviderError) return e;
  // a HubApiError can only come from a client that was loaded
  if (hubLoaded && e instanceof hubLoaded.HubApiError) {
    const d = last && last.status === e.statusCode ? last : { status: e.statusCode, headers: new Headers(), url: safeUrl(e.url) };
    return hubError(ctx, d, message);
  }
  if (e instanceof TypeError && /must start with 'hf_'/.test(e.message)) {
    return new ProviderError({ provider: ctx.instance, action: ctx.action, message: "the Hub client accepts only tokens that start with 'hf_'", failure: 'definite', code: 'BAD_TOKEN_SHAPE' });
  }
  const name = (e as { name?: string } | null)?.name ?? 'error';
  return new ProviderError({ provider: ctx.instance, action: ctx.action, message: `the Hub client failed (${name})`, failure: 'ambiguous', code: 'CLIENT_ERROR' });
}
