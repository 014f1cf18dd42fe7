/** slack Web API actions through the official WebClient against the Slack simulator. */
import { beforeEach, describe, expect, it } from 'vitest';
import { startSlackSimulator, type SlackSimulator } from '../../src/drill/simulators/slack.js';
import slack from '../../src/providers/slack/index.js';
import type { SlackConfig } from '../../src/providers/slack/config.js';
import { expectNoLeak, harness, planAction, providerError, randomAlnum, runAction, slackToken, verifyAction, type HarnessOptions } from './helpers-notify.js';
import { useSimulator } from './use-simulator.js';

let sim: SlackSimulator;
let botToken: string;
let incidents: string;

useSimulator(startSlackSimulator, (started) => (sim = started));
beforeEach(() => {
  botToken = slackToken();
  sim.addToken(botToken, { bot_id: 'B1', user: 'runbook-bot' });
  incidents = sim.addChannel(`incidents-${randomAlnum(6).toLowerCase()}`).id;
});

function h(action: string, opts: HarnessOptions & { token?: string | null } = {}) {
  const token = opts.token === undefined ? botToken : opts.token;
  return harness<SlackConfig>(slack, action, ({ secret }) => ({ api_url: sim.apiUrl, ...(token ? { token: secret(token, 'secrets.slack_bot') } : {}) }) as SlackConfig, opts);
}

describe('slack.postMessage', () => {
  it('posts through chat.postMessage and tags the message with the idempotency key', async () => {
    const { ctx } = h('postMessage');
    const out = await runAction(slack, ctx, { channel: incidents, text: 'Token leak: revoking now' });
    expect(out.channel).toBe(incidents);
    expect(out.ts).toMatch(/^\d+\.\d+$/);
    const msg = sim.messages.find((m) => m.ts === out.ts);
    expect(msg).toMatchObject({ channel: incidents, text: 'Token leak: revoking now', via: 'api', metadata: { event_type: 'runbook_notification', event_payload: { idempotency_key: 'inc-1/notify/-' } } });
    expect(sim.count('chat.postMessage')).toBeGreaterThan(0);
  });

  it('verify: done from the receipt; in doubt, read back by idempotency key', async () => {
    const a = h('postMessage', { incident: { id: 'inc-9', stepId: 'tell' } });
    const input = { channel: incidents, text: 'hello' };
    expect((await verifyAction(slack, a.ctx, input)).state).toBe('not-done');
    const before = sim.count('conversations.history');
    const out = await runAction(slack, a.ctx, input);
    expect((await verifyAction(slack, a.ctx, input, out)).state).toBe('done');
    expect(sim.count('conversations.history')).toBe(before); // the receipt is enough: no read-back call
    const v = await verifyAction(slack, a.ctx, input);
    expect(v.state).toBe('done');
    expect(v.detail).toContain(out.ts);
    const other = h('postMessage', { incident: { id: 'inc-9', stepId: 'tell', itemKey: 'x' } });
    expect((await verifyAction(slack, other.ctx, input)).state).toBe('not-done');
    sim.channels.get([...sim.channels.values()].find((c) => c.id === incidents)!.name)!.member = false;
    expect((await verifyAction(slack, a.ctx, input)).state).toBe('unknown');
  });

  it.each([
    ['a missing channel', 'C000NOPE', 'channel_not_found', 'does not exist'],
    ['an archived channel', 'archived', 'is_archived', 'archived'],
    ['a channel without the app', 'private', 'not_in_channel', 'invite it'],
  ])('maps %s to a clear, definite error', async (_what, channel, code, words) => {
    sim.addChannel('archived', { archived: true });
    sim.addChannel('private', { member: false });
    const err = await providerError(runAction(slack, h('postMessage').ctx, { channel, text: 'x' }));
    expect(err.code).toBe(code);
    expect(err.failure).toBe('definite');
    expect(err.message).toContain(words);
    expect(err.message).toContain(`(${code})`);
  });

  it('invalid_auth / token_revoked on the operator token are definite, and the token never leaks', async () => {
    const canary = slackToken();
    const hh = h('postMessage', { token: canary });
    const err = await providerError(runAction(slack, hh.ctx, { channel: incidents, text: 'x' }));
    expect(err.code).toBe('invalid_auth');
    expect(err.failure).toBe('definite');
    expect(err.nextSteps.join(' ')).toContain('token');
    expectNoLeak(canary, err, hh);
    sim.addToken(canary, { state: 'revoked' });
    const revoked = await providerError(runAction(slack, hh.ctx, { channel: incidents, text: 'x' }));
    expect(revoked.code).toBe('token_revoked');
    expectNoLeak(canary, revoked, hh);
  });

  it('429 with Retry-After → not-sent with retryAfterMs, one request (the client does not retry)', async () => {
    const hh = h('postMessage');
    sim.setFaults((r) => (r.op === 'chat.postMessage' ? { type: 'status', status: 429, retryAfterS: 12 } : undefined));
    const before = sim.count('chat.postMessage');
    const err = await providerError(runAction(slack, hh.ctx, { channel: incidents, text: 'x' }));
    expect(err.failure).toBe('not-sent');
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBe(12_000);
    expect(sim.count('chat.postMessage')).toBe(before + 1);
    expectNoLeak(botToken, err, hh);
  });

  it.each([
    [401, 'definite'],
    [403, 'definite'],
    [404, 'definite'],
    [500, 'ambiguous'],
    [503, 'not-sent'],
  ])('HTTP %i from the API → %s, without the token or the body', async (status, failure) => {
    const hh = h('postMessage');
    sim.setFaults(() => ({ type: 'status', status, body: `oops ${botToken}` }));
    const err = await providerError(runAction(slack, hh.ctx, { channel: incidents, text: 'x' }));
    expect(err.status).toBe(status);
    expect(err.failure).toBe(failure);
    expectNoLeak(botToken, err, hh);
    expect(err.message).not.toContain('oops');
  });

  it('a timeout is ambiguous; the client logs nothing to the console, not even Slack [ERROR] messages', async () => {
    const hh = h('postMessage', { httpTimeoutMs: 300 });
    const writes: string[] = [];
    const orig = { warn: console.warn, error: console.error, log: console.log, info: console.info, debug: console.debug };
    for (const k of Object.keys(orig) as (keyof typeof orig)[]) console[k] = (...a: unknown[]) => void writes.push(a.join(' '));
    try {
      const bad = await providerError(runAction(slack, hh.ctx, { channel: incidents, text: 'x', blocks: [{ nope: 1 }] }));
      expect(bad.code).toBe('invalid_blocks');
      sim.setFaults(() => ({ type: 'timeout' }));
      const err = await providerError(runAction(slack, hh.ctx, { channel: incidents, text: 'x' }));
      expect(err.failure).toBe('ambiguous');
      expect(err.message).toContain('timed out');
      expectNoLeak(botToken, err, hh);
    } finally {
      Object.assign(console, orig);
    }
    expect(writes).toEqual([]);
  });

  it('without a configured token it fails before calling', async () => {
    const before = sim.count('chat.postMessage');
    const err = await providerError(runAction(slack, h('postMessage', { token: null }).ctx, { channel: incidents, text: 'x' }));
    expect(err.code).toBe('CONFIG');
    expect(sim.count('chat.postMessage')).toBe(before);
  });
});

