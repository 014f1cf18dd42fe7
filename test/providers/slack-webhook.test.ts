/** slack.postWebhook against the Slack simulator's incoming webhooks. */
import { beforeEach, describe, expect, it } from 'vitest';
import { startSlackSimulator, type SlackSimulator } from '../../src/drill/simulators/slack.js';
import slack from '../../src/providers/slack/index.js';
import type { SlackConfig } from '../../src/providers/slack/config.js';
import { expectNoLeak, harness, planAction, providerError, randomAlnum, runAction, type HarnessOptions } from './helpers-notify.js';
import { useSimulator } from './use-simulator.js';

let sim: SlackSimulator;
let channel: string;
let hookUrl: string;

useSimulator(startSlackSimulator, (started) => (sim = started));
beforeEach(() => {
  channel = `alerts-${randomAlnum(6).toLowerCase()}`;
  sim.addChannel(channel);
  hookUrl = sim.addWebhook(channel);
});

const secretPart = (url: string) => new URL(url).pathname.split('/').at(-1)!;

function h(url: string | null = hookUrl, opts: HarnessOptions = {}) {
  return harness<SlackConfig>(slack, 'postWebhook', ({ secret }) => ({ api_url: sim.apiUrl, ...(url ? { webhook_url: secret(url, 'secrets.slack_webhook') } : {}) }) as SlackConfig, opts);
}

describe('slack.postWebhook', () => {
  it('posts text and blocks; the simulator keeps the message', async () => {
    const hh = h();
    const out = await runAction(slack, hh.ctx, { text: 'Revoked 3 tokens', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Revoked*' } }] });
    expect(out).toEqual({ posted: true });
    const msg = sim.messages.at(-1)!;
    expect(msg).toMatchObject({ channel: sim.channels.get(channel)!.id, text: 'Revoked 3 tokens', via: 'webhook' });
    expect(hh.evidence[0]?.httpStatus).toBe(200);
    expect(hh.log.lines.join('\n')).toContain('[secret secrets.slack_webhook]');
    expectNoLeak(secretPart(hookUrl), undefined, hh);
  });

  it('a url on the step overrides the instance webhook', async () => {
    const other = `other-${randomAlnum(5).toLowerCase()}`;
    sim.addChannel(other);
    const url = sim.addWebhook(other);
    const hh = h(null);
    await runAction(slack, hh.ctx, { text: 'x', url: hh.secret(url, 'secrets.other_hook') });
    expect(sim.messages.at(-1)?.channel).toBe(sim.channels.get(other)!.id);
    const none = await providerError(runAction(slack, h(null).ctx, { text: 'x' }));
    expect(none.code).toBe('CONFIG');
  });

  it.each([
    ['archived channel', 410, 'channel_is_archived', () => void (sim.channels.get(channel)!.archived = true)],
    ['deleted channel', 404, 'channel_not_found', () => void sim.channels.delete(channel)],
    ['disabled webhook', 404, 'no_service', () => void (sim.webhooks.get(new URL(hookUrl).pathname)!.state = 'revoked')],
    ['restricted webhook', 403, 'action_prohibited', () => void (sim.webhooks.get(new URL(hookUrl).pathname)!.state = 'prohibited')],
  ])('%s → HTTP %i %s, definite, clear message, URL never shown', async (_what, status, code, arrange) => {
    arrange();
    const hh = h();
    const err = await providerError(runAction(slack, hh.ctx, { text: 'x' }));
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
    expect(err.failure).toBe('definite');
    expect(err.message).toContain(`(${code})`);
    expect(err.message).toContain('[secret secrets.slack_webhook]');
    expectNoLeak(secretPart(hookUrl), err, hh);
  });

  it('a webhook URL that never existed → 404 no_service, with a next step', async () => {
    const fake = `${sim.url}/services/T${randomAlnum(9)}/B${randomAlnum(9)}/${randomAlnum(24)}`;
    const hh = h(fake);
    const err = await providerError(runAction(slack, hh.ctx, { text: 'x' }));
    expect(err.code).toBe('no_service');
    expect(err.nextSteps.join(' ')).toContain('new incoming webhook');
    expectNoLeak(secretPart(fake), err, hh);
  });

  it('an unrecognised body is never echoed', async () => {
    const hh = h();
    sim.setFaults(() => ({ type: 'status', status: 400, body: `Bad Request: <html>${secretPart(hookUrl)}</html>` }));
    const err = await providerError(runAction(slack, hh.ctx, { text: 'x' }));
    expect(err.code).toBe('HTTP_400');
    expect(err.message).not.toContain('html');
    expectNoLeak(secretPart(hookUrl), err, hh);
  });

  it('429 with Retry-After → not-sent; 5xx classified; timeout ambiguous; URL never leaks', async () => {
    const hh = h(hookUrl, { httpTimeoutMs: 300 });
    sim.setFaults(() => ({ type: 'status', status: 429, retryAfterS: 1, body: 'rate_limited' }));
    const limited = await providerError(runAction(slack, hh.ctx, { text: 'x' }));
    expect(limited.failure).toBe('not-sent');
    expect(limited.retryAfterMs).toBe(1000);
    sim.setFaults(() => ({ type: 'status', status: 500, body: 'internal_error' }));
    const failed = await providerError(runAction(slack, hh.ctx, { text: 'x' }));
    expect(failed.failure).toBe('ambiguous');
    expect(failed.message).toContain('internal error');
    sim.setFaults(() => ({ type: 'timeout' }));
    const timedOut = await providerError(runAction(slack, hh.ctx, { text: 'x' }));
    expect(timedOut.failure).toBe('ambiguous');
    expect(timedOut.message).toContain('timed out');
    for (const e of [limited, failed, timedOut]) expectNoLeak(secretPart(hookUrl), e, hh);
    expect(sim.messages.filter((m) => m.via === 'webhook' && m.channel === sim.channels.get(channel)!.id)).toHaveLength(0);
  });

  it('plan names the webhook by label and makes no call', async () => {
    const hh = h();
    const before = sim.requests.length;
    expect(await planAction(slack, hh.ctx, { text: 'hello' })).toEqual(['POST Slack incoming webhook [secret secrets.slack_webhook] (5 characters)']);
    expect(sim.requests.length).toBe(before);
  });

  it('the webhook URL must be a secret reference', () => {
    expect(slack.config.safeParse({ webhook_url: hookUrl }).success).toBe(false);
  });
});
