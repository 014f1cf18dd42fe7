/**
 * Shared pieces of the GitHub adapter: config, Octokit clients that send every request through
 * the HTTP door (`request.fetch = ctx.fetch`) with Octokit's own logging silenced, and the one
 * place where Octokit failures become ProviderErrors. Octokit's RequestError carries the
 * request options — including the Authorization header — so it is never wrapped or shown.
 *
 * @octokit/rest 22 bundles no retry or throttling plugin (core, request-log, paginate,
 * endpoint methods only), so rate limits surface here and the engine's retry policy waits.
 *
 * Octokit is imported on the first call (`loadOctokit`), not when the provider is loaded.
 */
import { z } from 'zod';
import type { Octokit } from '@octokit/rest';
import { ProviderError } from '../../core/errors.js';
import { classifyStatus, retryAfterMs, safeUrl } from '../../core/http.js';
import type { Secret } from '../../core/secrets/secret.js';
import { operatorTokenMissing, secretField, type ActionContext } from '../sdk.js';

export const Config = z.strictObject({
  /** the REST API root (GitHub Enterprise: https://HOST/api/v3); a simulator in drills and tests */
  api_url: z.string().url().default('https://api.github.com'),
  /** the operator's token (repo admin; a GitHub App installation token for org PAT grants) */
  token: secretField('the operator token, e.g. ${{ secrets.github_token }}').optional(),
  /** how long revokeCredentials.verify polls for the asynchronous revoke to take effect */
  revoke_verify_timeout_ms: z.number().int().positive().default(120_000),
  revoke_verify_interval_ms: z.number().int().positive().default(2_000),
});
export type Config = z.infer<typeof Config>;
export type Ctx = ActionContext<Config>;

export const RepoId = z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'a repository such as owner/name');
export const split = (repo: string) => {
  const [owner, name] = repo.split('/') as [string, string];
  return { owner, repo: name };
};

let octokit: Promise<typeof Octokit> | undefined;
/** @octokit/rest, imported once, on first use. */
export const loadOctokit = () => (octokit ??= import('@octokit/rest').then((m) => m.Octokit));

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export function apiUrl(ctx: Ctx): string {
  return (ctx.config.api_url ?? 'https://api.github.com').replace(/\/+$/, '');
}

/**
 * An Octokit on the configured API with `auth` (or none: the credentials-revoke endpoint refuses auth).
 * Both loggers are silenced: `log` (request-log plugin) and `request.log` (deprecation
 * warnings, which would otherwise go to the console).
 */
export async function client(ctx: Ctx, auth: Secret | null): Promise<Octokit> {
  const Octokit = await loadOctokit();
  const o = new Octokit({ baseUrl: apiUrl(ctx), auth: auth?.reveal(), userAgent: 'runbook', log: silent, request: { fetch: ctx.fetch, log: silent } });
  o.hook.before('request', (opts) => {
    opts.headers['x-github-api-version'] = '2022-11-28';
  });
  return o;
}

/** An Octokit with the operator token; throws NO_TOKEN (before loading anything) when there is none. */
export async function operatorClient(ctx: Ctx): Promise<Octokit> {
  if (!ctx.config.token) throw operatorTokenMissing(ctx, 'Set `token: ${{ secrets.github_token }}` on the github provider.');
  return client(ctx, ctx.config.token);
}

interface OctoErrorLike {
  status: number;
  response?: { url?: string; headers?: Record<string, unknown>; data?: unknown };
  cause?: unknown;
}

/** The HTTP status of an Octokit failure that came from the service (not from the door). */
export function statusOf(e: unknown): number | undefined {
  if (e instanceof ProviderError || (e as OctoErrorLike | null)?.cause instanceof ProviderError) return undefined;
  const s = (e as OctoErrorLike | null)?.status;
  return typeof s === 'number' && (e as OctoErrorLike).response ? s : undefined;
}

export function headersOf(e: unknown): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries((e as OctoErrorLike | null)?.response?.headers ?? {})) if (v !== undefined && v !== null) h.set(k, String(v));
  return h;
}

/** Server text (`message`) can echo input: strip token-like runs, cap the length. */
export function serverMessage(e: unknown): string {
  const m = ((e as OctoErrorLike | null)?.response?.data as { message?: unknown } | undefined)?.message;
  if (typeof m !== 'string') return '';
  return m
    .replace(/\b(gh[pousr]_|github_pat_)\S*/g, '[redacted]')
    .replace(/[A-Za-z0-9_\-+/=.:%]{16,}/g, '[redacted]')
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 200);
}

/**
 * Rebuild an Octokit failure as a ProviderError: status, classification, request id and the
 * wait GitHub asked for — primary limit (403/429 with x-ratelimit-remaining 0 → until
 * x-ratelimit-reset), secondary limit (retry-after, else at least 60 s).
 */
export function ghFail(ctx: Ctx, e: unknown, what: string, extra: { nextSteps?: string[]; code?: string } = {}): ProviderError {
  if (e instanceof ProviderError) return e;
  const cause = (e as OctoErrorLike | null)?.cause;
  if (cause instanceof ProviderError) return cause;
  const status = statusOf(e);
  if (status === undefined) {
    const name = (e as { name?: string } | null)?.name ?? 'error';
    return new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${what}: the GitHub client failed (${name})`, failure: 'ambiguous', code: 'CLIENT_ERROR' });
  }
  const h = headersOf(e);
  const msg = serverMessage(e);
  const url = (e as OctoErrorLike).response?.url;
  const base = { provider: ctx.instance, action: ctx.action, status, requestId: h.get('x-github-request-id') ?? undefined };
  const where = `HTTP ${status}${url ? ` from ${safeUrl(url)}` : ''}${msg ? `: ${msg}` : ''}`;
  if ((status === 403 || status === 429) && h.get('x-ratelimit-remaining') === '0') {
    const wait = retryAfterMs(h);
    return new ProviderError({ ...base, message: `${what}: GitHub rate limit exhausted (${where})`, code: 'RATE_LIMITED', failure: 'not-sent', retryAfterMs: wait, nextSteps: [`The limit resets ${h.get('x-ratelimit-reset') ? `at ${new Date(Number(h.get('x-ratelimit-reset')) * 1000).toISOString()}` : 'within the hour'}; the step can be retried then.`] });
  }
  if ((status === 403 || status === 429) && (h.has('retry-after') || /secondary rate limit/i.test(msg) || status === 429)) {
    return new ProviderError({ ...base, message: `${what}: GitHub secondary rate limit (${where})`, code: 'SECONDARY_RATE_LIMIT', failure: 'not-sent', retryAfterMs: retryAfterMs(h) ?? 60_000, nextSteps: ['Wait at least the time GitHub asked for (60 s if it did not say), then retry more slowly.'] });
  }
  return new ProviderError({
    ...base,
    message: `${what} (${where})`,
    code: extra.code ?? (status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : status === 422 ? 'INVALID' : undefined),
    failure: classifyStatus(status) ?? 'definite',
    retryAfterMs: retryAfterMs(h),
    nextSteps: extra.nextSteps,
  });
}
