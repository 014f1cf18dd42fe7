/**
 * The built-in functions of `${{ … }}` expressions (the table `evaluate` calls into).
 * Arity is checked at parse time (FUNCTION_ARITY in ./expr-parse.ts).
 */
import { ExpressionError, FORBIDDEN_PROPS } from './expr-parse.js';
import type { Scope } from './expressions.js';
import { compose, equal, isoOf, opaque, read, str, text, timeOf, durationSeconds, truthy, isPlainObject } from './expr-values.js';

/** A where() condition, tested against one element at a time. */
export class Predicate {
  constructor(readonly test: (el: unknown) => unknown) {}
}

export type Fn = (args: unknown[], offset: number, scope: Scope) => unknown;
export const FUNCTIONS: Record<string, Fn> = {
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
