/**
 * `runbook providers`: field types derived from zod schemas, the simulator table pinned against
 * src/drill/simulators, and the BUILT cli's text (80 columns) and --json output (equal to what
 * the registry says, stable between runs), with type filters and --plugin.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { SIMULATORS, describeProvider, fieldsOf, type ProviderInfo } from '../../src/commands/providers.js';
import { builtinProviders } from '../../src/providers/builtins.js';
import { secretField } from '../../src/providers/sdk.js';
import { cli, ensureBuilt, ROOT } from '../e2e/cli.js';

beforeAll(() => ensureBuilt());

describe('input fields from zod schemas', () => {
  it('names each field with its type, whether it is required, its default and description', () => {
    const schema = z.strictObject({
      to: z.union([z.email(), z.array(z.email()).min(1)]),
      url: z.union([z.url(), secretField('a webhook URL reference')]),
      token: secretField('the token to check'),
      mode: z.enum(['fast', 'safe']).default('safe'),
      count: z.number().int().optional(),
      tags: z.array(z.string()),
      env: z.record(z.string(), z.union([z.string(), secretField()])),
      payload: z.unknown(),
      nested: z.object({ a: z.string() }),
      pairs: z.array(z.union([z.string(), z.number()])),
      literal: z.literal('v1'),
      note: z.string().describe('free text').optional(),
    });
    expect(fieldsOf(schema)).toEqual([
      { name: 'to', type: 'email|email[]', required: true },
      { name: 'url', type: 'url|secret', required: true },
      { name: 'token', type: 'secret', required: true, description: 'the token to check' },
      { name: 'mode', type: 'fast|safe', required: false, default: 'safe' },
      { name: 'count', type: 'integer', required: false },
      { name: 'tags', type: 'string[]', required: true },
      { name: 'env', type: 'map<string|secret>', required: true },
      { name: 'payload', type: 'any', required: true },
      { name: 'nested', type: 'object', required: true },
      { name: 'pairs', type: '(string|number)[]', required: true },
      { name: 'literal', type: 'v1', required: true },
      { name: 'note', type: 'string', required: false, description: 'free text' },
    ]);
  });

  it('follows $refs of recursive schemas without looping', () => {
    const Value: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.array(Value)]));
    const fields = fieldsOf(z.object({ v: Value }));
    expect(fields).toHaveLength(1);
    expect(fields[0]!.name).toBe('v');
    expect(typeof fields[0]!.type).toBe('string');
  });
});

describe('the simulator table', () => {
  it('names only simulators that exist, and every simulator is named', () => {
    const present = readdirSync(join(ROOT, 'src/drill/simulators')).map((f) => f.replace(/\.ts$/, '')).filter((f) => f !== 'base');
    expect(Object.values(SIMULATORS).map((s) => s.simulator).sort()).toEqual(present.sort());
    for (const [type, s] of Object.entries(SIMULATORS)) {
      const def = builtinProviders.find((p) => p.type === type);
      expect(def, type).toBeDefined();
      for (const a of s.actions ?? []) expect(Object.keys(def!.actions), `${type}.${a}`).toContain(a);
    }
  });

  it('every built-in with drill.configFor has a simulator', () => {
    for (const p of builtinProviders) if (p.drill?.configFor) expect(SIMULATORS[p.type], p.type).toBeDefined();
  });
});

describe('runbook providers (built CLI)', () => {
  it('--json lists every built-in provider exactly as the registry describes it, and is stable', () => {
    const a = cli(['providers', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const parsed = JSON.parse(a.stdout) as { providersVersion: number; providers: ProviderInfo[] };
    expect(parsed.providersVersion).toBe(1);
    const expected = [...builtinProviders].sort((x, y) => x.type.localeCompare(y.type)).map((p) => describeProvider(p));
    expect(parsed.providers).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(parsed.providers.map((p) => p.type)).toEqual(['aws', 'email', 'github', 'http', 'huggingface', 'pagerduty', 'scan', 'shell', 'slack']);
    const email = parsed.providers.find((p) => p.type === 'email')!;
    expect(email.actions[0]).toMatchObject({ name: 'send', kind: 'notify', idempotent: false, plan: true, verify: true, simulate: true });
    expect(email.config.find((f) => f.name === 'password')).toMatchObject({ type: 'secret', required: false });
    const shell = parsed.providers.find((p) => p.type === 'shell')!;
    expect(shell.actions[0]).toMatchObject({ idempotent: 'per input', simulate: false });
    const http = parsed.providers.find((p) => p.type === 'http')!;
    expect(http.actions.map((x) => [x.name, x.simulate])).toEqual([['request', false], ['webhook', true]]);
    expect(cli(['providers', '--json']).stdout).toBe(a.stdout);
  });

  it('text: every provider and action, readable at 80 columns', () => {
    const r = cli(['providers']);
    expect(r.code, r.stderr).toBe(0);
    const long = r.stdout.split('\n').filter((l) => [...l].length > 80);
    expect(long).toEqual([]);
    for (const p of builtinProviders) {
      expect(r.stdout).toMatch(new RegExp(`^${p.type} — `, 'm'));
      for (const name of Object.keys(p.actions)) expect(r.stdout).toMatch(new RegExp(`^  ${name} \\(`, 'm'));
    }
    expect(r.stdout).toContain('  send (notify) — not idempotent; supports plan, verify, simulate');
    expect(r.stdout).toContain('  run (any) — idempotent per input; supports plan, verify');
    expect(r.stdout).toMatch(/^ {6}to\* +email\|email\[\]$/m);
  });

  it('filters by type; an unknown type is exit 2 with the known ones', () => {
    const r = cli(['providers', 'slack', 'email', '--json']);
    expect((JSON.parse(r.stdout) as { providers: ProviderInfo[] }).providers.map((p) => p.type)).toEqual(['email', 'slack']);
    const bad = cli(['providers', 'slak']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown provider type slak (known: aws, email, github');
  });

  it('--plugin adds a plugin provider with its source', () => {
    const spec = './examples/providers/statuspage/index.mjs';
    const r = cli(['providers', 'statuspage', '--plugin', spec, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [p] = (JSON.parse(r.stdout) as { providers: ProviderInfo[] }).providers;
    expect(p).toMatchObject({ type: 'statuspage', source: spec, simulator: 'drill.configFor' });
    expect(p!.config.map((f) => [f.name, f.type, f.required])).toEqual([
      ['api_url', 'url', false],
      ['page_id', 'string', true],
      ['api_key', 'secret', true],
      ['timeout_ms', 'integer', false],
    ]);
    expect(p!.actions.map((a) => [a.name, a.kind, a.idempotent, a.plan, a.verify, a.simulate])).toEqual([
      ['createIncident', 'notify', false, true, true, true],
      ['resolveIncident', 'notify', true, true, true, true],
    ]);
    const text = cli(['providers', 'statuspage', '--plugin', spec]);
    expect(text.stdout).toContain(`plugin ${spec} · simulator: drill.configFor`);
  });
});
