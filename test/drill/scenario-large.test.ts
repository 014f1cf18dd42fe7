/**
 * Large scenarios are read in pieces (src/drill/scenario/large.ts, issue 15): the same value as
 * the whole-document read, and every problem — however deep in the file — still at its
 * file:line:col (the file is then read again as a whole document).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { parseYamlStrict, yamlParses } from '../../src/core/runbook/yaml.js';
import { loadScenarioFile } from '../../src/drill/scenario/load.js';
import { LARGE_BYTES, readLargeYaml } from '../../src/drill/scenario/large.js';
import { Scenario } from '../../src/drill/scenario/schema.js';
import { fileWriter, issuesOf } from './helpers.js';

const write = fileWriter('scenario-large');
let n = 0;
const file = (text: string): string => write(`s${n++}.yaml`, text);

const pad = (i: number) => String(i).padStart(5, '0');
/** The lines of a scenario with `n` tokens and spaces, as scripts/hf-world.mjs writes them. */
function lines(tokens: number): string[] {
  const out = ['# a generated world', 'version: 1', 'name: large', 'description: |', '  - { not: an item }', '  the block scalar above holds item-shaped text', 'huggingface:', '  users:'];
  for (let u = 0; u < 20; u++) out.push(`    - { name: user${u}, email: user${u}@acme.example }`);
  out.push('  tokens:');
  for (let i = 0; i < tokens; i++) out.push(`    - { id: t${pad(i)}, owner: user${i % 20}, role: write, name: t${pad(i)}, leaked: true }`);
  out.push('  spaces:');
  for (let i = 0; i < tokens; i++) out.push(`    - { id: user${i % 20}/space-${pad(i)}, secrets: { HF_TOKEN: { credential: t${pad(i)}, updated_at: "2024-05-01T00:00:00Z" } } }`);
  out.push('mail: {}', '');
  return out;
}
const TOKENS = 1500;
/** line (1-based) of token i's entry, and of space i's */
const tokenLine = (i: number) => 8 + 20 + 1 + i + 1;
const spaceLine = (i: number) => tokenLine(TOKENS - 1) + 1 + i + 1;

describe('large scenarios read in pieces', () => {
  const text = lines(TOKENS).join('\n');

  it('reads the same value as the whole document, counted as one parse', () => {
    expect(text.length).toBeGreaterThan(LARGE_BYTES);
    const before = yamlParses.count;
    const value = readLargeYaml(text);
    expect(yamlParses.count - before).toBe(1);
    expect(value).toBeDefined();
    expect(value).toEqual(parseYamlStrict(text, 'x.yaml'));
    const loaded = loadScenarioFile(file(text));
    expect(loaded).toEqual(Scenario.parse(parseYamlStrict(text, 'x.yaml')));
    expect(loaded.huggingface?.tokens).toHaveLength(TOKENS);
    expect((value as { description: string }).description).toBe('- { not: an item }\nthe block scalar above holds item-shaped text\n');
  });

  it('a bad entry deep in the file is reported at its line:col', () => {
    const l = lines(TOKENS);
    expect(l[tokenLine(1234) - 1]).toContain('id: t01234');
    l[tokenLine(1234) - 1] = '    - { id: t01234, owner: nobody, role: write, name: t01234, leaked: true }';
    l[spaceLine(1400) - 1] = l[spaceLine(1400) - 1]!.replace('credential: t01400', 'credential: t99999');
    const got = issuesOf(() => loadScenarioFile(file(l.join('\n'))));
    expect(got.map((i) => [i.line, i.col, i.path])).toEqual([
      [tokenLine(1234), l[tokenLine(1234) - 1]!.indexOf('nobody') + 1, 'huggingface.tokens[1234].owner'],
      [spaceLine(1400), l[spaceLine(1400) - 1]!.indexOf('t99999') + 1, 'huggingface.spaces[1400].secrets.HF_TOKEN.credential'],
    ]);
  });

  it('an unknown key, a duplicate key and a credential deep in the file, each at its line:col', () => {
    const l = lines(TOKENS);
    l[tokenLine(900) - 1] = l[tokenLine(900) - 1]!.replace('leaked: true', 'leakd: true');
    l[tokenLine(901) - 1] = l[tokenLine(901) - 1]!.replace('role: write', 'role: write, role: read');
    const got = issuesOf(() => loadScenarioFile(file(l.join('\n'))));
    expect(got.map((i) => [i.line, i.code])).toEqual([[tokenLine(901), 'duplicate-key']]);
    const l2 = lines(TOKENS);
    const secret = 'hf_' + 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456'.padEnd(34, 'Q');
    l2[tokenLine(900) - 1] = l2[tokenLine(900) - 1]!.replace('leaked: true', 'leakd: true');
    l2[spaceLine(1499) - 1] = `    - { id: user19/space-01499, secrets: { HF_TOKEN: { value: ${secret} } } }`;
    const got2 = issuesOf(() => loadScenarioFile(file(l2.join('\n'))));
    expect(got2.find((i) => i.message.includes('leakd'))?.line, JSON.stringify(got2)).toBe(tokenLine(900));
    const cred = got2.find((i) => i.code === 'credential');
    expect(cred?.line).toBe(spaceLine(1499));
    expect(JSON.stringify(got2)).not.toContain(secret);
  });

  it('whatever is put among the items, the pieces read what the whole document reads, or step aside', () => {
    const tricky = [
      'x: |', // a block scalar swallowing the lines after it
      '    - [', // an open flow sequence
      '    - { a: 1', // an unclosed flow mapping
      '    - "unclosed',
      '    # a comment',
      '',
      '    - &a { id: anchor }',
      '    - *a',
      '    - { __proto__: 1 }',
      '    - { a: 1, a: 2 }',
      '    - !!binary { a: 1 }',
      '    - { a: !custom 1 }',
      '  - { a: 1 }',
      '      - { a: 1 }',
      '\t- { a: 1 }',
      '    - { a: 1 } # comment',
      '    - {a: [1, {b: 2}]}',
      '---',
      '%YAML 1.1',
      '    -  { a: 1 }',
      '    - { a: "#", b: 2 }',
    ];
    const base = lines(TOKENS / 3);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.constantFrom(...tricky)), { minLength: 1, maxLength: 3 }), (edits) => {
        const l = [...base];
        for (const [at, what] of edits) l.splice(at, 0, what);
        const t = l.join('\n');
        let whole: unknown;
        let bad = false;
        try {
          whole = parseYamlStrict(t, 'x.yaml');
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          bad = true;
        }
        const fast = readLargeYaml(t);
        if (bad) expect(fast).toBeUndefined();
        else if (fast !== undefined) expect(fast).toEqual(whole);
      }),
      { numRuns: 25 },
    );
    // each run reads a large document twice (whole and in pieces): ~1 s each when the machine is
    // quiet, several on a loaded CI machine — the default 30 s is not the point of this test
  }, 180_000);
});
