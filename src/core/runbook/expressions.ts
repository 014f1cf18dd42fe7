/**
 * `${{ … }}` expressions: evaluation, template rendering and static references.
 * Parsing is in ./expr-parse.ts. Nothing here uses `eval` or `Function`; property reads go
 * through Object.hasOwn on plain objects and arrays only, and a Secret is opaque: it can be
 * passed along whole or composed into a template (which yields a new Secret), never inspected.
 * The language is documented in docs/runbook-format.md ("Expressions").
 */
import { Secret, isSecret } from '../secrets/secret.js';
import { ExpressionError, FORBIDDEN_PROPS, ROOTS, hasExpression, parseExpression, splitTemplate, type Expr, type Root, type TemplatePart } from './expr-parse.js';
import { UrlValueError, componentAt, encodeForUrl, isWholeSegment, maybeUrlTemplate } from './url-template.js';

export { ExpressionError, parseExpression, splitTemplate, hasExpression, ROOTS, FUNCTION_ARITY, type Expr, type Root, type TemplatePart } from './expr-parse.js';

export interface Scope {
  inputs?: Record<string, unknown>;
  secrets?: Record<string, unknown /* Secret */>;
  steps?: Record<string, { outputs?: Record<string, unknown> }>;
  item?: unknown;
  incident?: Record<string, unknown>;
  result?: unknown;
  /** the clock `now()` reads, in ms since the epoch (default Date.now; drills pass drill time) */
  now?: () => number;
}

export interface Reference {
  root: Root;
  /** the static part of the path after the root: `steps.a.outputs.b` → ['a', 'outputs', 'b'] */
  path: string[];
  /** offset of the root name in the text given to `references` */
  offset: number;
}

// ---------------------------------------------------------------- evaluation

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Read `key` of `obj`: own properties of plain objects and arrays only; anything else is undefined. */
function read(obj: unknown, key: unknown, offset: number): unknown {
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

function equal(a: unknown, b: unknown): boolean {
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

function isoOf(ms: number, o: number): string {
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
function arithmetic(op: '+' | '-', a: unknown, b: unknown, o: number): unknown {
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

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return timeOf(v) !== undefined ? 'a timestamp' : 'text';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

/** `x in list` (an equal element), `part in text`, `key in mapping`. */
function member(needle: unknown, hay: unknown, o: number): boolean {
  opaque('in', needle, o);
  opaque('in', hay, o);
  if (Array.isArray(hay)) return hay.some((x) => equal(x, needle));
  if (typeof hay === 'string') return typeof needle === 'string' && hay.includes(needle);
  if (isPlainObject(hay) && typeof needle === 'string') return Object.hasOwn(hay, needle);
  return false;
}

function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown): boolean {
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

function containsSecret(v: unknown, depth = 0): boolean {
  if (isSecret(v)) return true;
  if (depth > 64) return false;
  if (Array.isArray(v)) return v.some((x) => containsSecret(x, depth + 1));
  if (isPlainObject(v)) return Object.values(v).some((x) => containsSecret(x, depth + 1));
  return false;
}

/** A deep copy with every Secret replaced by its value (only for composing a new Secret). */
function revealDeep(v: unknown): unknown {
  if (isSecret(v)) return v.reveal();
  if (Array.isArray(v)) return v.map(revealDeep);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revealDeep(x)]));
  return v;
}

function secretsIn(v: unknown, out: Secret[] = []): Secret[] {
  if (isSecret(v)) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => secretsIn(x, out));
  else if (isPlainObject(v)) Object.values(v).forEach((x) => secretsIn(x, out));
  return out;
}

