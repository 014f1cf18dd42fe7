/**
 * Contract test for the Slack simulator: raw HTTP against it, pinning the responses documented
 * in ../shared/reference/PROVIDERS.md (Slack), so the simulator cannot drift from Slack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackSimulator, type SlackSimulator } from '../../src/drill/simulators/slack.js';
import { randomAlnum, slackToken } from './helpers-notify.js';

let sim: SlackSimulator;
beforeAll(async () => {
  sim = await startSlackSimulator({ team: 'acme' });
});
afterAll(() => sim.close());

async function api(method: string, token: string | undefined, params: Record<string, string> = {}) {
  const res = await fetch(`${sim.apiUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, type: res.headers.get('content-type'), reqId: res.headers.get('x-slack-req-id'), body: (await res.json()) as Record<string, any> };
}

async function hook(url: string, body: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, body: await res.text() };
}

describe('Slack Web API contract', () => {
  it('auth.test: ok with identity; not_authed / invalid_auth / token_revoked as HTTP 200 ok:false', async () => {
    const t = slackToken();
    const who = sim.addToken(t, { user: 'bot', bot_id: 'B9' });
    const ok = await api('auth.test', t);
    expect(ok.status).toBe(200);
    expect(ok.type).toContain('application/json');
    expect(ok.reqId).toMatch(/^[0-9a-f]{16}$/);
    expect(ok.body).toEqual({ ok: true, url: 'https://acme.slack.com/', team: 'acme', user: 'bot', team_id: expect.stringMatching(/^T/), user_id: who.user_id, bot_id: 'B9' });
    expect(await api('auth.test', undefined)).toMatchObject({ status: 200, body: { ok: false, error: 'not_authed' } });
    expect(await api('auth.test', slackToken())).toMatchObject({ status: 200, body: { ok: false, error: 'invalid_auth' } });
    who.state = 'revoked';
    expect(await api('auth.test', t)).toMatchObject({ status: 200, body: { ok: false, error: 'token_revoked' } });
  });

  it('accepts the token as a `token` param too', async () => {
    const t = slackToken('xoxp');
    sim.addToken(t);
    expect((await api('auth.test', undefined, { token: t })).body.ok).toBe(true);
  });

  it('auth.revoke: test=true is a dry run; otherwise revokes the calling token', async () => {
    const t = slackToken('xoxp');
    sim.addToken(t);
    expect((await api('auth.revoke', t, { test: 'true' })).body).toEqual({ ok: true, revoked: false });
    expect(sim.tokenState(t)).toBe('live');
    expect((await api('auth.revoke', t)).body).toEqual({ ok: true, revoked: true });
    expect(sim.tokenState(t)).toBe('revoked');
    expect((await api('auth.revoke', t)).body).toEqual({ ok: false, error: 'token_revoked' });
  });

  it('chat.postMessage: {ok, channel, ts, message} or the documented error strings', async () => {
    const t = slackToken();
    sim.addToken(t);
    const ch = sim.addChannel(`c-${randomAlnum(5).toLowerCase()}`);
    const ok = await api('chat.postMessage', t, { channel: ch.id, text: 'hi' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, channel: ch.id, ts: expect.stringMatching(/^\d+\.\d{6}$/), message: { type: 'message', text: 'hi' } });
    expect((await api('chat.postMessage', t, { channel: `#${ch.name}`, text: 'by name' })).body.channel).toBe(ch.id);
    expect((await api('chat.postMessage', t, { channel: 'C0NOPE', text: 'x' })).body).toEqual({ ok: false, error: 'channel_not_found' });
    expect((await api('chat.postMessage', t, { channel: ch.id })).body).toEqual({ ok: false, error: 'no_text' });
    expect((await api('chat.postMessage', t, { channel: ch.id, text: 'x', blocks: '{nope' })).body).toEqual({ ok: false, error: 'invalid_blocks' });
    expect((await api('chat.postMessage', t, { channel: ch.id, text: 'x'.repeat(40_001) })).body).toEqual({ ok: false, error: 'msg_too_long' });
    ch.member = false;
    expect((await api('chat.postMessage', t, { channel: ch.id, text: 'x' })).body).toEqual({ ok: false, error: 'not_in_channel' });
    ch.archived = true;
    expect((await api('chat.postMessage', t, { channel: ch.id, text: 'x' })).body).toEqual({ ok: false, error: 'is_archived' });
    expect((await api('chat.postMessage', slackToken(), { channel: ch.id, text: 'x' })).body).toEqual({ ok: false, error: 'invalid_auth' });
  });

  it('conversations.history: newest first; metadata only with include_all_metadata', async () => {
    const t = slackToken();
    sim.addToken(t);
    const ch = sim.addChannel(`h-${randomAlnum(5).toLowerCase()}`);
    const metadata = JSON.stringify({ event_type: 'e', event_payload: { k: 1 } });
    await api('chat.postMessage', t, { channel: ch.id, text: 'one', metadata });
    await api('chat.postMessage', t, { channel: ch.id, text: 'two' });
    const plain = await api('conversations.history', t, { channel: ch.id });
    expect(plain.body.messages.map((m: { text: string }) => m.text)).toEqual(['two', 'one']);
    expect(plain.body.messages[1].metadata).toBeUndefined();
    const meta = await api('conversations.history', t, { channel: ch.id, include_all_metadata: 'true', limit: '1' });
    expect(meta.body.messages).toHaveLength(1);
    const all = await api('conversations.history', t, { channel: ch.id, include_all_metadata: 'true' });
    expect(all.body.messages[1].metadata).toEqual({ event_type: 'e', event_payload: { k: 1 } });
  });

  it('unknown methods answer unknown_method; 429 comes with Retry-After in seconds', async () => {
    const t = slackToken();
    sim.addToken(t);
    expect((await api('users.nope', t)).body).toEqual({ ok: false, error: 'unknown_method' });
    sim.setFaults(() => ({ type: 'status', status: 429, retryAfterS: 30 }));
    try {
      const res = await fetch(`${sim.apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${t}` } });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('30');
    } finally {
      sim.setFaults(undefined);
    }
  });
});

describe('Slack incoming webhook contract', () => {
  it('200 "ok"; bare-string errors with the documented statuses', async () => {
    const ch = sim.addChannel(`w-${randomAlnum(5).toLowerCase()}`);
    const url = sim.addWebhook(ch.name);
    expect(url).toMatch(/\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{24}$/);
    expect(await hook(url, JSON.stringify({ text: 'hi' }))).toEqual({ status: 200, body: 'ok' });
    expect(await hook(url, '{not json')).toEqual({ status: 400, body: 'invalid_payload' });
    expect(await hook(url, JSON.stringify({ icon_emoji: ':x:' }))).toEqual({ status: 400, body: 'no_text' });
    ch.archived = true;
    expect(await hook(url, JSON.stringify({ text: 'x' }))).toEqual({ status: 410, body: 'channel_is_archived' });
    sim.channels.delete(ch.name);
    expect(await hook(url, JSON.stringify({ text: 'x' }))).toEqual({ status: 404, body: 'channel_not_found' });
    const hookState = sim.webhooks.get(new URL(url).pathname)!;
    hookState.state = 'prohibited';
    expect(await hook(url, JSON.stringify({ text: 'x' }))).toEqual({ status: 403, body: 'action_prohibited' });
    hookState.state = 'revoked';
    expect(await hook(url, JSON.stringify({ text: 'x' }))).toEqual({ status: 404, body: 'no_service' });
    expect(await hook(`${sim.url}/services/T1/B1/${randomAlnum(24)}`, JSON.stringify({ text: 'x' }))).toEqual({ status: 404, body: 'no_service' });
  });
});
