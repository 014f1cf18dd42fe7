/** The http provider's `pick` syntax (src/providers/http/pick.ts) and Link header parser, by property. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLinkHeader, linkTarget } from '../../src/providers/http/link.js';
import { PickMiss, PickSyntaxError, parsePick, pick, replaceAt, showPath } from '../../src/providers/http/pick.js';

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'a.b', '*', '"q"', '0', '$x', '$', ' sp'));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
})).value;

/** A path that exists in `v`, chosen by `choices`. */
function pathInto(v: unknown, choices: number[]): (string | number)[] {
  const out: (string | number)[] = [];
  let cur = v;
  for (const c of choices) {
    if (Array.isArray(cur) && cur.length) {
      const i = c % cur.length;
      out.push(i);
      cur = cur[i];
    } else if (cur && typeof cur === 'object' && Object.keys(cur).length) {
      const k = Object.keys(cur)[c % Object.keys(cur).length]!;
      out.push(k);
      cur = (cur as Record<string, unknown>)[k];
    } else break;
  }
  return out;
}

describe('pick', () => {
  it('a path written the way errors show it reads back the value at that path', () => {
    fc.assert(
      fc.property(json, fc.array(fc.nat(), { maxLength: 5 }), (v, choices) => {
        const path = pathInto(v, choices);
        const text = path.length ? showPath(path) : '.';
        const r = pick(v, parsePick(text));
        expect(r).not.toBeInstanceOf(PickMiss);
        let want: unknown = v;
        for (const p of path) want = (want as Record<string | number, unknown>)[p];
        expect((r as { value: unknown }).value).toEqual(want);
        expect((r as { path: unknown }).path).toEqual(path);
      }),
      { numRuns: 300 },
    );
  });

  it('any text either parses or is refused with a PickSyntaxError that says what a pick is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (t) => {
        try {
          parsePick(t);
        } catch (e) {
          expect(e).toBeInstanceOf(PickSyntaxError);
          expect((e as Error).message).toContain('a pick is "." for the whole body');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a miss never resolves inherited properties and says where it stopped', () => {
    for (const t of ['__proto__', 'constructor.name', 'toString', 'a.__proto__']) {
      const r = pick(JSON.parse('{"a": {}}'), parsePick(t));
      expect(r).toBeInstanceOf(PickMiss);
      expect((r as PickMiss).message(parsePick(t))).toMatch(/^pick .*: (the body|a) has no key/);
    }
  });

  it('* goes through every element (or value) and collects a list', () => {
    const body = { users: [{ id: 1, keys: [{ k: 'a' }] }, { id: 2, keys: [{ k: 'b' }, { k: 'c' }] }] };
    expect((pick(body, parsePick('users.*.id')) as { value: unknown }).value).toEqual([1, 2]);
    expect((pick(body, parsePick('users.*.keys.*.k')) as { value: unknown }).value).toEqual([['a'], ['b', 'c']]);
    const miss = pick({ users: [{ id: 1 }, { name: 'x' }] }, parsePick('users.*.id'));
    expect((miss as PickMiss).message(parsePick('users.*.id'))).toBe('pick users.*.id: users.1 has no key "id" (its keys: name)');
    expect((pick({ '$x': 1, 'a.b': 2 }, parsePick('"a.b"')) as { value: unknown }).value).toBe(2);
    expect((pick({ '$x': 1 }, parsePick('$x')) as { value: unknown }).value).toBe(1);
  });

  it('replaceAt copies along the path only and leaves the input alone', () => {
    const body = { a: [{ s: 'x' }, { s: 'y' }], b: { c: 1 } };
    const out = replaceAt(body, ['a', 1, 's'], 'Z') as typeof body;
    expect(out).toEqual({ a: [{ s: 'x' }, { s: 'Z' }], b: { c: 1 } });
    expect(body.a[1]!.s).toBe('y');
    expect(out.b).toBe(body.b);
  });
});

describe('Link header (RFC 8288)', () => {
  const uri = fc.stringMatching(/^[a-z0-9/?=&,;.:_-]{1,30}$/);
  const rel = fc.constantFrom('next', 'prev', 'self', 'first', 'last', 'NEXT');
  it('parses what it is given: URIs with commas and semicolons, several rels, quoted or not', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ uri, rels: fc.uniqueArray(rel, { minLength: 1, maxLength: 2 }), quoted: fc.boolean(), extra: fc.boolean() }), { maxLength: 4 }), (links) => {
        const header = links
          .map((l) => `<${l.uri}>;${l.extra ? ' title="a, b; c";' : ''} rel=${l.quoted || l.rels.length > 1 ? `"${l.rels.join(' ')}"` : l.rels[0]}`)
          .join(', ');
        const got = parseLinkHeader(header);
        expect(got.map((g) => g.uri)).toEqual(links.map((l) => l.uri));
        expect(got.map((g) => g.rels)).toEqual(links.map((l) => l.rels.map((r) => r.toLowerCase())));
      }),
      { numRuns: 300 },
    );
  });

  it('resolves a relative next link against the request URL; no next is undefined', () => {
    expect(linkTarget('</v2/x?page=2>; rel="next", </v2/x?page=9>; rel="last"', 'next', 'https://api.example/v2/x?page=1')).toBe('https://api.example/v2/x?page=2');
    expect(linkTarget('<https://o.example/api/v1/users?limit=2>; rel="self"', 'next', 'https://o.example/api/v1/users')).toBeUndefined();
    expect(linkTarget(null, 'next', 'https://o.example/')).toBeUndefined();
  });
});
