/**
 * Declared outputs: every built-in action's output fields come from its `output` zod schema,
 * `runbook providers` shows them (text and --json), and docs/providers.md — generated from the
 * same declarations — is up to date (regenerate: npm run docs:providers).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeProvider, type ProviderInfo } from '../../src/commands/providers.js';
import { providersMarkdown } from '../../src/commands/providers-doc.js';
import { fieldsOf, shapeOf } from '../../src/core/runbook/shapes.js';
import { ProviderRegistry } from '../../src/providers/registry.js';
import { SecretOut } from '../../src/providers/sdk.js';
import { cli, ensureBuilt, ROOT } from '../e2e/cli.js';

beforeAll(() => ensureBuilt());

describe('declared output fields', () => {
  it('come from the output schema (output side: defaults are not optional, secrets are secret)', () => {
    const out = z.strictObject({ id: z.string().describe('the key id'), secret: SecretOut, n: z.number().default(0), tags: z.array(z.string()).optional() });
    expect(fieldsOf(out, 'output')).toEqual([
      { name: 'id', type: 'string', required: true, description: 'the key id' },
      { name: 'secret', type: 'secret', required: true },
      { name: 'n', type: 'number', required: false, default: 0 },
      { name: 'tags', type: 'string[]', required: false },
    ]);
    expect(shapeOf(out, 'output').open).toBe(false);
    expect(shapeOf(z.looseObject({ a: z.string() }), 'output').open).toBe(true);
    expect(shapeOf(z.object({ a: z.string() }).catchall(z.number()), 'output').open).toBe(true);
  });

  it('every built-in action declares at least one output field', () => {
    for (const p of new ProviderRegistry().list()) for (const [n, a] of Object.entries(p.actions)) expect(fieldsOf(a.output, 'output').length, `${p.type}.${n}`).toBeGreaterThan(0);
  });

  it('runbook providers shows them in text and --json', () => {
    const j = cli(['providers', 'aws', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const aws = (JSON.parse(j.stdout) as { providers: ProviderInfo[] }).providers[0]!;
    expect(aws.actions.find((a) => a.name === 'createKey')!.output.map((f) => [f.name, f.type])).toEqual([
      ['user_name', 'string'],
      ['access_key_id', 'string'],
      ['secret_access_key', 'secret'],
      ['create_date', 'string|null'],
    ]);
    // a list of mappings carries its elements' fields (for result.keys, where() conditions …)
    const keys = aws.actions.find((a) => a.name === 'listAccessKeys')!.output.find((f) => f.name === 'keys')!;
    expect(keys.type).toBe('object[]');
    expect(keys.fields!.map((f) => f.name)).toEqual(['access_key_id', 'status', 'create_date']);
    const t = cli(['providers', 'shell']);
    expect(t.stdout).toMatch(/^ {4}returns: exit_code number\|null, stdout string, json any$/m);
  });
});

describe('docs/providers.md', () => {
  it('is generated from the declarations and up to date (npm run docs:providers)', () => {
    const list = new ProviderRegistry().list().map((d) => describeProvider(d));
    const committed = readFileSync(join(ROOT, 'docs/providers.md'), 'utf8');
    expect(committed).toBe(providersMarkdown(list));
  });

  it('names every action with its input and output fields', () => {
    const md = providersMarkdown(new ProviderRegistry().list().map((d) => describeProvider(d)));
    for (const p of new ProviderRegistry().list())
      for (const [n, a] of Object.entries(p.actions)) {
        const section = md.split(`### ${p.type}.${n}\n`)[1]?.split('\n### ')[0]?.split('\n## ')[0];
        expect(section, `${p.type}.${n}`).toBeDefined();
        for (const f of fieldsOf(a.output, 'output')) {
          expect(section, `${p.type}.${n} output ${f.name}`).toContain(`| \`${f.name}\` |`);
          for (const g of f.fields ?? []) expect(section, `${p.type}.${n} output ${f.name}.${g.name}`).toMatch(`| \`${f.name}${f.type.includes('[]') ? '[]' : ''}.${g.name}\` |`);
        }
        for (const f of fieldsOf(a.input)) expect(section, `${p.type}.${n} input ${f.name}`).toContain(`| \`${f.name}\` |`);
      }
  });
});
