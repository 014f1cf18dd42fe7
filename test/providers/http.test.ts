/** http.request against a real local server built on the simulator base. */
import { beforeEach, describe, expect, it } from 'vitest';
import { json, startHttpSimulator, type HttpSimulator } from '../../src/drill/simulators/base.js';
import { isSecret } from '../../src/core/secrets/secret.js';
import http from '../../src/providers/http/index.js';
import { expectNoLeak, harness, planAction, providerError, randomAlnum, runAction, verifyAction } from './helpers-notify.js';
import { useSimulator } from './use-simulator.js';

const apiToken = `tok_${randomAlnum(32)}`;
const createdKey = `key_${randomAlnum(32)}`;
let sim: HttpSimulator;
let things = new Set<string>();

/** the API the tests call: a server on the simulator base */
const startApi = () =>
  startHttpSimulator('api', (req) => {
    if (req.path === '/items/42') return { op: 'getItem', respond: () => json(200, { data: { items: [{ id: 'a1', tags: ['x'] }] }, n: 0, off: false }) };
    if (req.path === '/private') return { op: 'private', respond: () => (req.bearer() === apiToken ? json(200, { ok: true }) : json(401, { error: 'bad token' })) };
    if (req.path === '/forbidden') return { op: 'forbidden', respond: () => json(403, { error: 'no' }) };
    if (req.path === '/text') return { op: 'text', respond: () => ({ status: 200, body: 'plain' }) };
    if (req.path === '/list') return { op: 'list', respond: () => json(200, [{ id: 'u1', login: 'ann' }, { id: 'u2', login: 'bo' }]) };
    if (req.path === '/user') return { op: 'user', respond: () => json(200, { data: { user: { id: 7, login: 'ann', email: 'ann@example.com' } } }) };
    if (req.path === '/empty') return { op: 'empty', respond: () => ({ status: 204 }) };
    if (req.path === '/things' && req.method === 'POST')
      return {
        op: 'create',
        respond: () => {
          const name = req.json<{ name: string }>()?.name ?? '';
          things.add(name);
          return json(201, { id: name, api_key: createdKey });
        },
      };
    const m = /^\/things\/(.+)$/.exec(req.path);
    if (m && req.method === 'GET') return { op: 'readThing', respond: () => (things.has(m[1]!) ? json(200, { id: m[1] }) : json(404, { error: 'no such thing' })) };
    return undefined;
  });
useSimulator(startApi, (started) => (sim = started));
beforeEach(() => {
  things = new Set();
});

const h = (opts: { timeout?: number } = {}) => harness(http, 'request', {}, { httpTimeoutMs: opts.timeout });

