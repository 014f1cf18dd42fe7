/**
 * The `${{ … }}` expression language: lexer, recursive-descent parser and template splitter.
 * Our own small grammar — no `eval`, no `Function`. Evaluation lives in ./expressions.ts.
 *
 *   expr    := or
 *   or      := and ( ( '||' | 'or' ) and )*
 *   and     := not ( ( '&&' | 'and' ) not )*
 *   not     := 'not' not | eq
 *   eq      := cmp ( ( '==' | '!=' ) cmp )*
 *   cmp     := sum ( ( '<' | '<=' | '>' | '>=' | 'in' | 'not' 'in' ) sum )*
 *   sum     := unary ( ( '+' | '-' ) unary )*
 *   unary   := '!' unary | postfix
 *   postfix := primary ( '.' name | '[' expr ']' )*
 *   primary := literal | '[' ( expr ( ',' expr )* )? ']' | root | fn '(' args? ')' | '(' expr ')'
 *
 * Inside the condition of `where(list, '…')` (a string literal, parsed here with the rest), a
 * bare name is a field of the element and `this` is the element itself.
 */
import { RunbookError, ExitCode } from '../errors.js';

/** Names an expression may start with. */
export const ROOTS = ['inputs', 'secrets', 'steps', 'item', 'incident', 'result'] as const;
export type Root = (typeof ROOTS)[number];

/** Functions and their arity [min, max]. Semantics in ./expressions.ts and docs/runbook-format.md. */
export const FUNCTION_ARITY: Record<string, [number, number]> = {
  contains: [2, 2],
  startsWith: [2, 2],
  endsWith: [2, 2],
  length: [1, 1],
  join: [1, 2],
  format: [1, 32],
  toJSON: [1, 1],
  fromJSON: [1, 1],
  lower: [1, 1],
  upper: [1, 1],
  pluck: [2, 2],
  where: [2, 3],
  split: [2, 2],
  now: [0, 0],
  duration: [1, 1],
  timestamp: [1, 1],
  unique: [1, 1],
  flatten: [1, 1],
};

/** Property names that are never read (prototype pollution / escape guards). */
export const FORBIDDEN_PROPS = new Set(['__proto__', 'constructor', 'prototype']);

const MAX_EXPR_LENGTH = 10_000;
const MAX_DEPTH = 64;

/** A syntax or evaluation error in an expression; `offset` is relative to the source given. */
export class ExpressionError extends RunbookError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message, ExitCode.usage);
    this.offset = offset;
  }
}

export type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | 'in' | 'not in' | '+' | '-';

/** Words that are operators, never names: `a and b`, `not a`, `x in list`. */
const WORD_OPS = new Set(['and', 'or', 'not', 'in']);

/** A `where()` field path (`a.b`) rather than a condition. */
export const FIELD_PATH_RE = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

export type Expr =
  | { type: 'literal'; value: string | number | boolean | null; offset: number }
  | { type: 'root'; name: Root; offset: number }
  | { type: 'member'; object: Expr; name: string; offset: number }
  | { type: 'index'; object: Expr; index: Expr; offset: number }
  | { type: 'call'; name: string; args: Expr[]; offset: number }
  | { type: 'not'; operand: Expr; offset: number }
  | { type: 'binary'; op: BinaryOp; left: Expr; right: Expr; offset: number }
  | { type: 'list'; items: Expr[]; offset: number }
  /** inside a where() condition: a field of the element (`status`), or the element (`this`) */
  | { type: 'field'; name: string; offset: number }
  | { type: 'this'; offset: number }
  /** a where() condition, parsed from its string literal (offsets within the whole source) */
  | { type: 'predicate'; body: Expr; offset: number };

type Tok =
  | { t: 'id'; v: string; o: number }
  | { t: 'num'; v: number; o: number }
  | { t: 'str'; v: string; o: number }
  | { t: 'op'; v: string; o: number }
  | { t: 'end'; o: number };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
const OPS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.', ',', '+', '-'];

