/**
 * Format 1.1 expressions: list literals, `and`/`or`/`not`, `in`, `+`/`-` on numbers and
 * timestamps, `split`, `now()`, `duration()`, `timestamp()`, and where() conditions — each
 * evaluated by our own parser (no eval), with property tests where the input space is large.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionError, evaluate, evaluateField, parseExpression, references, type Scope } from '../../src/core/runbook/expressions.js';
import { Secret } from '../../src/core/secrets/secret.js';

const NOW = Date.parse('2024-05-31T12:00:00Z');
const scope: Scope = {
  inputs: { n: 3, list: ['a', 'b'], t: '2024-05-31T10:00:00Z', user: 'alice', map: { k: 1 } },
  secrets: { token: new Secret('s3cr3t-value', 'secrets.token') },
  steps: {
    keys: {
      outputs: {
        keys: [
          { id: 'A', status: 'Active', created: '2024-05-01T00:00:00Z', user: 'alice' },
          { id: 'B', status: 'Inactive', created: '2024-05-31T11:50:00Z', user: 'bob' },
          { id: 'C', status: 'Active', created: '2024-05-31T11:59:00+00:00', user: 'bob' },
        ],
      },
    },
  },
  item: { user: 'bob' },
  now: () => NOW,
};
const ev = (src: string, s: Scope = scope) => evaluate(parseExpression(src), s);
const err = (src: string, s: Scope = scope): ExpressionError => {
  try {
    ev(src, s);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return e as ExpressionError;
  }
  throw new Error(`no error for ${src}`);
};

describe('list literals', () => {
  it('hold any expressions, nest, and allow a trailing comma', () => {
    expect(ev('[]')).toEqual([]);
    expect(ev("[1, 'two', inputs.n, [true, null],]")).toEqual([1, 'two', 3, [true, null]]);
    expect(ev("length(['a', 'b'])")).toBe(2);
    expect(ev("[inputs.user] == ['alice']")).toBe(true);
  });
  it('a missing "]" is a syntax error', () => {
    expect(() => parseExpression('[1, 2')).toThrow(/expected "," or "]"/);
  });
});

describe('and, or, not, in', () => {
  it('are words for &&, || and !, with not binding looser than ==', () => {
    expect(ev('inputs.n > 2 and inputs.n < 4')).toBe(true);
    expect(ev('false or inputs.user')).toBe('alice');
    expect(ev('not inputs.n == 4')).toBe(true); // not (n == 4)
    expect(ev('!inputs.n == false')).toBe(true); // (!n) == false
    expect(ev('not not true')).toBe(true);
    expect(ev('true or false and false')).toBe(true);
  });
  it('in: an equal element of a list, a part of a text, a key of a mapping', () => {
    expect(ev("'a' in inputs.list")).toBe(true);
    expect(ev("'c' not in inputs.list")).toBe(true);
    expect(ev("'lic' in inputs.user")).toBe(true);
    expect(ev("'k' in inputs.map")).toBe(true);
    expect(ev("'x' in null")).toBe(false);
    expect(ev("inputs.user in ['alice', 'bob']")).toBe(true);
  });
  it('in cannot look inside a secret', () => {
    expect(err("'s3' in secrets.token").message).toMatch(/cannot look inside a secret/);
  });
  it('an operator word without its operands is an error that says so', () => {
    expect(() => parseExpression('and')).toThrow(/"and" is an operator/);
    expect(() => parseExpression('inputs.n and')).toThrow(/ends too early/);
  });
});

describe('+ and -', () => {
  it('add and subtract numbers; "a - 1" and "a -1" are both subtraction, "-1" alone a number', () => {
    expect(ev('inputs.n + 1')).toBe(4);
    expect(ev('inputs.n - 1')).toBe(2);
    expect(ev('inputs.n -1')).toBe(2);
    expect(ev('-1')).toBe(-1);
    expect(ev('2 - -1')).toBe(3);
    expect(ev('(inputs.n) -1')).toBe(2);
  });
  it('a timestamp ± seconds is a timestamp; a timestamp minus a timestamp is seconds', () => {
    expect(ev("now() - duration('30m')")).toBe('2024-05-31T11:30:00.000Z');
    expect(ev("inputs.t + duration('1d')")).toBe('2024-06-01T10:00:00.000Z');
    expect(ev('now() - inputs.t')).toBe(7200);
    expect(ev("inputs.t < now() - duration('1h')")).toBe(true);
  });
  it('other combinations are errors that say what they take; text is joined with format()', () => {
    expect(err("inputs.user + 'x'").message).toMatch(/takes two numbers.*format\(\)/);
    expect(err('secrets.token + 1').message).toMatch(/secret/);
    expect(ev('inputs.missing + 1')).toBeNull();
  });
});

describe('time', () => {
  it('now() reads the scope clock, as an ISO timestamp', () => {
    expect(ev('now()')).toBe('2024-05-31T12:00:00.000Z');
    expect(ev('now()', { now: () => 0 })).toBe('1970-01-01T00:00:00.000Z');
  });
  it('duration() reads 500ms, 90s, 30m, 1h30m, 2d, 1w as seconds', () => {
    expect(ev("duration('500ms')")).toBe(0.5);
    expect(ev("duration('90s')")).toBe(90);
    expect(ev("duration('1h30m')")).toBe(5400);
    expect(ev("duration('2d')")).toBe(172800);
    expect(ev("duration('1w')")).toBe(604800);
    expect(err("duration('soon')").message).toMatch(/takes a duration such as/);
  });
  it('timestamps with different offsets compare as instants', () => {
    expect(ev("'2024-05-31T12:30:00+02:00' < '2024-05-31T11:00:00Z'")).toBe(true);
    expect(ev("timestamp('2024-05-31T12:30:00+02:00')")).toBe('2024-05-31T10:30:00.000Z');
    expect(ev('timestamp(0)')).toBe('1970-01-01T00:00:00.000Z');
    expect(err("timestamp('yesterday')").message).toMatch(/ISO time/);
  });
  it('property: (t + d) - t == d, and t - d < t for d > 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), (secs, d) => {
        const t = new Date(secs * 1000).toISOString();
        const s: Scope = { inputs: { t, d } };
        expect(ev('(inputs.t + inputs.d) - inputs.t', s)).toBe(d);
        expect(ev('inputs.t - inputs.d < inputs.t', s)).toBe(true);
      }),
    );
  });
});

describe('split and join', () => {
  it('split cuts text at a separator; empty or missing text gives an empty list', () => {
    expect(ev("split('a,b,,c', ',')")).toEqual(['a', 'b', '', 'c']);
    expect(ev("split('', ',')")).toEqual([]);
    expect(ev("split(inputs.missing, ',')")).toEqual([]);
    expect(err("split(secrets.token, ',')").message).toMatch(/secret/);
    expect(err("split(inputs.list, ',')").message).toMatch(/takes text/);
  });
  it('property: join(split(s, sep), sep) == s', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ minLength: 1, maxLength: 3 }), (s, sep) => {
        expect(ev('join(split(inputs.s, inputs.sep), inputs.sep)', { inputs: { s, sep } })).toBe(s);
      }),
    );
  });
});

describe('where() conditions', () => {
  const ids = (src: string) => (ev(src) as { id: string }[]).map((k) => k.id);
  it('filter by a condition over the element fields, with comparisons, and/or/not, in and time', () => {
    expect(ids("where(steps.keys.outputs.keys, \"status == 'Active'\")")).toEqual(['A', 'C']);
    expect(ids("where(steps.keys.outputs.keys, \"status == 'Active' and created < now() - duration('1d')\")")).toEqual(['A']);
    expect(ids("where(steps.keys.outputs.keys, \"not (status == 'Active') or id in ['A']\")")).toEqual(['A', 'B']);
    expect(ids("where(steps.keys.outputs.keys, 'user == item.user')")).toEqual(['B', 'C']);
    expect(ids("where(steps.keys.outputs.keys, 'id != inputs.missing')")).toEqual(['A', 'B', 'C']);
    expect(ev("where([1, 5, 10], 'this >= 5')")).toEqual([5, 10]);
  });
  it('a field path keeps its old meaning (truthy, or equal to the third argument)', () => {
    expect(ids("where(steps.keys.outputs.keys, 'status', 'Inactive')")).toEqual(['B']);
    expect(ids("where(steps.keys.outputs.keys, 'id')")).toEqual(['A', 'B', 'C']);
  });
  it('a condition is parsed with the runbook (errors point inside it), never built at run time', () => {
    const src = "where(inputs.list, 'status ==')";
    const e = (() => {
      try {
        parseExpression(src);
      } catch (x) {
        return x as ExpressionError;
      }
      throw new Error('parsed');
    })();
    expect(e.message).toMatch(/in the where\(\) condition/);
    expect(e.offset).toBe(src.indexOf("'") + 1 + 'status =='.length);
    // a condition held in a value is a field path, not code
    expect(ev('where(steps.keys.outputs.keys, inputs.cond)', { ...scope, inputs: { cond: "id == 'A'" } })).toEqual([]);
    expect(() => parseExpression("where(inputs.list, '__proto__ == 1')")).toThrow(/cannot be read/);
  });
  it('references inside a condition are found (for validate), element fields are not', () => {
    const text = "where(steps.keys.outputs.keys, \"user == inputs.who and created > now()\")";
    const refs = references(text, 'expression');
    expect(refs.map((r) => [r.root, r.path.join('.')])).toEqual([
      ['steps', 'keys.outputs.keys'],
      ['inputs', 'who'],
    ]);
    expect(text.slice(refs[1]!.offset, refs[1]!.offset + 10)).toBe('inputs.who');
  });
  it('property: where(list, "x > N") is the elements with x > N, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 30 }), fc.integer({ min: -50, max: 50 }), (xs, n) => {
        const list = xs.map((x) => ({ x }));
        expect(evaluateField(`where(inputs.list, 'x > ${n}')`, { inputs: { list } })).toEqual(list.filter((e) => e.x > n));
      }),
    );
  });
});

describe('robustness of the 1.1 grammar', () => {
  const token = fc.constantFrom(
    ...['inputs', 'item', 'this', 'status', '.', 'n', 't', '[', ']', ',', '(', ')', 'and', 'or', 'not', 'in', '+', '-', '==', '<', '!', '1', '-1', "'a'", "'2024-05-31T10:00:00Z'"],
    ...['now()', "duration('1h')", 'split(', 'where(', "'status == 1'", "'this > 1 and'", "'__proto__'", 'constructor', 'timestamp(', 'join('],
  );
  it('random token soup: only ExpressionError, no prototype pollution', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 25 }), fc.jsonValue(), (toks, item) => {
        try {
          evaluate(parseExpression(toks.join(' ')), { ...scope, item });
        } catch (e) {
          if (!(e instanceof ExpressionError)) throw e;
        }
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });
});