/** Text of a value inside a string: null → '', objects → JSON. Secrets are handled by `compose`. */
function text(v: unknown): string {
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

function opaque(fn: string, v: unknown, offset: number): void {
  if (containsSecret(v)) throw new ExpressionError(`${fn}() cannot look inside a secret`, offset);
}

function str(fn: string, v: unknown, offset: number): string {
  opaque(fn, v, offset);
  return text(v);
}

type Fn = (args: unknown[], offset: number, scope: Scope) => unknown;
const FUNCTIONS: Record<string, Fn> = {
  contains([hay, needle], o) {
    opaque('contains', hay, o);
    opaque('contains', needle, o);
    if (Array.isArray(hay)) return hay.some((x) => equal(x, needle));
    if (typeof hay === 'string') return hay.includes(text(needle));
    if (isPlainObject(hay) && typeof needle === 'string') return Object.hasOwn(hay, needle);
    return false;
  },
  startsWith([s, p], o) {
    const prefix = str('startsWith', p, o);
    opaque('startsWith', s, o);
    return typeof s === 'string' && s.startsWith(prefix);
  },
  endsWith([s, p], o) {
    const suffix = str('endsWith', p, o);
    opaque('endsWith', s, o);
    return typeof s === 'string' && s.endsWith(suffix);
  },
  length([v], o) {
    // counting a list or an object says nothing about the secrets it may hold
    if (!Array.isArray(v) && !isPlainObject(v)) opaque('length', v, o);
    if (v === null || v === undefined) return 0;
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (isPlainObject(v)) return Object.keys(v).length;
    throw new ExpressionError('length() takes a string, a list or an object', o);
  },
  join([list, sep], o) {
    const s = sep === undefined ? ',' : str('join', sep, o);
    if (list === null || list === undefined) return '';
    if (!Array.isArray(list)) return compose([list]);
    const pieces: unknown[] = [];
    list.forEach((x, i) => {
      if (i > 0) pieces.push(s);
      pieces.push(x);
    });
    return compose(pieces);
  },
  format([fmt, ...args], o) {
    if (typeof fmt !== 'string') throw new ExpressionError('format() takes a format string first', o);
    const pieces: unknown[] = [];
    let lit = '';
    for (let i = 0; i < fmt.length; i++) {
      const c = fmt[i]!;
      if ((c === '{' || c === '}') && fmt[i + 1] === c) {
        lit += c;
        i++;
      } else if (c === '{') {
        const m = /^\{(\d+)\}/.exec(fmt.slice(i));
        if (!m) throw new ExpressionError('format(): use {0}, {1}, … (and {{ or }} for a brace)', o);
        const n = Number(m[1]);
        if (n >= args.length) throw new ExpressionError(`format(): {${n}} has no argument`, o);
        pieces.push(lit, args[n]);
        lit = '';
        i += m[0].length - 1;
      } else if (c === '}') throw new ExpressionError('format(): a lone "}" (write }} for a brace)', o);
      else lit += c;
    }
    pieces.push(lit);
    return compose(pieces);
  },
  toJSON([v], o) {
    opaque('toJSON', v, o);
    return JSON.stringify(v ?? null);
  },
  fromJSON([v], o) {
    if (typeof v !== 'string') throw new ExpressionError('fromJSON() takes a string', o);
    try {
      return JSON.parse(v, (k, x) => {
        if (FORBIDDEN_PROPS.has(k)) throw new ExpressionError(`fromJSON(): key "${k}" is not allowed`, o);
        return x;
      });
    } catch (e) {
      if (e instanceof ExpressionError) throw e;
      throw new ExpressionError('fromJSON(): the text is not valid JSON', o);
    }
  },
  lower: ([v], o) => str('lower', v, o).toLowerCase(),
  upper: ([v], o) => str('upper', v, o).toUpperCase(),
  /** pluck(list, 'a.b'): the value at that path of each element */
  pluck([list, path], o) {
    const p = pathOf('pluck', path, o);
    return listOf('pluck', list, o).map((x) => readPath(x, p, o));
  },
  /** where(list, 'a.b'): elements whose value there is truthy; where(list, 'a.b', v): equal to v */
  where(args, o) {
    const [list, path] = args;
    if (path instanceof Predicate) return listOf('where', list, o).filter((x) => truthy(path.test(x)));
    const p = pathOf('where', path, o);
    return listOf('where', list, o).filter((x) => {
      const got = readPath(x, p, o);
      if (args.length < 3) return truthy(got);
      opaque('where', got, o);
      return equal(got, args[2]);
    });
  },
  /** unique(list): the list without repeated elements (first kept) */
  unique([list], o) {
    const out: unknown[] = [];
    for (const x of listOf('unique', list, o)) if (!out.some((y) => equal(x, y))) out.push(x);
    return out;
  },
  /** split(text, separator): the pieces of the text */
  split([s, sep], o) {
    const by = str('split', sep, o);
    if (s === null || s === undefined) return [];
    opaque('split', s, o);
    if (typeof s !== 'string') throw new ExpressionError('split() takes text first', o);
    if (s === '') return [];
    return s.split(by).slice(0, 10_000);
  },
  /** now(): the current time as an ISO timestamp (the scope's clock when it has one) */
  now: (_a, o, scope) => isoOf(scope.now ? scope.now() : Date.now(), o),
  /** duration('30m'): seconds */
  duration([d], o) {
    if (typeof d === 'number' && Number.isFinite(d)) return d;
    const s = typeof d === 'string' ? durationSeconds(d) : undefined;
    if (s === undefined) throw new ExpressionError("duration() takes a duration such as '90s', '30m', '1h30m', '2d' or '1w'", o);
    return s;
  },
  /** timestamp(x): an ISO timestamp, or epoch seconds, as an ISO timestamp in UTC */
  timestamp([v], o) {
    if (v === null || v === undefined) return null;
    if (typeof v === 'number') return isoOf(v * 1000, o);
    const t = timeOf(v);
    if (t === undefined) throw new ExpressionError("timestamp() takes an ISO time such as '2024-05-31T10:00:00Z' or a number of seconds since 1970", o);
    return isoOf(t, o);
  },
  /** flatten(list): one level of nested lists spread into one list */
  flatten([list], o) {
    return listOf('flatten', list, o).flatMap((x) => (Array.isArray(x) ? x : [x]));
  },
};

function listOf(fn: string, v: unknown, o: number): unknown[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new ExpressionError(`${fn}() takes a list`, o);
  return v;
}

function pathOf(fn: string, path: unknown, o: number): string[] {
  if (typeof path !== 'string' || !path) throw new ExpressionError(`${fn}() takes a field path such as 'owner.email'`, o);
  return path.split('.');
}

function readPath(v: unknown, path: string[], o: number): unknown {
  let cur = v;
  for (const k of path) cur = read(cur, k, o);
  return cur;
}

/** A where() condition, tested against one element at a time. */
class Predicate {
  constructor(
    readonly body: Expr,
    readonly scope: Scope,
  ) {}
  test(el: unknown): unknown {
    return ev(this.body, this.scope, { el });
  }
}

/** Evaluate a parsed expression. Throws ExpressionError (offset relative to the expression source). */
export function evaluate(expr: Expr, scope: Scope): unknown {
  return ev(expr, scope, undefined);
}

function ev(expr: Expr, scope: Scope, pred: { el: unknown } | undefined): unknown {
  switch (expr.type) {
    case 'literal':
      return expr.value;
    case 'root':
      return Object.hasOwn(scope, expr.name) ? scope[expr.name] : undefined;
    case 'this':
      return pred?.el;
    case 'field':
      return read(pred?.el, expr.name, expr.offset);
    case 'predicate':
      return new Predicate(expr.body, scope);
    case 'list':
      return expr.items.map((x) => ev(x, scope, pred));
    case 'member':
      return read(ev(expr.object, scope, pred), expr.name, expr.offset);
    case 'index': {
      const obj = ev(expr.object, scope, pred);
      const key = ev(expr.index, scope, pred);
      return read(obj, key, expr.index.offset);
    }
    case 'not':
      return !truthy(ev(expr.operand, scope, pred));
    case 'call':
      return FUNCTIONS[expr.name]!(
        expr.args.map((a) => ev(a, scope, pred)),
        expr.offset,
        scope,
      );
    case 'binary': {
      if (expr.op === '&&') {
        const l = ev(expr.left, scope, pred);
        return truthy(l) ? ev(expr.right, scope, pred) : l;
      }
      if (expr.op === '||') {
        const l = ev(expr.left, scope, pred);
        return truthy(l) ? l : ev(expr.right, scope, pred);
      }
      const l = ev(expr.left, scope, pred);
      const r = ev(expr.right, scope, pred);
      switch (expr.op) {
        case '==':
          return equal(l, r);
        case '!=':
          return !equal(l, r);
        case 'in':
          return member(l, r, expr.offset);
        case 'not in':
          return !member(l, r, expr.offset);
        case '+':
        case '-':
          return arithmetic(expr.op, l, r, expr.offset);
        default:
          return compare(expr.op, l, r);
      }
    }
  }
}

// ---------------------------------------------------------------- templates

const cache = new Map<string, Expr>();
function parseCached(src: string): Expr {
  let e = cache.get(src);
  if (!e) {
    e = parseExpression(src);
    if (cache.size > 2000) cache.clear();
    cache.set(src, e);
  }
  return e;
}

/** Evaluate `src` with errors re-based to `base` (the offset of `src` within a larger text). */
function evalAt(src: string, base: number, scope: Scope): unknown {
  try {
    return evaluate(parseCached(src), scope);
  } catch (e) {
    if (e instanceof ExpressionError) throw new ExpressionError(e.message, e.offset + base);
    throw e;
  }
}

/**
 * Render one string: exactly one `${{ }}` (whitespace around allowed) yields the typed value;
 * text mixed with expressions yields a string, or a Secret when any interpolated value is one.
 */
export function renderString(s: string, scope: Scope): unknown {
  if (!hasExpression(s)) return s;
  const parts = splitTemplate(s);
  const exprs = parts.filter((p) => p.kind === 'expr');
  if (exprs.length === 1 && parts.every((p) => p.kind === 'expr' || p.text.trim() === '')) {
    const p = exprs[0]!;
    return evalAt(p.src, p.offset, scope);
  }
  if (maybeUrlTemplate(parts)) return renderUrl(parts, scope);
  return compose(parts.map((p) => (p.kind === 'text' ? p.text : evalAt(p.src, p.offset, scope))));
}

/** A URL template (./url-template.ts): each value encoded for the component it lands in. */
function renderUrl(parts: readonly TemplatePart[], scope: Scope): string | Secret {
  let prefix = ''; // the URL so far, in plain text: only used to tell components apart
  const pieces: unknown[] = [];
  parts.forEach((p, k) => {
    if (p.kind === 'text') {
      pieces.push(p.text);
      prefix += p.text;
      return;
    }
    const v = evalAt(p.src, p.offset, scope);
    const secret = containsSecret(v);
    const plain = isSecret(v) ? v.reveal() : secret ? JSON.stringify(revealDeep(v)) : text(v);
    const next = parts[k + 1];
    let enc: string;
    try {
      enc = encodeForUrl(plain, componentAt(prefix), isWholeSegment(prefix, next === undefined ? undefined : next.kind === 'text' ? next.text : 'x'));
    } catch (e) {
      if (e instanceof UrlValueError) throw new ExpressionError(e.message, p.offset);
      throw e;
    }
    prefix += enc;
    pieces.push(secret ? new Secret(enc, isSecret(v) ? v.label : 'template') : enc);
  });
  return compose(pieces);
}

/** Render deep over plain objects and arrays; other values are returned as they are. */
export function render(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return renderString(value, scope);
  if (Array.isArray(value)) return value.map((v) => render(v, scope));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = render(v, scope);
    return out;
  }
  return value;
}

