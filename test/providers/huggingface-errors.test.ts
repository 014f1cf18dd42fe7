/**
 * Failure paths of the huggingface provider: 5xx, 429 with Retry-After / RateLimit, timeouts,
 * refused operator tokens — each classified, and each checked by a secret canary: no token or
 * secret value generated for the test appears in the error (message, JSON, inspect, stack,
 * next steps) or in the logger's lines.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import provider from '../../src/providers/huggingface/index.js';
import { startHttpSimulator, type Fault, type HttpSimulator } from '../../src/drill/simulators/base.js';
import { startHuggingFaceSimulator, type HuggingFaceSimulator } from '../../src/drill/simulators/huggingface/index.js';
import { clearWhoamiCache, expectNoLeak, fail, hfToken, secret, world } from './huggingface-fixtures.js';

let sim: HuggingFaceSimulator;
let t: ReturnType<typeof world>['t'];
/** a hostile Hub: answers every call with `echoStatus`, echoing the request's auth and body in headers and JSON */
let echo: HttpSimulator;
let echoStatus = 400;

beforeAll(async () => {
  const w = world();
  t = w.t;
  sim = await startHuggingFaceSimulator({ seed: w.seed });
  echo = await startHttpSimulator('hostile-hub', (req) => ({
    op: 'echo',
    respond: () => {
      const said = `${req.headers.authorization ?? ''} ${req.body}`.replace(/[^\x20-\x7e]/g, '');
      return { status: echoStatus, headers: { 'x-error-message': `echo ${said}`, ratelimit: '"api";r=0;t=3' }, body: { error: `echo ${said}`, message: said, error_description: said } };
    },
  }));
});
afterAll(async () => {
  await sim.close();
  await echo.close();
});
beforeEach(() => {
  clearWhoamiCache();
  sim.setFaults(undefined);
  sim.resetRateLimits();
});

const onOp = (op: string, fault: Fault) => sim.setFaults((r) => (r.op === op ? fault : undefined));

describe('classification', () => {
  it('500 from whoami-v2 (official client path) is ambiguous, with the status kept', async () => {
    onOp('whoami', { type: 'status', status: 500 });
    const { err } = await fail(sim, 'verifyToken', { token: secret(t.bob) });
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ status: 500, failure: 'ambiguous', provider: 'hf', action: 'verifyToken' });
  });

  it('503 on a secret write is not-sent (retryable); 502 on listing is ambiguous', async () => {
    onOp('setSecret', { type: 'status', status: 503 });
    const a = await fail(sim, 'setSpaceSecret', { space: 'alice/chat', key: 'K', value: secret('v') }, { token: t.operator });
    expect(a.err).toMatchObject({ status: 503, failure: 'not-sent', retryable: true });
    onOp('listSpaces', { type: 'status', status: 502 });
    const b = await fail(sim, 'listSpaces', { author: 'alice' }, { token: t.operator });
    expect(b.err).toMatchObject({ status: 502, failure: 'ambiguous' });
  });

  it('429 with Retry-After gives retryAfterMs', async () => {
    onOp('restartSpace', { type: 'status', status: 429, retryAfterS: 7 });
    const { err } = await fail(sim, 'restartSpace', { space: 'alice/chat' }, { token: t.operator });
    expect(err).toMatchObject({ status: 429, failure: 'not-sent', code: 'RATE_LIMITED', retryAfterMs: 7000 });
  });

  it('a timeout (client path and door path) is ambiguous and names the wait', async () => {
    onOp('whoami', { type: 'timeout' });
    const a = await fail(sim, 'verifyToken', { token: secret(t.bob) }, { httpTimeoutMs: 150 });
    expect(a.err).toMatchObject({ failure: 'ambiguous', code: 'NETWORK' });
    expect(a.err.message).toMatch(/timed out/);
    onOp('revokeCredentials', { type: 'timeout' });
    const b = await fail(sim, 'revokeToken', { token: secret(t.bob) }, { httpTimeoutMs: 150 });
    expect(b.err).toMatchObject({ failure: 'ambiguous' });
  });

  it('a refused operator token is a definite 401 with the Hub message', async () => {
    const { err } = await fail(sim, 'listSpaceSecrets', { space: 'alice/chat' }, { token: hfToken() });
    expect(err).toMatchObject({ status: 401, failure: 'definite', code: 'UNAUTHORIZED' });
    expect(err.message).toMatch(/Invalid credentials in Authorization header/);
  });

  it('a settings action without the operator token says how to configure it', async () => {
    const { err } = await fail(sim, 'setSpaceSecret', { space: 'alice/chat', key: 'K', value: secret('v') });
    expect(err).toMatchObject({ code: 'NO_TOKEN', failure: 'definite' });
    expect(err.nextSteps[0]).toMatch(/token: \$\{\{ secrets.hf_token \}\}/);
  });

  it('an input token given as a plain string is refused by the schema', async () => {
    const value = hfToken();
    const r = provider.actions.verifyToken!.input.safeParse({ token: value });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error)).not.toContain(value);
  });
});

