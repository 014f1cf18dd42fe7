/**
 * Issue 11 item 3 — templates in a URL are encoded per component: a value can never change the
 * URL's shape (a path segment stays one segment, a query value stays one value). Property tests
 * with fast-check, and one request through the http provider to a real node:http server.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExpressionError, renderString } from '../../src/core/runbook/expressions.js';
import { Secret } from '../../src/core/secrets/secret.js';
import { cliAsync, ensureBuilt } from '../e2e/cli.js';

const TEMPLATE = 'https://api.example.test/users/${{ inputs.v }}/keys?tag=${{ inputs.t }}&${{ inputs.k }}=1#${{ inputs.f }}';

/** What a well-formed string becomes (lone surrogates cannot be encoded: they become U+FFFD). */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

describe('URL templates', () => {
  it('keeps ../../admin?x=1 one path segment', () => {
    const url = renderString('https://api.example.test/users/${{ inputs.v }}/keys', { inputs: { v: '../../admin?x=1' } }) as string;
    expect(url).toBe('https://api.example.test/users/..%2F..%2Fadmin%3Fx%3D1/keys');
    expect(new URL(url).pathname.split('/')).toEqual(['', 'users', '..%2F..%2Fadmin%3Fx%3D1', 'keys']);
  });

  it('refuses . and .. as a whole path segment (URL parsers resolve them even encoded)', () => {
    for (const v of ['.', '..'])
      expect(() => renderString('https://h.test/a/${{ inputs.v }}/b', { inputs: { v } })).toThrow(ExpressionError);
    expect(renderString('https://h.test/a/report${{ inputs.v }}.txt', { inputs: { v: '..' } })).toBe('https://h.test/a/report...txt');
  });

  it('property: every value lands in its own component, decoded back unchanged', () => {
    const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('../../admin?x=1', '%2e%2e', '#', '?', '&', '=', '/', '\\', ' ', '+', '%', '@evil.test', '..%2F'));
    fc.assert(
      fc.property(value, value, value, value, (v, t, k, f) => {
        fc.pre(v !== '.' && v !== '..');
        const url = new URL(renderString(TEMPLATE, { inputs: { v, t, k, f } }) as string);
        expect(url.host).toBe('api.example.test');
        const segs = url.pathname.split('/');
        expect(segs.length).toBe(4);
        expect([segs[1], segs[3]]).toEqual(['users', 'keys']);
        expect(decodeURIComponent(segs[2]!)).toBe(wellFormed(v));
        expect([...url.searchParams.keys()]).toEqual(['tag', wellFormed(k)]);
        expect(url.searchParams.get('tag')).toBe(wellFormed(t));
        expect(decodeURIComponent(url.hash.slice(1))).toBe(wellFormed(f));
      }),
      { numRuns: 500 },
    );
  });

  it('property: a value in the authority cannot move the request to another host', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (v) => {
        let url: URL;
        try {
          url = new URL(renderString('https://${{ inputs.v }}.example.test/x', { inputs: { v } }) as string);
        } catch {
          return; // not a valid host: the provider's URL check refuses it
        }
        expect(url.hostname.endsWith('.example.test')).toBe(true);
        expect(url.pathname).toBe('/x');
      }),
      { numRuns: 300 },
    );
  });

  it('a base URL given by an expression is kept; what follows is encoded; secrets stay secrets', () => {
    const base = new Secret('https://hooks.example.test/T1/B2/abc', 'hook');
    const out = renderString('${{ secrets.hook }}/${{ inputs.v }}', { secrets: { hook: base }, inputs: { v: 'a/b' } });
    expect(out).toBeInstanceOf(Secret);
    expect((out as Secret).reveal()).toBe('https://hooks.example.test/T1/B2/abc/a%2Fb');
    expect(renderString('${{ inputs.api }}/users/${{ inputs.v }}', { inputs: { api: 'http://127.0.0.1:8080/v1', v: '../x' } })).toBe('http://127.0.0.1:8080/v1/users/..%2Fx');
  });

  it('text that is not a URL is rendered as before', () => {
    expect(renderString('see https://x.test/${{ inputs.v }} now', { inputs: { v: 'a/b c' } })).toBe('see https://x.test/a/b c now');
    expect(renderString('${{ inputs.a }}-${{ inputs.b }}', { inputs: { a: 'x/y', b: 'z?' } })).toBe('x/y-z?');
  });
});

describe('through the http provider (built cli, real node:http server)', () => {
  let server: Server;
  const seen: string[] = [];
  let port = 0;
  beforeAll(async () => {
    ensureBuilt();
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  }, 120_000);
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the path and query with each value in its own component', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'url-'));
    const file = join(dir, 'rb.yaml');
    writeFileSync(
      file,
      `version: 1
id: url
title: URL
inputs:
  user: { type: string }
  tag: { type: string }
providers:
  api: { type: http }
steps:
  - id: get
    kind: detect
    title: Read
    uses: api.request
    with:
      url: "http://127.0.0.1:${port}/users/\${{ inputs.user }}/keys?tag=\${{ inputs.tag }}"
`,
    );
    // async: the server answers from this process
    const r = await cliAsync(['run', file, '--yes', '--state-dir', join(dir, 'state'), '--input', 'user=../../admin?x=1', '--input', 'tag=a&admin=1']).done;
    expect(r.code, r.stderr).toBe(0);
    expect(seen).toEqual(['/users/..%2F..%2Fadmin%3Fx%3D1/keys?tag=a%26admin%3D1']);
  }, 60_000);
});
