/**
 * Fuzzed runbooks (SECURITY.md target 4): random mutations of a valid runbook never throw
 * anything but ValidationError, never pollute a prototype, carry a line and column on every
 * issue, and never accept an unknown key at any level.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';
import { Runbook } from '../../src/core/runbook/schema.js';
import { formatPath } from '../../src/core/runbook/yaml.js';
import { knownKeys } from '../../src/core/runbook/zod-issues.js';
import { ProviderRegistry } from '../../src/providers/registry.js';
import shell from '../../src/providers/shell/index.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const registry = new ProviderRegistry([shell]);

const BASE: { [k: string]: Json } = {
  version: 1,
  id: 'fuzz-base',
  title: 'A runbook that uses most of the format',
  summary: 'for property tests',
  severity: 'critical',
  tags: ['a', 'b'],
  owner: 'sec',
  inputs: {
    user: { type: 'string', required: true, pattern: '^[a-z]+$', description: 'who', prompt: 'Who?' },
    limit: { type: 'number', default: 5 },
    names: { type: 'list', default: ['x', 'y'] },
  },
  secrets: {
    tok: { from: 'env', env: 'TOK', description: 'a token' },
    key: { from: 'file', path: './key.pem' },
    cmd: { from: 'command', command: ['pass', 'show', 'x'] },
    ask: { from: 'prompt', prompt: 'Paste it' },
  },
  providers: { sh: { type: 'shell', cwd: '.', env: { A: '${{ secrets.tok }}', B: 'plain' } } },
  drill: { scenario: './s.yaml', inputs: { user: 'bob' } },
  steps: [
    {
      id: 'find',
      kind: 'detect',
      title: 'Find ${{ inputs.user }}',
      uses: 'sh.run',
      with: { command: ['echo', '${{ inputs.user }}'], json: false, ok_codes: [0], env: { T: '${{ secrets.tok }}' } },
      outputs: { line: 'result.stdout' },
      timeout: '30s',
      retry: { attempts: 2, backoff: '1s', max_backoff: '5s' },
      drill: { safe: true, outputs: { line: 'x' } },
    },
    {
      id: 'each',
      kind: 'revoke',
      title: 'Revoke each',
      uses: 'sh.run',
      for_each: '${{ inputs.names }}',
      item_key: 'item',
      concurrency: 2,
      confirm: true,
      if: "steps.find.outputs.line != ''",
      with: { command: ['echo', '${{ item }}'] },
      verify: { uses: 'sh.run', with: { command: ['true'] }, expect: 'result.exit_code == 0', within: '1m' },
      on_failure: 'continue',
    },
    { id: 'tell', kind: 'manual', title: 'Tell people', instructions: 'Say ${{ steps.find.outputs.line }}', evidence: { type: 'note', required: false, prompt: 'What did you say?' }, needs: ['find'] },
    { id: 'done', kind: 'manual', title: 'Close', evidence: 'link' },
  ],
};

function load(doc: unknown): ValidationError | undefined {
  try {
    loadRunbookText(stringify(doc), 'fuzz.yaml', { registry });
    return undefined;
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
}

/** Every path in a JSON value, containers and leaves. */
function paths(v: Json, at: Path = [], out: { path: Path; value: Json }[] = []): { path: Path; value: Json }[] {
  out.push({ path: at, value: v });
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setOwn(o: Record<string | number, unknown>, k: string | number, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function at(doc: Json, path: Path): Json {
  let v: any = doc;
  for (const s of path) v = v[s];
  return v;
}

const value: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.constantFrom<Json>('${{ inputs.user }}', '${{ steps.each.outputs.x }}', '${{ item }}', '${{ nope( }}', '${{', '5m', 'manual', 'sh.run', 'x.y', [], {}) },
);
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '<<', 'steps', 'type', 'with'), fc.string({ maxLength: 12 }));

const mutation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value }),
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), pick: fc.nat(), key, value }),
);
type Mutation = fc.Arbitrary<typeof mutation extends fc.Arbitrary<infer T> ? T : never> extends fc.Arbitrary<infer U> ? U : never;

