/**
 * The official @slack/web-api WebClient, set up for an incident tool:
 * - its requests go through our HTTP door (`ctx.fetch`: timeouts, loopback guard in drills,
 *   safe network errors) — v8 of the client accepts a fetch;
 * - its own retries are off (`retries: 0`, `rejectRateLimitedCalls`): the engine owns retries;
 * - it never logs to the console (silent logger);
 * - every error is rebuilt as a ProviderError; the client's errors are dropped, never wrapped
 *   (a WebAPIHTTPError carries the response headers, a request error the original cause).
 *
 * The client package is imported on the first call (`loadSlack`), not when the provider is loaded.
 */
import type { FetchFunction, Logger as SlackLogger, WebAPICallResult, WebClient } from '@slack/web-api';
import { ProviderError } from '../../core/errors.js';
import { classifyStatus, retryAfterMs } from '../../core/http.js';
import type { Secret } from '../../core/secrets/secret.js';
import type { ActionContext } from '../sdk.js';
import type { SlackConfig } from './config.js';
import { platformError, slackCode } from './errors.js';

type SlackSdk = typeof import('@slack/web-api');
let sdk: Promise<SlackSdk> | undefined;
let sdkLoaded: SlackSdk | undefined;
/** @slack/web-api, imported once, on first use; a CommonJS package, so its exports are `default` (see aws/transport.ts). */
export const loadSlack = () => (sdk ??= import('@slack/web-api').then((m) => (sdkLoaded = m.default)));

const silent = ({ LogLevel }: SlackSdk): SlackLogger => ({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
});

export async function slackClient(ctx: ActionContext<SlackConfig>, token: Secret): Promise<WebClient> {
  const m = await loadSlack();
  const { LogLevel, WebClient } = m;
  return new WebClient(token.reveal(), {
    slackApiUrl: ctx.config.api_url,
    fetch: ctx.fetch as FetchFunction,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
    logger: silent(m),
    timeout: ctx.config.timeout_ms ?? 0,
    // the method name is always ours, but never let it redirect the token elsewhere
    allowAbsoluteUrls: false,
  });
}

/** Rebuild anything the WebClient throws as a ProviderError (no raw error travels on). */
export function slackError(ctx: ActionContext<SlackConfig>, method: string, e: unknown): ProviderError {
  const p = ctx.instance;
  const a = ctx.action;
  if (e instanceof ProviderError) return e;
  // the client's error classes: an error can only be one of them if the client was loaded
  const { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } = sdkLoaded ?? {};
  if (WebAPIRequestError && e instanceof WebAPIRequestError) {
    if (e.original instanceof ProviderError) return e.original;
    return new ProviderError({ provider: p, action: a, message: `${method}: the request to Slack failed`, failure: 'ambiguous', code: 'NETWORK' });
  }
  if (WebAPIRateLimitedError && e instanceof WebAPIRateLimitedError) {
    return new ProviderError({ provider: p, action: a, message: `${method}: Slack rate-limited the call; retry after ${e.retryAfter}s`, status: 429, code: 'ratelimited', failure: 'not-sent', retryAfterMs: e.retryAfter * 1000 });
  }
  if (WebAPIPlatformError && e instanceof WebAPIPlatformError) return platformError(p, a, method, e.data?.error);
  if (WebAPIHTTPError && e instanceof WebAPIHTTPError) {
    const headers = new Headers();
    for (const [k, v] of Object.entries(e.headers ?? {})) if (typeof v === 'string') headers.set(k, v);
    return new ProviderError({
      provider: p,
      action: a,
      message: `${method}: Slack answered HTTP ${e.statusCode}`,
      status: e.statusCode,
      code: `HTTP_${e.statusCode}`,
      failure: classifyStatus(e.statusCode) ?? 'definite',
      retryAfterMs: retryAfterMs(headers),
      requestId: headers.get('x-slack-req-id') ?? undefined,
    });
  }
  // a 429 without a usable Retry-After surfaces as a plain Error from the client's retry wrapper
  if (e instanceof Error && /^Retry header did not contain a valid timeout/.test(e.message)) {
    return new ProviderError({ provider: p, action: a, message: `${method}: Slack rate-limited the call`, status: 429, code: 'ratelimited', failure: 'not-sent' });
  }
  return new ProviderError({ provider: p, action: a, message: `${method}: unexpected failure in the Slack client`, failure: 'ambiguous', code: 'CLIENT' });
}

/** Call a Web API method; returns the `ok:true` result or throws a ProviderError. */
export async function callSlack<T extends WebAPICallResult>(ctx: ActionContext<SlackConfig>, token: Secret, method: string, args: Record<string, unknown>): Promise<T> {
  const client = await slackClient(ctx, token);
  try {
    return (await client.apiCall(method, args)) as T;
  } catch (e) {
    throw slackError(ctx, method, e);
  }
}

/** Like callSlack, but a Slack error code (`{ok:false, error}`) comes back as a value, not a throw. */
export async function callSlackResult<T extends WebAPICallResult>(
  ctx: ActionContext<SlackConfig>,
  token: Secret,
  method: string,
  args: Record<string, unknown>,
): Promise<{ ok: true; result: T } | { ok: false; code: string; err: ProviderError }> {
  const client = await slackClient(ctx, token);
  const { WebAPIPlatformError } = await loadSlack();
  try {
    return { ok: true, result: (await client.apiCall(method, args)) as T };
  } catch (e) {
    const code = e instanceof WebAPIPlatformError ? slackCode(e.data?.error) : undefined;
    if (code) return { ok: false, code, err: platformError(ctx.instance, ctx.action, method, code) };
    throw slackError(ctx, method, e);
  }
}
