/**
 * The one door for HTTP. Every provider request goes through `request()` (or `doorFetch`,
 * a fetch-compatible function handed to official client libraries), which
 * - applies a connect timeout (DNS + TCP + TLS) and a total timeout (until the last body
 *   byte) and honours the caller's AbortSignal;
 * - classifies failures by how far the exchange got: not-sent (DNS, refused, connect timeout,
 *   429, 503), ambiguous (anything after the connection was made: timeout after send, reset
 *   mid-response; 500/502/504), definite (400/401/403/404/422 …);
 * - reads Retry-After (seconds or HTTP date), GitHub's x-ratelimit-reset (when remaining is 0)
 *   and HF's `RateLimit: "api";r=0;t=SECONDS`;
 * - rebuilds every failure as a ProviderError with no headers, no body and no cause (they can
 *   hold tokens); URLs in messages lose their query and token-like path segments;
 * - refuses any non-loopback host while a loopback-only guard is set (drills) — before any
 *   DNS lookup or connection, and again on the resolved address and on every redirect.
 *
 * Built on node:http/https rather than fetch so that the phase of a failure (connected or
 * not) is known, which is what separates "not sent" from "ambiguous".
 */
import http from 'node:http';
import type https from 'node:https';
import type zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { Readable } from 'node:stream';
import { ProviderError } from './errors.js';
import { Secret } from './secrets/secret.js';
import {
  classifyStatus,
  describeTransportFailure,
  isLoopbackAddress,
  isLoopbackHost,
  requestIdOf,
  retryAfterMs,
  safeUrl,
  type TransportEvent,
  type TransportPhase,
} from './http-policy.js';

export { classifyStatus, describeTransportFailure, isLoopbackAddress, isLoopbackHost, requestIdOf, retryAfterMs, safeUrl } from './http-policy.js';
export type { TransportEvent, TransportPhase } from './http-policy.js';

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string | Secret>;
  /** a JSON body (sets content-type) */
  json?: unknown;
  body?: string | Uint8Array;
  /** total time for the request, until the last byte of the body, default 30 s */
  timeoutMs?: number;
  /** time to resolve, connect and finish TLS, default 10 s */
  connectTimeoutMs?: number;
  /** largest response body read by `request`, default 16 MiB */
  maxBytes?: number;
  /** `manual` (default for request): a 3xx is returned as is; `follow`: up to 10 hops, Authorization dropped across origins */
  redirect?: 'manual' | 'follow';
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
const DEFAULT_CONNECT_TIMEOUT = 10_000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const MAX_REDIRECTS = 10;
const USER_AGENT = 'runbook (incident response)';

let loopbackOnly = false;
/** Drill safety: while set, any request to a host that is not loopback is refused before sending. */
export function setLoopbackOnly(on: boolean): void {
  loopbackOnly = on;
}
export function isLoopbackOnly(): boolean {
  return loopbackOnly;
}

// --- transport -------------------------------------------------------------------------------

// node:https (with TLS) and node:zlib load with the first https request and the first
// compressed answer: the drill guard and every command that only sets the door up (the TUI's
// first frame) leave out ~5 ms of module loading (bench/README.md)
const builtin = createRequire(import.meta.url);
let httpsModule: typeof https | undefined;
let zlibModule: typeof zlib | undefined;
const httpsLib = (): typeof https => (httpsModule ??= builtin('node:https') as typeof https);
const zlibLib = (): typeof zlib => (zlibModule ??= builtin('node:zlib') as typeof zlib);

const agents: { 'http:': http.Agent; 'https:'?: https.Agent } = { 'http:': new http.Agent({ keepAlive: true, timeout: 4000 }) };
const agentFor = (protocol: string): http.Agent => (protocol === 'https:' ? (agents['https:'] ??= new (httpsLib().Agent)({ keepAlive: true, timeout: 4000 })) : agents['http:']);

