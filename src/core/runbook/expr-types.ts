/**
 * What validate can know of an expression's value before the run: its JSON kind (string,
 * number, boolean, array, object, null, secret) when the expression is a declared input, a
 * step output whose action declares its type, a literal, or a function whose result kind is
 * fixed. Unknown is `undefined` — never guessed.
 */
import { ExpressionError, hasExpression, parseExpression, splitTemplate, type Expr } from './expressions.js';
import type { Runbook } from './schema.js';
import type { StepInfo } from './refs.js';

export type Kinds = ReadonlySet<string>;

const FN_KINDS: Record<string, string[]> = {
  contains: ['boolean'],
  startsWith: ['boolean'],
  endsWith: ['boolean'],
  length: ['number'],
  toJSON: ['string'],
  lower: ['string'],
  upper: ['string'],
  pluck: ['array'],
  where: ['array'],
  unique: ['array'],
  flatten: ['array'],
  split: ['array'],
  now: ['string'],
  timestamp: ['string', 'null'],
  duration: ['number'],
};

const INPUT_KINDS: Record<string, string> = { string: 'string', number: 'number', boolean: 'boolean', list: 'array' };

/** The static path of a `root.a.b['c']` expression, or undefined. */
export function staticPath(e: Expr): { root: string; path: string[] } | undefined {
  if (e.type === 'root') return { root: e.name, path: [] };
  if (e.type === 'member') {
    const p = staticPath(e.object);
    return p && { root: p.root, path: [...p.path, e.name] };
  }
  if (e.type === 'index' && e.index.type === 'literal' && (typeof e.index.value === 'string' || typeof e.index.value === 'number')) {
    const p = staticPath(e.object);
    return p && { root: p.root, path: [...p.path, String(e.index.value)] };
  }
  return undefined;
}

export function kindsOfExpr(e: Expr, rb: Runbook, steps: Map<string, StepInfo>): Kinds | undefined {
  switch (e.type) {
    case 'literal':
      return new Set([e.value === null ? 'null' : typeof e.value]);
    case 'list':
      return new Set(['array']);
    case 'not':
      return new Set(['boolean']);
    case 'binary':
      return ['&&', '||', '+', '-'].includes(e.op) ? undefined : new Set(['boolean']);
    case 'call': {
      const k = FN_KINDS[e.name];
      return k ? new Set(k) : undefined;
    }
    default: {
      const p = staticPath(e);
      if (!p) return undefined;
      if (p.root === 'inputs' && p.path.length === 1) {
        const input = Object.hasOwn(rb.inputs, p.path[0]!) ? rb.inputs[p.path[0]!] : undefined;
        return input ? new Set([INPUT_KINDS[input.type]!]) : undefined;
      }
      if (p.root === 'secrets' && p.path.length === 1) return new Set(['secret']);
      if (p.root === 'steps' && p.path.length === 3 && p.path[1] === 'outputs') {
        const k = steps.get(p.path[0]!)?.kinds?.get(p.path[2]!);
        return k ?? undefined;
      }
      return undefined;
    }
  }
}

/** The parsed expression when `text` is one whole expression (`${{ x }}`, or bare when `bare`). */
export function wholeExpression(text: string, bare: boolean): Expr | undefined {
  try {
    if (!hasExpression(text)) return bare ? parseExpression(text) : undefined;
    const parts = splitTemplate(text);
    const exprs = parts.filter((p) => p.kind === 'expr');
    if (exprs.length !== 1 || !parts.every((p) => p.kind === 'expr' || p.text.trim() === '')) return undefined;
    return parseExpression((exprs[0] as { src: string }).src);
  } catch (e) {
    if (e instanceof ExpressionError) return undefined; // reported by the reference checks
    throw e;
  }
}

/** Kinds of a `with` value that holds expressions: a whole expression's kinds; mixed text is text (or a secret). */
export function kindsOfValue(text: string, rb: Runbook, steps: Map<string, StepInfo>): Kinds | undefined {
  const whole = wholeExpression(text, false);
  if (whole) return kindsOfExpr(whole, rb, steps);
  try {
    splitTemplate(text);
  } catch {
    return undefined;
  }
  return new Set(['string', 'secret']);
}

export function describeKinds(k: Kinds): string {
  const names: Record<string, string> = { string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping', null: 'null', secret: 'a secret' };
  const list = [...k].map((x) => names[x] ?? x);
  return list.length <= 1 ? (list[0] ?? 'nothing') : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}