describe('secret canary on every failure path', () => {
  type Case = { name: string; action: string; fault?: (v: string) => [string, Fault]; input: (v: string) => Record<string, unknown>; operator?: 'ok' | 'bad' | 'none'; setup?: () => void; teardown?: () => void };
  const echo = (v: string): Fault => ({ type: 'status', status: 400, body: JSON.stringify({ error: `bad value ${v}`, message: v }) });
  const cases: Case[] = [
    { name: 'verifyToken 429 echoing the token', action: 'verifyToken', input: (v) => ({ token: secret(v) }), fault: (v) => ['whoami', { ...echo(v), status: 429, retryAfterS: 1 }] },
    { name: 'verifyToken 500 echoing the token', action: 'verifyToken', input: (v) => ({ token: secret(v) }), fault: (v) => ['whoami', { ...echo(v), status: 500 }] },
    { name: 'verifyToken timeout', action: 'verifyToken', input: (v) => ({ token: secret(v) }), fault: () => ['whoami', { type: 'timeout' }] },
    { name: 'listSpaces with a refused operator token', action: 'listSpaces', input: () => ({ author: 'alice' }), operator: 'bad' },
    { name: 'listSpaces 400 echoing', action: 'listSpaces', input: () => ({ author: 'alice' }), fault: (v) => ['listSpaces', echo(v)], operator: 'ok' },
    { name: 'setSpaceSecret 403 (read token)', action: 'setSpaceSecret', input: (v) => ({ space: 'alice/chat', key: 'K', value: secret(v) }), operator: 'bad' },
    { name: 'setSpaceSecret 400 echoing the value', action: 'setSpaceSecret', input: (v) => ({ space: 'alice/chat', key: 'K', value: secret(v) }), fault: (v) => ['setSecret', echo(v)], operator: 'ok' },
    { name: 'setSpaceSecret timeout', action: 'setSpaceSecret', input: (v) => ({ space: 'alice/chat', key: 'K', value: secret(v) }), fault: () => ['setSecret', { type: 'timeout' }], operator: 'ok' },
    { name: 'deleteSpaceSecret 500', action: 'deleteSpaceSecret', input: () => ({ space: 'alice/chat', key: 'K' }), fault: (v) => ['deleteSecret', { ...echo(v), status: 500 }], operator: 'ok' },
    { name: 'restartSpace 403', action: 'restartSpace', input: () => ({ space: 'bob/tool' }), operator: 'ok' },
    { name: 'listSpaceVariables 404', action: 'listSpaceVariables', input: () => ({ space: 'alice/none' }), operator: 'ok' },
    { name: 'revokeToken manual fallback', action: 'revokeToken', input: (v) => ({ token: secret(v) }), setup: () => (sim.switches.revokeEndpoint = 404), teardown: () => (sim.switches.revokeEndpoint = true) },
    { name: 'revokeToken 500 echoing', action: 'revokeToken', input: (v) => ({ token: secret(v) }), fault: (v) => ['revokeCredentials', { ...echo(v), status: 500 }] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const canary = hfToken();
      const operator = c.operator === 'ok' ? t.operator : c.operator === 'bad' ? hfToken() : undefined;
      if (c.operator === 'bad' && c.action === 'setSpaceSecret') sim.state.tokens.set(operator!, { value: operator!, owner: 'alice', role: 'read', displayName: 'r', createdAt: '', scoped: [], revoked: false });
      if (c.fault) {
        const [op, f] = c.fault(canary);
        onOp(op, f);
      }
      c.setup?.();
      try {
        const { err, log } = await fail(sim, c.action, c.input(canary), { token: operator, httpTimeoutMs: 300 });
        expect(err).toBeInstanceOf(ProviderError);
        expectNoLeak(err, log.lines, [canary, ...(operator ? [operator] : [])]);
      } finally {
        c.teardown?.();
      }
    });
  }
});

describe('secret canary against a hostile Hub that echoes what it was sent', () => {
  const plain = (v: string) => `pw-${v.slice(3)}`;
  const actions: [string, (v: string) => Record<string, unknown>][] = [
    ['verifyToken', (v) => ({ token: secret(v), fresh: true })],
    ['revokeToken', (v) => ({ token: secret(v) })],
    ['listSpaces', () => ({ author: 'alice' })],
    ['listSpaceSecrets', () => ({ space: 'alice/chat' })],
    // a value that is not token-shaped: only the generic scrubbing can catch its echo
    ['setSpaceSecret', (v) => ({ space: 'alice/chat', key: 'K', value: secret(plain(v)) })],
    ['deleteSpaceSecret', () => ({ space: 'alice/chat', key: 'K' })],
    ['listSpaceVariables', () => ({ space: 'alice/chat' })],
    ['restartSpace', () => ({ space: 'alice/chat' })],
  ];
  for (const [action, input] of actions) {
    for (const status of [400, 403, 429, 500]) {
      it(`${action} × ${status}`, async () => {
        echoStatus = status;
        const canary = hfToken();
        const operator = hfToken();
        const fakeSim = { ...sim, url: echo.url } as HuggingFaceSimulator;
        const { err, log } = await fail(fakeSim, action, input(canary), { token: operator });
        expect(err).toBeInstanceOf(ProviderError);
        expect(err.status).toBe(status);
        expectNoLeak(err, log.lines, [canary, plain(canary), operator]);
      });
    }
  }
});