/** dns.lookup that refuses a non-loopback answer while the guard is on. */
const guardedLookup = ((hostname: string, options: object, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
  dnsLookup(hostname, options as { all: true }, (err, address: string | LookupAddress[], family?: number) => {
    if (err) return cb(err, address, family);
    const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
    if (loopbackOnly && !list.every(isLoopbackAddress)) {
      return cb(Object.assign(new Error('non-loopback address'), { code: 'DRILL_OUTBOUND_REFUSED' }), address, family);
    }
    cb(null, address, family);
  });
}) as unknown as http.RequestOptions['lookup'];

interface Call {
  provider: string;
  action: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  timeoutMs: number;
  connectTimeoutMs: number;
  redirect: 'manual' | 'follow' | 'error';
  signal: AbortSignal | undefined;
}

/** A transport failure as a ProviderError: what happened and how far the exchange got; never headers or bodies. */
function transportError(call: Call, url: URL, phase: TransportPhase, what: TransportEvent): ProviderError {
  if (what.code === 'DRILL_OUTBOUND_REFUSED') return refused(call, url.hostname);
  const d = describeTransportFailure(safeUrl(url.href), phase, what);
  return new ProviderError({ provider: call.provider, action: call.action, message: d.message, failure: d.failure, code: d.code });
}

function refused(call: { provider: string; action: string }, host: string): ProviderError {
  return new ProviderError({
    provider: call.provider,
    action: call.action,
    message: `refused to contact ${host}: a drill may only reach the loopback simulators`,
    failure: 'definite',
    code: 'DRILL_OUTBOUND_REFUSED',
  });
}