/** Does a token end a value (so a following `-1` is a subtraction, not a negative number)? */
function endsValue(t: Tok | undefined): boolean {
  return !!t && (t.t === 'id' || t.t === 'num' || t.t === 'str' || (t.t === 'op' && (t.v === ')' || t.v === ']')));
}

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_-]/.test(src[i]!)) i++;
      toks.push({ t: 'id', v: src.slice(start, i), o: start });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? '') && !endsValue(toks[toks.length - 1]))) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i))!;
      i += m[0].length;
      toks.push({ t: 'num', v: Number(m[0]), o: start });
      continue;
    }
    if (c === "'" || c === '"') {
      let out = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExpressionError('unterminated string', start);
        const d = src[i]!;
        if (d === c) {
          // '' inside '…' is an escaped quote (as in GitHub Actions)
          if (c === "'" && src[i + 1] === "'") {
            out += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (d === '\\') {
          const e = src[i + 1];
          if (e === undefined || !Object.hasOwn(ESCAPES, e)) throw new ExpressionError(`unknown escape \\${e ?? ''} in string (use \\n \\t \\r \\\\ \\' \\")`, i);
          out += ESCAPES[e];
          i += 2;
          continue;
        }
        out += d;
        i++;
      }
      toks.push({ t: 'str', v: out, o: start });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      toks.push({ t: 'op', v: op, o: start });
      i += op.length;
      continue;
    }
    if (c === '=') throw new ExpressionError('use == to compare', i);
    if (c === '&' || c === '|') throw new ExpressionError(`use ${c}${c}`, i);
    throw new ExpressionError(`unexpected character ${JSON.stringify(c)}`, i);
  }
  toks.push({ t: 'end', o: src.length });
  return toks;
}

