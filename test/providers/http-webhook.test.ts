/** http.webhook against the webhook receiver simulator (which verifies signatures and dedupes). */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookSimulator, type WebhookSimulator } from '../../src/drill/simulators/webhook.js';
import http from '../../src/providers/http/index.js';
import { expectNoLeak, harness, planAction, providerError, randomAlnum, runAction, type HarnessOptions } from './helpers-notify.js';

const whsec = () => `whsec_${randomBytes(24).toString('base64')}`;
let sim: WebhookSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function setup(opts: HarnessOptions = {}) {
  const hh = harness(http, 'webhook', {}, { incident: { id: 'inc-7', stepId: 'tell-partners' }, ...opts });
  return hh;
}

describe('http.webhook', () => {
  it('delivers a Standard Webhooks-signed payload that the receiver verifies', async () => {
    const secret = whsec();
    sim = await startWebhookSimulator({ secret });
    const { ctx, secret: mk, evidence } = setup();
    const out = await runAction(http, ctx, { url: sim.hookUrl(), secret: mk(secret, 'secrets.hook_secret'), payload: { type: 'incident.update', data: { step: 3 } } });
    expect(out.status).toBe(200);
    expect(out.idempotency_key).toBe('inc-7:tell-partners:-');
    expect(out.webhook_id).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
    expect(sim.deliveries).toHaveLength(1);
    expect(sim.deliveries[0]).toMatchObject({ signedWith: ['standard'], idempotencyKey: 'inc-7:tell-partners:-', webhookId: out.webhook_id, payload: { type: 'incident.update', data: { step: 3 } } });
    expect(evidence[0]?.httpStatus).toBe(200);
  });

  it('a resumed run re-sends the same id and key, so the receiver counts one delivery', async () => {
    const secret = whsec();
    sim = await startWebhookSimulator({ secret });
    const input = (mk: (v: string, l: string) => unknown) => ({ url: sim!.hookUrl(), secret: mk(secret, 's'), payload: { n: 1 } });
    const a = setup();
    const b = setup();
    const first = await runAction(http, a.ctx, input(a.secret));
    const second = await runAction(http, b.ctx, input(b.secret));
    expect(second.webhook_id).toBe(first.webhook_id);
    expect(sim.count('deliver')).toBe(2);
    expect(sim.deliveries).toHaveLength(1);
    expect(sim.duplicates()).toBe(1);
    const other = setup({ incident: { id: 'inc-7', stepId: 'tell-partners', itemKey: 'acme' } });
    const third = await runAction(http, other.ctx, input(other.secret));
    expect(third.idempotency_key).toBe('inc-7:tell-partners:acme');
    expect(third.webhook_id).not.toBe(first.webhook_id);
    expect(sim.deliveries).toHaveLength(2);
  });

  it('signs GitHub-style with its own secret, or both schemes at once', async () => {
    const secret = whsec();
    const gh = randomAlnum(20);
    sim = await startWebhookSimulator({ githubSecret: gh });
    const one = setup();
    await runAction(http, one.ctx, { url: sim.hookUrl(), secret: one.secret(secret, 's'), github_secret: one.secret(gh, 'g'), signature: 'github', payload: { a: 1 } });
    expect(sim.deliveries[0]?.signedWith).toEqual(['github']);
    await sim.close();
    sim = await startWebhookSimulator({ secret, githubSecret: secret });
    const two = setup();
    await runAction(http, two.ctx, { url: sim.hookUrl(), secret: two.secret(secret, 's'), signature: 'both', payload: { a: 2 } });
    expect(sim.deliveries[0]?.signedWith).toEqual(['standard', 'github']);
  });

  it('a wrong signing secret → 401 definite, and neither secret leaks', async () => {
    sim = await startWebhookSimulator({ secret: whsec() });
    const hh = setup();
    const canary = whsec();
    const urlCanary = randomAlnum(24);
    const err = await providerError(
      runAction(http, hh.ctx, { url: hh.secret(sim.hookUrl(`/hooks/${urlCanary}`), 'secrets.hook_url'), secret: hh.secret(canary, 'secrets.hook_secret'), payload: { x: 1 } }),
    );
    expect(err.status).toBe(401);
    expect(err.failure).toBe('definite');
    expect(err.message).toContain('signing secret');
    expect(err.message).toContain('[secret secrets.hook_url]');
    expect(sim.deliveries).toHaveLength(0);
    expectNoLeak(canary, err, hh);
    expectNoLeak(canary.slice('whsec_'.length), err, hh);
    expectNoLeak(urlCanary, err, hh);
  });

  it('403 and 404 are definite', async () => {
    sim = await startWebhookSimulator({ paths: ['/hooks/real'] });
    const hh = setup();
    const err = await providerError(runAction(http, hh.ctx, { url: sim.hookUrl('/hooks/gone'), secret: hh.secret(whsec(), 's'), payload: {} }));
    expect(err.status).toBe(404);
    expect(err.failure).toBe('definite');
    sim.setFaults(() => ({ type: 'status', status: 403 }));
    const forbidden = await providerError(runAction(http, hh.ctx, { url: sim.hookUrl('/hooks/real'), secret: hh.secret(whsec(), 's'), payload: {} }));
    expect(forbidden.status).toBe(403);
    expect(forbidden.failure).toBe('definite');
  });

  it('429 with Retry-After is not-sent; 5xx is classified; a timeout is ambiguous and does not leak the URL', async () => {
    sim = await startWebhookSimulator();
    const hh = setup({ httpTimeoutMs: 300 });
    const urlCanary = randomAlnum(24);
    const input = () => ({ url: hh.secret(sim!.hookUrl(`/hooks/${urlCanary}`), 'secrets.hook_url'), secret: hh.secret(whsec(), 's'), payload: {} });
    sim.setFaults(() => ({ type: 'status', status: 429, retryAfterS: 30 }));
    const limited = await providerError(runAction(http, hh.ctx, input()));
    expect(limited.failure).toBe('not-sent');
    expect(limited.retryAfterMs).toBe(30_000);
    sim.setFaults(() => ({ type: 'status', status: 502 }));
    expect((await providerError(runAction(http, hh.ctx, input()))).failure).toBe('ambiguous');
    sim.setFaults(() => ({ type: 'timeout' }));
    const timedOut = await providerError(runAction(http, hh.ctx, input()));
    expect(timedOut.failure).toBe('ambiguous');
    expect(timedOut.message).toContain('timed out');
    expect(sim.count('deliver')).toBe(3);
    for (const e of [limited, timedOut]) expectNoLeak(urlCanary, e, hh);
  });

  it('refuses to let input headers override the signature headers', async () => {
    sim = await startWebhookSimulator();
    const hh = setup();
    const err = await providerError(runAction(http, hh.ctx, { url: sim.hookUrl(), secret: hh.secret(whsec(), 's'), payload: {}, headers: { 'Webhook-Signature': 'v1,x' } }));
    expect(err.code).toBe('RESERVED_HEADER');
    expect(sim.count('deliver')).toBe(0);
  });

  it('requires the signing secret to be a secret reference', () => {
    expect(http.actions.webhook!.input.safeParse({ url: 'https://example.com/h', secret: 'literal', payload: {} }).success).toBe(false);
    expect(http.actions.webhook!.input.safeParse({ url: 'https://example.com/h', payload: {} }).success).toBe(false);
  });

  it('plan names the URL safely and the ids it would send', async () => {
    const hh = setup();
    const canary = randomAlnum(24);
    const lines = await planAction(http, hh.ctx, { url: hh.secret(`https://hooks.example.com/${canary}`, 'secrets.hook_url'), secret: hh.secret(whsec(), 's'), payload: {} });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^POST \[secret secrets\.hook_url\] signed \(standard\) with webhook-id msg_\S+, Idempotency-Key inc-7:tell-partners:-$/);
    expect(lines.join('\n')).not.toContain(canary);
  });
});
