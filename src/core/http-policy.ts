/**
 * Pure HTTP policy for the door (src/core/http.ts, which re-exports all of this): how a status
 * is classified, how long a service asks us to wait, which hosts count as loopback, and how a
 * URL is shown in an error. No I/O here.
 */
import type { FailureClass } from './errors.js';
import { redactShapes } from './secrets/shapes.js';

/** A loopback host name or address literal (as written in a URL; names other than `localhost` are not resolved). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || isLoopbackAddress(h);
}

export function isLoopbackAddress(a: string): boolean {
  const h = a.toLowerCase();
  return h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.test(h);
}

export function classifyStatus(status: number): FailureClass | null {
  if (status < 400) return null;
  // the service says it did not process the request: safe to send again
  if (status === 429 || status === 503 || status === 408 || status === 425) return 'not-sent';
  if (status === 501 || status === 505) return 'definite';
  if (status >= 500) return 'ambiguous';
  return 'definite';
}

/**
 * How long the service asks us to wait, in ms: Retry-After (seconds or HTTP date); GitHub's
 * x-ratelimit-reset (epoch seconds) when x-ratelimit-remaining is 0; the IETF RateLimit header
 * (HF: `"api";r=0;t=55`) for an exhausted policy (r=0), or on a 429; RateLimit-Reset (draft, delta seconds) when RateLimit-Remaining is 0.
 */
export function retryAfterMs(headers: Headers, now = Date.now(), status?: number): number | undefined {
  const ra = headers.get('retry-after')?.trim();
  if (ra) {
    if (/^\d+(?:\.\d+)?$/.test(ra)) return Number(ra) * 1000;
    const d = Date.parse(ra);
    if (Number.isFinite(d)) return Math.max(0, d - now);
  }
  if (headers.get('x-ratelimit-remaining')?.trim() === '0') {
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  }
  const rl = headers.get('ratelimit');
  if (rl) {
    let wait: number | undefined;
    for (const item of rl.split(',')) {
      const params = new Map<string, string>();
      for (const p of item.split(';').slice(1)) {
        const [k, v] = p.split('=').map((x) => x.trim());
        if (k && v !== undefined) params.set(k.toLowerCase(), v);
      }
      const t = Number(params.get('t'));
      const r = params.get('r');
      if (Number.isFinite(t) && t >= 0 && (r === '0' || status === 429)) wait = Math.max(wait ?? 0, t * 1000);
    }
    if (wait !== undefined) return wait;
  }
  if (headers.get('ratelimit-remaining')?.trim() === '0') {
    const reset = Number(headers.get('ratelimit-reset'));
    if (Number.isFinite(reset) && reset >= 0) return reset * 1000;
  }
  return undefined;
}

export function requestIdOf(h: Headers): string | undefined {
  return h.get('x-request-id') ?? h.get('x-github-request-id') ?? h.get('x-amzn-requestid') ?? h.get('x-amz-request-id') ?? h.get('x-slack-req-id') ?? undefined;
}

/** A path segment that looks like a credential (webhook secrets, bot tokens in paths). */
const tokenLike = (seg: string) => /^[A-Za-z0-9_:-]{20,}$/.test(seg) && (seg.match(/\d/g)?.length ?? 0) >= 2 && /[a-z]/.test(seg) && /[A-Z]/.test(seg);

/** A short, safe description of where a request went: origin and path, no query, no user info, token-like segments masked. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    // known shapes first (a Slack webhook's path is the secret), then token-like segments
    const shaped = redactShapes(`${u.origin}${u.pathname}`);
    const cut = shaped.indexOf('/', u.origin.length);
    if (cut < 0) return shaped;
    const path = shaped
      .slice(cut)
      .split('/')
      .map((s) => (tokenLike(s) ? '***' : s))
      .join('/');
    return shaped.slice(0, cut) + path;
  } catch {
    return '(invalid url)';
  }
}


/** How far an exchange got: connecting (DNS, TCP, TLS), sent (connected, no response yet), response (reading it). */
export type TransportPhase = 'connecting' | 'sent' | 'response';
export interface TransportEvent {
  kind: 'timeout' | 'connect-timeout' | 'aborted' | 'error' | 'too-large';
  /** errno-style code of the underlying error (ECONNREFUSED, ENOTFOUND, …) */
  code?: string | undefined;
}

const TLS_CODES = /^(?:CERT_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(?:VERIFY|GET)_|HOSTNAME_MISMATCH|ERR_SSL_)/;
const CONNECT_WHY: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset while connecting',
};

/**
 * Classifies a transport failure by phase: nothing leaves before the connection is made
 * (not-sent — except TLS certificate problems, which no retry fixes: definite); once
 * connected, the service may have acted (ambiguous). `where` must already be a safeUrl.
 */
export function describeTransportFailure(where: string, phase: TransportPhase, what: TransportEvent): { message: string; failure: FailureClass; code: string } {
  const code = what.code ?? '';
  if (what.kind === 'connect-timeout') return { message: `timed out connecting to ${where} (nothing was sent)`, failure: 'not-sent', code: 'NETWORK' };
  if (what.kind === 'too-large') return { message: `the response from ${where} is larger than allowed`, failure: 'ambiguous', code: 'TOO_LARGE' };
  if (phase === 'connecting') {
    if (what.kind === 'aborted') return { message: `cancelled before connecting to ${where} (nothing was sent)`, failure: 'not-sent', code: 'ABORTED' };
    if (what.kind === 'timeout') return { message: `timed out connecting to ${where} (nothing was sent)`, failure: 'not-sent', code: 'NETWORK' };
    if (TLS_CODES.test(code)) return { message: `TLS certificate problem with ${where} (${code}); nothing was sent`, failure: 'definite', code: 'TLS' };
    const why = CONNECT_WHY[code] ?? `could not connect${code ? ` (${code})` : ''}`;
    return { message: `${why}: ${where} (nothing was sent)`, failure: 'not-sent', code: 'NETWORK' };
  }
  const stage = phase === 'sent' ? 'after the request was sent' : 'while reading the response';
  const reset = code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED';
  const how = what.kind === 'timeout' ? 'timed out' : what.kind === 'aborted' ? 'cancelled' : reset ? 'connection reset' : `connection failed${code ? ` (${code})` : ''}`;
  return {
    message: `${how} ${stage}: ${where} — it may have been applied; verify before retrying`,
    failure: 'ambiguous',
    code: what.kind === 'aborted' ? 'ABORTED' : 'NETWORK',
  };
}
