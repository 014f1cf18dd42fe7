/**
 * The one door for HTTP. Every provider request goes through `request()` (or `doorFetch`,
 * a fetch-compatible function handed to official client libraries), which
 * - applies a connect timeout and a total timeout and honours the caller's AbortSignal;
 * - classifies failures: not-sent (DNS, refused, 429) / ambiguous (timeout after send, reset,
 *   502/504) / definite (400/401/403/404/422);
 * - reads Retry-After, GitHub's x-ratelimit-reset and HF's RateLimit header;
 * - rebuilds errors as ProviderError with no headers and no body (they can hold tokens);
 * - refuses any non-loopback host while a loopback-only guard is set (drills).
 */
import { ProviderError, type FailureClass } from './errors.js';
import { Secret } from './secrets/secret.js';

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string | Secret>;
  /** a JSON body (sets content-type) */
  json?: unknown;
  body?: string | Uint8Array;
  /** total time for the request, default 30 s */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** for error messages: which provider and action made the call */
  provider: string;
  action: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  url: string;
  requestId: string | undefined;
  /** milliseconds to wait before retrying, when the service says so */
  retryAfterMs: number | undefined;
  text: string;
  json<T = unknown>(): T;
  ok: boolean;
}

const DEFAULT_TIMEOUT = 30_000;

let loopbackOnly = false;
/** Drill safety: while set, any request to a host that is not loopback is refused before sending. */
export function setLoopbackOnly(on: boolean): void {
  loopbackOnly = on;
}
export function isLoopbackOnly(): boolean {
  return loopbackOnly;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function classifyStatus(status: number): FailureClass | null {
  if (status < 400) return null;
  if (status === 429) return 'not-sent';
  if (status === 502 || status === 504 || status === 500 || status === 503) return status === 503 ? 'not-sent' : 'ambiguous';
  return 'definite';
}

/** Retry-After (seconds or HTTP date), x-ratelimit-reset (epoch s, when remaining is 0), RateLimit `t=` (HF). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ra = headers.get('retry-after');
  if (ra) {
    const s = Number(ra);
    if (Number.isFinite(s)) return Math.max(0, s * 1000);
    const d = Date.parse(ra);
    if (Number.isFinite(d)) return Math.max(0, d - now);
  }
  if (headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  }
  const rl = headers.get('ratelimit');
  if (rl) {
    const m = /(?:^|;)\s*t=(\d+)/.exec(rl);
    if (m) return Number(m[1]) * 1000;
  }
  return undefined;
}

function requestIdOf(h: Headers): string | undefined {
  return h.get('x-request-id') ?? h.get('x-github-request-id') ?? h.get('x-amzn-requestid') ?? h.get('x-slack-req-id') ?? undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** A short, safe description of where a request went: origin and path, no query (it can hold tokens). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

function networkFailure(e: unknown): { failure: FailureClass; message: string } {
  const code = (e as { cause?: { code?: string } })?.cause?.code ?? (e as { code?: string })?.code;
  const name = (e as { name?: string })?.name;
  if (name === 'TimeoutError') return { failure: 'ambiguous', message: 'timed out waiting for the service' };
  if (name === 'AbortError') return { failure: 'ambiguous', message: 'aborted' };
  switch (code) {
    case 'ECONNREFUSED':
      return { failure: 'not-sent', message: 'connection refused' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { failure: 'not-sent', message: 'host not found' };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { failure: 'not-sent', message: 'connect timed out' };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { failure: 'ambiguous', message: 'connection reset' };
    default:
      return { failure: 'ambiguous', message: `network error${code ? ` (${code})` : ''}` };
  }
}

/** Send a request. Resolves for every HTTP status (check `ok`); throws ProviderError when nothing came back. */
export async function request(req: HttpRequest): Promise<HttpResponse> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v instanceof Secret ? v.reveal() : v;
  let body: string | Uint8Array | undefined = req.body;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await doorFetchRaw(req.url, { method: req.method ?? 'GET', headers, body, signal: req.signal }, req.timeoutMs ?? DEFAULT_TIMEOUT, req.provider, req.action);
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    const f = networkFailure(e);
    throw new ProviderError({ provider: req.provider, action: req.action, message: `${f.message} reading the response from ${safeUrl(req.url)}`, status: res.status, failure: 'ambiguous' });
  }
  return {
    status: res.status,
    headers: res.headers,
    url: req.url,
    requestId: requestIdOf(res.headers),
    retryAfterMs: retryAfterMs(res.headers),
    text,
    ok: res.status >= 200 && res.status < 300,
    json<T>() {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ProviderError({ provider: req.provider, action: req.action, message: `expected JSON from ${safeUrl(req.url)} (HTTP ${res.status})`, status: res.status, failure: 'definite' });
      }
    },
  };
}

async function doorFetchRaw(url: string, init: RequestInit, timeoutMs: number, provider: string, action: string): Promise<Response> {
  const host = hostOf(url);
  if (!host) throw new ProviderError({ provider, action, message: `invalid URL`, failure: 'definite' });
  if (loopbackOnly && !isLoopbackHost(host)) {
    throw new ProviderError({ provider, action, message: `refused to contact ${host}: a drill may only reach the loopback simulators`, failure: 'definite', code: 'DRILL_OUTBOUND_REFUSED' });
  }
  const signals = [AbortSignal.timeout(timeoutMs)];
  if (init.signal) signals.push(init.signal);
  try {
    return await fetch(url, { ...init, signal: AbortSignal.any(signals), redirect: 'manual' });
  } catch (e) {
    const f = networkFailure(e);
    throw new ProviderError({ provider, action, message: `${f.message} (${safeUrl(url)})`, failure: f.failure, code: 'NETWORK' });
  }
}

/**
 * A fetch-compatible function for official client libraries (Octokit, @huggingface/hub):
 * same timeout, same loopback guard, same safe errors.
 */
export function doorFetch(provider: string, action: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const merged: RequestInit = input instanceof Request ? { method: input.method, headers: input.headers, body: input.body, ...init } : { ...init };
    if (opts.signal) merged.signal = merged.signal ? AbortSignal.any([merged.signal, opts.signal]) : opts.signal;
    if (merged.body && typeof merged.body === 'object' && 'getReader' in merged.body) (merged as { duplex?: string }).duplex = 'half';
    return doorFetchRaw(url, merged, opts.timeoutMs ?? DEFAULT_TIMEOUT, provider, action);
  }) as typeof fetch;
}

/** Turn a non-2xx response into a ProviderError (status, code, request id; never the body). */
export function httpError(res: HttpResponse, provider: string, action: string, message?: string, code?: string): ProviderError {
  return new ProviderError({
    provider,
    action,
    message: message ?? `HTTP ${res.status} from ${safeUrl(res.url)}`,
    status: res.status,
    code,
    failure: classifyStatus(res.status) ?? 'definite',
    requestId: res.requestId,
    retryAfterMs: res.retryAfterMs,
  });
}