class Parser {
  #toks: Tok[];
  #i = 0;
  #depth = 0;
  /** parsing a where() condition: bare names are fields of the element */
  readonly #predicate: boolean;
  readonly #src: string;
  constructor(toks: Tok[], src: string, predicate = false) {
    this.#toks = toks;
    this.#src = src;
    this.#predicate = predicate;
  }
  #isWord(v: string, ahead = 0): boolean {
    const t = this.#toks[this.#i + ahead];
    return t?.t === 'id' && t.v === v;
  }
  get #peek(): Tok {
    return this.#toks[this.#i]!;
  }
  #isOp(v: string): boolean {
    const t = this.#peek;
    return t.t === 'op' && t.v === v;
  }
  #expectOp(v: string, what: string): void {
    if (!this.#isOp(v)) throw new ExpressionError(`expected ${what}${describe(this.#peek)}`, this.#peek.o);
    this.#i++;
  }
  parse(): Expr {
    const e = this.expr();
    const t = this.#peek;
    if (t.t !== 'end') throw new ExpressionError(`unexpected ${describe(t).replace(/^, found /, '')} after the expression`, t.o);
    return e;
  }
  expr(): Expr {
    if (++this.#depth > MAX_DEPTH) throw new ExpressionError(`expression nested deeper than ${MAX_DEPTH} levels`, this.#peek.o);
    try {
      return this.#binary(0);
    } finally {
      this.#depth--;
    }
  }
  /** binary levels, loosest first; `not` (the word) sits between `and` and `==` */
  static readonly LEVELS: BinaryOp[][] = [['||'], ['&&'], [], ['==', '!='], ['<', '<=', '>', '>=', 'in', 'not in'], ['+', '-']];
  static readonly NOT_LEVEL = 2;
  #opAt(level: number): { op: BinaryOp; width: number } | undefined {
    const t = this.#peek;
    const ops = Parser.LEVELS[level]!;
    if (t.t === 'op') {
      const op = ops.find((o) => o === t.v);
      return op ? { op, width: 1 } : undefined;
    }
    if (t.t !== 'id') return undefined;
    if (t.v === 'or' && ops.includes('||')) return { op: '||', width: 1 };
    if (t.v === 'and' && ops.includes('&&')) return { op: '&&', width: 1 };
    if (t.v === 'in' && ops.includes('in')) return { op: 'in', width: 1 };
    if (t.v === 'not' && this.#isWord('in', 1) && ops.includes('not in')) return { op: 'not in', width: 2 };
    return undefined;
  }
  #binary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.#unary();
    if (level === Parser.NOT_LEVEL) {
      const t = this.#peek;
      if (this.#isWord('not') && !this.#isWord('in', 1)) {
        this.#i++;
        if (++this.#depth > MAX_DEPTH) throw new ExpressionError(`expression nested deeper than ${MAX_DEPTH} levels`, t.o);
        try {
          return { type: 'not', operand: this.#binary(level), offset: t.o };
        } finally {
          this.#depth--;
        }
      }
      return this.#binary(level + 1);
    }
    let left = this.#binary(level + 1);
    for (;;) {
      const t = this.#peek;
      const found = this.#opAt(level);
      if (!found) return left;
      this.#i += found.width;
      const right = this.#binary(level + 1);
      left = { type: 'binary', op: found.op, left, right, offset: t.o };
    }
  }
  #unary(): Expr {
    const t = this.#peek;
    if (t.t === 'op' && t.v === '!') {
      this.#i++;
      if (++this.#depth > MAX_DEPTH) throw new ExpressionError(`expression nested deeper than ${MAX_DEPTH} levels`, t.o);
      try {
        return { type: 'not', operand: this.#unary(), offset: t.o };
      } finally {
        this.#depth--;
      }
    }
    return this.#postfix();
  }
  #postfix(): Expr {
    let e = this.#primary();
    for (;;) {
      const t = this.#peek;
      if (t.t === 'op' && t.v === '.') {
        this.#i++;
        const n = this.#peek;
        if (n.t !== 'id') throw new ExpressionError(`expected a property name after "."${describe(n)}`, n.o);
        if (FORBIDDEN_PROPS.has(n.v)) throw new ExpressionError(`property "${n.v}" cannot be read`, n.o);
        this.#i++;
        e = { type: 'member', object: e, name: n.v, offset: n.o };
      } else if (t.t === 'op' && t.v === '[') {
        this.#i++;
        const index = this.expr();
        if (index.type === 'literal' && typeof index.value === 'string' && FORBIDDEN_PROPS.has(index.value))
          throw new ExpressionError(`property "${index.value}" cannot be read`, index.offset);
        this.#expectOp(']', '"]"');
        e = { type: 'index', object: e, index, offset: t.o };
      } else return e;
    }
  }
  #primary(): Expr {
    const t = this.#peek;
    this.#i++;
    switch (t.t) {
      case 'num':
        return { type: 'literal', value: t.v, offset: t.o };
      case 'str':
        return { type: 'literal', value: t.v, offset: t.o };
      case 'id': {
        if (this.#isOp('(')) return this.#call(t);
        if (t.v === 'true' || t.v === 'false') return { type: 'literal', value: t.v === 'true', offset: t.o };
        if (t.v === 'null') return { type: 'literal', value: null, offset: t.o };
        if ((ROOTS as readonly string[]).includes(t.v)) return { type: 'root', name: t.v as Root, offset: t.o };
        if (WORD_OPS.has(t.v)) throw new ExpressionError(`"${t.v}" is an operator; a value is missing before or after it`, t.o);
        if (this.#predicate) {
          if (t.v === 'this') return { type: 'this', offset: t.o };
          if (FORBIDDEN_PROPS.has(t.v)) throw new ExpressionError(`property "${t.v}" cannot be read`, t.o);
          return { type: 'field', name: t.v, offset: t.o };
        }
        throw new ExpressionError(`unknown name "${t.v}" (an expression starts with ${ROOTS.join(', ')}, a literal or a function)`, t.o);
      }
      case 'op':
        if (t.v === '(') {
          const e = this.expr();
          this.#expectOp(')', '")"');
          return e;
        }
        if (t.v === '[') return this.#list(t);
        throw new ExpressionError(`unexpected "${t.v}"`, t.o);
      case 'end':
        throw new ExpressionError('expression ends too early', t.o);
    }
  }
  #list(open: Tok): Expr {
    const items: Expr[] = [];
    if (!this.#isOp(']')) {
      for (;;) {
        if (items.length >= 1000) throw new ExpressionError('a list literal holds at most 1000 elements', this.#peek.o);
        items.push(this.expr());
        if (this.#isOp(',')) {
          this.#i++;
          if (this.#isOp(']')) break; // trailing comma
          continue;
        }
        break;
      }
    }
    this.#expectOp(']', '"," or "]"');
    return { type: 'list', items, offset: open.o };
  }
  /** where(list, 'condition'): the condition is parsed now, from the string literal's source. */
  #predicateOf(arg: Expr): Expr {
    if (arg.type !== 'literal' || typeof arg.value !== 'string' || FIELD_PATH_RE.test(arg.value)) return arg;
    const raw = this.#src.slice(arg.offset + 1, this.#src.indexOf(this.#src[arg.offset]!, arg.offset + 1));
    // offsets inside the condition map back to the source when it holds no escapes
    const base = raw === arg.value ? arg.offset + 1 : arg.offset;
    let body: Expr;
    try {
      if (arg.value.trim() === '') throw new ExpressionError('empty condition', 0);
      body = new Parser(lex(arg.value), arg.value, true).parse();
    } catch (e) {
      if (e instanceof ExpressionError) throw new ExpressionError(`in the where() condition: ${e.message}`, base + (raw === arg.value ? e.offset : 0));
      throw e;
    }
    return { type: 'predicate', body: shift(body, base), offset: arg.offset };
  }
  #call(name: Extract<Tok, { t: 'id' }>): Expr {
    const arity = Object.hasOwn(FUNCTION_ARITY, name.v) ? FUNCTION_ARITY[name.v] : undefined;
    if (!arity) throw new ExpressionError(`unknown function "${name.v}" (known: ${Object.keys(FUNCTION_ARITY).join(', ')})`, name.o);
    this.#i++; // (
    const args: Expr[] = [];
    if (!this.#isOp(')')) {
      for (;;) {
        args.push(this.expr());
        if (this.#isOp(',')) {
          this.#i++;
          continue;
        }
        break;
      }
    }
    this.#expectOp(')', '"," or ")"');
    const [min, max] = arity;
    if (args.length < min || args.length > max) {
      const want = min === max ? `${min}` : max > 16 ? `at least ${min}` : `${min} to ${max}`;
      throw new ExpressionError(`${name.v}() takes ${want} argument${min === 1 && max === 1 ? '' : 's'}, got ${args.length}`, name.o);
    }
    if (name.v === 'where' && args.length === 2) args[1] = this.#predicateOf(args[1]!);
    return { type: 'call', name: name.v, args, offset: name.o };
  }
}