function checkUrl(call: { provider: string; action: string }, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProviderError({ provider: call.provider, action: call.action, message: 'invalid URL', failure: 'definite', code: 'BAD_URL' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProviderError({ provider: call.provider, action: call.action, message: `unsupported URL scheme ${url.protocol}`, failure: 'definite', code: 'BAD_URL' });
  }
  // the guard acts before any DNS lookup or connection
  if (loopbackOnly && !isLoopbackHost(url.hostname)) throw refused(call, url.hostname);
  return url;
}

interface Exchange {
  res: http.IncomingMessage;
  /** decoded body stream */
  body: Readable;
  headers: Headers;
  url: URL;
  /** call when the body has been consumed or dropped */
  done(): void;
  /** the error to report when the body stream fails */
  bodyError(kind?: 'timeout' | 'too-large'): ProviderError;
}

/** One exchange (no redirects): resolves once response headers are in. */
function exchange(call: Call, url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, deadline: number): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    let phase: TransportPhase = 'connecting';
    let settled = false;
    let failure: ProviderError | undefined;
    const timers: NodeJS.Timeout[] = [];
    const cleanup = () => {
      for (const t of timers) clearTimeout(t);
      call.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (what: Parameters<typeof transportError>[3]) => {
      failure ??= transportError(call, url, phase, what);
      if (!settled) {
        settled = true;
        cleanup();
        reject(failure);
      }
      req.destroy();
    };
    const onAbort = () => fail({ kind: 'aborted' });
    if (call.signal?.aborted) {
      settled = true;
      return reject(transportError(call, url, phase, { kind: 'aborted' }));
    }
    let req: http.ClientRequest;
    try {
      req = (url.protocol === 'https:' ? httpsLib() : http).request(url, {
        method,
        headers: { 'user-agent': USER_AGENT, ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        agent: agentFor(url.protocol),
        lookup: guardedLookup,
      });
    } catch (e) {
      // e.g. an invalid character in a header: name the header, never its value
      const name = /\["?([^"\]]+)"?\]/.exec(String((e as Error)?.message))?.[1];
      reject(new ProviderError({ provider: call.provider, action: call.action, message: `invalid request${name ? ` (header ${name})` : ''}`, failure: 'definite', code: 'BAD_REQUEST' }));
      return;
    }
    const onConnected = () => {
      if (phase === 'connecting') phase = 'sent';
    };
    req.on('socket', (s) => {
      // a reused keep-alive socket is connected already; a new one connects (and shakes hands) first
      if (!(s as { connecting?: boolean }).connecting) return onConnected();
      s.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', onConnected);
    });
    req.on('error', (e: NodeJS.ErrnoException) => fail({ kind: 'error', code: e.code }));
    timers.push(setTimeout(() => phase === 'connecting' && fail({ kind: 'connect-timeout' }), Math.min(call.connectTimeoutMs, Math.max(0, deadline - Date.now()))));
    const total = setTimeout(() => fail({ kind: 'timeout' }), Math.max(0, deadline - Date.now()));
    timers.push(total);
    call.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('response', (res) => {
      phase = 'response';
      const h = new Headers();
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
        try {
          h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        } catch {
          /* a header Headers cannot hold is dropped */
        }
      }
      const enc = (res.headers['content-encoding'] ?? '').toLowerCase().trim();
      const decoder = enc === 'gzip' || enc === 'x-gzip' ? zlibLib().createGunzip() : enc === 'deflate' ? zlibLib().createInflate() : enc === 'br' ? zlibLib().createBrotliDecompress() : null;
      const stream: Readable = decoder ? res.pipe(decoder) : res;
      if (decoder) {
        res.on('error', () => decoder.destroy());
        h.delete('content-length');
        h.delete('content-encoding');
      }
      // a body that breaks off (socket closed before the end) is an error, not a short body
      let settledBody = false;
      res.on('close', () => {
        if (!res.complete && !settledBody) stream.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      });
      settled = true;
      resolve({
        res,
        body: stream,
        headers: h,
        url,
        done: () => {
          settledBody = true;
          cleanup();
        },
        bodyError: (kind) => {
          settledBody = true;
          cleanup();
          return failure ?? transportError(call, url, 'response', { kind: kind ?? 'error', code: 'ECONNRESET' });
        },
      });
    });
    req.end(body);
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Sends with redirects handled per `call.redirect`; the guard is checked on every hop. */
async function send(call: Call, url: URL): Promise<Exchange> {
  const deadline = Date.now() + call.timeoutMs;
  let method = call.method;
  let headers = { ...call.headers };
  let body = call.body;
  for (let hop = 0; ; hop++) {
    const ex = await exchange(call, url, method, headers, body, deadline);
    const location = ex.headers.get('location');
    if (!REDIRECTS.has(ex.res.statusCode ?? 0) || !location || call.redirect === 'manual') return ex;
    ex.res.resume();
    ex.done();
    if (call.redirect === 'error' || hop >= MAX_REDIRECTS) {
      throw new ProviderError({ provider: call.provider, action: call.action, message: `too many redirects (or redirects refused) at ${safeUrl(url.href)}`, status: ex.res.statusCode, failure: 'definite', code: 'REDIRECT' });
    }
    const next = checkUrl(call, new URL(location, url).href);
    const status = ex.res.statusCode ?? 0;
    if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
      method = method === 'HEAD' ? 'HEAD' : 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !['content-type', 'content-length'].includes(k)));
    }
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !['authorization', 'cookie', 'proxy-authorization'].includes(k)));
    }
    url = next;
  }
}

function callOf(req: { provider: string; action: string; timeoutMs?: number; connectTimeoutMs?: number; signal?: AbortSignal }, method: string, headers: Record<string, string>, body: Buffer | undefined, redirect: Call['redirect']): Call {
  return {
    provider: req.provider,
    action: req.action,
    method: method.toUpperCase(),
    headers,
    body,
    timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT,
    connectTimeoutMs: req.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT,
    redirect,
    signal: req.signal,
  };
}

