/**
 * The huggingface provider driven through @huggingface/hub and the HTTP door against the
 * stateful simulator: success paths, verification, pagination, the manual revoke fallback.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { startHuggingFaceSimulator, type HuggingFaceSimulator } from '../../src/drill/simulators/huggingface/index.js';
import { clearWhoamiCache, fail, run, secret, verify, world, hfToken } from './huggingface-fixtures.js';
import { useSimulator } from './use-simulator.js';

let sim: HuggingFaceSimulator;
let t: ReturnType<typeof world>['t'];

useSimulator(
  async () => {
    const w = world();
    t = w.t;
    return startHuggingFaceSimulator({ seed: w.seed, switches: { pageSize: 2 } });
  },
  (started) => (sim = started),
);
beforeEach(() => {
  clearWhoamiCache();
  sim.resetRateLimits();
});

describe('verifyToken', () => {
  it('reports a classic write token as live and flags it for replacement', async () => {
    const { out } = await run(sim, 'verifyToken', { token: secret(t.aliceWrite) });
    expect(out).toMatchObject({ live: true, name: 'alice', type: 'user', role: 'write', token_name: 'ci', fine_grained: false, replace: true, orgs: ['acme'], cached: false });
  });

  it('reports a fine-grained token as live and not to be replaced', async () => {
    const { out } = await run(sim, 'verifyToken', { token: secret(t.aliceFine) });
    expect(out).toMatchObject({ live: true, role: 'fineGrained', fine_grained: true, replace: false });
  });

  it('checks a legacy api_org_ token (which the official client refuses) and flags it', async () => {
    const { out } = await run(sim, 'verifyToken', { token: secret(t.legacy) });
    expect(out).toMatchObject({ live: true, type: 'org', name: 'acme', replace: true });
  });

  it('answers live:false for revoked and unknown tokens (a normal result, not an error)', async () => {
    expect((await run(sim, 'verifyToken', { token: secret(t.revoked) })).out).toMatchObject({ live: false, fine_grained: false });
    expect((await run(sim, 'verifyToken', { token: secret(hfToken()) })).out.live).toBe(false);
  });

  it('caches per token for the process; fresh:true asks again', async () => {
    const before = sim.count('whoami');
    await run(sim, 'verifyToken', { token: secret(t.bob) });
    const second = await run(sim, 'verifyToken', { token: secret(t.bob) });
    expect(second.out.cached).toBe(true);
    expect(sim.count('whoami')).toBe(before + 1);
    const third = await run(sim, 'verifyToken', { token: secret(t.bob), fresh: true });
    expect(third.out.cached).toBe(false);
    expect(sim.count('whoami')).toBe(before + 2);
  });

  it('turns 429 into a not-sent error with the wait from the RateLimit header', async () => {
    sim.switches.whoamiLimit = { max: 1, windowS: 42 };
    try {
      await run(sim, 'verifyToken', { token: secret(t.bob), fresh: true });
      const { err } = await fail(sim, 'verifyToken', { token: secret(t.bob), fresh: true });
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ status: 429, failure: 'not-sent', code: 'RATE_LIMITED' });
      expect(err.retryAfterMs).toBeGreaterThan(40_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(42_000);
    } finally {
      sim.switches.whoamiLimit = { max: 1000, windowS: 300 };
    }
  });
});

describe('listSpaces', () => {
  it('follows Link rel="next" across pages and sees private Spaces with the operator token', async () => {
    const before = sim.count('listSpaces');
    const { out } = await run(sim, 'listSpaces', { author: 'alice' }, { token: t.operator });
    expect(out.spaces.map((s: { id: string }) => s.id)).toEqual(['alice/a1', 'alice/a2', 'alice/chat', 'alice/docs', 'alice/private-demo']);
    expect(out.count).toBe(5);
    expect(sim.count('listSpaces') - before).toBe(3);
    expect(out.spaces.find((s: { id: string }) => s.id === 'alice/chat')).toMatchObject({ sdk: 'gradio', private: false, updated_at: '2024-05-01T00:00:00.000Z' });
  });

  it('without a token lists public Spaces only', async () => {
    const { out } = await run(sim, 'listSpaces', { author: 'alice' });
    expect(out.spaces.map((s: { id: string }) => s.id)).not.toContain('alice/private-demo');
    expect(out.count).toBe(4);
  });
});

describe('Space secrets and variables', () => {
  it('lists keys and update times, never values, and marks keys updated before the cutoff', async () => {
    const { out } = await run(sim, 'listSpaceSecrets', { space: 'alice/chat', updated_before: '2024-05-25T00:00:00Z' }, { token: t.operator });
    expect(out.supported).toBe(true);
    expect(out.secrets).toEqual([
      { key: 'HF_TOKEN', description: 'hub access', updated_at: '2024-04-01T00:00:00.000Z', in_scope: true },
      { key: 'OPENAI_KEY', updated_at: '2024-06-10T00:00:00.000Z', in_scope: false },
    ]);
    expect(JSON.stringify(out)).not.toContain(t.leaked);
  });

  it('feature-detects a Hub without the secrets-list endpoint: supported:false with guidance', async () => {
    sim.switches.secretsListEndpoint = false;
    try {
      const { out } = await run(sim, 'listSpaceSecrets', { space: 'alice/chat' }, { token: t.operator });
      expect(out).toMatchObject({ supported: false, secrets: [] });
      expect(out.guidance).toMatch(/Settings → Variables and secrets/);
    } finally {
      sim.switches.secretsListEndpoint = true;
    }
  });

  it('a missing Space is a definite RepoNotFound error, not "unsupported"', async () => {
    const { err } = await fail(sim, 'listSpaceSecrets', { space: 'alice/nope' }, { token: t.operator });
    expect(err).toMatchObject({ status: 404, code: 'RepoNotFound', failure: 'definite' });
  });

  it('rotates a secret: the new value lands, verify says done, and repeating is harmless', async () => {
    const fresh = hfToken();
    const input = { space: 'alice/chat', key: 'HF_TOKEN', value: secret(fresh) };
    const { out } = await run(sim, 'setSpaceSecret', input, { token: t.operator });
    expect(sim.secretValue('alice/chat', 'HF_TOKEN')).toBe(fresh);
    expect(sim.state.spaces.get('alice/chat')!.secrets.HF_TOKEN!.description).toBe('hub access');
    expect(await verify(sim, 'setSpaceSecret', input, out, { token: t.operator })).toMatchObject({ state: 'done' });
    await run(sim, 'setSpaceSecret', input, { token: t.operator });
    expect(sim.secretValue('alice/chat', 'HF_TOKEN')).toBe(fresh);
    expect(JSON.stringify(out)).not.toContain(fresh);
  });

  it('verify of a rotation says not-done when the key was updated before this run', async () => {
    const input = { space: 'alice/chat', key: 'OPENAI_KEY', value: secret('x') };
    const r = await verify(sim, 'setSpaceSecret', input, { space: 'alice/chat', key: 'OPENAI_KEY', set_at: '2030-01-01T00:00:00Z' }, { token: t.operator });
    expect(r.state).toBe('not-done');
  });

  it('a read token may not change secrets: 403 definite with what to do', async () => {
    const { err } = await fail(sim, 'setSpaceSecret', { space: 'alice/chat', key: 'K', value: secret('v') }, { token: t.aliceRead });
    expect(err).toMatchObject({ status: 403, failure: 'definite' });
    expect(err.nextSteps.join(' ')).toMatch(/write access/);
  });

  it('deletes a secret (also when already gone) and verifies it is gone', async () => {
    await run(sim, 'setSpaceSecret', { space: 'acme/board', key: 'TMP', value: secret('v') }, { token: t.operator });
    const { out } = await run(sim, 'deleteSpaceSecret', { space: 'acme/board', key: 'TMP' }, { token: t.operator });
    expect(out.deleted).toBe(true);
    expect(sim.secretValue('acme/board', 'TMP')).toBeUndefined();
    expect((await verify(sim, 'deleteSpaceSecret', { space: 'acme/board', key: 'TMP' }, out, { token: t.operator })).state).toBe('done');
    expect((await verify(sim, 'deleteSpaceSecret', { space: 'acme/board', key: 'DB_URL' }, undefined, { token: t.operator })).state).toBe('not-done');
    await run(sim, 'deleteSpaceSecret', { space: 'acme/board', key: 'TMP' }, { token: t.operator });
  });

  it('lists variables with their values', async () => {
    const { out } = await run(sim, 'listSpaceVariables', { space: 'alice/chat' }, { token: t.operator });
    expect(out.variables).toEqual([expect.objectContaining({ key: 'MODEL', value: 'gpt2' })]);
  });
});

describe('restartSpace', () => {
  it('restarts so the Space loads the rotated value; verify sees it up', async () => {
    const fresh = hfToken();
    await run(sim, 'setSpaceSecret', { space: 'alice/chat', key: 'HF_TOKEN', value: secret(fresh) }, { token: t.operator });
    expect(sim.runningSecret('alice/chat', 'HF_TOKEN')).not.toBe(fresh);
    const restarts = sim.restarts('alice/chat');
    const { out } = await run(sim, 'restartSpace', { space: 'alice/chat' }, { token: t.operator });
    expect(out).toEqual({ space: 'alice/chat', stage: 'BUILDING' });
    expect(sim.restarts('alice/chat')).toBe(restarts + 1);
    expect(sim.runningSecret('alice/chat', 'HF_TOKEN')).toBe(fresh);
    expect(await verify(sim, 'restartSpace', { space: 'alice/chat' }, out, { token: t.operator })).toMatchObject({ state: 'done', detail: 'stage RUNNING' });
    expect((await verify(sim, 'restartSpace', { space: 'alice/chat' }, undefined, { token: t.operator })).state).toBe('unknown');
  });

  it('403 when the token does not own the Space', async () => {
    const { err } = await fail(sim, 'restartSpace', { space: 'bob/tool' }, { token: t.operator });
    expect(err).toMatchObject({ status: 403, failure: 'definite' });
    expect(err.message).toMatch(/may not restart bob\/tool: only its owner/);
  });

  it('400 for a static Space, with a clear message', async () => {
    const { err } = await fail(sim, 'restartSpace', { space: 'alice/docs' }, { token: t.operator });
    expect(err).toMatchObject({ status: 400, code: 'STATIC_SPACE', failure: 'definite' });
    expect(err.message).toMatch(/static Space/);
  });
});

describe('revokeToken', () => {
  it('revokes through the credentials endpoint without auth; verify (whoami → 401) says done', async () => {
    const value = hfToken();
    sim.state.tokens.set(value, { value, owner: 'bob', role: 'write', displayName: 'x', createdAt: new Date().toISOString(), scoped: [], revoked: false });
    const input = { token: secret(value) };
    expect((await verify(sim, 'revokeToken', input, undefined)).state).toBe('not-done');
    // a cached "live" answer must not survive the revoke
    expect((await run(sim, 'verifyToken', input)).out.live).toBe(true);
    const { out } = await run(sim, 'revokeToken', input);
    expect(out).toEqual({ accepted: true, status: 202 });
    expect(sim.isLive(value)).toBe(false);
    expect(sim.requests.at(-1)).toMatchObject({ op: 'revokeCredentials', status: 202 });
    expect((await verify(sim, 'revokeToken', input, out)).state).toBe('done');
    expect((await run(sim, 'verifyToken', input)).out.live).toBe(false);
  });

  for (const status of [404, 405] as const) {
    it(`falls back to a guided manual step when the endpoint answers ${status}, completed by verify`, async () => {
      sim.switches.revokeEndpoint = status;
      try {
        const input = { token: secret(t.aliceWrite) };
        await run(sim, 'verifyToken', input); // the owner and token name are known from the cache
        const { err } = await fail(sim, 'revokeToken', input);
        expect(err).toBeInstanceOf(ProviderError);
        expect(err).toMatchObject({ code: 'MANUAL_REQUIRED', failure: 'definite', status });
        const steps = err.nextSteps.join('\n');
        expect(steps).toMatch(/settings\/tokens signed in as alice/);
        expect(steps).toMatch(/Access Tokens.*"ci".*ending in …\w{4}.*Invalidate/);
        expect(steps).toMatch(/whoami-v2.*401/);
        expect(sim.isLive(t.aliceWrite)).toBe(true);
        expect((await verify(sim, 'revokeToken', input, undefined)).state).toBe('not-done');
        sim.state.tokens.get(t.aliceWrite)!.revoked = true; // the owner clicks Invalidate
        expect((await verify(sim, 'revokeToken', input, undefined)).state).toBe('done');
      } finally {
        sim.switches.revokeEndpoint = true;
        sim.state.tokens.get(t.aliceWrite)!.revoked = false;
      }
    });
  }
});
