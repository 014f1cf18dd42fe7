/**
 * A webhook receiver that does what a careful receiver should:
 * - verifies the Standard Webhooks signature (`webhook-id`, `webhook-timestamp`,
 *   `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{ts}.{body}")>`, key = base64-decoded
 *   part of a `whsec_` secret, else the secret's UTF-8 bytes) within a timestamp tolerance;
 * - verifies GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>` when a
 *   GitHub secret is set;
 * - dedupes by `Idempotency-Key` (falling back to `webhook-id`) and counts deliveries.
 *
 * The signature check is written independently of the sender (src/providers/http/sign.ts);
 * both are pinned against the published test vectors.
 *
 * Responses: 200 `{ok:true, delivery}` (new) or `{ok:true, duplicate:true, delivery}`;
 * 400 `{error}` for missing headers or a body that is not JSON; 401 `{error}` for a bad
 * signature or a stale timestamp; 405 for a method other than POST; 404 off the hook paths.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { json, startHttpSimulator, type FaultHook, type HttpSimulator, type SimRequest, type SimResponse } from './base.js';

export interface WebhookDelivery {
  path: string;
  webhookId: string | undefined;
  idempotencyKey: string | undefined;
  /** which signatures were present and valid */
  signedWith: Array<'standard' | 'github'>;
  payload: unknown;
  at: number;
}

export interface WebhookReceiverOptions {
  /** Standard Webhooks secret; when set, every delivery must carry a valid `webhook-signature` */
  secret?: string;
  /** GitHub-style secret; when set, every delivery must carry a valid `X-Hub-Signature-256` */
  githubSecret?: string;
  /** allowed clock skew, seconds (default 300, as the Standard Webhooks libraries use) */
  toleranceS?: number;
  /** clock, ms since the epoch (tests pin it to check published vectors) */
  now?: () => number;
  /** hook paths that exist (default: any path under /hooks/) */
  paths?: string[];
  port?: number;
  faults?: FaultHook;
}

export interface WebhookSimulator extends HttpSimulator {
  /** accepted deliveries, deduplicated */
  deliveries: WebhookDelivery[];
  /** how many deliveries were recognised as repeats (same Idempotency-Key / webhook-id) */
  duplicates(): number;
  /** URL of a hook path on this receiver */
  hookUrl(path?: string): string;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/** undefined when valid, else the error response. */
function checkStandard(req: SimRequest, secret: string, nowS: number, toleranceS: number): SimResponse | undefined {
  const id = header(req, 'webhook-id');
  const ts = header(req, 'webhook-timestamp');
  const sig = header(req, 'webhook-signature');
  if (!id || !ts || !sig) return json(400, { error: 'missing webhook-id, webhook-timestamp or webhook-signature' });
  const t = Number(ts);
  if (!/^\d+$/.test(ts) || Math.abs(nowS - t) > toleranceS) return json(401, { error: 'timestamp outside the tolerance' });
  const expected = createHmac('sha256', keyOf(secret)).update(`${id}.${ts}.${req.body}`).digest('base64');
  const ok = sig.split(' ').some((part) => {
    const [version, value] = part.split(',', 2);
    return version === 'v1' && value !== undefined && safeEqual(value, expected);
  });
  return ok ? undefined : json(401, { error: 'invalid signature' });
}

function checkGithub(req: SimRequest, secret: string): SimResponse | undefined {
  const sig = header(req, 'x-hub-signature-256');
  if (!sig) return json(400, { error: 'missing X-Hub-Signature-256' });
  const expected = `sha256=${createHmac('sha256', secret).update(req.body).digest('hex')}`;
  return safeEqual(sig, expected) ? undefined : json(401, { error: 'invalid signature' });
}

export async function startWebhookSimulator(opts: WebhookReceiverOptions = {}): Promise<WebhookSimulator> {
  const deliveries: WebhookDelivery[] = [];
  const seen = new Map<string, number>();
  let duplicates = 0;
  const now = opts.now ?? Date.now;
  const tolerance = opts.toleranceS ?? 300;
  const isHook = (path: string) => (opts.paths ? opts.paths.includes(path) : path.startsWith('/hooks/'));

  const receive = (req: SimRequest): SimResponse => {
    if (req.method !== 'POST') return json(405, { error: 'method not allowed' }, { allow: 'POST' });
    const signedWith: WebhookDelivery['signedWith'] = [];
    if (opts.secret !== undefined) {
      const bad = checkStandard(req, opts.secret, Math.floor(now() / 1000), tolerance);
      if (bad) return bad;
      signedWith.push('standard');
    }
    if (opts.githubSecret !== undefined) {
      const bad = checkGithub(req, opts.githubSecret);
      if (bad) return bad;
      signedWith.push('github');
    }
    const payload = req.json();
    if (payload === undefined) return json(400, { error: 'the body is not JSON' });
    const webhookId = header(req, 'webhook-id');
    const idempotencyKey = header(req, 'idempotency-key');
    const dedupe = idempotencyKey ?? webhookId;
    const prior = dedupe === undefined ? undefined : seen.get(dedupe);
    if (prior !== undefined) {
      duplicates++;
      return json(200, { ok: true, duplicate: true, delivery: prior });
    }
    deliveries.push({ path: req.path, webhookId, idempotencyKey, signedWith, payload, at: now() });
    if (dedupe !== undefined) seen.set(dedupe, deliveries.length);
    return json(200, { ok: true, delivery: deliveries.length });
  };

  const sim = await startHttpSimulator('webhook', (req) => (isHook(req.path) ? { op: 'deliver', respond: () => receive(req) } : undefined), {
    port: opts.port,
    faults: opts.faults,
  });
  return {
    ...sim,
    deliveries,
    duplicates: () => duplicates,
    hookUrl: (path = '/hooks/incident') => `${sim.url}${path}`,
  };
}
