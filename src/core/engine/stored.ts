/**
 * Converting live values (which may hold Secret objects) to what may be stored or shown:
 * every Secret becomes `{ $secret, fingerprint, last4 }`, every string passes the redactor.
 */
import { Secret } from '../secrets/secret.js';
import type { Redactor } from '../secrets/redactor.js';
import { isStoredSecret, type StoredSecret } from '../journal/records.js';

/** `seen.masked` is set when the redactor changed some string (what maskedByRedaction tells, without a second pass). */
export function toStored(v: unknown, key: Buffer, redactor: Redactor, found?: Secret[], seen?: { masked: boolean }): unknown {
  if (v instanceof Secret) {
    found?.push(v);
    return { $secret: v.label, fingerprint: v.fingerprint(key), last4: v.last4 } satisfies StoredSecret;
  }
  if (typeof v === 'string') {
    const r = redactor.redact(v);
    if (seen && r !== v) seen.masked = true;
    return r;
  }
  if (Array.isArray(v)) return v.map((x) => toStored(x, key, redactor, found, seen));
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty, not out[k] =: a JSON key "__proto__" (from a service or a child's stdout) stays a key
    for (const [k, x] of Object.entries(v))
      if (x !== undefined) Object.defineProperty(out, k, { value: toStored(x, key, redactor, found, seen), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/** What the journal keeps of a live value, the Secrets in it, and whether the redactor masked any of its text. */
export interface StoredForm {
  stored: unknown;
  found: Secret[];
  masked: boolean;
  /** the redactor's needles when it was built (a value registered since may be in its text: build it again) */
  needles: number;
}

/**
 * The stored form of a step's or item's output, in one pass — remembered for the live object
 * (`forms`), so a step whose outputs are its one item's output (a detect step: 10,000 findings)
 * journals the same stored object in its outcome and in step.finished instead of building and
 * redacting it twice, and the journal's folded state holds one copy.
 */
export function storedForm(v: unknown, key: Buffer, redactor: Redactor, forms?: WeakMap<object, StoredForm>): StoredForm {
  const known = v !== null && typeof v === 'object' ? forms?.get(v) : undefined;
  if (known && known.needles === redactor.size) return known;
  const found: Secret[] = [];
  const seen = { masked: false };
  const form: StoredForm = { stored: toStored(v, key, redactor, found, seen), found, masked: seen.masked, needles: redactor.size };
  if (v !== null && typeof v === 'object') forms?.set(v, form);
  return form;
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
