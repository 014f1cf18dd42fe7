/**
 * http.request pagination against node:http servers that follow the documented contracts,
 * written from the services' own docs:
 *
 * - GitLab REST API, "Pagination" (docs.gitlab.com/ee/api/rest/#pagination): offset pagination
 *   with `page` / `per_page` (default 20, max 100); every response has a `Link` header with
 *   rel prev/next/first/last (one header, comma-separated) and `X-Next-Page` (empty on the last
 *   page), `X-Page`, `X-Per-Page`, `X-Prev-Page`, `X-Total`, `X-Total-Pages`. Keyset
 *   pagination (`pagination=keyset&order_by=id&sort=asc`): the `Link` rel="next" URL carries
 *   `id_after=N`; on the last page there is no `Link` header. Auth: `PRIVATE-TOKEN: <token>`.
 * - Okta management API, "Pagination" (developer.okta.com, design principles): list endpoints
 *   take `limit` and an opaque `after` cursor that only ever appears inside the `Link` header;
 *   responses are a top-level JSON array with two `Link` header lines, `rel="self"` and (when
 *   there is more) `rel="next"`; no rel="next" means the end. Auth: `Authorization: SSWS <token>`.
 * - An internal admin API of the kind teams write: `{ data: [...], meta: { next_cursor } }`,
 *   the cursor sent back as `?cursor=`, `next_cursor: null` on the last page.
 */
import http from 'node:http';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSecret } from '../../src/core/secrets/secret.js';
import httpProvider from '../../src/providers/http/index.js';
import { expectNoLeak, harness, planAction, providerError, randomAlnum, runAction } from './helpers-notify.js';

interface Seen {
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
}

