/**
 * Plugins through the BUILT cli: a runbook's `plugins:` (relative to the runbook, whatever the
 * working directory) and `--plugin` (relative to the working directory) for run, plan,
 * validate and providers; every broken module is exit 2 with a message that names the module
 * and what is wrong, and no stack trace.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, type CliResult } from '../e2e/cli.js';

let dir: string;

const GOOD = `export default function ({ z, defineProvider, defineAction }) {
  return defineProvider({
    type: 'echo',
    description: 'Echo text back (test plugin).',
    config: z.strictObject({}),
    actions: {
      say: defineAction({
        kind: 'any',
        description: 'Return the text.',
        input: z.strictObject({ text: z.string() }),
        output: z.object({ text: z.string() }),
        idempotent: true,
        plan: (_ctx, input) => ['echo ' + input.text],
        run: async (ctx, input) => { ctx.log.info('echo: ' + input.text); return { text: input.text }; },
      }),
    },
  });
}
`;

function write(rel: string, text: string): string {
  const file = join(dir, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function runbook(plugins: string[]): string {
  return `version: 1
id: echo-test
title: Echo through a plugin
plugins: [${plugins.map((p) => JSON.stringify(p)).join(', ')}]
providers:
  e: { type: echo }
steps:
  - id: say
    kind: detect
    title: Say it
    uses: e.say
    with: { text: hello from a plugin }
`;
}

/** exit 2, the module and the problem named, no stack trace */
function expectUsageError(r: CliResult, ...parts: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  for (const p of parts) expect(r.stderr).toContain(p);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain('internal error');
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'runbook-cli-plugins-'));
  write('team/plugins/echo.mjs', GOOD);
  write('team/runbook.yaml', runbook(['./plugins/echo.mjs']));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a working plugin', () => {
  it('runs from a runbook in another folder: plugins: paths are relative to the runbook', () => {
    const r = cli(['run', join(dir, 'team/runbook.yaml'), '--non-interactive', '--state-dir', join(dir, 'state')], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('echo: hello from a plugin');
  });

  it('plan shows its plan lines; validate knows its type', () => {
    const plan = cli(['plan', 'team/runbook.yaml'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('→ echo hello from a plugin');
    const v = cli(['validate', 'team/'], { cwd: dir });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toContain('1 runbook valid');
  });

  it('--plugin is relative to the working directory, and the same module twice is one provider', () => {
    const r = cli(['plan', 'team/runbook.yaml', '--plugin', './team/plugins/echo.mjs'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    write('bare.yaml', runbook([]));
    expect(cli(['plan', 'bare.yaml', '--plugin', './team/plugins/echo.mjs'], { cwd: dir }).code).toBe(0);
    const without = cli(['plan', 'bare.yaml'], { cwd: dir });
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('unknown provider type "echo"');
  });
});

describe('broken plugins: exit 2, named, no stack trace', () => {
  const cases: [string, string, string[]][] = [
    ['a missing module', '', ['./plugins/missing.mjs', 'no such file']],
    ['no provider export', 'export const x = 1;\n', ['./plugins/bad.mjs', 'no default export', 'it exports x']],
    ['a broken provider', "export default { type: 'echo', description: 'x', config: {}, actions: { say: { kind: 'notify' } } };\n", ['./plugins/bad.mjs', '`config` must be a zod schema', 'action say: `run` must be a function']],
    ['a syntax error', 'export default {\n  oops oops\n};\n', ['./plugins/bad.mjs', 'syntax error in /', 'broken/plugins/bad.mjs', "Unexpected identifier 'oops'", 'node --check']],
    ['a throwing factory', "export default () => { throw new Error('missing STATUS_URL'); };\n", ['./plugins/bad.mjs', 'factory function threw: missing STATUS_URL']],
    ['a type that is taken', "export default function ({ z, defineProvider }) { return defineProvider({ type: 'slack', description: 'x', config: z.object({}), actions: { a: { kind: 'any', description: 'a', input: z.object({}), output: z.object({}), idempotent: true, run: async () => ({}) } } }); }\n", ['provider type "slack"', './plugins/bad.mjs', 'already registered']],
  ];
  for (const [name, source, parts] of cases) {
    it(`${name}: run says so`, () => {
      const spec = source ? './plugins/bad.mjs' : './plugins/missing.mjs';
      if (source) write('broken/plugins/bad.mjs', source);
      write('broken/runbook.yaml', runbook([spec]));
      expectUsageError(cli(['run', 'broken/runbook.yaml', '--non-interactive', '--state-dir', join(dir, 'state')], { cwd: dir }), ...parts);
    });
  }

  it('plan, validate and providers report a broken plugin the same way', () => {
    write('broken2/plugins/bad.mjs', 'export const x = 1;\n');
    write('broken2/runbook.yaml', runbook(['./plugins/bad.mjs']));
    const parts = ['./plugins/bad.mjs', 'no default export', 'it exports x'];
    expectUsageError(cli(['plan', 'broken2/runbook.yaml'], { cwd: dir }), ...parts);
    const v = cli(['validate', 'broken2/'], { cwd: dir });
    expect(v.code).toBe(2);
    for (const p of parts) expect(v.stdout).toContain(p);
    expectUsageError(cli(['providers', '--plugin', './broken2/plugins/bad.mjs'], { cwd: dir }), './broken2/plugins/bad.mjs', 'no default export');
  });

  it('a TypeScript plugin: says to write JavaScript or compile it', () => {
    write('ts/plugin.ts', 'export default {} as unknown;\n');
    expectUsageError(cli(['providers', '--plugin', './ts/plugin.ts'], { cwd: dir }), './ts/plugin.ts', 'compile it first');
  });

  it('a package that is not installed: names it and says how to install it', () => {
    expectUsageError(cli(['providers', '--plugin', 'runbook-provider-nowhere'], { cwd: dir }), 'runbook-provider-nowhere', 'is not installed', 'npm install runbook-provider-nowhere');
  });
});
