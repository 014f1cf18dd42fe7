/**
 * Creates secrets and registers them with the redactor in the same breath — a value is
 * masked from the moment it exists (SECURITY.md: "late registration").
 */
import { Redactor } from './redactor.js';
import { Secret } from './secret.js';

export class SecretRegistry {
  readonly redactor: Redactor;
  readonly #byName = new Map<string, Secret>();
  constructor(redactor = new Redactor()) {
    this.redactor = redactor;
  }
  /** Wrap a raw value as a Secret and register it. */
  create(value: string, label: string): Secret {
    const s = new Secret(value, label);
    this.redactor.add(s);
    return s;
  }
  /** Register a named runbook secret (`secrets.<name>`). */
  set(name: string, secret: Secret): void {
    this.redactor.add(secret);
    this.#byName.set(name, secret);
  }
  get(name: string): Secret | undefined {
    return this.#byName.get(name);
  }
  names(): string[] {
    return [...this.#byName.keys()];
  }
}
