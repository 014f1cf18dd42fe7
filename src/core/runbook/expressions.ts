/**
 * `${{ … }}` expressions: evaluation, template rendering and static references.
 * Parsing is in ./expr-parse.ts. Nothing here uses `eval` or `Function`; property reads go
 * through Object.hasOwn on plain objects and arrays only, and a Secret is opaque: it can be
 * passed along whole or composed into a template (which yields a new Secret), never inspected.
 * The language is documented in docs/runbook-format.md ("Expressions").
 */
import { Secret, isSecret } from '../secrets/secret.js';
import { ExpressionError, ROOTS, hasExpression, parseExpression, splitTemplate, type Expr, type Root, type TemplatePart } from './expr-parse.js';
import { UrlValueError, componentAt, encodeForUrl, isWholeSegment, maybeUrlTemplate } from './url-template.js';
import { FUNCTIONS, Predicate } from './expr-functions.js';
import { arithmetic, compare, compose, containsSecret, equal, isPlainObject, member, read, revealDeep, text, truthy } from './expr-values.js';

export { ExpressionError, parseExpression, splitTemplate, hasExpression, ROOTS, FUNCTION_ARITY, type Expr, type Root, type TemplatePart } from './expr-parse.js';
export { compose, durationSeconds, timeOf, truthy } from './expr-values.js';

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
      return new Predicate((el) => ev(expr.body, scope, { el }));
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