/**
 * Evaluate an expression-only field (`if`, `for_each` given as a string, `item_key`,
 * `outputs.*`, `verify.expect`): written either bare (`inputs.dry_run`) or as a template
 * (`${{ inputs.dry_run }}`).
 */
export function evaluateField(field: string, scope: Scope): unknown {
  return hasExpression(field) ? renderString(field, scope) : evalAt(field, 0, scope);
}

// ---------------------------------------------------------------- static references

function collect(e: Expr, base: number, out: Reference[]): string[] | null {
  switch (e.type) {
    case 'literal':
    case 'field':
    case 'this':
      return null;
    case 'list':
      for (const x of e.items) collect(x, base, out);
      return null;
    case 'predicate':
      collect(e.body, base, out);
      return null;
    case 'root': {
      const ref: Reference = { root: e.name, path: [], offset: e.offset + base };
      out.push(ref);
      return ref.path;
    }
    case 'member': {
      const p = collect(e.object, base, out);
      p?.push(e.name);
      return p;
    }
    case 'index': {
      const p = collect(e.object, base, out);
      collect(e.index, base, out);
      if (p && e.index.type === 'literal' && e.index.value !== null && typeof e.index.value !== 'boolean') {
        p.push(String(e.index.value));
        return p;
      }
      return null; // dynamic index: the static path stops here
    }
    case 'not':
      collect(e.operand, base, out);
      return null;
    case 'call':
      for (const a of e.args) collect(a, base, out);
      return null;
    case 'binary':
      collect(e.left, base, out);
      collect(e.right, base, out);
      return null;
  }
}