interface Server {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

type Reply = { status?: number; headers?: Record<string, string | string[]>; body: unknown };

async function serve(handle: (path: string, q: URLSearchParams, h: http.IncomingHttpHeaders, base: string) => Reply | undefined): Promise<Server> {
  const seen: Seen[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', base);
    seen.push({ path: u.pathname, query: Object.fromEntries(u.searchParams), headers: req.headers });
    const r = handle(u.pathname, u.searchParams, req.headers, base) ?? { status: 404, body: { message: '404 Not found' } };
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    res.writeHead(r.status ?? 200, { 'content-type': typeof r.body === 'string' ? 'text/plain' : 'application/json', ...r.headers });
    res.end(text);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    seen,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

// --- GitLab ----------------------------------------------------------------------------------

const gitlabToken = `glpat-${randomAlnum(20)}`;
const glTokens = Array.from({ length: 7 }, (_, i) => ({ id: 100 + i, name: `token-${i}`, revoked: false, active: true, scopes: ['api'], user_id: 3 }));

function gitlab(path: string, q: URLSearchParams, h: http.IncomingHttpHeaders, base: string): Reply | undefined {
  if (h['private-token'] !== gitlabToken) return { status: 401, body: { message: '401 Unauthorized' } };
  if (path !== '/api/v4/personal_access_tokens') return undefined;
  const perPage = Math.min(100, Number(q.get('per_page') ?? 20));
  if (q.get('pagination') === 'keyset') {
    const after = Number(q.get('id_after') ?? 0);
    const rows = glTokens.filter((t) => t.id > after).slice(0, perPage);
    const more = rows.length > 0 && glTokens.some((t) => t.id > rows.at(-1)!.id);
    const next = `${base}${path}?id_after=${rows.at(-1)?.id}&order_by=id&pagination=keyset&per_page=${perPage}&sort=asc`;
    return { body: rows, headers: more ? { link: `<${next}>; rel="next"` } : {} };
  }
  const page = Number(q.get('page') ?? 1);
  const pages = Math.max(1, Math.ceil(glTokens.length / perPage));
  const at = (p: number) => `${base}${path}?page=${p}&per_page=${perPage}`;
  const links = [page > 1 && `<${at(page - 1)}>; rel="prev"`, page < pages && `<${at(page + 1)}>; rel="next"`, `<${at(1)}>; rel="first"`, `<${at(pages)}>; rel="last"`].filter(Boolean);
  return {
    body: glTokens.slice((page - 1) * perPage, page * perPage),
    headers: {
      link: links.join(', '),
      'x-next-page': page < pages ? String(page + 1) : '',
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-prev-page': page > 1 ? String(page - 1) : '',
      'x-total': String(glTokens.length),
      'x-total-pages': String(pages),
    },
  };
}

// --- Okta ------------------------------------------------------------------------------------

const oktaToken = randomAlnum(42);
const oktaUsers = Array.from({ length: 5 }, (_, i) => ({ id: `00u${randomAlnum(17)}`, status: 'ACTIVE', profile: { login: `user${i}@acme.example`, email: `user${i}@acme.example` } }));

function okta(path: string, q: URLSearchParams, h: http.IncomingHttpHeaders, base: string): Reply | undefined {
  if (h.authorization !== `SSWS ${oktaToken}`) return { status: 401, body: { errorCode: 'E0000011', errorSummary: 'Invalid token provided' } };
  if (path !== '/api/v1/users') return undefined;
  const limit = Number(q.get('limit') ?? 200);
  const after = q.get('after');
  const start = after ? oktaUsers.findIndex((u) => u.id === after) + 1 : 0;
  const rows = oktaUsers.slice(start, start + limit);
  const self = `<${base}${path}?${q.toString()}>; rel="self"`;
  const more = start + limit < oktaUsers.length;
  // two separate Link header lines, as Okta sends them
  return { body: rows, headers: { link: more ? [self, `<${base}${path}?after=${rows.at(-1)!.id}&limit=${limit}>; rel="next"`] : [self] } };
}

// --- an internal admin API -------------------------------------------------------------------

const adminKeys = Array.from({ length: 5 }, (_, i) => ({ id: `k${i}`, owner: i % 2 ? 'alice' : 'bob', secret: `adm_${randomAlnum(30)}` }));

function admin(path: string, q: URLSearchParams): Reply | undefined {
  if (path === '/v2/keys') {
    const start = Number(q.get('cursor') ?? 0);
    const rows = adminKeys.slice(start, start + 2).map(({ id, owner }) => ({ id, owner }));
    return { body: { data: rows, meta: { next_cursor: start + 2 < adminKeys.length ? String(start + 2) : null } } };
  }
  if (path === '/v2/loop') return { body: [1], headers: { link: `</v2/loop>; rel="next"` } };
  if (path === '/v2/endless') {
    const n = Number(q.get('n') ?? 0);
    return { body: [n], headers: { link: `</v2/endless?n=${n + 1}>; rel="next"` } };
  }
  if (path === '/v2/object') return { body: { users: [], total: 0 } };
  if (path === '/v2/n') {
    const total = Number(q.get('total'));
    const per = Number(q.get('per'));
    const page = Number(q.get('page') ?? 1);
    const rows = Array.from({ length: total }, (_, i) => i).slice((page - 1) * per, page * per);
    const more = page * per < total;
    return { body: { rows, next: more ? page + 1 : null }, headers: more ? { link: `</v2/n?total=${total}&per=${per}&page=${page + 1}>; rel="next"`, 'x-next-page': String(page + 1) } : { 'x-next-page': '' } };
  }
  if (path.startsWith('/hook/')) return q.get('page') === '2' ? { status: 500, body: { error: 'boom' } } : { body: [1], headers: { link: `<${path}?page=2>; rel="next"` } };
  if (path === '/v2/created') return { body: [{ id: 'k9', secret: adminKeys[0]!.secret }] };
  return undefined;
}

let gl: Server, ok: Server, adm: Server, other: Server;
beforeAll(async () => {
  [gl, ok, adm] = await Promise.all([serve(gitlab), serve(okta), serve(admin)]);
  other = await serve(() => ({ body: [] }));
});
afterAll(async () => {
  await Promise.all([gl, ok, adm, other].map((s) => s.close()));
});

const h = () => harness(httpProvider, 'request', {});

describe('GitLab (offset and keyset pagination)', () => {
  it('follows Link rel="next" through every page, sending the secret header each time', async () => {
    const hh = h();
    gl.seen.length = 0;
    const out = await runAction(httpProvider, hh.ctx, {
      url: `${gl.url}/api/v4/personal_access_tokens?per_page=3`,
      headers: { 'PRIVATE-TOKEN': hh.secret(gitlabToken, 'secrets.gitlab') },
      paginate: { link: true },
      pick: { ids: '*.id', first: '0.name' },
    });
    expect(out.pages).toBe(3);
    expect(out.items).toEqual(glTokens);
    expect(out.values).toEqual({ ids: glTokens.map((t) => t.id), first: 'token-0' });
    expect(gl.seen.map((s) => s.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(gl.seen.every((s) => s.headers['private-token'] === gitlabToken)).toBe(true);
    expectNoLeak(gitlabToken, out, hh);
  });

  it('follows X-Next-Page into ?page= (empty on the last page)', async () => {
    gl.seen.length = 0;
    const hh = h();
    const out = await runAction(httpProvider, hh.ctx, {
      url: `${gl.url}/api/v4/personal_access_tokens?per_page=2`,
      headers: { 'PRIVATE-TOKEN': hh.secret(gitlabToken, 'secrets.gitlab') },
      paginate: { header: 'X-Next-Page', param: 'page' },
    });
    expect(out.pages).toBe(4);
    expect(out.items.map((t: { id: number }) => t.id)).toEqual(glTokens.map((t) => t.id));
    expect(gl.seen.map((s) => [s.query.page, s.query.per_page])).toEqual([
      [undefined, '2'],
      ['2', '2'],
      ['3', '2'],
      ['4', '2'],
    ]);
  });

  it('keyset pagination: the next link carries id_after; no Link header ends it', async () => {
    gl.seen.length = 0;
    const hh = h();
    const out = await runAction(httpProvider, hh.ctx, {
      url: `${gl.url}/api/v4/personal_access_tokens?pagination=keyset&per_page=4&order_by=id&sort=asc`,
      headers: { 'PRIVATE-TOKEN': hh.secret(gitlabToken, 'secrets.gitlab') },
      paginate: { link: true },
    });
    expect(out.pages).toBe(2);
    expect(out.items).toEqual(glTokens);
    expect(gl.seen[1]!.query.id_after).toBe('103');
  });

  it('a 401 on page 1 fails as the credentials, without the token', async () => {
    const hh = h();
    const wrong = `glpat-${randomAlnum(20)}`;
    const err = await providerError(runAction(httpProvider, hh.ctx, { url: `${gl.url}/api/v4/personal_access_tokens`, headers: { 'PRIVATE-TOKEN': hh.secret(wrong, 'secrets.gitlab') }, paginate: { link: true } }));
    expect(err.status).toBe(401);
    expect(err.message).toContain('credentials');
    expectNoLeak(wrong, err, hh);
  });
});

describe('Okta (Link rel="next" with an opaque after cursor, two Link lines)', () => {
  it('collects every user across pages of the top-level JSON array', async () => {
    ok.seen.length = 0;
    const hh = h();
    const out = await runAction(httpProvider, hh.ctx, {
      url: `${ok.url}/api/v1/users?limit=2`,
      headers: { Authorization: hh.secret(`SSWS ${oktaToken}`, 'secrets.okta') },
      paginate: { link: true },
      pick: { logins: '*.profile.login' },
    });
    expect(out.pages).toBe(3);
    expect(out.items.map((u: { id: string }) => u.id)).toEqual(oktaUsers.map((u) => u.id));
    expect(out.values.logins).toEqual(oktaUsers.map((u) => u.profile.login));
    expect(ok.seen.map((s) => s.query.after)).toEqual([undefined, oktaUsers[1]!.id, oktaUsers[3]!.id]);
    expect(ok.seen.every((s) => s.query.limit === '2')).toBe(true);
    expectNoLeak(oktaToken, out, hh);
  });

  it('one page (only rel="self") is one request', async () => {
    ok.seen.length = 0;
    const out = await runAction(httpProvider, h().ctx, { url: `${ok.url}/api/v1/users?limit=200`, headers: { Authorization: `SSWS ${oktaToken}` }, paginate: { link: true } });
    expect(out.pages).toBe(1);
    expect(out.items).toHaveLength(5);
    expect(ok.seen).toHaveLength(1);
  });
});

describe('an internal admin API (cursor in the body)', () => {
  it('sends the cursor back as ?cursor= until next_cursor is null, collecting data', async () => {
    adm.seen.length = 0;
    const out = await runAction(httpProvider, h().ctx, { url: `${adm.url}/v2/keys?owner=any`, paginate: { cursor: 'meta.next_cursor', param: 'cursor', items: 'data' }, pick: { owners: '*.owner' } });
    expect(out.pages).toBe(3);
    expect(out.items.map((k: { id: string }) => k.id)).toEqual(adminKeys.map((k) => k.id));
    expect(out.values.owners).toEqual(['bob', 'alice', 'bob', 'alice', 'bob']);
    expect(adm.seen.map((s) => s.query)).toEqual([{ owner: 'any' }, { owner: 'any', cursor: '2' }, { owner: 'any', cursor: '4' }]);
  });

  it('a misspelt cursor path fails on page 1, naming the path, the keys there and the one meant — it never ends paging quietly', async () => {
    adm.seen.length = 0;
    const err = await providerError(runAction(httpProvider, h().ctx, { url: `${adm.url}/v2/keys`, paginate: { cursor: 'meta.next_cursr', param: 'cursor', items: 'data' } }));
    expect(err.code).toBe('PAGINATE');
    expect(err.message).toContain('paginate.cursor meta.next_cursr: meta has no key "next_cursr" (its keys: next_cursor)');
    expect(err.message).toContain('did you mean paginate.cursor meta.next_cursor?');
    expect(adm.seen).toHaveLength(1);
  });

  it('a cursor path that matches nothing on page 1 (nothing near it either) is a warning naming it and the keys there', async () => {
    const hh = h();
    const out = await runAction(httpProvider, hh.ctx, { url: `${adm.url}/v2/keys`, paginate: { cursor: 'paging.after', param: 'cursor', items: 'data' } });
    expect(out.pages).toBe(1);
    expect(hh.log.lines.filter((l) => l.startsWith('warn: '))).toEqual([
      'warn: page 1: no next cursor (paginate.cursor paging.after: the body has no key "paging" (its keys: data, meta)) — taken as the only page; if the list has more pages, paginate.cursor does not name the cursor',
    ]);
  });

  it('a body that is not a list says so with its keys, and how to point at the list', async () => {
    const err = await providerError(runAction(httpProvider, h().ctx, { url: `${adm.url}/v2/object`, paginate: { link: true } }));
    expect(err.code).toBe('PAGINATE');
    expect(err.message).toContain('not a list (its keys: users, total)');
    expect(err.message).toContain('paginate.items');
    const miss = await providerError(runAction(httpProvider, h().ctx, { url: `${adm.url}/v2/object`, paginate: { link: true, items: 'data' } }));
    expect(miss.message).toContain('paginate.items data: the body has no key "data" (its keys: users, total)');
  });

  it('more pages than max_pages is a failure that names the bound, never a silent cut', async () => {
    adm.seen.length = 0;
    const err = await providerError(runAction(httpProvider, h().ctx, { url: `${adm.url}/v2/endless`, paginate: { link: true, max_pages: 4 } }));
    expect(err.code).toBe('PAGINATE');
    expect(err.message).toMatch(/more than 4 page\(s\) \(paginate\.max_pages\)/);
    expect(adm.seen).toHaveLength(4);
  });

  it('a next page that was already read stops the loop', async () => {
    const err = await providerError(runAction(httpProvider, h().ctx, { url: `${adm.url}/v2/loop`, paginate: { link: true } }));
    expect(err.message).toMatch(/already given/);
  });

  it('a next link to another origin is refused before anything (or any header) is sent there', async () => {
    const evil = await serve((path) => (path === '/start' ? { body: [1], headers: { link: `<${other.url}/steal>; rel="next"` } } : undefined));
    const hh = h();
    const token = randomAlnum(30);
    other.seen.length = 0;
    try {
      const err = await providerError(runAction(httpProvider, hh.ctx, { url: `${evil.url}/start`, headers: { Authorization: hh.secret(`Bearer ${token}`, 'secrets.api') }, paginate: { link: true } }));
      expect(err.message).toContain(`is on ${other.url}, not ${evil.url}`);
      expect(other.seen).toHaveLength(0);
      expectNoLeak(token, err, hh);
    } finally {
      await evil.close();
    }
  });

  it('a secret URL stays secret on every page: a failing page 2 is named by the label', async () => {
    const hh = h();
    const canary = randomAlnum(24);
    const err = await providerError(runAction(httpProvider, hh.ctx, { url: hh.secret(`${adm.url}/hook/${canary}`, 'secrets.hook'), paginate: { link: true } }));
    expect(err.status).toBe(500);
    expect(err.message).toContain('[secret secrets.hook] (page 2)');
    expect(adm.seen.at(-1)?.query.page).toBe('2');
    expectNoLeak(canary, err, hh);
  });

  it('a secret picked from the items is a Secret in its place in result.items too', async () => {
    const hh = h();
    const out = await runAction(httpProvider, hh.ctx, { url: `${adm.url}/v2/created`, paginate: { link: true }, pick_secret: { key: '0.secret' }, pick: { id: '0.id' } });
    expect(out.values.id).toBe('k9');
    expect(isSecret(out.items[0].secret)).toBe(true);
    expect(out.secrets.key.reveal()).toBe(adminKeys[0]!.secret);
    expect(JSON.stringify(out)).not.toContain(adminKeys[0]!.secret);
  });

  it('plan says how it pages, without sending anything', async () => {
    adm.seen.length = 0;
    expect(await planAction(httpProvider, h().ctx, { url: `${adm.url}/v2/keys`, paginate: { cursor: 'meta.next_cursor', param: 'cursor', items: 'data', max_pages: 5 } })).toEqual([
      `GET ${adm.url}/v2/keys, next cursor meta.next_cursor as ?cursor=, at most 5 page(s), items at data`,
    ]);
    expect(adm.seen).toHaveLength(0);
  });
});

describe('every way of paging collects every item once, in order', () => {
  it('for any list size and page size (property, against the server)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('link', 'cursor', 'header'), async (total, per, way) => {
        const paginate = way === 'link' ? { link: true, items: 'rows' } : way === 'cursor' ? { cursor: 'next', param: 'page', items: 'rows' } : { header: 'X-Next-Page', param: 'page', items: 'rows' };
        const out = await runAction(httpProvider, h().ctx, { url: `${adm.url}/v2/n?total=${total}&per=${per}`, paginate: { ...paginate, max_pages: 100 } });
        expect(out.items).toEqual(Array.from({ length: total }, (_, i) => i));
        expect(out.pages).toBe(Math.max(1, Math.ceil(total / per)));
      }),
      { numRuns: 40 },
    );
  });
});

describe('paginate input', () => {
  const parse = (v: unknown) => httpProvider.actions.request!.input.safeParse(v);
  const messages = (v: unknown) => {
    const r = parse(v);
    return r.success ? [] : r.error.issues.map((i) => i.message);
  };
  it('takes exactly one way to find the next page, a param with cursor/header, GET only, no body: true', () => {
    expect(parse({ url: 'https://x.example/a', paginate: { link: true } }).success).toBe(true);
    expect(messages({ url: 'https://x.example/a', paginate: {} })[0]).toMatch(/exactly one of link: true, cursor/);
    expect(messages({ url: 'https://x.example/a', paginate: { link: true, cursor: 'next', param: 'c' } })[0]).toMatch(/got link and cursor/);
    expect(messages({ url: 'https://x.example/a', paginate: { cursor: 'next' } })[0]).toMatch(/cursor needs param/);
    expect(messages({ url: 'https://x.example/a', method: 'POST', paginate: { link: true } })[0]).toMatch(/GET only/);
    expect(messages({ url: 'https://x.example/a', body: true, paginate: { link: true } })[0]).toMatch(/result\.items/);
    expect(messages({ url: 'https://x.example/a', paginate: { link: true, max_pages: 1001 } })).toHaveLength(1);
    expect(messages({ url: 'https://x.example/a', paginate: { cursor: '$.next', param: 'c' } })[0]).toMatch(/JSONPath \(\$…\) is not supported/);
  });
});
