/**
 * Helpers for adapters that send to a URL which may itself be a secret (webhook URLs: the path
 * of a Slack incoming webhook *is* the credential). The core door names `origin + path` in its
 * error messages; for a secret URL that would print the credential, so errors are rebuilt to
 * name the secret's label instead.
 */
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import { httpError, safeUrl, type HttpResponse } from '../../core/http.js';
import { isSecret, type Secret } from '../../core/secrets/secret.js';
import type { ActionContext } from '../sdk.js';

export type UrlValue = string | Secret;
export type HeaderValue = string | Secret;

/** A URL given literally (https://…) or as a secret reference. */
export const UrlField = z.union([z.url({ protocol: /^https?$/ }), z.custom<Secret>(isSecret)]);
export const HeadersField = z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name'), z.union([z.string(), z.custom<Secret>(isSecret)]));

/** Where a request goes, as it may be shown: origin + path for a plain URL, the label for a secret one. */
export function shownUrl(url: UrlValue): string {
  return isSecret(url) ? String(url) : safeUrl(url);
}

export function rawUrl(url: UrlValue): string {
  return isSecret(url) ? url.reveal() : url;
}

/** Rebuild a ProviderError with `find` replaced by `replace` in its message. */
export function rewriteError(e: ProviderError, finds: string[], replace: string): ProviderError {
  const prefix = `${e.provider}.${e.action}: `;
  let message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  for (const f of finds) if (f) message = message.split(f).join(replace);
  return new ProviderError({
    provider: e.provider,
    action: e.action,
    message,
    status: e.status,
    code: e.code,
    failure: e.failure,
    requestId: e.requestId,
    retryAfterMs: e.retryAfterMs,
    nextSteps: e.nextSteps,
  });
}

export interface SendRequest {
  method: string;
  url: UrlValue;
  headers?: Record<string, HeaderValue>;
  body?: string;
  timeoutMs?: number;
}

/** Send through the HTTP door; a secret URL never shows up in an error message. */
export async function send(ctx: ActionContext<unknown>, req: SendRequest): Promise<HttpResponse> {
  const url = rawUrl(req.url);
  try {
    // only pass timeoutMs when set: an explicit `undefined` would override the context's default
    return await ctx.http({ method: req.method, url, headers: req.headers, body: req.body, ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}) });
  } catch (e) {
    if (e instanceof ProviderError && isSecret(req.url)) throw rewriteError(e, [url, safeUrl(url)], shownUrl(req.url));
    throw e;
  }
}

/** A non-2xx response as a ProviderError whose message names the URL safely. */
export function statusError(ctx: ActionContext<unknown>, res: HttpResponse, url: UrlValue, what?: string, code?: string): ProviderError {
  const message = what ?? `HTTP ${res.status} from ${shownUrl(url)}`;
  return httpError(res, ctx.instance, ctx.action, message, code);
}

/** A plain description of a 4xx/5xx for people (what it usually means). */
export function statusHint(status: number): string {
  if (status === 401) return 'the service did not accept the credentials (HTTP 401)';
  if (status === 403) return 'the credentials are not allowed to do this (HTTP 403)';
  if (status === 404) return 'nothing at that URL (HTTP 404)';
  if (status === 410) return 'the endpoint is gone (HTTP 410)';
  if (status === 429) return 'rate-limited by the service (HTTP 429)';
  if (status >= 500) return `the service failed (HTTP ${status})`;
  if (status >= 300 && status < 400) return `redirected (HTTP ${status}); redirects are not followed`;
  return `unexpected HTTP ${status}`;
}
