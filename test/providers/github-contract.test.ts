/**
 * Contract of the GitHub simulator, pinned to ../shared/reference/PROVIDERS.md ("GitHub") with
 * plain fetch, so the simulator cannot drift from the documented shapes, statuses and headers.
 * Points the reference does not settle, pinned here as we implement them (*unverified*):
 * - the credentials-revoke endpoint answers 422 when a value is not GitHub-token shaped;
 * - an exhausted primary limit answers 403 by default (429 is a switch);
 * - GET /user with an installation token answers 403 "Resource not accessible by integration".
 */
import sodium from 'libsodium-wrappers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubSimulator, type GitHubSimulator } from '../../src/drill/simulators/github/index.js';
import { ghToken, world } from './github-fixtures.js';

let sim: GitHubSimulator;
let w: ReturnType<typeof world>;
let clock = Date.parse('2024-05-28T09:00:00Z');
beforeAll(async () => {
  w = world();
  sim = await startGitHubSimulator({ seed: w.seed, now: () => clock, switches: { revokeDelayMs: 30_000 } });
});
afterAll(() => sim.close());

const call = (path: string, o: { method?: string; token?: string; body?: unknown } = {}) =>
  fetch(sim.url + path, {
    method: o.method ?? 'GET',
    headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
const body = async (res: Response): Promise<any> => res.json();

describe('GET /user', () => {
  it('200 with X-OAuth-Scopes, github-authentication-token-expiration and x-ratelimit-* headers', async () => {
    const res = await call('/user', { token: w.t.leaked });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ login: 'bob', id: expect.any(Number), type: 'User' });
    expect(res.headers.get('x-oauth-scopes')).toBe('repo, gist');
    expect(res.headers.get('github-authentication-token-expiration')).toBe('2030-06-30 12:00:00 UTC');
    expect(res.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(res.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(clock / 1000);
    expect(res.headers.get('x-github-request-id')).toBeTruthy();
  });

  it('401 {message:"Bad credentials"} for dead or unknown tokens; fine-grained tokens send no X-OAuth-Scopes', async () => {
    for (const token of [w.t.revoked, ghToken()]) {
      const res = await call('/user', { token });
      expect(res.status).toBe(401);
      expect(await body(res)).toMatchObject({ message: 'Bad credentials', documentation_url: expect.any(String) });
    }
    expect((await call('/user', { token: w.t.fine })).headers.get('x-oauth-scopes')).toBeNull();
    expect((await call('/user', { token: w.t.app })).status).toBe(403);
  });

  it('primary limit: 403 with x-ratelimit-remaining 0 and x-ratelimit-reset in epoch seconds', async () => {
    sim.exhaustRateLimit(w.t.leaked2, 300);
    const res = await call('/user', { token: w.t.leaked2 });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBe(Math.ceil((clock + 300_000) / 1000));
    expect((await body(res)).message).toMatch(/API rate limit exceeded/);
    sim.resetRateLimits();
  });

  it('secondary limit: 403 with retry-after', async () => {
    sim.switches.secondary = { retryAfterS: 45 };
    const res = await call('/user', { token: w.t.leaked });
    sim.switches.secondary = undefined;
    expect(res.status).toBe(403);
    expect(res.headers.get('retry-after')).toBe('45');
    expect((await body(res)).message).toMatch(/secondary rate limit/);
  });
});

describe('secret-scanning alerts', () => {
  it('repo: array of alerts with state, secret_type, secret, validity; per_page ≤ 100; Link rel="next"', async () => {
    const res = await call('/repos/acme/api/secret-scanning/alerts?per_page=2', { token: w.t.operator });
    expect(res.status).toBe(200);
    const page = await body(res);
    expect(page).toHaveLength(2);
    expect(page[0]).toMatchObject({ number: 1, state: 'open', resolution: null, secret_type: 'github_personal_access_token', secret: w.t.leaked, validity: 'active', html_url: expect.stringContaining('/security/secret-scanning/1') });
    expect(res.headers.get('link')).toMatch(/<http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/api\/secret-scanning\/alerts\?per_page=2&page=2>; rel="next"/);
    const big = await call('/repos/acme/api/secret-scanning/alerts?per_page=500', { token: w.t.operator });
    expect(await body(big)).toHaveLength(5);
    expect(big.headers.get('link')).toBeNull();
  });

  it('org: alerts carry their repository; filters state and secret_type', async () => {
    const list = await body(await call('/orgs/acme/secret-scanning/alerts?state=open&secret_type=github_personal_access_token', { token: w.t.operator }));
    expect(list.map((a: any) => `${a.repository.full_name}#${a.number}`)).toEqual(['acme/api#1', 'acme/web#1']);
  });

  it('PATCH {state:"resolved", resolution:"revoked"} → 200 alert; without a resolution → 422', async () => {
    const bad = await call('/repos/acme/api/secret-scanning/alerts/3', { method: 'PATCH', token: w.t.operator, body: { state: 'resolved' } });
    expect(bad.status).toBe(422);
    const ok = await call('/repos/acme/api/secret-scanning/alerts/3', { method: 'PATCH', token: w.t.operator, body: { state: 'resolved', resolution: 'revoked' } });
    expect(ok.status).toBe(200);
    expect(await body(ok)).toMatchObject({ number: 3, state: 'resolved', resolution: 'revoked', resolved_by: { login: 'alice' }, resolved_at: expect.any(String) });
  });
});

describe('POST /credentials/revoke', () => {
  it('unauthenticated only: an authenticated call is refused with 403', async () => {
    const res = await call('/credentials/revoke', { method: 'POST', token: w.t.operator, body: { credentials: [w.t.leaked2] } });
    expect(res.status).toBe(403);
    expect(sim.isLive(w.t.leaked2)).toBe(true);
  });

  it('202 accepted, acted on later: the token answers 200 until the delay passes, then 401', async () => {
    const res = await call('/credentials/revoke', { method: 'POST', body: { credentials: [w.t.leaked2, ghToken()] } });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-ratelimit-limit')).toBe('60');
    expect((await call('/user', { token: w.t.leaked2 })).status).toBe(200);
    clock += 30_000;
    expect((await call('/user', { token: w.t.leaked2 })).status).toBe(401);
  });

  it('422 for an empty list, more than 1000, or values that are not GitHub tokens', async () => {
    for (const credentials of [[], Array.from({ length: 1001 }, () => ghToken()), ['not-a-token']]) {
      expect((await call('/credentials/revoke', { method: 'POST', body: { credentials } })).status).toBe(422);
    }
  });
});

describe('Actions secrets, deploy keys, org PAT grants', () => {
  it('public key {key_id, key}; PUT {encrypted_value, key_id} → 201 created, 204 updated; a wrong key_id → 422', async () => {
    await sodium.ready;
    const pk = await body(await call('/repos/acme/api/actions/secrets/public-key', { token: w.t.operator }));
    expect(pk).toEqual({ key_id: expect.any(String), key: expect.any(String) });
    const seal = (v: string) => sodium.to_base64(sodium.crypto_box_seal(sodium.from_string(v), sodium.from_base64(pk.key, sodium.base64_variants.ORIGINAL)), sodium.base64_variants.ORIGINAL);
    const put = (v: string, key_id = pk.key_id) => call('/repos/acme/api/actions/secrets/CONTRACT', { method: 'PUT', token: w.t.operator, body: { encrypted_value: seal(v), key_id } });
    expect((await put('one')).status).toBe(201);
    expect((await put('two')).status).toBe(204);
    expect(sim.actionsSecret('acme/api', 'CONTRACT')).toBe('two');
    expect((await put('three', 'wrong')).status).toBe(422);
    expect(await body(await call('/repos/acme/api/actions/secrets/CONTRACT', { token: w.t.operator }))).toEqual({ name: 'CONTRACT', created_at: expect.any(String), updated_at: expect.any(String) });
  });

  it('DELETE /repos/{o}/{r}/keys/{id} → 204, then 404', async () => {
    expect((await call('/repos/acme/api/keys/7', { method: 'DELETE', token: w.t.operator })).status).toBe(204);
    expect((await call('/repos/acme/api/keys/7', { method: 'DELETE', token: w.t.operator })).status).toBe(404);
  });

  it('PAT grants: listed and revoked by a GitHub App installation only', async () => {
    expect((await call('/orgs/acme/personal-access-tokens', { token: w.t.operator })).status).toBe(403);
    const grants = await body(await call('/orgs/acme/personal-access-tokens', { token: w.t.app }));
    expect(grants).toEqual([expect.objectContaining({ id: 11, owner: expect.objectContaining({ login: 'bob' }), token_name: 'bob-laptop' })]);
    expect((await call('/orgs/acme/personal-access-tokens/11', { method: 'POST', token: w.t.app, body: { action: 'nope' } })).status).toBe(422);
    expect((await call('/orgs/acme/personal-access-tokens/11', { method: 'POST', token: w.t.app, body: { action: 'revoke' } })).status).toBe(204);
    expect(await body(await call('/orgs/acme/personal-access-tokens', { token: w.t.app }))).toEqual([]);
  });
});
