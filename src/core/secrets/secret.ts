/**
 * A secret is a type, not a string. Its value is reachable only through `reveal()`; every
 * other way of turning it into text (template strings, JSON, util.inspect, console) yields a
 * redacted label. Create secrets through a `SecretRegistry` (./registry.ts) so the redactor
 * learns the value the moment it exists.
 */
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;
  /** the last fingerprint made and its key (a fan-out stores the same secret in its intent, outcome and item: one HMAC, not one per record) */
  #fp: { key: Buffer | string; fp: string } | undefined;
  /** Human label, e.g. `secrets.hf_token` or `finding hf_…Ab12`. Never the value. */
  readonly label: string;

  constructor(value: string, label: string) {
    if (typeof value !== 'string') throw new TypeError(`secret ${String(label)}: the value must be a string`);
    this.#value = value;
    // a label is shown everywhere: it must never be (or contain) the value itself
    this.label = value.length >= 4 && String(label).includes(value) ? 'secret' : String(label);
    Object.freeze(this);
  }

  /** The raw value. Only pass it straight to a client library, a child env or stdin. */
  reveal(): string {
    return this.#value;
  }

  /** The last 4 characters (empty for values shorter than 12, where 4 would say too much). */
  get last4(): string {
    return this.#value.length >= 12 ? this.#value.slice(-4) : '';
  }

  get length(): number {
    return this.#value.length;
  }

  /** Keyed fingerprint: HMAC-SHA256(key, value), hex, first 16 chars. Safe to store. */
  fingerprint(key: Buffer | string): string {
    const last = this.#fp;
    // the same key object (a run's fingerprint key is one Buffer, never changed)
    if (last?.key === key) return last.fp;
    const fp = fingerprintValue(this.#value, key);
    // a private field is not a property: the frozen object stays frozen
    this.#fp = { key, fp };
    return fp;
  }

  /** What gets stored in a journal instead of the value. */
  describe(key: Buffer | string): SecretRef {
    return { secret: this.label, fingerprint: this.fingerprint(key), last4: this.last4 };
  }

  toString(): string {
    return `[secret ${this.label}]`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
  [Symbol.toPrimitive](): string {
    return this.toString();
  }
}

/** A stored reference to a secret: never the value. */
export interface SecretRef {
  secret: string;
  fingerprint: string;
  last4: string;
}

export function fingerprintValue(value: string, key: Buffer | string): string {
  // an unkeyed hash of a short secret can be brute-forced: a key is required
  if (key.length === 0) throw new TypeError('fingerprint: an empty key would make the fingerprint an unkeyed hash');
  return createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 16);
}

export function isSecret(v: unknown): v is Secret {
  return v instanceof Secret;
}
