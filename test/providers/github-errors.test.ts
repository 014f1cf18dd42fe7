/**
 * Failure paths of the github provider: primary and secondary rate limits, 5xx, timeouts,
 * refused tokens — each classified with the wait GitHub asked for, never retried by Octokit
 * behind our back, and each checked by a secret canary (no token or value generated for the
 * test in the error's message, JSON, inspect, stack, next steps, or the logger's lines).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { startHttpSimulator, type Fault, type HttpSimulator, type SimResponse } from '../../src/drill/simulators/base.js';
import { startGitHubSimulator, type GitHubSimulator } from '../../src/drill/simulators/github/index.js';
import { expectNoLeak, fail, ghToken, run, secret, world } from './github-fixtures.js';

let sim: GitHubSimulator;
let w: ReturnType<typeof world>;
let echo: HttpSimulator;
let echoStatus = 400;

beforeAll(async () => {
  w = world();
  sim = await startGitHubSimulator({ seed: w.seed });
  // a hostile API that echoes the request's auth and body in its error message and headers
  echo = await startHttpSimulator('hostile-github', (req) => ({
    op: 'echo',
    respond: (): SimResponse => {
      const said = `${req.headers.authorization ?? ''} ${req.body}`.replace(/[^\x20-\x7e]/g, '');
      if (echoStatus === 200) return { status: 200, headers: { deprecation: 'true', sunset: said.slice(0, 60), link: `<https://docs.example/${said.slice(0, 60)}>; rel="deprecation"` }, body: { login: 'bob', id: 1 } };
      return { status: echoStatus, headers: { 'x-echo': said, 'retry-after': '5' }, body: { message: `echo ${said}`, errors: [{ message: said }], documentation_url: said } };
    },
  }));
});
afterAll(async () => {
  await sim.close();
  await echo.close();
});
beforeEach(() => {
  sim.setFaults(undefined);
  sim.resetRateLimits();
  sim.switches.secondary = undefined;
  sim.switches.primaryStatus = 403;
});

const onOp = (op: string, fault: Fault) => sim.setFaults((r) => (r.op === op ? fault : undefined));
const alerts = { repo: 'acme/api' };

describe('rate limits', () => {
  for (const status of [403, 429] as const) {
    it(`primary limit (${status}, x-ratelimit-remaining 0) → not-sent until x-ratelimit-reset`, async () => {
      sim.switches.primaryStatus = status;
      sim.exhaustRateLimit(w.t.operator, 120);
      const { err } = await fail(sim, 'listSecretScanningAlerts', alerts, { token: w.t.operator });
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ status, failure: 'not-sent', code: 'RATE_LIMITED', retryable: true });
      expect(err.retryAfterMs).toBeGreaterThan(115_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(121_000);
      expect(err.nextSteps[0]).toMatch(/resets at \d{4}-/);
    });
  }

  it('the anonymous limit of the revoke endpoint is honoured the same way', async () => {
    sim.exhaustRateLimit(undefined, 600);
    const { err } = await fail(sim, 'revokeCredentials', { credentials: [secret(ghToken())] });
    expect(err).toMatchObject({ status: 403, failure: 'not-sent', code: 'RATE_LIMITED' });
    expect(err.retryAfterMs).toBeGreaterThan(590_000);
  });

  it('secondary limit with retry-after → not-sent with that wait; without it → at least 60 s', async () => {
    sim.switches.secondary = { retryAfterS: 30 };
    const a = await fail(sim, 'verifyToken', { token: secret(w.t.leaked) });
    expect(a.err).toMatchObject({ status: 403, failure: 'not-sent', code: 'SECONDARY_RATE_LIMIT', retryAfterMs: 30_000 });
    sim.switches.secondary = { status: 429 };
    const b = await fail(sim, 'rotateActionsSecret', { repo: 'acme/api', name: 'X', value: secret('v') }, { token: w.t.operator });
    expect(b.err).toMatchObject({ status: 429, failure: 'not-sent', code: 'SECONDARY_RATE_LIMIT', retryAfterMs: 60_000 });
  });

  it('Octokit does not retry behind our back: one request per failed call', async () => {
    onOp('updateAlert', { type: 'status', status: 500 });
    const before = sim.count('updateAlert');
    await fail(sim, 'resolveAlert', { repo: 'acme/api', alert_number: 2 }, { token: w.t.operator });
    expect(sim.count('updateAlert') - before).toBe(1);
  });
});

describe('classification', () => {
  it('500/502 ambiguous, 503 not-sent, 429 with Retry-After honoured', async () => {
    for (const [status, failure] of [[500, 'ambiguous'], [502, 'ambiguous'], [503, 'not-sent']] as const) {
      onOp('getAuthenticated', { type: 'status', status });
      const { err } = await fail(sim, 'verifyToken', { token: secret(w.t.leaked) });
      expect(err).toMatchObject({ status, failure });
    }
    onOp('revokeCredentials', { type: 'status', status: 429, retryAfterS: 9 });
    const { err } = await fail(sim, 'revokeCredentials', { credentials: [secret(ghToken())] });
    expect(err).toMatchObject({ status: 429, failure: 'not-sent', retryAfterMs: 9000 });
  });

  it("a timeout is ambiguous (the door's error, not the client's)", async () => {
    onOp('createOrUpdateRepoSecret', { type: 'timeout' });
    const { err } = await fail(sim, 'rotateActionsSecret', { repo: 'acme/api', name: 'X', value: secret('v') }, { token: w.t.operator, httpTimeoutMs: 150 });
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ failure: 'ambiguous', code: 'NETWORK', provider: 'gh', action: 'rotateActionsSecret' });
    expect(err.message).toMatch(/timed out/);
  });

  it('a refused operator token is a definite 401; a missing one says how to configure it', async () => {
    const a = await fail(sim, 'listSecretScanningAlerts', alerts, { token: ghToken() });
    expect(a.err).toMatchObject({ status: 401, failure: 'definite', code: 'UNAUTHORIZED' });
    expect(a.err.message).toMatch(/Bad credentials/);
    const b = await fail(sim, 'deleteDeployKey', { repo: 'acme/api', key_id: 1 });
    expect(b.err).toMatchObject({ code: 'NO_TOKEN' });
  });

  it('an ambiguous drop after the revoke was applied is reported ambiguous (verify decides)', async () => {
    const v = ghToken();
    sim.state.tokens.set(v, { value: v, login: 'bob', kind: 'classic', scopes: [], revoked: false });
    onOp('revokeCredentials', { type: 'ambiguous' });
    const { err } = await fail(sim, 'revokeCredentials', { credentials: [secret(v)] });
    expect(err).toMatchObject({ failure: 'ambiguous' });
    expect(sim.state.tokens.get(v)!.revokeAt).toBeDefined();
  });
});

describe('secret canary on every failure path', () => {
  type Case = [name: string, action: string, input: (v: string) => Record<string, unknown>, setup: (v: string) => void, opts?: { operator?: boolean; timeout?: boolean }];
  const cases: Case[] = [
    ['verifyToken 500', 'verifyToken', (v) => ({ token: secret(v) }), () => onOp('getAuthenticated', { type: 'status', status: 500 })],
    ['verifyToken secondary limit', 'verifyToken', (v) => ({ token: secret(v) }), () => (sim.switches.secondary = { retryAfterS: 1 })],
    ['verifyToken timeout', 'verifyToken', (v) => ({ token: secret(v) }), () => onOp('getAuthenticated', { type: 'timeout' }), { timeout: true }],
    ['revokeCredentials 422', 'revokeCredentials', (v) => ({ credentials: [secret(v), secret('junk-' + v)] }), () => {}],
    ['revokeCredentials rate limited', 'revokeCredentials', (v) => ({ credentials: [secret(v)] }), () => sim.exhaustRateLimit(undefined, 60)],
    ['listSecretScanningAlerts 401', 'listSecretScanningAlerts', () => alerts, () => {}],
    ['resolveAlert 404', 'resolveAlert', () => ({ repo: 'acme/api', alert_number: 404 }), () => {}, { operator: true }],
    ['rotateActionsSecret 500 on PUT', 'rotateActionsSecret', (v) => ({ repo: 'acme/api', name: 'X', value: secret(v) }), () => onOp('createOrUpdateRepoSecret', { type: 'status', status: 500 }), { operator: true }],
    ['rotateActionsSecret timeout', 'rotateActionsSecret', (v) => ({ repo: 'acme/api', name: 'X', value: secret(v) }), () => onOp('createOrUpdateRepoSecret', { type: 'timeout' }), { operator: true, timeout: true }],
    ['deleteDeployKey 403 (outsider)', 'deleteDeployKey', () => ({ repo: 'alice/tools', key_id: 1 }), () => {}],
    ['revokeOrgPat 403', 'revokeOrgPat', () => ({ org: 'acme', pat_id: 11 }), () => {}, { operator: true }],
  ];
  for (const [name, action, input, setup, o] of cases) {
    it(name, async () => {
      const canary = ghToken();
      // the operator token is either the world's (o.operator) or a fresh canary the API refuses / does not grant
      const operator = o?.operator ? w.t.operator : ghToken();
      if (name.includes('outsider')) sim.state.tokens.set(operator, { value: operator, login: 'mallory', kind: 'classic', scopes: ['repo'], revoked: false });
      setup(canary);
      const { err, log } = await fail(sim, action, input(canary), { token: operator, httpTimeoutMs: o?.timeout ? 150 : undefined });
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).not.toHaveProperty('request');
      expect(err).not.toHaveProperty('response');
      expectNoLeak(err, log.lines, [canary, operator]);
    });
  }
});

describe('secret canary against a hostile API that echoes what it was sent', () => {
  const plain = (v: string) => `pw-${v.slice(4)}`;
  const actions: [label: string, action: string, input: (v: string) => Record<string, unknown>][] = [
    ['verifyToken', 'verifyToken', (v) => ({ token: secret(v) })],
    ['revokeCredentials', 'revokeCredentials', (v) => ({ credentials: [secret(v)] })],
    // a value that is not token-shaped reaches the body in plain: only generic scrubbing catches its echo
    ['revokeCredentials (plain value)', 'revokeCredentials', (v) => ({ credentials: [secret(plain(v))] })],
    ['listSecretScanningAlerts', 'listSecretScanningAlerts', () => alerts],
    ['resolveAlert', 'resolveAlert', () => ({ repo: 'acme/api', alert_number: 1 })],
    ['rotateActionsSecret', 'rotateActionsSecret', (v) => ({ repo: 'acme/api', name: 'X', value: secret(plain(v)) })],
    ['deleteDeployKey', 'deleteDeployKey', () => ({ repo: 'acme/api', key_id: 1 })],
    ['revokeOrgPat', 'revokeOrgPat', () => ({ org: 'acme', pat_id: 1 })],
  ];
  for (const [label, action, input] of actions) {
    for (const status of [400, 403, 422, 429, 500]) {
      it(`${label} × ${status}`, async () => {
        echoStatus = status;
        const canary = ghToken();
        const operator = ghToken();
        const { err, log } = await fail({ url: echo.url }, action, input(canary), { token: operator });
        expect(err).toBeInstanceOf(ProviderError);
        expect(err.status).toBe(status);
        expectNoLeak(err, log.lines, [canary, plain(canary), operator]);
      });
    }
  }
});

describe('Octokit is silent', () => {
  it('a deprecation header (which Octokit would warn about on the console) prints nothing', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    try {
      echoStatus = 200;
      const { out, log } = await run({ url: echo.url }, 'verifyToken', { token: secret(ghToken()) });
      expect(out).toMatchObject({ live: true, login: 'bob' });
      expect(log.lines).toEqual([]);
      for (const s of spies) expect(s).not.toHaveBeenCalled();
    } finally {
      for (const s of spies) s.mockRestore();
      echoStatus = 400;
    }
  });
});
