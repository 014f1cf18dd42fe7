/**
 * Contract of the Hugging Face simulator, pinned to ../shared/reference/PROVIDERS.md
 * ("Hugging Face Hub") with plain fetch, so the simulator cannot drift from the documented
 * shapes, statuses and headers. Points marked *unverified* there are pinned here as we
 * implement them:
 * - the credentials-revoke endpoint answers 202 with `{}` for known and unknown tokens alike;
 * - `GET /api/spaces/{id}/runtime` returns the same runtime object as restart (as in huggingface_hub);
 * - a Hub without the secrets-list endpoint answers a bare 404 (no `X-Error-Code`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHuggingFaceSimulator, type HuggingFaceSimulator } from '../../src/drill/simulators/huggingface/index.js';
import { hfToken, world } from './huggingface-fixtures.js';

let sim: HuggingFaceSimulator;
let t: ReturnType<typeof world>['t'];
beforeAll(async () => {
  const w = world();
  t = w.t;
  sim = await startHuggingFaceSimulator({ seed: w.seed, switches: { pageSize: 2, whoamiLimit: { max: 3, windowS: 60 } } });
});
afterAll(() => sim.close());

const body = async (res: Response): Promise<any> => res.json();
const call = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
  fetch(sim.url + path, {
    method: init.method ?? 'GET',
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
const RATELIMIT = /^"api";r=\d+;t=\d+$/;

describe('GET /api/whoami-v2', () => {
  it('200 {type, name, email?, orgs:[{name, roleInOrg}], auth:{type:"access_token", accessToken:{displayName, role, createdAt}}}', async () => {
    const res = await call('/api/whoami-v2', { token: t.aliceWrite });
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit')).toMatch(RATELIMIT);
    const b = await body(res);
    expect(b).toMatchObject({ type: 'user', name: 'alice', email: 'alice@example.test', orgs: [{ name: 'acme', roleInOrg: 'admin' }], auth: { type: 'access_token', accessToken: { displayName: 'ci', role: 'write' } } });
    expect(Number.isFinite(Date.parse(b.auth.accessToken.createdAt))).toBe(true);
    expect(b.auth.accessToken.fineGrained).toBeUndefined();
  });

  it('fine-grained tokens report role "fineGrained" with fineGrained.scoped[] entries', async () => {
    const b = await body(await call('/api/whoami-v2', { token: t.aliceFine }));
    expect(b.auth.accessToken.role).toBe('fineGrained');
    expect(b.auth.accessToken.fineGrained.scoped).toEqual([{ entity: { _id: expect.any(String), type: 'user', name: 'alice' }, permissions: ['repo.content.read', 'repo.write'] }]);
  });

  it('401 for bad or revoked tokens, with X-Error-Message', async () => {
    for (const token of [hfToken(), t.revoked, undefined]) {
      const res = await call('/api/whoami-v2', { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-error-message')).toBe('Invalid credentials in Authorization header');
    }
  });

  it('429 with RateLimit r=0 once the window is used up', async () => {
    sim.resetRateLimits();
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) seen.push((await call('/api/whoami-v2', { token: t.bob })).status);
    expect(seen).toEqual([200, 200, 200, 429]);
    const res = await call('/api/whoami-v2', { token: t.bob });
    expect(res.status).toBe(429);
    expect(res.headers.get('ratelimit')).toMatch(/^"api";r=0;t=\d+$/);
    sim.resetRateLimits();
  });
});

describe('GET /api/spaces', () => {
  it('200 array of {id, …} with Link: <…>; rel="next" while more pages remain', async () => {
    const res = await call('/api/spaces?author=alice&limit=50');
    expect(res.status).toBe(200);
    const page = await body(res);
    expect(page).toHaveLength(2);
    expect(page[0]).toMatchObject({ id: 'alice/a1', private: false, lastModified: expect.any(String) });
    const link = res.headers.get('link')!;
    expect(link).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/api\/spaces\?[^>]+>; rel="next"$/);
    const ids = page.map((s: { id: string }) => s.id);
    let next: string | undefined = /<([^>]+)>/.exec(link)?.[1];
    while (next) {
      const r = await fetch(next);
      ids.push(...(await body(r)).map((s: { id: string }) => s.id));
      next = /<([^>]+)>; rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
    }
    expect(ids).toEqual(['alice/a1', 'alice/a2', 'alice/chat', 'alice/docs']);
  });
});

describe('Space secrets and variables', () => {
  it('GET secrets → {KEY: {description?, updatedAt?}} with no values', async () => {
    const res = await call('/api/spaces/alice/chat/secrets', { token: t.operator });
    expect(res.status).toBe(200);
    const b = await body(res);
    expect(b.HF_TOKEN).toEqual({ description: 'hub access', updatedAt: '2024-04-01T00:00:00.000Z' });
    expect(JSON.stringify(b)).not.toContain('value');
  });

  it('POST secrets {key, value, description?} → 200 {}; DELETE {key} → 200 {} even when missing', async () => {
    expect(await (await call('/api/spaces/alice/a1/secrets', { method: 'POST', token: t.operator, body: { key: 'NEW', value: 'v1' } })).json()).toEqual({});
    expect(sim.secretValue('alice/a1', 'NEW')).toBe('v1');
    for (let i = 0; i < 2; i++) {
      const res = await call('/api/spaces/alice/a1/secrets', { method: 'DELETE', token: t.operator, body: { key: 'NEW' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({});
    }
  });

  it('variables: the three calls return the full map {KEY: {value, description?, updatedAt}}', async () => {
    const full = { MODEL: { value: 'gpt2', updatedAt: expect.any(String) } };
    expect(await (await call('/api/spaces/alice/chat/variables', { token: t.operator })).json()).toEqual(full);
    const added = await (await call('/api/spaces/alice/chat/variables', { method: 'POST', token: t.operator, body: { key: 'X', value: '1', description: 'd' } })).json();
    expect(added).toEqual({ ...full, X: { value: '1', description: 'd', updatedAt: expect.any(String) } });
    expect(await (await call('/api/spaces/alice/chat/variables', { method: 'DELETE', token: t.operator, body: { key: 'X' } })).json()).toEqual(full);
  });

  it('404 with X-Error-Code: RepoNotFound for a missing or invisible Space; 403 for a read token', async () => {
    for (const path of ['/api/spaces/alice/missing/secrets', '/api/spaces/alice/private-demo/secrets']) {
      const res = await call(path, { token: t.bob });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-error-code')).toBe('RepoNotFound');
    }
    const res = await call('/api/spaces/alice/chat/secrets', { method: 'POST', token: t.aliceRead, body: { key: 'A', value: 'b' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-error-message')).toBeTruthy();
  });

  it('without the secrets-list endpoint: a bare 404 (no X-Error-Code)', async () => {
    sim.switches.secretsListEndpoint = false;
    const res = await call('/api/spaces/alice/chat/secrets', { token: t.operator });
    sim.switches.secretsListEndpoint = true;
    expect(res.status).toBe(404);
    expect(res.headers.get('x-error-code')).toBeNull();
  });
});

describe('POST /api/spaces/{id}/restart', () => {
  it('200 runtime {stage:"BUILDING", hardware:{…}}; 403 not owner; 400 static Space', async () => {
    const ok = await call('/api/spaces/alice/chat/restart', { method: 'POST', token: t.operator });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ stage: 'BUILDING', hardware: { requested: expect.any(String) } });
    expect((await call('/api/spaces/alice/chat/restart?factory=true', { method: 'POST', token: t.operator })).status).toBe(200);
    expect((await call('/api/spaces/bob/tool/restart', { method: 'POST', token: t.operator })).status).toBe(403);
    expect((await call('/api/spaces/alice/docs/restart', { method: 'POST', token: t.operator })).status).toBe(400);
    expect(await (await call('/api/spaces/alice/chat/runtime', { token: t.operator })).json()).toMatchObject({ stage: 'RUNNING' });
  });
});

describe('POST /api/credentials/revoke', () => {
  it('no auth; always 202, whether or not the token existed; the token is then dead', async () => {
    const unknown = await call('/api/credentials/revoke', { method: 'POST', body: { credentials: [hfToken()] } });
    expect(unknown.status).toBe(202);
    expect(await unknown.json()).toEqual({});
    const known = await call('/api/credentials/revoke', { method: 'POST', body: { credentials: [t.leaked] } });
    expect(known.status).toBe(202);
    expect(sim.isLive(t.leaked)).toBe(false);
    expect((await call('/api/whoami-v2', { token: t.leaked })).status).toBe(401);
  });

  it('can be switched off (404 or 405) to exercise the manual fallback', async () => {
    for (const s of [404, 405] as const) {
      sim.switches.revokeEndpoint = s;
      expect((await call('/api/credentials/revoke', { method: 'POST', body: { credentials: [t.bob] } })).status).toBe(s);
    }
    sim.switches.revokeEndpoint = true;
    expect(sim.isLive(t.bob)).toBe(true);
  });
});
