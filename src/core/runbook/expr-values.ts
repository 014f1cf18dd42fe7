/**
 * Value semantics of `${{ … }}` expressions: property reads, truthiness, equality, timestamps and
 * durations, arithmetic, comparison, membership, and how Secrets compose into text.
 * Split out of ./expressions.ts; a Secret stays opaque here too.
 */
import { Secret, isSecret } from '../secrets/secret.js';
import { ExpressionError, FORBIDDEN_PROPS } from './expr-parse.js';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Read `key` of `obj`: own properties of plain objects and arrays only; anything else is undefined. */
export function read(obj: unknown, key: unknown, offset: number): unknown {
  if (obj === null || obj === undefined) return undefined;
  if (Array.isArray(obj)) {
    if (typeof key === 'number') return Number.isInteger(key) && key >= 0 && key < obj.length ? obj[key] : undefined;
    if (typeof key === 'string' && /^(0|[1-9]\d*)$/.test(key)) return obj[Number(key)];
    return undefined;
  }
  if (!isPlainObject(obj)) return undefined; // strings, numbers, Secrets, class instances: no properties
  if (typeof key === 'number') key = String(key);
  if (typeof key !== 'string') return undefined;
  if (FORBIDDEN_PROPS.has(key)) throw new ExpressionError(`property "${key}" cannot be read`, offset);
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function truthy(v: unknown): boolean {
  return !(v === false || v === null || v === undefined || v === 0 || v === '' || Number.isNaN(v));
}

export function equal(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (isSecret(a) || isSecret(b)) return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return a === b;
}

/** An ISO 8601 timestamp: a date, or a date and time with `Z` or an offset. */
const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** ms since the epoch of an ISO timestamp string, or undefined. */
export function timeOf(v: unknown): number | undefined {
  if (typeof v !== 'string' || !ISO_RE.test(v)) return undefined;
  const t = Date.parse(v.replace(' ', 'T'));
  return Number.isFinite(t) ? t : undefined;
}

export function isoOf(ms: number, o: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new ExpressionError('the time is out of range', o);
  return new Date(ms).toISOString();
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `1h30m`, `500ms`, `2d`, `1w` → seconds; undefined when not a duration. */
export function durationSeconds(text: string): number | undefined {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms / 1000;
}

/** `+` and `-`: numbers; a timestamp ± seconds → a timestamp; timestamp − timestamp → seconds. */
export function arithmetic(op: '+' | '-', a: unknown, b: unknown, o: number): unknown {
  if (containsSecret(a) || containsSecret(b)) throw new ExpressionError(`${op} cannot look inside a secret`, o);
  if (typeof a === 'number' && typeof b === 'number') return op === '+' ? a + b : a - b;
  const ta = timeOf(a);
  const tb = timeOf(b);
  if (ta !== undefined && typeof b === 'number') return isoOf(op === '+' ? ta + b * 1000 : ta - b * 1000, o);
  if (op === '+' && typeof a === 'number' && tb !== undefined) return isoOf(tb + a * 1000, o);
  if (op === '-' && ta !== undefined && tb !== undefined) return (ta - tb) / 1000;
  if (a === null || a === undefined || b === null || b === undefined) return null;
  throw new ExpressionError(
    `${op} takes two numbers, a timestamp and a number of seconds${op === '-' ? ', or two timestamps' : ''} (got ${kindOf(a)} and ${kindOf(b)}); join text with format()`,
    o,
  );
}

export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return timeOf(v) !== undefined ? 'a timestamp' : 'text';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

/** `x in list` (an equal element), `part in text`, `key in mapping`. */
export function member(needle: unknown, hay: unknown, o: number): boolean {
  opaque('in', needle, o);
  opaque('in', hay, o);
  if (Array.isArray(hay)) return hay.some((x) => equal(x, needle));
  if (typeof hay === 'string') return typeof needle === 'string' && hay.includes(needle);
  if (isPlainObject(hay) && typeof needle === 'string') return Object.hasOwn(hay, needle);
  return false;
}

export function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown): boolean {
  const ta = timeOf(a);
  const tb = ta === undefined ? undefined : timeOf(b);
  if (ta !== undefined && tb !== undefined) [a, b] = [ta, tb]; // two timestamps compare as instants
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

export function containsSecret(v: unknown, depth = 0): boolean {
  if (isSecret(v)) return true;
  if (depth > 64) return false;
  if (Array.isArray(v)) return v.some((x) => containsSecret(x, depth + 1));
  if (isPlainObject(v)) return Object.values(v).some((x) => containsSecret(x, depth + 1));
  return false;
}

/** A deep copy with every Secret replaced by its value (only for composing a new Secret). */
export function revealDeep(v: unknown): unknown {
  if (isSecret(v)) return v.reveal();
  if (Array.isArray(v)) return v.map(revealDeep);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revealDeep(x)]));
  return v;
}

export function secretsIn(v: unknown, out: Secret[] = []): Secret[] {
  if (isSecret(v)) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => secretsIn(x, out));
  else if (isPlainObject(v)) Object.values(v).forEach((x) => secretsIn(x, out));
  return out;
}

/** Text of a value inside a string: null → '', objects → JSON. Secrets are handled by `compose`. */
export function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Join pieces into a string, or into a new Secret when any piece holds one. */
export function compose(pieces: unknown[]): string | Secret {
  const secrets = pieces.flatMap((p) => secretsIn(p));
  if (secrets.length === 0) return pieces.map(text).join('');
  const value = pieces.map((p) => (isSecret(p) ? p.reveal() : containsSecret(p) ? JSON.stringify(revealDeep(p)) : text(p))).join('');
  return new Secret(value, `template(${[...new Set(secrets.map((s) => s.label))].join(', ')})`);
}

export function opaque(fn: string, v: unknown, offset: number): void {
  if (containsSecret(v)) throw new ExpressionError(`${fn}() cannot look inside a secret`, offset);
}

export function str(fn: string, v: unknown, offset: number): string {
  opaque(fn, v, offset);
  return text(v);
}
