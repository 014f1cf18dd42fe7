import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  evaluate,
  evaluateField,
  parseExpression,
  references,
  render,
  splitTemplate,
  type Scope,
} from '../../src/core/runbook/expressions.js';
import { Secret, isSecret } from '../../src/core/secrets/secret.js';

const scope: Scope = {
  inputs: { user: 'alice', count: 3, dry: false, list: ['a', 'b'], 'with-dash': 'd', nested: { deep: { x: 1 } } },
  secrets: { token: new Secret('s3cr3t-value', 'secrets.token') },
  steps: { find: { outputs: { ids: ['k1', 'k2'], json: '{"a":1}', n: 0 } } },
  incident: { id: 'INC-1', drill: true },
};
const ev = (src: string, s: Scope = scope) => evaluate(parseExpression(src), s);

function errorOf(f: () => unknown): ExpressionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return e as ExpressionError;
  }
  throw new Error('no error');
}

describe('grammar', () => {
  it('reads properties, indexes and literals', () => {
    expect(ev('inputs.user')).toBe('alice');
    expect(ev("inputs['user']")).toBe('alice');
    expect(ev('inputs["with-dash"]')).toBe('d');
    expect(ev('inputs.with-dash')).toBe('d');
    expect(ev('inputs.list[1]')).toBe('b');
    expect(ev('inputs.list[inputs.count]')).toBeUndefined();
    expect(ev('inputs.nested.deep.x')).toBe(1);
    expect(ev('steps.find.outputs.ids[0]')).toBe('k1');
    expect(ev("'it''s'")).toBe("it's");
    expect(ev('"a\\"b\\n"')).toBe('a"b\n');
    expect(ev('-1.5e2')).toBe(-150);
    expect(ev('null')).toBeNull();
    expect(ev('true')).toBe(true);
  });

  it('yields undefined for properties of undefined, null, strings and numbers', () => {
    expect(ev('inputs.missing.deeper.still')).toBeUndefined();
    expect(ev('item.x')).toBeUndefined();
    expect(ev('inputs.user.length')).toBeUndefined();
    expect(ev('inputs.count.x')).toBeUndefined();
  });

  it('compares and combines', () => {
    expect(ev("inputs.user == 'alice'")).toBe(true);
    expect(ev("inputs.user != 'alice'")).toBe(false);
    expect(ev('inputs.count > 2 && inputs.count <= 3')).toBe(true);
    expect(ev("inputs.count < 'z'")).toBe(false); // mixed types never compare
    expect(ev('!inputs.dry')).toBe(true);
    expect(ev("inputs.missing || 'default'")).toBe('default');
    expect(ev('inputs.dry && inputs.user')).toBe(false);
    expect(ev('(inputs.count == 3 || false) && !(inputs.user == "bob")')).toBe(true);
    expect(ev('inputs.list == fromJSON(\'["a","b"]\')')).toBe(true);
    expect(ev('inputs.missing == null')).toBe(true);
    expect(ev('steps.find.outputs.n == 0')).toBe(true);
  });

  it('evaluates || with precedence below &&', () => {
    expect(ev('true || false && false')).toBe(true);
    expect(ev('(true || false) && false')).toBe(false);
  });

  it.each([
    ['inputs.', 7, /property name/],
    ['inputs.x = 1', 9, /use ==/],
    ['foo.bar', 0, /unknown name "foo"/],
    ['trim(inputs.x)', 0, /unknown function "trim" \(known: contains, startsWith/],
    ['length()', 0, /takes 1 argument, got 0/],
    ["'open", 0, /unterminated string/],
    ['inputs.__proto__', 7, /cannot be read/],
    ["inputs['constructor']", 7, /cannot be read/],
    ['inputs.x )', 9, /unexpected "\)" after the expression/],
    ['', 0, /empty/],
    ['inputs.x & 1', 9, /use &&/],
    ['"\\q"', 1, /unknown escape/],
  ])('rejects %j at offset %i', (src, offset, msg) => {
    const e = errorOf(() => parseExpression(src));
    expect(e.offset).toBe(offset);
    expect(e.message).toMatch(msg);
  });

  it('refuses deep nesting without overflowing the stack', () => {
    expect(errorOf(() => parseExpression('('.repeat(3000) + '1' + ')'.repeat(3000))).message).toMatch(/nested deeper/);
    expect(errorOf(() => parseExpression('!'.repeat(5000) + 'true')).message).toMatch(/nested deeper/);
    expect(errorOf(() => parseExpression('1 == '.repeat(3000) + '1')).offset).toBeGreaterThanOrEqual(0);
    expect(errorOf(() => parseExpression('x'.repeat(10_001))).message).toMatch(/longer than/);
  });

  it('guards prototype reads through dynamic keys', () => {
    expect(errorOf(() => evaluate(parseExpression('inputs[item]'), { inputs: {}, item: '__proto__' })).message).toMatch(/cannot be read/);
    expect(ev("inputs['toString']")).toBeUndefined();
    expect(ev("inputs['hasOwnProperty']")).toBeUndefined();
    expect(evaluate(parseExpression('item.x'), { item: new Map([['x', 1]]) })).toBeUndefined();
  });
});

describe('functions', () => {
  it('contains, startsWith, endsWith', () => {
    expect(ev("contains(inputs.list, 'b')")).toBe(true);
    expect(ev("contains(inputs.user, 'lic')")).toBe(true);
    expect(ev("contains(inputs.nested, 'deep')")).toBe(true);
    expect(ev("contains(inputs.missing, 'x')")).toBe(false);
    expect(ev("startsWith(inputs.user, 'al')")).toBe(true);
    expect(ev("endsWith(inputs.user, 'ce')")).toBe(true);
    expect(ev("startsWith(inputs.count, '3')")).toBe(false);
  });
  it('length, join, format, lower, upper', () => {
    expect(ev('length(inputs.list)')).toBe(2);
    expect(ev('length(inputs.user)')).toBe(5);
    expect(ev('length(inputs.nested)')).toBe(1);
    expect(ev('length(inputs.missing)')).toBe(0);
    expect(errorOf(() => ev('length(inputs.count)')).message).toMatch(/string, a list or an object/);
    expect(ev('join(inputs.list)')).toBe('a,b');
    expect(ev("join(inputs.list, ' + ')")).toBe('a + b');
    expect(ev("format('{0} has {1} keys {{literal}}', inputs.user, inputs.count)")).toBe('alice has 3 keys {literal}');
    expect(errorOf(() => ev("format('{2}', 1)")).message).toMatch(/\{2\} has no argument/);
    expect(ev("lower('ABC')")).toBe('abc');
    expect(ev('upper(inputs.user)')).toBe('ALICE');
  });
  it('toJSON and fromJSON', () => {
    expect(ev('toJSON(inputs.list)')).toBe('["a","b"]');
    expect(ev('fromJSON(steps.find.outputs.json).a')).toBe(1);
    expect(errorOf(() => ev("fromJSON('{')")).message).toMatch(/not valid JSON/);
    expect(errorOf(() => ev('fromJSON(\'{"__proto__": {"x": 1}}\')')).message).toMatch(/not allowed/);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('secrets', () => {
  it('a whole-field expression keeps the Secret object', () => {
    const v = render('${{ secrets.token }}', scope);
    expect(v).toBe(scope.secrets!.token);
  });
  it('a template with a secret yields a new Secret, never a string holding the value', () => {
    const v = render('Bearer ${{ secrets.token }}', scope);
    expect(isSecret(v)).toBe(true);
    expect((v as Secret).reveal()).toBe('Bearer s3cr3t-value');
    expect((v as Secret).label).toBe('template(secrets.token)');
    expect(String(v)).not.toContain('s3cr3t');
    const j = render("${{ join(fromJSON('[\"a\"]'), '') }}-${{ format('{0}:{1}', inputs.user, secrets.token) }}", scope);
    expect((j as Secret).reveal()).toBe('a-alice:s3cr3t-value');
  });
  it('secrets cannot be inspected', () => {
    for (const f of ["startsWith(secrets.token, 's')", "contains(secrets.token, 's')", 'length(secrets.token)', 'toJSON(secrets.token)', 'upper(secrets.token)'])
      expect(errorOf(() => ev(f)).message).toMatch(/cannot look inside a secret/);
    expect(ev('secrets.token.label')).toBeUndefined();
    expect(ev("secrets.token == 's3cr3t-value'")).toBe(false);
  });
});

describe('render', () => {
  it('types whole expressions, stringifies mixed text, and goes deep', () => {
    const out = render(
      {
        n: '${{ inputs.count }}',
        padded: '  ${{ inputs.dry }} ',
        s: 'user=${{ inputs.user }} n=${{ inputs.count }} none=${{ inputs.missing }}',
        obj: 'ids: ${{ steps.find.outputs.ids }}',
        list: ['${{ inputs.list }}', 'plain', 7, null],
        keep: { 'key ${{ inputs.user }}': true },
      },
      scope,
    );
    expect(out).toEqual({
      n: 3,
      padded: false,
      s: 'user=alice n=3 none=',
      obj: 'ids: ["k1","k2"]',
      list: [['a', 'b'], 'plain', 7, null],
      keep: { 'key ${{ inputs.user }}': true },
    });
  });
  it('two expressions are never one whole expression', () => {
    expect(render('${{ inputs.count }}${{ inputs.count }}', scope)).toBe('33');
  });
  it('a }} inside a string literal does not close the expression', () => {
    expect(render("${{ format('{0}}}', inputs.user) }}", scope)).toBe('alice}');
    expect(splitTemplate("a ${{ '}}' }} b").map((p) => p.kind)).toEqual(['text', 'expr', 'text']);
  });
  it('reports errors with the offset in the whole string', () => {
    const e = errorOf(() => render('abc ${{ inputs.x == }}', scope));
    expect(e.offset).toBe('abc ${{ inputs.x == '.length);
    expect(errorOf(() => render('x ${{ inputs.user', scope)).offset).toBe(2);
  });
  it('does not touch non-plain objects and does not mutate its input', () => {
    const s = new Secret('v', 'l');
    const input = { a: ['${{ inputs.user }}'], s };
    const out = render(input, scope) as typeof input;
    expect(input.a[0]).toBe('${{ inputs.user }}');
    expect(out.s).toBe(s);
  });
  it('evaluateField reads bare expressions and templates', () => {
    expect(evaluateField('inputs.count == 3', scope)).toBe(true);
    expect(evaluateField('${{ inputs.count == 3 }}', scope)).toBe(true);
    expect(evaluateField('result.stdout', { result: { stdout: 'x' } })).toBe('x');
  });
});

describe('references', () => {
  it('lists static paths with offsets', () => {
    const text = 'a ${{ steps.find.outputs.ids[0] }} ${{ contains(inputs.list, item.name) && secrets["token"] }}';
    const refs = references(text);
    expect(refs.map((r) => [r.root, r.path.join('.'), text.slice(r.offset, r.offset + r.root.length)])).toEqual([
      ['steps', 'find.outputs.ids.0', 'steps'],
      ['inputs', 'list', 'inputs'],
      ['item', 'name', 'item'],
      ['secrets', 'token', 'secrets'],
    ]);
  });
  it('stops at dynamic indexes and reads bare expressions', () => {
    expect(references('inputs.map[item.key].x', 'expression').map((r) => [r.root, r.path])).toEqual([
      ['inputs', ['map']],
      ['item', ['key']],
    ]);
  });
  it('throws ExpressionError with the offset in the text', () => {
    expect(errorOf(() => references('ok ${{ nope }}')).offset).toBe(7);
  });
});

describe('properties', () => {
  it('parsing any text throws nothing but ExpressionError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          parseExpression(s);
        } catch (e) {
          if (!(e instanceof ExpressionError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  const token = fc.constantFrom('inputs', 'secrets', 'steps', 'item', '.', '[', ']', '(', ')', "'x'", '"y"', '1', '-2', '==', '!=', '<', '>=', '&&', '||', '!', ',', 'true', 'null', 'contains', 'format', 'length', '__proto__', 'a', ' ');
  it('random token soup: parse and evaluate throw only ExpressionError and never pollute prototypes', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 25 }), fc.jsonValue(), (toks, item) => {
        const src = toks.join(' ');
        try {
          evaluate(parseExpression(src), { ...scope, item });
        } catch (e) {
          if (!(e instanceof ExpressionError)) throw e;
        }
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('string literals round-trip through quoting', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const quoted = "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "''") + "'";
        expect(ev(quoted)).toBe(s);
        const escapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' };
        expect(ev('"' + s.replace(/[\\"\n\t\r]/g, (c) => escapes[c]!) + '"')).toBe(s);
      }),
    );
  });

  it('fromJSON(toJSON(x)) == x and contains agrees with Array.includes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.oneof(fc.string(), fc.integer())), fc.oneof(fc.string(), fc.integer()), (x, list, needle) => {
        const text = JSON.stringify(x);
        if (/"(__proto__|constructor|prototype)":/.test(text)) {
          // keys that could reach a prototype are refused, whatever the nesting
          expect(() => evaluate(parseExpression('fromJSON(toJSON(item))'), { item: x })).toThrow(ExpressionError);
        } else expect(evaluate(parseExpression('fromJSON(toJSON(item)) == item'), { item: x })).toBe(true);
        expect(evaluate(parseExpression('contains(inputs.l, inputs.n)'), { inputs: { l: list, n: needle } })).toBe(list.includes(needle));
      }),
    );
  });

  it('text without ${{ renders to itself', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('${{')),
        (s) => {
          expect(render(s, scope)).toBe(s);
        },
      ),
    );
  });
});

