import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import dc from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyStatus,
  describeTransportFailure,
  doorFetch,
  httpError,
  isLoopbackHost,
  request,
  retryAfterMs,
  safeUrl,
  setLoopbackOnly,
  type HttpRequest,
} from '../../src/core/http.js';
import { ProviderError } from '../../src/core/errors.js';
import { Secret } from '../../src/core/secrets/secret.js';
import { alnum } from './secrets/leak.js';
import { rejection } from '../helpers/rejection.js';

/** A server on 127.0.0.1 that misbehaves on purpose, by path. */
function misbehaving() {
  const seen: { path: string; auth: string | undefined; method: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: u.pathname, auth: req.headers.authorization, method: req.method ?? '', body });
      const auth = req.headers.authorization ?? '';
      switch (u.pathname.startsWith('/hang') ? '/hang' : u.pathname) {
        case '/ok':
          res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-1' }).end(JSON.stringify({ ok: true, body }));
          return;
        case '/hang':
          return; // never answers
        case '/reset':
          req.socket.destroy();
          return;
        case '/reset-mid':
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
          res.write('partial ' + auth);
          setTimeout(() => req.socket.destroy(), 20);
          return;
        case '/slow-body': {
          res.writeHead(200, { 'content-type': 'text/plain' });
          const t = setInterval(() => res.write('.'), 50);
          res.on('close', () => clearInterval(t));
          return;
        }
        case '/429':
          res.writeHead(429, { 'retry-after': '7' }).end('slow down ' + auth);
          return;
        case '/429-date':
          res.writeHead(429, { 'retry-after': new Date(Date.now() + 120_000).toUTCString() }).end();
          return;
        case '/gh-limit':
          res.writeHead(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 90) }).end('{"message":"API rate limit exceeded"}');
          return;
        case '/hf-limit':
          res.writeHead(429, { ratelimit: '"api";r=0;t=55', 'ratelimit-policy': '"fixed window";"api";q=500;w=300' }).end();
          return;
        case '/echo-auth':
          // a hostile service: the token comes back in a header and in the body
          res.writeHead(401, { 'www-authenticate': `Bearer realm="${auth}"`, 'x-echo': auth }).end(JSON.stringify({ error: 'bad token', token: auth }));
          return;
        case '/gzip':
          res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(gzipSync('hello compressed'));
          return;
        case '/redirect-same':
          res.writeHead(302, { location: '/ok' }).end();
          return;
        case '/redirect-other':
          res.writeHead(307, { location: `http://localhost:${u.searchParams.get('port')}/ok` }).end();
          return;
        case '/redirect-out':
          res.writeHead(302, { location: 'http://203.0.113.1/steal' }).end();
          return;
        default: {
          const m = /^\/status\/(\d+)$/.exec(u.pathname);
          res.writeHead(m ? Number(m[1]) : 404).end(auth);
        }
      }
    });
  });
  return { server, seen };
}

let a: ReturnType<typeof misbehaving>;
let b: ReturnType<typeof misbehaving>;
let base = '';
let portB = 0;
let refusedPort = 0;

