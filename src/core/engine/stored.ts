/**
 * Converting live values (which may hold Secret objects) to what may be stored or shown:
 * every Secret becomes `{ $secret, fingerprint, last4 }`, every string passes the redactor.
 */
import { Secret } from '../secrets/secret.js';
import type { Redactor } from '../secrets/redactor.js';
import { isStoredSecret, type StoredSecret } from '../journal/records.js';

export function toStored(v: unknown, key: Buffer, redactor: Redactor, found?: Secret[]): unknown {
  if (v instanceof Secret) {
    found?.push(v);
    return { $secret: v.label, fingerprint: v.fingerprint(key), last4: v.last4 } satisfies StoredSecret;
  }
  if (typeof v === 'string') return redactor.redact(v);
  if (Array.isArray(v)) return v.map((x) => toStored(x, key, redactor, found));
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty, not out[k] =: a JSON key "__proto__" (from a service or a child's stdout) stays a key
    for (const [k, x] of Object.entries(v))
      if (x !== undefined) Object.defineProperty(out, k, { value: toStored(x, key, redactor, found), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

export function containsStoredSecret(v: unknown): boolean {
  if (isStoredSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsStoredSecret);
  if (v && typeof v === 'object') return Object.values(v).some(containsStoredSecret);
  return false;
}

/** A short redacted preview of a value for logs and prompts. */
export function preview(v: unknown, key: Buffer, redactor: Redactor, max = 400): string {
  const s = JSON.stringify(toStored(v, key, redactor)) ?? 'undefined';
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Whether the redactor would change any string inside `v` (so its stored form is not the value). */
export function maskedByRedaction(v: unknown, redactor: Redactor): boolean {
  if (typeof v === 'string') return redactor.redact(v) !== v;
  if (Array.isArray(v)) return v.some((x) => maskedByRedaction(x, redactor));
  if (v && typeof v === 'object' && !(v instanceof Secret)) return Object.values(v).some((x) => maskedByRedaction(x, redactor));
  return false;
}
