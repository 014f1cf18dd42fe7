/**
 * http.webhook — a signed webhook notification.
 *
 * Sends the JSON payload with Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`) and/or GitHub's `X-Hub-Signature-256`, plus
 * `Idempotency-Key: <incident>:<step>:<item>`. The id and the key are stable across resumes.
 *
 * Not marked idempotent: Standard Webhooks asks receivers to dedupe on `webhook-id`, and we
 * send an Idempotency-Key too, but we cannot know that a given receiver honours either, and
 * there is nothing to read back. An in-doubt delivery is therefore settled by the operator.
 */
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import type { Secret } from '../../core/secrets/secret.js';
import { defineAction, secretField } from '../sdk.js';
import type { HttpConfig } from './config.js';
import { HeadersField, UrlField, send, shownUrl, statusError, statusHint } from './door.js';
import { githubSignature, idempotencyHeader, standardSignature, webhookId } from './sign.js';

export const WebhookInput = z.strictObject({
  url: UrlField,
  /** the signing secret; `whsec_<base64>` is the Standard Webhooks format (key = decoded part) */
  secret: secretField('the signing secret, e.g. ${{ secrets.webhook_secret }}'),
  /** which signature(s) to send */
  signature: z.enum(['standard', 'github', 'both']).default('standard'),
  /** a separate secret for the GitHub-style signature (default: `secret`, used as its text) */
  github_secret: secretField('the GitHub-style signing secret').optional(),
  /** the JSON body */
  payload: z.unknown().refine((v) => v !== undefined, 'a JSON payload is required'),
  headers: HeadersField.optional(),
  /** statuses that count as delivered (default: any 2xx, as Standard Webhooks says) */
  expect: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  timeout_ms: z.number().int().positive().max(600_000).optional(),
});
export type WebhookInput = z.infer<typeof WebhookInput>;

export const WebhookOutput = z.object({
  status: z.number(),
  webhook_id: z.string(),
  idempotency_key: z.string(),
});
export type WebhookOutput = z.infer<typeof WebhookOutput>;

const RESERVED = new Set(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-hub-signature-256', 'idempotency-key', 'content-type']);

function signHeaders(input: WebhookInput, id: string, ts: number, body: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (input.signature !== 'github') {
    out['webhook-id'] = id;
    out['webhook-timestamp'] = String(ts);
    out['webhook-signature'] = standardSignature(input.secret.reveal(), id, ts, body);
  }
  if (input.signature !== 'standard') out['x-hub-signature-256'] = githubSignature((input.github_secret ?? input.secret).reveal(), body);
  return out;
}

export const webhook = defineAction<WebhookInput, WebhookOutput, HttpConfig>({
  kind: 'notify',
  description: 'POST a signed JSON webhook (Standard Webhooks and/or X-Hub-Signature-256) with an Idempotency-Key of incident:step:item.',
  input: WebhookInput,
  output: WebhookOutput,
  idempotent: false,
  plan: (ctx, input) => [
    `POST ${shownUrl(input.url)} signed (${input.signature}) with webhook-id ${webhookId(ctx.idempotencyKey)}, Idempotency-Key ${idempotencyHeader(ctx.incident)}`,
  ],
  async run(ctx, input) {
    for (const h of Object.keys(input.headers ?? {}))
      if (RESERVED.has(h.toLowerCase()))
        throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: `header ${h} is set by the webhook action itself`, failure: 'definite', code: 'RESERVED_HEADER' });
    const id = webhookId(ctx.idempotencyKey);
    const key = idempotencyHeader(ctx.incident);
    const body = JSON.stringify(input.payload);
    const ts = Math.floor(Date.now() / 1000);
    const headers: Record<string, string | Secret> = {
      ...(ctx.config.headers ?? {}),
      ...(input.headers ?? {}),
      'content-type': 'application/json',
      'idempotency-key': key,
      ...signHeaders(input, id, ts, body),
    };
    const res = await send(ctx, { method: 'POST', url: input.url, headers, body, timeoutMs: input.timeout_ms ?? ctx.config.timeout_ms });
    ctx.evidence({ httpStatus: res.status, requestId: res.requestId, detail: `webhook-id ${id}` });
    const ok = input.expect ? input.expect.includes(res.status) : res.ok;
    if (!ok) {
      const hint = res.status === 401 || res.status === 403 ? `the receiver rejected the delivery — check the signing secret (HTTP ${res.status})` : statusHint(res.status);
      throw statusError(ctx, res, input.url, `${hint} from ${shownUrl(input.url)}`);
    }
    ctx.log.info(`webhook ${id} delivered to ${shownUrl(input.url)} (HTTP ${res.status})`);
    return { status: res.status, webhook_id: id, idempotency_key: key };
  },
});