beforeAll(async () => {
  a = misbehaving();
  b = misbehaving();
  await new Promise<void>((r) => a.server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => b.server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(a.server.address() as AddressInfo).port}`;
  portB = (b.server.address() as AddressInfo).port;
  // a port nobody listens on: bind, read the port, close
  const tmp = http.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  refusedPort = (tmp.address() as AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));
});
afterAll(() => {
  for (const s of [a.server, b.server]) {
    s.closeAllConnections();
    s.close();
  }
});
afterEach(() => setLoopbackOnly(false));

const req = (path: string, over: Partial<HttpRequest> = {}): HttpRequest => ({ url: base + path, provider: 'test', action: 'call', ...over });
const failure = (p: Promise<unknown>) => rejection(p, ProviderError);

/** Every way an error can be shown: message, JSON, inspect (hidden too), stack, the cause chain. */
function everything(e: unknown): string {
  const out: string[] = [];
  for (let x: unknown = e, i = 0; x !== undefined && x !== null && i < 10; x = (x as { cause?: unknown }).cause, i++) {
    out.push(String((x as Error).message), String((x as Error).stack), JSON.stringify(x), inspect(x, { showHidden: true, depth: 20 }), String(x));
  }
  return out.join('\n');
}

describe('request', () => {
  it('sends and reads a response: status, headers, request id, JSON', async () => {
    const res = await request(req('/ok', { method: 'post', json: { a: 1 } }));
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.requestId).toBe('req-1');
    expect(res.json()).toEqual({ ok: true, body: '{"a":1}' });
    expect(a.seen.at(-1)).toMatchObject({ method: 'POST', path: '/ok' });
  });

  it('reveals Secret headers only onto the wire', async () => {
    const token = new Secret(alnum(30), 'secrets.t');
    await request(req('/ok', { headers: { authorization: token } }));
    expect(a.seen.at(-1)?.auth).toBe(token.reveal());
  });

  it('decompresses gzip bodies', async () => {
    expect((await request(req('/gzip'))).text).toBe('hello compressed');
  });

  it('connection refused is not-sent', async () => {
    const e = await failure(request({ url: `http://127.0.0.1:${refusedPort}/x`, provider: 'test', action: 'call' }));
    expect(e).toMatchObject({ failure: 'not-sent', retryable: true, code: 'NETWORK' });
    expect(e.message).toMatch(/connection refused.*nothing was sent/);
  });

  it('connect timeout: a TLS handshake that never completes is not-sent, within connectTimeoutMs', async () => {
    // a TCP server on loopback that accepts and then says nothing: the TLS handshake hangs
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as AddressInfo).port;
      const t0 = performance.now();
      const e = await failure(request({ url: `https://127.0.0.1:${port}/x`, provider: 'test', action: 'call', connectTimeoutMs: 300, timeoutMs: 20_000 }));
      const ms = performance.now() - t0;
      expect(e).toMatchObject({ failure: 'not-sent', code: 'NETWORK' });
      expect(e.message).toMatch(/timed out connecting/);
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });

  it('a server that never answers: timeout after send is ambiguous', async () => {
    const t0 = performance.now();
    const e = await failure(request(req('/hang', { timeoutMs: 300 })));
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(e).toMatchObject({ failure: 'ambiguous', code: 'NETWORK' });
    expect(e.message).toMatch(/timed out after the request was sent/);
  });

  it('a reset before the response is ambiguous; a reset mid-body is ambiguous', async () => {
    const e1 = await failure(request(req('/reset')));
    expect(e1).toMatchObject({ failure: 'ambiguous' });
    expect(e1.message).toMatch(/connection reset after the request was sent/);
    const e2 = await failure(request(req('/reset-mid')));
    expect(e2).toMatchObject({ failure: 'ambiguous' });
    expect(e2.message).toMatch(/while reading the response/);
  });

  it('a slow body runs into the total timeout (ambiguous)', async () => {
    const e = await failure(request(req('/slow-body', { timeoutMs: 400 })));
    expect(e).toMatchObject({ failure: 'ambiguous' });
    expect(e.message).toMatch(/timed out while reading the response/);
  });

  it('an AbortSignal cancels a request in flight (ambiguous) and one not yet started (not-sent)', async () => {
    const ac = new AbortController();
    const p = request(req('/hang', { signal: ac.signal }));
    setTimeout(() => ac.abort(), 100);
    expect(await failure(p)).toMatchObject({ failure: 'ambiguous', code: 'ABORTED' });
    const before = a.seen.length;
    expect(await failure(request(req('/ok', { signal: AbortSignal.abort() })))).toMatchObject({ failure: 'not-sent', code: 'ABORTED' });
    expect(a.seen.length).toBe(before);
  });

  it('429 with Retry-After seconds / HTTP date; GitHub and HF rate-limit headers', async () => {
    const r1 = await request(req('/429'));
    expect(r1.retryAfterMs).toBe(7000);
    expect(httpError(r1, 'test', 'call')).toMatchObject({ status: 429, failure: 'not-sent', retryAfterMs: 7000 });
    const r2 = await request(req('/429-date'));
    expect(r2.retryAfterMs).toBeGreaterThan(110_000);
    expect(r2.retryAfterMs).toBeLessThanOrEqual(120_000);
    const r3 = await request(req('/gh-limit'));
    expect(r3.retryAfterMs).toBeGreaterThan(85_000);
    expect(r3.retryAfterMs).toBeLessThanOrEqual(90_000);
    const r4 = await request(req('/hf-limit'));
    expect(r4.retryAfterMs).toBe(55_000);
  });

  it('classifies statuses: 503 not-sent; 500/502/504 ambiguous; 400/401/403/404/422 definite', async () => {
    const expected: Record<number, string> = { 503: 'not-sent', 429: 'not-sent', 500: 'ambiguous', 502: 'ambiguous', 504: 'ambiguous', 400: 'definite', 401: 'definite', 403: 'definite', 404: 'definite', 422: 'definite' };
    for (const [status, failure] of Object.entries(expected)) {
      const res = await request(req(`/status/${status}`));
      expect(res.status).toBe(Number(status));
      expect(httpError(res, 'test', 'call').failure, status).toBe(failure);
    }
    expect(classifyStatus(204)).toBeNull();
  });

  it('a body larger than maxBytes is refused', async () => {
    const e = await failure(request(req('/slow-body', { maxBytes: 5, timeoutMs: 5000 })));
    expect(e).toMatchObject({ code: 'TOO_LARGE' });
  });

  it('a 3xx is returned as is by default; follow keeps Authorization on the same origin and drops it across origins', async () => {
    const token = alnum(30);
    expect((await request(req('/redirect-same'))).status).toBe(302);
    const same = await request(req('/redirect-same', { redirect: 'follow', headers: { authorization: token } }));
    expect(same.status).toBe(200);
    expect(a.seen.at(-1)).toMatchObject({ path: '/ok', auth: token });
    const other = await request(req(`/redirect-other?port=${portB}`, { redirect: 'follow', method: 'POST', body: 'x', headers: { authorization: token } }));
    expect(other.status).toBe(200);
    expect(other.url).toBe(`http://localhost:${portB}/ok`);
    expect(b.seen.at(-1)).toMatchObject({ path: '/ok', auth: undefined, method: 'POST', body: 'x' });
  });
});