describe('slack.verifyToken', () => {
  it('live with team and user; dead (revoked or unknown) as a normal result', async () => {
    const leaked = slackToken('xoxp');
    sim.addToken(leaked, { user: 'alice' });
    const hh = h('verifyToken', { token: null });
    const live = await runAction(slack, hh.ctx, { token: hh.secret(leaked, 'finding xoxp') });
    expect(live).toMatchObject({ state: 'live', user: 'alice' });
    expect(live.team_id).toMatch(/^T/);
    sim.tokens.get(leaked)!.state = 'revoked';
    expect(await runAction(slack, hh.ctx, { token: hh.secret(leaked, 'finding xoxp') })).toEqual({ state: 'dead', reason: 'token_revoked' });
    expect(await runAction(slack, hh.ctx, { token: hh.secret(slackToken(), 'other') })).toEqual({ state: 'dead', reason: 'invalid_auth' });
    expectNoLeak(leaked, undefined, hh);
  });

  it('other failures are errors (429 not-sent), and never leak the token', async () => {
    const leaked = slackToken();
    const hh = h('verifyToken', { token: null });
    sim.setFaults(() => ({ type: 'status', status: 429, retryAfterS: 3 }));
    const err = await providerError(runAction(slack, hh.ctx, { token: hh.secret(leaked, 'finding') }));
    expect(err.retryAfterMs).toBe(3000);
    expectNoLeak(leaked, err, hh);
  });
});

describe('slack.revokeToken', () => {
  it('revokes the leaked token with auth.revoke, and verify() confirms with auth.test', async () => {
    const leaked = slackToken('xoxp');
    sim.addToken(leaked);
    const hh = h('revokeToken', { token: null });
    const input = { token: hh.secret(leaked, 'finding xoxp') };
    expect((await verifyAction(slack, hh.ctx, input)).state).toBe('not-done');
    expect(await runAction(slack, hh.ctx, input)).toEqual({ result: 'revoked' });
    expect(sim.tokenState(leaked)).toBe('revoked');
    const v = await verifyAction(slack, hh.ctx, input);
    expect(v.state).toBe('done');
    expect(v.detail).toContain('token_revoked');
    expect(await runAction(slack, hh.ctx, input)).toEqual({ result: 'already-dead', reason: 'token_revoked' });
    expectNoLeak(leaked, undefined, hh);
  });

  it('a timeout during revoke is ambiguous; verify is unknown when Slack cannot answer', async () => {
    const leaked = slackToken();
    sim.addToken(leaked);
    const hh = h('revokeToken', { token: null, httpTimeoutMs: 300 });
    const input = { token: hh.secret(leaked, 'finding') };
    sim.setFaults(() => ({ type: 'ambiguous' }));
    const err = await providerError(runAction(slack, hh.ctx, input));
    expect(err.failure).toBe('ambiguous');
    expect(sim.tokenState(leaked)).toBe('revoked');
    sim.setFaults(() => ({ type: 'timeout' }));
    expect((await verifyAction(slack, hh.ctx, input)).state).toBe('unknown');
    sim.setFaults(undefined);
    expect((await verifyAction(slack, hh.ctx, input)).state).toBe('done');
    expectNoLeak(leaked, err, hh);
  });

  it('plans name the token by label only and make no call', async () => {
    const leaked = slackToken();
    const hh = h('revokeToken', { token: null });
    const before = sim.requests.length;
    const lines = await planAction(slack, hh.ctx, { token: hh.secret(leaked, 'finding xoxb…abcd') });
    expect(lines).toEqual([`auth.revoke at ${sim.apiUrl} with [secret finding xoxb…abcd] — revokes that token`]);
    expect(sim.requests.length).toBe(before);
  });
});
