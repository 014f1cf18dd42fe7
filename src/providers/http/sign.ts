/**
 * Webhook signatures.
 *
 * Standard Webhooks (https://www.standardwebhooks.com): headers `webhook-id`,
 * `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256(key,
 * "{id}.{timestamp}.{body}")>`. A secret of the form `whsec_<base64>` means the key is the
 * base64-decoded part (the spec's format); any other secret is used as its UTF-8 bytes.
 *
 * GitHub style: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`, where the key is
 * the secret's text as configured (GitHub has no encoded form).
 *
 * Both are pinned against the published test vectors in test/providers/http-contract.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';

export function standardKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

export function githubSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body, 'utf8').digest('hex')}`;
}

/**
 * The message id: derived from the item's idempotency key, so a resumed run re-sends the same
 * id (Standard Webhooks receivers dedupe on it). Hashed so that it is a clean token whatever
 * the incident and step names are.
 */
export function webhookId(idempotencyKey: string): string {
  return `msg_${createHash('sha256').update(idempotencyKey, 'utf8').digest('base64url').slice(0, 27)}`;
}

/** `<incident>:<step>:<item>` — the Idempotency-Key header. */
export function idempotencyHeader(incident: { id: string; stepId: string; itemKey: string }): string {
  return `${incident.id}:${incident.stepId}:${incident.itemKey}`;
}