/**
 * The names a text refers to, for semantic checks. `mode: 'template'` (default) reads
 * `${{ }}` parts; `mode: 'expression'` reads the whole text as one bare expression.
 * Throws ExpressionError with the offset within `text`.
 */
export function references(text: string, mode: 'template' | 'expression' = 'template'): Reference[] {
  const out: Reference[] = [];
  const parts = mode === 'expression' ? [{ src: text, offset: 0 }] : splitTemplate(text).flatMap((p) => (p.kind === 'expr' ? [p] : []));
  for (const p of parts) {
    let e: Expr;
    try {
      e = parseExpression(p.src);
    } catch (err) {
      if (err instanceof ExpressionError) throw new ExpressionError(err.message, err.offset + p.offset);
      throw err;
    }
    collect(e, p.offset, out);
  }
  return out;
}

/** Is `name` a root of the expression language? */
export function isRoot(name: string): name is Root {
  return (ROOTS as readonly string[]).includes(name);
}

/** Does a for_each step's `if:` use `item` (so it is evaluated once per item)? */
export function ifUsesItem(step: { if?: string | boolean; for_each?: unknown }): boolean {
  if (typeof step.if !== 'string' || step.for_each === undefined) return false;
  try {
    return references(step.if, hasExpression(step.if) ? 'template' : 'expression').some((r) => r.root === 'item');
  } catch {
    return false;
  }
}