function apply(doc: Json, m: Mutation): Json {
  const all = paths(doc);
  const target = all[m.pick % all.length]!;
  if (target.path.length === 0) return m.op === 'set' ? m.value : doc;
  const parent = at(doc, target.path.slice(0, -1)) as any;
  const last = target.path[target.path.length - 1]!;
  if (m.op === 'set') setOwn(parent, last, m.value);
  else if (m.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  }
  else {
    const obj = target.value && typeof target.value === 'object' && !Array.isArray(target.value) ? (target.value as any) : parent;
    if (!Array.isArray(obj)) setOwn(obj, m.key, m.value);
  }
  return doc;
}

describe('fuzzed runbooks', () => {
  it('the base runbook is valid', () => {
    expect(load(BASE)).toBeUndefined();
  });

  it('random mutations throw only ValidationError with positions, and pollute nothing', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
        let doc = structuredClone(BASE) as Json;
        for (const m of muts) doc = apply(doc, m);
        const err = load(doc);
        if (err) {
          expect(err.issues.length).toBeGreaterThan(0);
          for (const i of err.issues) {
            expect(i.line, JSON.stringify(i)).toBeGreaterThan(0);
            expect(i.col).toBeGreaterThan(0);
            expect(i.frame).toContain('^');
          }
        }
        expect(Object.keys(Object.prototype)).toEqual([]);
        expect(({} as any).polluted).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  // strict places and the keys each accepts
  const shellRun = shell.actions.run!.input;
  const strictPlaces: { path: Path; known: string[] }[] = paths(BASE)
    .filter(({ value }) => value !== null && typeof value === 'object' && !Array.isArray(value))
    .map(({ path }) => {
      const last = path[path.length - 1];
      if (last === 'with' && path.length === 3) return { path, known: knownKeys(shellRun, []) };
      if (last === 'with' && path[path.length - 2] === 'verify') return { path, known: knownKeys(shellRun, []) };
      if (path.length === 2 && path[0] === 'providers') return { path, known: ['type', ...knownKeys(shell.config, [])] };
      return { path, known: knownKeys(Runbook, path) };
    })
    .filter((p) => p.known.length > 0);

  it('covers the strict places of the format', () => {
    const names = strictPlaces.map((p) => formatPath(p.path));
    for (const p of ['', 'inputs.user', 'secrets.tok', 'providers.sh', 'drill', 'steps[0]', 'steps[0].with', 'steps[0].retry', 'steps[0].drill', 'steps[1].verify', 'steps[1].verify.with', 'steps[2].evidence'])
      expect(names).toContain(p);
  });

  it('an unknown key is never accepted, at any level', () => {
    fc.assert(
      fc.property(fc.nat(), key, value, (pick, k, v) => {
        const place = strictPlaces[pick % strictPlaces.length]!;
        fc.pre(!place.known.includes(k));
        // a forbidden key inside the value is reported first (and stops the conversion)
        fc.pre(!/"(__proto__|constructor|prototype)":/.test(JSON.stringify(v)));
        const doc = structuredClone(BASE) as Json;
        setOwn(at(doc, place.path) as any, k, v);
        const err = load(doc);
        expect(err, `${formatPath(place.path)} accepted ${JSON.stringify(k)}`).toBeDefined();
        const want = ['__proto__', 'constructor', 'prototype'].includes(k) ? 'forbidden-key' : 'unknown-key';
        const hit = err!.issues.find((i) => i.code === want && i.path === formatPath([...place.path, k]));
        expect(hit, JSON.stringify(err!.issues.map((i) => [i.code, i.path]))).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary text throws only ValidationError', () => {
    const yamlish = fc.array(fc.constantFrom('a: ', 'b:\n', '  - ', '[', ']', '{', '}', '&x ', '*x', '!!str ', '!t ', '? ', '---\n', '"', "'", '|\n', '  ', '\n', '#', 'version: 1\n', 'steps:\n', '%YAML 1.1\n', '\t', 'x', '1', '${{ '), { maxLength: 40 });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), yamlish.map((a) => a.join(''))), (text) => {
        try {
          loadRunbookText(text, 'x.yaml', { registry });
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
        }
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});
