/**
 * zod issues → positioned Issues with plain messages. Unknown keys point at the key, bad
 * values at the value, missing keys at the parent mapping (CONVENTIONS.md). Messages never
 * quote a string value from the file (it could be a credential).
 */
import type { z } from 'zod';
import type { Path, Reporter } from './yaml.js';

type ZIssue = z.core.$ZodIssue;

export interface ZodReportOptions {
  /** where the parsed value sits in the document */
  base?: Path;
  /** drop issues at (or under) these relative paths, e.g. fields holding `${{ }}` expressions */
  skip?: (rel: Path) => boolean;
  /** the schema, for "did you mean" on unknown keys */
  schema?: z.ZodType;
  /** keys allowed at a relative path (derived from `schema` when absent) */
  known?: (rel: Path) => string[];
}

export function getAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    const k = typeof seg === 'number' ? seg : String(seg);
    if (!Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return v === '' ? 'an empty string' : 'a string';
  if (typeof v === 'number') return `the number ${v}`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  null: 'null',
  bigint: 'a number',
};
const typeName = (t: string) => TYPE_NAMES[t] ?? t;

function orList(items: string[]): string {
  const u = [...new Set(items)];
  return u.length <= 1 ? (u[0] ?? '') : `${u.slice(0, -1).join(', ')} or ${u[u.length - 1]}`;
}

/**
 * A pattern's message as one sentence: the schemas write it as a noun (`an HTTP header name` →
 * "must be an HTTP header name"), a full rule (`must be an AWS region…`, `a ref cannot start with
 * "-"`, `use letters, digits…`) or not at all (zod's `Invalid string: must match pattern /…/`).
 */
export function patternMessage(message: string): string {
  const m = message.replace(/^Invalid string: /, '');
  if (/^(must|use|only)\b/.test(m) || /\b(cannot|must)\b/.test(m)) return m;
  return `must be ${m}`;
}

const lit = (v: unknown) => (typeof v === 'string' ? `"${v}"` : String(v));

function sizeMessage(i: Extract<ZIssue, { code: 'too_small' | 'too_big' }>): string {
  const small = i.code === 'too_small';
  const n = Number(small ? i.minimum : i.maximum);
  const incl = i.inclusive !== false;
  const cmp = small ? (incl ? 'at least' : 'more than') : incl ? 'at most' : 'less than';
  switch (i.origin) {
    case 'array':
    case 'set':
      return `must have ${cmp} ${n} item${n === 1 ? '' : 's'}`;
    case 'string':
      return n === 1 && small ? 'must not be empty' : `must have ${cmp} ${n} character${n === 1 ? '' : 's'}`;
    default:
      return `must be ${cmp} ${n}`;
  }
}

/** The schema inside optional / default / lazy / pipe wrappers. */
export function unwrap(s: any): any {
  for (let i = 0; i < 32 && s?._zod?.def; i++) {
    const d = s._zod.def;
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(d.type)) s = d.innerType;
    else if (d.type === 'lazy') s = d.getter();
    else if (d.type === 'pipe') s = d.in;
    else break;
  }
  return s;
}

/** Keys a strict object at `path` accepts (union branches merged). */
export function knownKeys(schema: unknown, path: readonly PropertyKey[]): string[] {
  let frontier: any[] = [unwrap(schema)];
  for (const seg of path) {
    const next: any[] = [];
    for (let s of frontier) {
      s = unwrap(s);
      const d = s?._zod?.def;
      if (!d) continue;
      if (d.type === 'union') {
        for (const o of d.options) frontier.push(o);
        continue;
      }
      if (d.type === 'object' && typeof seg === 'string' && Object.hasOwn(d.shape, seg)) next.push(unwrap(d.shape[seg]));
      else if (d.type === 'array' && typeof seg === 'number') next.push(unwrap(d.element));
      else if (d.type === 'record') next.push(unwrap(d.valueType));
    }
    frontier = next;
  }
  const keys = new Set<string>();
  const visit = (s: any, depth: number) => {
    const d = unwrap(s)?._zod?.def;
    if (!d || depth > 4) return;
    if (d.type === 'object') Object.keys(d.shape).forEach((k) => keys.add(k));
    if (d.type === 'union') d.options.forEach((o: any) => visit(o, depth + 1));
  };
  frontier.forEach((s) => visit(s, 0));
  return [...keys];
}