/** JSON text of a value for a message, every Secret inside shown as `***`, cut at `max` characters. */
function shown(v: unknown, max = 120): string {
  const masked = (x: unknown, d = 0): unknown =>
    isSecret(x) ? '***' : d > 32 ? '…' : Array.isArray(x) ? x.map((y) => masked(y, d + 1)) : isPlainObject(x) ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, masked(y, d + 1)])) : x;
  const t = v === undefined ? 'null (missing)' : isSecret(v) ? '***' : JSON.stringify(masked(v)) ?? String(v);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * What an expression saw: `result.state = "active", item.id = "k1"` — the value at each
 * static reference it makes (secrets masked), for a message such as a failed `verify.expect`.
 */
export function explainField(field: string, scope: Scope): string {
  let refs: Reference[];
  try {
    refs = references(field, hasExpression(field) ? 'template' : 'expression');
  } catch {
    return '';
  }
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const r of refs) {
    const name = [r.root, ...r.path].map((k, i) => (i === 0 || /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? (i ? `.${k}` : k) : `[${JSON.stringify(k)}]`)).join('');
    if (seen.has(name) || parts.length >= 6) continue;
    seen.add(name);
    if (r.root === 'secrets') {
      parts.push(`${name} = ***`);
      continue;
    }
    let v: unknown = Object.hasOwn(scope, r.root) ? scope[r.root] : undefined;
    try {
      for (const k of r.path) v = read(v, k, 0);
    } catch {
      v = undefined;
    }
    parts.push(`${name} = ${shown(v)}`);
  }
  return parts.join(', ');
}

export interface WhereFields {
  /** the static path of the list filtered (`steps.find.outputs.keys`), when it is one */
  list?: { root: Root; path: string[] };
  /** the element fields the condition reads (offsets within the text given) */
  fields: { name: string; offset: number }[];
}

/** Every where() condition in a text, with the element fields it reads (for validate). */
export function whereConditions(text: string, mode: 'template' | 'expression' = 'template'): WhereFields[] {
  const out: WhereFields[] = [];
  const parts = mode === 'expression' ? [{ src: text, offset: 0 }] : splitTemplate(text).flatMap((p) => (p.kind === 'expr' ? [p] : []));
  const pathOfExpr = (e: Expr): { root: Root; path: string[] } | undefined => {
    if (e.type === 'root') return { root: e.name, path: [] };
    if (e.type === 'member') {
      const p = pathOfExpr(e.object);
      return p && { root: p.root, path: [...p.path, e.name] };
    }
    return undefined;
  };
  const fieldsOf = (e: Expr, base: number, acc: { name: string; offset: number }[]): void => {
    if (e.type === 'field') acc.push({ name: e.name, offset: e.offset + base });
    else if (e.type === 'member') fieldsOf(e.object, base, acc);
    else if (e.type === 'index') [e.object, e.index].forEach((x) => fieldsOf(x, base, acc));
    else if (e.type === 'not') fieldsOf(e.operand, base, acc);
    else if (e.type === 'binary') [e.left, e.right].forEach((x) => fieldsOf(x, base, acc));
    else if (e.type === 'list') e.items.forEach((x) => fieldsOf(x, base, acc));
    else if (e.type === 'call') e.args.forEach((x) => fieldsOf(x, base, acc)); // a nested where() has its own predicate node
  };
  const walk = (e: Expr, base: number): void => {
    if (e.type === 'call' && e.name === 'where' && e.args[1]?.type === 'predicate') {
      const fields: { name: string; offset: number }[] = [];
      fieldsOf(e.args[1].body, base, fields);
      out.push({ list: pathOfExpr(e.args[0]!), fields });
    }
    switch (e.type) {
      case 'member':
        return walk(e.object, base);
      case 'index':
        return [e.object, e.index].forEach((x) => walk(x, base));
      case 'not':
        return walk(e.operand, base);
      case 'binary':
        return [e.left, e.right].forEach((x) => walk(x, base));
      case 'list':
        return e.items.forEach((x) => walk(x, base));
      case 'call':
        return e.args.forEach((x) => walk(x, base));
      case 'predicate':
        return walk(e.body, base);
      default:
        return;
    }
  };
  for (const p of parts) {
    try {
      walk(parseExpression(p.src), p.offset);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
    }
  }
  return out;
}