describe('list functions', () => {
  const ev = (src: string, scope: Record<string, unknown>) => evaluate(parseExpression(src), scope);
  const findings = [
    { file: 'a', live: true, owner: { email: 'x@e' } },
    { file: 'b', live: false, owner: { email: 'y@e' } },
    { file: 'c', live: true, owner: { email: 'x@e' } },
  ];
  it('pluck, where, unique and flatten compose', () => {
    const scope = { steps: { s: { outputs: { items: findings } } } };
    expect(ev("pluck(steps.s.outputs.items, 'owner.email')", scope)).toEqual(['x@e', 'y@e', 'x@e']);
    expect(ev("unique(pluck(where(steps.s.outputs.items, 'live'), 'owner.email'))", scope)).toEqual(['x@e']);
    expect(ev("length(where(steps.s.outputs.items, 'live', false))", scope)).toBe(1);
    expect(ev('flatten(item)', { item: [[1, 2], 3, [4]] })).toEqual([1, 2, 3, 4]);
  });
  it('refuses what is not a list, and guards prototype keys', () => {
    expect(() => ev("pluck(item, 'a')", { item: 'str' })).toThrow(/takes a list/);
    expect(() => ev("pluck(item, '__proto__')", { item: [{}] })).toThrow(/cannot be read/);
  });
});