/** Send a request. Resolves for every HTTP status (check `ok`); throws ProviderError when nothing usable came back. */
export async function request(req: HttpRequest): Promise<HttpResponse> {
  const url = checkUrl(req, req.url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v instanceof Secret ? v.reveal() : String(v);
  let body: Buffer | undefined = req.body === undefined ? undefined : Buffer.from(req.body);
  if (req.json !== undefined) {
    body = Buffer.from(JSON.stringify(req.json), 'utf8');
    headers['content-type'] ??= 'application/json';
  }
  const call = callOf(req, req.method ?? 'GET', headers, body, req.redirect ?? 'manual');
  const ex = await send(call, url);
  const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    ex.body.on('data', (c: Buffer) => {
      n += c.length;
      if (n > maxBytes) {
        ex.body.destroy();
        ex.res.destroy();
        return reject(ex.bodyError('too-large'));
      }
      chunks.push(c);
    });
    ex.body.once('end', () => {
      ex.done();
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    ex.body.once('error', () => reject(ex.bodyError()));
  });
  const status = ex.res.statusCode ?? 0;
  const finalUrl = ex.url.href;
  return {
    status,
    headers: ex.headers,
    url: finalUrl,
    requestId: requestIdOf(ex.headers),
    retryAfterMs: retryAfterMs(ex.headers, Date.now(), status),
    text,
    ok: status >= 200 && status < 300,
    json<T>() {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ProviderError({ provider: req.provider, action: req.action, message: `expected JSON from ${safeUrl(finalUrl)} (HTTP ${status})`, status, failure: 'definite' });
      }
    },
  };
}

/** The body of a fetch Response, fed from the exchange with back-pressure; a broken body errors with a ProviderError. */
function webBody(ex: Exchange): ReadableStream<Uint8Array> {
  const src = ex.body;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      src.on('data', (c: Buffer) => {
        controller.enqueue(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) src.pause();
      });
      src.once('end', () => {
        ex.done();
        controller.close();
      });
      src.once('error', () => controller.error(ex.bodyError()));
    },
    pull() {
      src.resume();
    },
    cancel() {
      src.destroy();
      ex.res.destroy();
      ex.done();
    },
  });
}

/**
 * A fetch-compatible function for official client libraries (Octokit, @huggingface/hub, AWS
 * SDK handlers): same timeouts, same loopback guard (on every redirect too), same safe errors.
 * Redirects follow fetch's default (`follow`), dropping Authorization across origins.
 */
export function doorFetch(provider: string, action: string, opts: { timeoutMs?: number; connectTimeoutMs?: number; signal?: AbortSignal } = {}): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const call0 = { provider, action };
    const rawUrl = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = checkUrl(call0, rawUrl);
    let r: Request;
    try {
      const i: RequestInit & { duplex?: string } = { ...init };
      if (i.body && typeof i.body === 'object' && 'getReader' in i.body) i.duplex = 'half';
      r = new Request(input instanceof Request ? input : url.href, i);
    } catch {
      throw new ProviderError({ provider, action, message: `invalid request to ${safeUrl(url.href)}`, failure: 'definite', code: 'BAD_REQUEST' });
    }
    const body = r.body ? Buffer.from(await r.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    r.headers.forEach((v, k) => (headers[k] = v));
    const signals = [init?.signal, input instanceof Request ? input.signal : undefined, opts.signal].filter((s): s is AbortSignal => !!s);
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    const call = callOf({ provider, action, timeoutMs: opts.timeoutMs, connectTimeoutMs: opts.connectTimeoutMs, signal }, r.method, headers, body, r.redirect);
    const ex = await send(call, url);
    const status = ex.res.statusCode ?? 0;
    const nullBody = r.method === 'HEAD' || status === 204 || status === 205 || status === 304;
    if (nullBody) {
      ex.res.resume();
      ex.done();
    }
    let res: Response;
    try {
      res = new Response(nullBody ? null : webBody(ex), { status, statusText: ex.res.statusMessage ?? '', headers: ex.headers });
    } catch {
      ex.res.destroy();
      ex.done();
      throw new ProviderError({ provider, action, message: `unusable HTTP status ${status} from ${safeUrl(ex.url.href)}`, status, failure: 'ambiguous', code: 'NETWORK' });
    }
    Object.defineProperty(res, 'url', { value: ex.url.href });
    Object.defineProperty(res, 'redirected', { value: ex.url.href !== url.href });
    return res;
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