/** The same tree with every offset moved by `by`. */
function shift(e: Expr, by: number): Expr {
  switch (e.type) {
    case 'literal':
    case 'root':
    case 'field':
    case 'this':
      return { ...e, offset: e.offset + by };
    case 'member':
      return { ...e, object: shift(e.object, by), offset: e.offset + by };
    case 'index':
      return { ...e, object: shift(e.object, by), index: shift(e.index, by), offset: e.offset + by };
    case 'call':
      return { ...e, args: e.args.map((a) => shift(a, by)), offset: e.offset + by };
    case 'not':
      return { ...e, operand: shift(e.operand, by), offset: e.offset + by };
    case 'binary':
      return { ...e, left: shift(e.left, by), right: shift(e.right, by), offset: e.offset + by };
    case 'list':
      return { ...e, items: e.items.map((x) => shift(x, by)), offset: e.offset + by };
    case 'predicate':
      return { ...e, body: shift(e.body, by), offset: e.offset + by };
  }
}

function describe(t: Tok): string {
  switch (t.t) {
    case 'end':
      return ', found the end';
    case 'id':
      return `, found "${t.v}"`;
    case 'num':
      return `, found ${t.v}`;
    case 'str':
      return `, found a string`;
    case 'op':
      return `, found "${t.v}"`;
  }
}

/** Parse one expression (the text between `${{` and `}}`, or a bare expression field). */
export function parseExpression(src: string): Expr {
  if (src.length > MAX_EXPR_LENGTH) throw new ExpressionError(`expression longer than ${MAX_EXPR_LENGTH} characters`, 0);
  if (src.trim() === '') throw new ExpressionError('empty expression', 0);
  return new Parser(lex(src), src).parse();
}

export type TemplatePart = { kind: 'text'; text: string; offset: number } | { kind: 'expr'; src: string; offset: number; end: number };

/**
 * Split a string into literal text and `${{ … }}` parts. `offset` of an expr part is where its
 * source starts (just after `${{`); `end` is just after the closing `}}`. A `}}` inside a
 * quoted string does not close the expression.
 */
export function splitTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('${{', i);
    if (open < 0) break;
    if (open > i) parts.push({ kind: 'text', text: text.slice(i, open), offset: i });
    let j = open + 3;
    let quote: string | null = null;
    for (;;) {
      if (j >= text.length) throw new ExpressionError('"${{" is never closed with "}}"', open);
      const c = text[j]!;
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = null;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '}' && text[j + 1] === '}') break;
      j++;
    }
    parts.push({ kind: 'expr', src: text.slice(open + 3, j), offset: open + 3, end: j + 2 });
    i = j + 2;
  }
  if (i < text.length) parts.push({ kind: 'text', text: text.slice(i), offset: i });
  return parts;
}

/** Does the string contain a `${{`? */
export function hasExpression(text: string): boolean {
  return text.includes('${{');
}