describe('loopback-only guard', () => {
  function watchConnections() {
    const hosts: string[] = [];
    const onSocket = (m: unknown) => hosts.push(String((m as { socket?: { remoteAddress?: string } }).socket?.remoteAddress ?? 'socket'));
    const onRequest = (m: unknown) => hosts.push(String((m as { request?: { host?: string } }).request?.host ?? 'request'));
    dc.subscribe('net.client.socket', onSocket);
    dc.subscribe('http.client.request.start', onRequest);
    return {
      hosts,
      stop: () => {
        dc.unsubscribe('net.client.socket', onSocket);
        dc.unsubscribe('http.client.request.start', onRequest);
      },
    };
  }

  it('refuses a non-loopback host before any connection attempt (request and doorFetch)', async () => {
    setLoopbackOnly(true);
    const w = watchConnections();
    try {
      for (const url of ['http://203.0.113.1/api', 'https://203.0.113.1:8443/x', 'http://example.invalid/', 'http://[2001:db8::1]/', 'http://localhost.example/']) {
        const t0 = performance.now();
        const e1 = await failure(request({ url, provider: 'test', action: 'call', timeoutMs: 60_000 }));
        expect(e1).toMatchObject({ failure: 'definite', code: 'DRILL_OUTBOUND_REFUSED' });
        const e2 = await failure(doorFetch('test', 'call', { timeoutMs: 60_000 })(url));
        expect(e2).toMatchObject({ code: 'DRILL_OUTBOUND_REFUSED' });
        expect(performance.now() - t0).toBeLessThan(1000);
      }
      expect(w.hosts).toEqual([]);
      // loopback still works under the guard
      expect((await request(req('/ok'))).status).toBe(200);
      expect(w.hosts.length).toBeGreaterThan(0);
    } finally {
      w.stop();
    }
  });

  it('refuses a redirect that leaves loopback', async () => {
    setLoopbackOnly(true);
    const w = watchConnections();
    try {
      const e = await failure(request(req('/redirect-out', { redirect: 'follow' })));
      expect(e).toMatchObject({ code: 'DRILL_OUTBOUND_REFUSED' });
      const e2 = await failure(doorFetch('test', 'call')(base + '/redirect-out'));
      expect(e2).toMatchObject({ code: 'DRILL_OUTBOUND_REFUSED' });
      expect(w.hosts.filter((h) => h.includes('203.0.113.1'))).toEqual([]);
    } finally {
      w.stop();
    }
  });

  it('knows loopback names', () => {
    for (const h of ['localhost', '127.0.0.1', '127.8.9.10', '[::1]', '::1', '[::ffff:7f00:1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['203.0.113.1', 'localhost.example', 'example.com', '[::ffff:cb00:7101]', '0.0.0.0', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
    expect(new URL('http://127.1/').hostname).toBe('127.0.0.1'); // URL normalises short forms before the check
  });
});

describe('doorFetch', () => {
  it('behaves like fetch for client libraries: status, headers, body, url', async () => {
    const f = doorFetch('test', 'call');
    const res = await f(base + '/ok', { method: 'POST', body: JSON.stringify({ b: 2 }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-1');
    expect(await res.json()).toEqual({ ok: true, body: '{"b":2}' });
    expect(res.url).toBe(base + '/ok');
    const viaRequest = await f(new Request(base + '/gzip'));
    expect(await viaRequest.text()).toBe('hello compressed');
    const form = await f(base + '/ok', { method: 'POST', body: new URLSearchParams({ a: '1' }) });
    expect(((await form.json()) as { body: string }).body).toBe('a=1');
  });

  it('follows redirects like fetch, and classifies failures the same way', async () => {
    const f = doorFetch('test', 'call', { timeoutMs: 300 });
    const res = await f(base + '/redirect-same');
    expect(res.status).toBe(200);
    expect(res.redirected).toBe(true);
    expect(await failure(f(base + '/hang'))).toMatchObject({ failure: 'ambiguous' });
    expect(await failure(f(`http://127.0.0.1:${refusedPort}/`))).toMatchObject({ failure: 'not-sent' });
    const mid = await f(base + '/reset-mid');
    expect(mid.status).toBe(200);
    expect(await failure(mid.text())).toMatchObject({ failure: 'ambiguous' });
  });
});

describe('errors carry no secrets', () => {
  it('an Authorization canary appears nowhere in any error, whatever went wrong', async () => {
    const canary = 'hf_' + alnum(34);
    const queryCanary = alnum(32);
    const pathCanary = `T${alnum(10)}9x${alnum(12)}7Q`;
    const auth = { authorization: new Secret(`Bearer ${canary}`, 'auth') };
    const errors: unknown[] = [];
    const catchIt = (p: Promise<unknown>) => p.then(() => errors.push(new Error(`no error at #${errors.length}`)), (e: unknown) => errors.push(e));
    await catchIt(request(req(`/reset?token=${queryCanary}`, { headers: auth })));
    await catchIt(request(req(`/hang/${pathCanary}?token=${queryCanary}`, { headers: auth, timeoutMs: 200 })));
    await catchIt(request(req(`/reset-mid`, { headers: auth })));
    await catchIt(request({ url: `http://127.0.0.1:${refusedPort}/${pathCanary}?t=${queryCanary}`, provider: 'test', action: 'call', headers: auth }));
    await catchIt(request(req(`/ok`, { headers: { ...auth, 'x-bad': `bad\nvalue ${canary}` } })));
    await catchIt(doorFetch('test', 'call')(`${base}/reset?token=${queryCanary}`, { headers: { authorization: `Bearer ${canary}` } }));
    await catchIt(
      doorFetch('test', 'call')(`${base}/reset-mid`, { headers: { authorization: `Bearer ${canary}` } }).then((r) => r.text()),
    );
    setLoopbackOnly(true);
    await catchIt(request({ url: `http://203.0.113.1/${pathCanary}?token=${queryCanary}`, provider: 'test', action: 'call', headers: auth }));
    setLoopbackOnly(false);
    // a response that echoes the token in headers and body becomes an error without either
    const echoed = await request(req(`/echo-auth?token=${queryCanary}`, { headers: auth }));
    expect(echoed.text).toContain(canary); // the hostile server really echoed it
    errors.push(httpError(echoed, 'test', 'call'));
    const json = await request(req('/status/401', { headers: auth }));
    errors.push(await Promise.resolve().then(() => json.json()).catch((e: unknown) => e));

    expect(errors).toHaveLength(10);
    for (const e of errors) {
      expect(e).toBeInstanceOf(ProviderError);
      const text = everything(e);
      expect(text).not.toContain(canary);
      expect(text).not.toContain(queryCanary);
      expect(text).not.toContain(pathCanary);
      expect((e as { cause?: unknown }).cause).toBeUndefined();
    }
  });
});

describe('policy', () => {
  it('retryAfterMs: Retry-After wins; GitHub reset only when remaining is 0; RateLimit only when exhausted (or on 429)', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    const h = (o: Record<string, string>) => new Headers(o);
    expect(retryAfterMs(h({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(h({ 'retry-after': 'Wed, 01 Jan 2025 00:01:00 GMT' }), now)).toBe(60_000);
    expect(retryAfterMs(h({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(h({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 30) }), now)).toBe(30_000);
    expect(retryAfterMs(h({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': String(now / 1000 + 30) }), now)).toBeUndefined();
    expect(retryAfterMs(h({ ratelimit: '"api";r=0;t=55' }), now)).toBe(55_000);
    expect(retryAfterMs(h({ ratelimit: '"api";r=499;t=120' }), now)).toBeUndefined();
    expect(retryAfterMs(h({ ratelimit: '"api";r=3;t=20' }), now, 429)).toBe(20_000);
    expect(retryAfterMs(h({ ratelimit: '"api";r=9;t=5, "pages";r=0;t=40' }), now)).toBe(40_000);
    expect(retryAfterMs(h({ 'ratelimit-remaining': '0', 'ratelimit-reset': '12' }), now)).toBe(12_000);
  });

  it('classifies transport failures by phase (DNS included, tested without any lookup)', () => {
    const w = 'http://h/x';
    expect(describeTransportFailure(w, 'connecting', { kind: 'error', code: 'ENOTFOUND' })).toMatchObject({ failure: 'not-sent', message: expect.stringMatching(/host not found/) });
    expect(describeTransportFailure(w, 'connecting', { kind: 'error', code: 'EAI_AGAIN' }).failure).toBe('not-sent');
    expect(describeTransportFailure(w, 'connecting', { kind: 'error', code: 'ECONNREFUSED' }).failure).toBe('not-sent');
    expect(describeTransportFailure(w, 'connecting', { kind: 'connect-timeout' }).failure).toBe('not-sent');
    expect(describeTransportFailure(w, 'connecting', { kind: 'error', code: 'CERT_HAS_EXPIRED' })).toMatchObject({ failure: 'definite', code: 'TLS' });
    expect(describeTransportFailure(w, 'sent', { kind: 'timeout' }).failure).toBe('ambiguous');
    expect(describeTransportFailure(w, 'sent', { kind: 'error', code: 'ECONNRESET' }).failure).toBe('ambiguous');
    expect(describeTransportFailure(w, 'response', { kind: 'error', code: 'ECONNRESET' }).failure).toBe('ambiguous');
  });

  it('safeUrl drops query, user info and token-like path segments', () => {
    const hook = `https://hooks.slack.com/services/T${alnum(8)}/B${alnum(8)}/${alnum(24)}`;
    expect(safeUrl(hook)).toBe('https://hooks.slack.com/services/***');
    expect(safeUrl('https://user:pw@api.example.com/v1/items?token=abc#frag')).toBe('https://api.example.com/v1/items');
    expect(safeUrl(`https://api.telegram.example/bot${alnum(4)}12${alnum(20)}AbC/send`)).toBe('https://api.telegram.example/***/send');
    expect(safeUrl('https://huggingface.co/api/spaces/alice/chat/secrets')).toBe('https://huggingface.co/api/spaces/alice/chat/secrets');
    expect(safeUrl('not a url')).toBe('(invalid url)');
  });
});
