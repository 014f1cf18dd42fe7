/**
 * The one redactor every outgoing byte passes through: terminal, JSON output, journal,
 * reports, child-process output. It masks each registered value and its encoded variants,
 * plus known token shapes that were never registered.
 *
 * NOTE: first version — see test/core/redactor.test.ts for the variants it must cover.
 */
import { Secret } from './secret.js';

export const MASK = '***';

export class Redactor {
  /** needle → label; longest first when applied */
  #needles = new Map<string, string>();
  #sorted: string[] | null = null;

  /** Register a secret (or a raw value that must never be shown). Values shorter than 4 are ignored. */
  add(secret: Secret | string, label?: string): void {
    const value = secret instanceof Secret ? secret.reveal() : secret;
    const name = secret instanceof Secret ? secret.label : (label ?? 'value');
    for (const v of variants(value)) {
      if (v.length >= 4 && !this.#needles.has(v)) this.#needles.set(v, name);
    }
    this.#sorted = null;
  }

  get size(): number {
    return this.#needles.size;
  }

  redact(text: string): string {
    if (text.length === 0) return text;
    if (this.#sorted === null) this.#sorted = [...this.#needles.keys()].sort((a, b) => b.length - a.length);
    let out = text;
    for (const n of this.#sorted) {
      if (out.includes(n)) out = out.split(n).join(MASK);
    }
    return redactShapes(out);
  }

  /** Deep-redacts a JSON-like value: strings are redacted, Secrets become their label. */
  redactValue<T>(v: T): T {
    return deep(v, (s) => this.redact(s)) as T;
  }
}

function deep(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (v instanceof Secret) return v.toString();
  if (Array.isArray(v)) return v.map((x) => deep(x, f));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[f(k)] = deep(x, f);
    return out;
  }
  return v;
}

/** Encoded forms of a value that could end up in output. */
export function variants(value: string): Set<string> {
  const out = new Set<string>();
  const add = (s: string) => {
    if (s) out.add(s);
  };
  add(value);
  for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) add(line.trim());
  add(JSON.stringify(value).slice(1, -1));
  add(encodeURIComponent(value));
  add(Buffer.from(value, 'utf8').toString('hex'));
  for (let off = 0; off < 3; off++) {
    const b = Buffer.from(value.slice(off), 'utf8').toString('base64');
    // strip the first and last partial groups so the middle matches wherever the value sits
    const core = b.replace(/=+$/, '');
    add(core.slice(off === 0 ? 0 : 0, core.length - (core.length % 4)));
    add(b);
    add(b.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  }
  add(Buffer.from(Buffer.from(value).toString('base64')).toString('base64').replace(/=+$/, ''));
  return out;
}

/** Known token shapes (PROVIDERS.md): masked even when nobody registered them. */
export const TOKEN_SHAPES: { name: string; re: RegExp }[] = [
  { name: 'huggingface', re: /\b(?:hf|api_org)_[A-Za-z0-9]{34}\b/g },
  { name: 'github', re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b/g },
  { name: 'github-fine-grained', re: /\bgithub_pat_\w{82}\b/g },
  { name: 'aws-access-key', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g },
  { name: 'slack-token', re: /\bxox[abprs]-[0-9A-Za-z-]{10,}/g },
  { name: 'slack-app-token', re: /\bxapp-[0-9A-Za-z-]{10,}/g },
  { name: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9_/]+/g },
  { name: 'openai', re: /\bsk-[A-Za-z0-9_-]*T3BlbkFJ[A-Za-z0-9_-]+/g },
];

export function redactShapes(text: string): string {
  let out = text;
  for (const { re } of TOKEN_SHAPES) {
    re.lastIndex = 0;
    if (re.test(out)) {
      re.lastIndex = 0;
      out = out.replace(re, (m) => `${m.slice(0, Math.min(4, m.indexOf('_') + 1 || 4))}${MASK}`);
    }
  }
  return out;
}