describe('http.request', () => {
  it('GETs, picks values by dotted path and returns the status', async () => {
    const { ctx, evidence } = h();
    const out = await runAction(http, ctx, { url: `${sim.url}/items/42?x=1`, pick: { first: 'data.items.0.id', tag: 'data.items.0.tags.0', n: 'n', off: 'off' } });
    expect(out).toEqual({ status: 200, values: { first: 'a1', tag: 'x', n: 0, off: false }, secrets: {} });
    expect(evidence[0]?.httpStatus).toBe(200);
  });

  it('sends a JSON body and picks a created key as a Secret, never as plain output', async () => {
    const { ctx, secrets } = h();
    const out = await runAction(http, ctx, { method: 'POST', url: `${sim.url}/things`, json: { name: 'n1' }, expect: [201], pick: { id: 'id' }, pick_secret: { key: 'api_key' } });
    expect(out.values).toEqual({ id: 'n1' });
    expect(isSecret(out.secrets.key)).toBe(true);
    expect(out.secrets.key.reveal()).toBe(createdKey);
    expect(JSON.stringify(out)).not.toContain(createdKey);
    expect(secrets.redactor.redact(`got ${createdKey}`)).not.toContain(createdKey);
    expect(things.has('n1')).toBe(true);
  });

  it('sends secret header values and fails 401 without leaking the token', async () => {
    const ok = h();
    const out = await runAction(http, ok.ctx, { url: `${sim.url}/private`, headers: { Authorization: ok.secret(`Bearer ${apiToken}`, 'secrets.api') } });
    expect(out.status).toBe(200);
    const wrong = h();
    const canary = `tok_${randomAlnum(32)}`;
    const err = await providerError(runAction(http, wrong.ctx, { url: `${sim.url}/private`, headers: { Authorization: wrong.secret(`Bearer ${canary}`, 'secrets.api') } }));
    expect(err.status).toBe(401);
    expect(err.failure).toBe('definite');
    expect(err.message).toContain('credentials');
    expectNoLeak(canary, err, wrong);
  });

  it('a header value must be a string or a Secret reference', () => {
    expect(http.actions.request!.input.safeParse({ url: `${sim.url}/private`, headers: { Authorization: { reveal: () => 'x' } } }).success).toBe(false);
  });

  it('config headers apply to every request', async () => {
    const hh = harness(http, 'request', ({ secret }) => ({ headers: { authorization: secret(`Bearer ${apiToken}`, 'secrets.api') } }));
    expect((await runAction(http, hh.ctx, { url: `${sim.url}/private` })).status).toBe(200);
  });

  it('treats a status outside `expect` as a failure', async () => {
    const err = await providerError(runAction(http, h().ctx, { url: `${sim.url}/items/42`, expect: [204] }));
    expect(err.status).toBe(200);
    expect(err.message).toContain('expected 204');
  });

  it.each([
    ['/forbidden', 403, 'definite'],
    ['/nowhere', 404, 'definite'],
  ])('%s → %i is %s', async (path, status, failure) => {
    const err = await providerError(runAction(http, h().ctx, { url: `${sim.url}${path}` }));
    expect(err.status).toBe(status);
    expect(err.failure).toBe(failure);
  });

  it('429 with Retry-After is not-sent with retryAfterMs', async () => {
    sim.setFaults(() => ({ type: 'status', status: 429, retryAfterS: 7 }));
    const err = await providerError(runAction(http, h().ctx, { url: `${sim.url}/items/42` }));
    expect(err.failure).toBe('not-sent');
    expect(err.retryAfterMs).toBe(7000);
    expect(err.retryable).toBe(true);
  });

  it.each([
    [500, 'ambiguous'],
    [502, 'ambiguous'],
    [503, 'not-sent'],
  ])('HTTP %i is %s', async (status, failure) => {
    sim.setFaults(() => ({ type: 'status', status }));
    const err = await providerError(runAction(http, h().ctx, { method: 'POST', url: `${sim.url}/things`, json: {} }));
    expect(err.status).toBe(status);
    expect(err.failure).toBe(failure);
  });

  it('a timeout is ambiguous, and a secret URL is named by its label only', async () => {
    const hh = h({ timeout: 300 });
    const canary = randomAlnum(24);
    sim.setFaults(() => ({ type: 'timeout' }));
    const err = await providerError(runAction(http, hh.ctx, { url: hh.secret(`${sim.url}/things/${canary}`, 'secrets.hook') }));
    expect(sim.requests.at(-1)?.path).toBe(`/things/${canary}`);
    expect(err.failure).toBe('ambiguous');
    expect(err.message).toContain('timed out');
    expect(err.message).toContain('secrets.hook');
    expectNoLeak(canary, err, hh);
  });

  it('a 404 on a secret URL does not print its path', async () => {
    const hh = h();
    const canary = randomAlnum(24);
    const err = await providerError(runAction(http, hh.ctx, { url: hh.secret(`${sim.url}/nope/${canary}`, 'secrets.hook') }));
    expect(err.status).toBe(404);
    expect(err.message).toContain('[secret secrets.hook]');
    expectNoLeak(canary, err, hh);
  });

  it('a missing pick fails a read, but only warns after a write', async () => {
    const err = await providerError(runAction(http, h().ctx, { url: `${sim.url}/items/42`, pick: { x: 'data.nope' } }));
    expect(err.code).toBe('PICK');
    const notJson = await providerError(runAction(http, h().ctx, { url: `${sim.url}/text`, pick: { x: 'a' } }));
    expect(notJson.message).toContain('not JSON');
    const w = h();
    const out = await runAction(http, w.ctx, { method: 'POST', url: `${sim.url}/things`, json: { name: 'n2' }, pick: { x: 'nope', proto: '__proto__' } });
    expect(out.values).toEqual({ x: null, proto: null });
    expect(w.log.lines.join('\n')).toContain('pick x = nope: the body has no key "nope" (its keys: id, api_key)');
  });

  it('a failed pick names the pick, where it stopped and the keys there — and suggests no JSONPath', async () => {
    const miss = await providerError(runAction(http, h().ctx, { url: `${sim.url}/user`, pick: { username: 'data.user.username' } }));
    expect(miss.message).toBe(`http.request: pick username = data.user.username: data.user has no key "username" (its keys: id, login, email) — in the response from GET ${sim.url}/user`);
    expect(miss.message).not.toMatch(/\$|JSONPath/);
    const list = await providerError(runAction(http, h().ctx, { url: `${sim.url}/list`, pick: { login: 'users.0.login' } }));
    expect(list.message).toContain('pick login = users.0.login: the body is a list of 2, so "users" is not a position in it (use 0…1, or * for every element)');
    const past = await providerError(runAction(http, h().ctx, { url: `${sim.url}/list`, pick: { login: '5.login' } }));
    expect(past.message).toContain('the body is a list of 2, so there is no position 5');
    const scalar = await providerError(runAction(http, h().ctx, { url: `${sim.url}/user`, pick: { x: 'data.user.login.first' } }));
    expect(scalar.message).toContain('data.user.login is a string, so it has no key "first"');
    // JSONPath is refused when the runbook is read, with the fix
    const parsed = http.actions.request!.input.safeParse({ url: `${sim.url}/user`, pick: { username: '$.data.user.login' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(/JSONPath \(\$…\) is not supported; drop the "\$\." prefix/);
  });

  it('body: true returns the whole body: a JSON mapping, a top-level list, text, or null when empty', async () => {
    expect((await runAction(http, h().ctx, { url: `${sim.url}/user`, body: true })).body).toEqual({ data: { user: { id: 7, login: 'ann', email: 'ann@example.com' } } });
    const list = await runAction(http, h().ctx, { url: `${sim.url}/list`, body: true, pick: { logins: '*.login', first: '0.id', all: '.' } });
    expect(list.body).toEqual([{ id: 'u1', login: 'ann' }, { id: 'u2', login: 'bo' }]);
    expect(list.values).toEqual({ logins: ['ann', 'bo'], first: 'u1', all: list.body });
    const text = await runAction(http, h().ctx, { url: `${sim.url}/text`, body: true, pick: { whole: '.' } });
    expect(text.body).toBe('plain');
    expect(text.values.whole).toBe('plain');
    expect((await runAction(http, h().ctx, { url: `${sim.url}/empty`, body: true })).body).toBeNull();
    // without body: true there is no body output (a response is not journaled unless asked for)
    expect('body' in (await runAction(http, h().ctx, { url: `${sim.url}/user` }))).toBe(false);
  });

  it('body: true with pick_secret holds the Secret in its place, never the value', async () => {
    const hh = h();
    const out = await runAction(http, hh.ctx, { method: 'POST', url: `${sim.url}/things`, json: { name: 'b1' }, body: true, pick_secret: { key: 'api_key' }, pick: { all: '.', again: 'api_key' } });
    expect(out.body.id).toBe('b1');
    expect(isSecret(out.values.all.api_key)).toBe(true);
    expect(isSecret(out.values.again)).toBe(true);
    expect(isSecret(out.body.api_key)).toBe(true);
    expect(JSON.stringify(out)).not.toContain(createdKey);
    expect(hh.secrets.redactor.redact(`x ${createdKey}`)).not.toContain(createdKey);
  });

  it('plan shows method and origin+path only: no query, no secret', async () => {
    const hh = h();
    const canary = randomAlnum(24);
    expect(await planAction(http, hh.ctx, { method: 'DELETE', url: `${sim.url}/things/a?token=${canary}` })).toEqual([`DELETE ${sim.url}/things/a`]);
    const lines = await planAction(http, hh.ctx, { method: 'POST', url: hh.secret(`${sim.url}/x/${canary}`, 'secrets.hook'), json: {}, headers: { 'x-k': 'v' } });
    expect(lines).toEqual(['POST [secret secrets.hook] with a JSON body (headers: x-k)']);
    const before = sim.requests.length;
    await planAction(http, hh.ctx, { url: `${sim.url}/items/42` });
    expect(sim.requests.length).toBe(before);
  });

  it('verify: reads are safe to repeat; writes use the read-back request', async () => {
    expect((await verifyAction(http, h().ctx, { url: `${sim.url}/items/42` })).state).toBe('not-done');
    const read = await runAction(http, h().ctx, { url: `${sim.url}/items/42` });
    expect((await verifyAction(http, h().ctx, { url: `${sim.url}/items/42` }, read)).state).toBe('done');
    const input = { method: 'POST', url: `${sim.url}/things`, json: { name: 'v1' }, verify: { url: `${sim.url}/things/v1` } };
    expect((await verifyAction(http, h().ctx, input)).state).toBe('not-done');
    await runAction(http, h().ctx, input);
    expect((await verifyAction(http, h().ctx, input)).state).toBe('done');
    expect((await verifyAction(http, h().ctx, { method: 'POST', url: `${sim.url}/things` })).state).toBe('unknown');
    sim.setFaults(() => ({ type: 'status', status: 500 }));
    expect((await verifyAction(http, h().ctx, input)).state).toBe('unknown');
  });

  it('rejects bad input: non-http URLs, bad pick names, unknown methods and keys', () => {
    const def = http.actions.request!;
    expect(def.input.safeParse({ url: 'file:///etc/passwd' }).success).toBe(false);
    expect(def.input.safeParse({ url: `${sim.url}/x`, pick: { 'bad-name': 'a' } }).success).toBe(false);
    expect(def.input.safeParse({ url: `${sim.url}/x`, method: 'TRACE' }).success).toBe(false);
    expect(def.input.safeParse({ url: `${sim.url}/x`, extra: 1 }).success).toBe(false);
  });
});