/** Levenshtein distance (did-you-mean for keys). */
export function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** ` — did you mean "x"?` or ` (allowed: …)`, or ''. */
export function suggest(word: string, known: readonly string[], label = 'allowed'): string {
  if (known.length === 0) return '';
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(word, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  if (best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3))) return ` — did you mean "${best}"?`;
  return known.length <= 24 ? ` (${label}: ${[...known].sort().join(', ')})` : '';
}

/** Is a branch's failure "the value has the wrong shape altogether" (vs. problems inside it)? */
function shallow(branch: ZIssue[]): boolean {
  return branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value' || i.code === 'invalid_format' || i.code === 'invalid_union'));
}

function alternatives(branch: ZIssue[]): string[] {
  const out: string[] = [];
  for (const i of branch) {
    if (i.path.length !== 0) continue;
    if (i.code === 'invalid_type') out.push(typeName(i.expected));
    else if (i.code === 'invalid_value') out.push(orList(i.values.map(lit)));
    else if (i.code === 'invalid_format') out.push(i.message);
    else if (i.code === 'invalid_union') for (const b of i.errors) out.push(...alternatives(b));
  }
  return out;
}

/** Report zod issues (paths relative to `data`, which sits at `opts.base`). */
export function reportZod(issues: readonly ZIssue[], data: unknown, rep: Reporter, opts: ZodReportOptions = {}): void {
  const base = opts.base ?? [];
  for (const i of issues) {
    const rel = i.path as Path;
    if (opts.skip?.(rel)) continue;
    const full = [...base, ...rel];
    const value = getAt(data, rel);
    const last = rel[rel.length - 1];
    const parent = getAt(data, rel.slice(0, -1));
    const missing = value === undefined && rel.length > 0 && parent !== null && typeof parent === 'object' && !Array.isArray(parent) && !Object.hasOwn(parent, String(last));
    switch (i.code) {
      case 'unrecognized_keys': {
        const known = opts.known ? opts.known(rel) : knownKeys(opts.schema, rel);
        for (const k of i.keys) rep.atPath([...full, k], 'key', `unknown key "${k}"${suggest(k, known)}`, 'unknown-key');
        break;
      }
      case 'invalid_type':
        if (missing) rep.atPath(full, 'parent', `missing required field "${String(last)}"`, 'missing-key');
        // a schema's own word on how to write it (zod's default messages say only "Invalid input…")
        else rep.atPath(full, 'value', `expected ${typeName(i.expected)}, got ${describeValue(value)}${i.message && !/^Invalid input/.test(i.message) ? ` — ${i.message}` : ''}`, 'schema');
        break;
      case 'invalid_value':
        if (missing) rep.atPath(full, 'parent', `missing required field "${String(last)}"`, 'missing-key');
        else rep.atPath(full, 'value', i.values.length === 1 ? `must be ${lit(i.values[0])}` : `must be one of ${orList(i.values.map(lit))}`, 'schema');
        break;
      case 'invalid_format':
        rep.atPath(full, 'value', i.format === 'regex' ? patternMessage(i.message) : `must be a valid ${i.format}`, 'schema');
        break;
      case 'too_small':
      case 'too_big':
        rep.atPath(full, 'value', sizeMessage(i), 'schema');
        break;
      case 'invalid_key': {
        const inner = i.issues.map((x) => x.message).join('; ');
        rep.atPath(full, 'key', `invalid name "${String(last)}": ${inner}`, 'schema');
        break;
      }
      case 'invalid_union': {
        if (i.discriminator) {
          const opts2 = orList((('options' in i ? i.options : undefined) ?? []).map(lit));
          if (missing) rep.atPath(full, 'parent', `missing required field "${String(last)}" (${opts2})`, 'missing-key');
          else rep.atPath(full, 'value', `must be one of ${opts2}`, 'schema');
          break;
        }
        const deep = i.errors.filter((b) => b.length > 0 && !shallow(b)).sort((a, b) => a.length - b.length)[0];
        if (deep) {
          const known = opts.known ?? ((p: Path) => knownKeys(opts.schema, p));
          reportZod(deep, value, rep, {
            base: full,
            skip: opts.skip ? (p) => opts.skip!([...rel, ...p]) : undefined,
            known: (p) => known([...rel, ...p]),
          });
          break;
        }
        if (missing) {
          rep.atPath(full, 'parent', `missing required field "${String(last)}"`, 'missing-key');
          break;
        }
        const alts = i.errors.flatMap(alternatives);
        rep.atPath(full, 'value', alts.length ? `expected ${orList(alts)}, got ${describeValue(value)}` : 'is not valid here', 'schema');
        break;
      }
      default:
        rep.atPath(full, 'value', i.message, 'schema');
    }
  }
}
