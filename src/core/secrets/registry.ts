/**
 * Creates secrets and registers them with the redactor in the same breath — a value is
 * masked from the moment it exists (SECURITY.md: "late registration").
 */
import { Redactor, type AddResult } from './redactor.js';
import { Secret } from './secret.js';

export class SecretRegistry {
  readonly redactor: Redactor;
  readonly #byName = new Map<string, Secret>();
  readonly #warnings: string[] = [];
  /** called with each warning as it happens (e.g. a value too short to mask) */
  onWarning: ((message: string) => void) | undefined;

  constructor(redactor = new Redactor()) {
    this.redactor = redactor;
  }

  /** Wrap a raw value as a Secret and register it. */
  create(value: string, label: string): Secret {
    const s = new Secret(value, label);
    this.#register(s);
    return s;
  }

  /** Register a named runbook secret (`secrets.<name>`). */
  set(name: string, secret: Secret): void {
    this.#register(secret);
    this.#byName.set(name, secret);
  }

  get(name: string): Secret | undefined {
    return this.#byName.get(name);
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** Record a warning about a secret (never its value). */
  warn(message: string): void {
    this.#warnings.push(message);
    this.onWarning?.(message);
  }

  /** Warnings so far: values too short to mask, world-readable secret files, … */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  #register(s: Secret): AddResult {
    const r = this.redactor.add(s);
    // the same secret set twice warns once
    if (r.warning && !this.#warnings.includes(r.warning)) this.warn(r.warning);
    return r;
  }
}
