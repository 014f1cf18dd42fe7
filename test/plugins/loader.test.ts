/**
 * The plugin loader (src/providers/plugins.ts): by path or package name, the object and the
 * factory form, and an error that names the module and what is wrong for every way a module
 * can fail to be a provider. Plugin modules are written to temporary folders by the tests.
 * (Syntax errors and .ts files are tested through the built CLI in cli-plugins.test.ts: under
 * vitest, dynamic imports go through vite, which parses them differently from Node.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, ProviderError } from '../../src/core/errors.js';
import { ProviderRegistry, loadPlugin } from '../../src/providers/registry.js';
import { pluginSdk } from '../../src/providers/plugins.js';
import { isSecret } from '../../src/core/secrets/secret.js';
import { ROOT } from '../e2e/cli.js';
import { rejection } from '../helpers/rejection.js';

let dir: string;

/** A minimal valid provider as ESM source (factory form unless `object`). */
function providerSource(type: string, opts: { object?: boolean; patch?: string } = {}): string {
  const body = `{
    type: '${type}',
    description: 'test provider ${type}',
    config: z.strictObject({ key: secretField().optional() }),
    actions: {
      ping: defineAction({
        kind: 'notify',
        description: 'say hello',
        input: z.strictObject({ text: z.string() }),
        output: z.object({ echoed: z.string() }),
        idempotent: true,
        run: async (_ctx, input) => ({ echoed: input.text }),
      }),
    },
    ${opts.patch ?? ''}
  }`;
  return opts.object
    ? `import { z } from 'zod';\nconst defineAction = (a) => a; const secretField = () => z.custom((v) => typeof v?.reveal === 'function');\nexport default ${body};\n`
    : `export default function ({ z, defineAction, defineProvider, secretField }) { return defineProvider(${body}); }\n`;
}

function write(rel: string, text: string): string {
  const file = join(dir, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

async function loadError(spec: string, base = dir): Promise<UsageError> {
  const u = await rejection(loadPlugin(spec, base), UsageError);
  expect(u.exitCode).toBe(2);
  expect(u.message).toContain(spec); // every error names the module
  return u;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-plugins-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loading by path', () => {
  it('loads the factory form relative to the base folder and hands it the plugin SDK', async () => {
    write('p/factory.mjs', providerSource('factory-one'));
    const def = await loadPlugin('./p/factory.mjs', dir);
    expect(def.type).toBe('factory-one');
    // the SDK's secretField is the host's: it accepts the engine's Secrets, nothing else
    const config = def.config.safeParse({ key: 'literal' });
    expect(config.success).toBe(false);
    expect(pluginSdk.ProviderError).toBe(ProviderError);
    expect(pluginSdk.isSecret).toBe(isSecret);
  });

  it('loads an absolute path and a folder with index.mjs', async () => {
    const file = write('abs/index.mjs', providerSource('absolute-one'));
    expect((await loadPlugin(file, '/')).type).toBe('absolute-one');
    expect((await loadPlugin('./abs', dir)).type).toBe('absolute-one');
  });

  it('loads the object form that imports zod itself (resolved next to the plugin)', async () => {
    // inside the repository, so `zod` resolves from its node_modules like an installed plugin's would
    const inRepo = mkdtempSync(join(ROOT, 'test', 'plugins', '.tmp-'));
    try {
      writeFileSync(join(inRepo, 'object.mjs'), providerSource('object-one', { object: true }));
      const def = await loadPlugin('./object.mjs', inRepo);
      expect(Object.keys(def.actions)).toEqual(['ping']);
    } finally {
      rmSync(inRepo, { recursive: true, force: true });
    }
  });

  it('a missing file: names the resolved path', async () => {
    const e = await loadError('./nope/missing.mjs');
    expect(e.message).toContain('no such file');
    expect(e.message).toContain(join(dir, 'nope/missing.mjs'));
  });

  it('a module without a provider export: says what it does export', async () => {
    write('noexport.mjs', 'export const helper = 1;\nexport function other() {}\n');
    const e = await loadError('./noexport.mjs');
    expect(e.message).toMatch(/no default export and no `provider` export \(it exports helper, other\)/);
  });

  it('a broken provider: lists every problem', async () => {
    write('broken.mjs', `export default { type: 'Bad Type', description: 1, config: {}, actions: { 'do-it': { kind: 'fix', input: {}, output: {}, idempotent: 'yes' } } };\n`);
    const e = await loadError('./broken.mjs');
    for (const p of ['`type` must be a lower-case name', '`description` must be a string', '`config` must be a zod schema', 'action name "do-it"', 'kind` must be detect', '`run` must be a function', '`idempotent` must be true, false'])
      expect(e.message).toContain(p);
    expect(e.nextSteps.join(' ')).toContain('docs/writing-a-provider.md');
  });

  it('a factory that throws or returns nothing', async () => {
    write('throws.mjs', "export default () => { throw new Error('no config for you'); };\n");
    expect((await loadError('./throws.mjs')).message).toContain('its factory function threw: no config for you');
    write('empty.mjs', 'export default () => undefined;\n');
    expect((await loadError('./empty.mjs')).message).toContain('does not export a provider object');
  });

  it('a module whose import is missing, and one that throws at load time', async () => {
    write('deps.mjs', "import 'left-pad-not-installed-anywhere';\nexport default {};\n");
    const e = await loadError('./deps.mjs');
    expect(e.message).toContain('left-pad-not-installed-anywhere');
    expect(e.nextSteps.join(' ')).toContain('install its dependencies');
    write('boom.mjs', "throw new TypeError('bad module');\n");
    expect((await loadError('./boom.mjs')).message).toContain('it threw while loading: bad module');
  });
});

describe('loading by package name', () => {
  it('resolves from the base folder upwards through node_modules, using exports (import condition)', async () => {
    write('proj/node_modules/@acme/runbook-ping/package.json', JSON.stringify({ name: '@acme/runbook-ping', type: 'module', exports: { '.': { require: './nope.cjs', import: './dist/index.mjs' }, './alt': './alt.mjs' } }));
    write('proj/node_modules/@acme/runbook-ping/dist/index.mjs', providerSource('acme-ping'));
    write('proj/node_modules/@acme/runbook-ping/alt.mjs', providerSource('acme-alt'));
    const nested = join(dir, 'proj', 'runbooks', 'team');
    mkdirSync(nested, { recursive: true });
    expect((await loadPlugin('@acme/runbook-ping', nested)).type).toBe('acme-ping');
    expect((await loadPlugin('@acme/runbook-ping/alt', nested)).type).toBe('acme-alt');
    const e = await loadError('@acme/runbook-ping/missing', nested);
    expect(e.message).toContain('does not export "./missing"');
  });

  it('resolves exports patterns and conditions as Node does ("./*": "./dist/*.mjs")', async () => {
    write(
      'pat/node_modules/runbook-pattern/package.json',
      JSON.stringify({ name: 'runbook-pattern', type: 'module', exports: { '.': './dist/main.mjs', './providers/*': { node: { import: './dist/providers/*.mjs' } }, './internal/*': null } }),
    );
    write('pat/node_modules/runbook-pattern/dist/main.mjs', providerSource('pattern-main'));
    write('pat/node_modules/runbook-pattern/dist/providers/jira.mjs', providerSource('pattern-jira'));
    write('pat/node_modules/runbook-pattern/dist/internal/x.mjs', providerSource('pattern-internal'));
    const base = join(dir, 'pat');
    expect((await loadPlugin('runbook-pattern', base)).type).toBe('pattern-main');
    expect((await loadPlugin('runbook-pattern/providers/jira', base)).type).toBe('pattern-jira');
    // a pattern excluded with null is not exported, as in Node
    expect((await loadError('runbook-pattern/internal/x', base)).message).toContain('does not export "./internal/x"');
    // and the folder itself, given as a path, resolves through its own exports
    expect((await loadPlugin('./node_modules/runbook-pattern', base)).type).toBe('pattern-main');
  });

  it('uses main when there is no exports field', async () => {
    write('proj/node_modules/plain-plugin/package.json', JSON.stringify({ name: 'plain-plugin', main: 'lib/main.mjs' }));
    write('proj/node_modules/plain-plugin/lib/main.mjs', providerSource('plain-one'));
    expect((await loadPlugin('plain-plugin', join(dir, 'proj'))).type).toBe('plain-one');
  });

  it('a package that is not installed: says so and how to install it', async () => {
    const e = await loadError('runbook-provider-not-installed', join(dir, 'proj'));
    expect(e.message).toContain('is not installed');
    expect(e.nextSteps).toContain('Install it: npm install runbook-provider-not-installed');
  });
});

describe('the registry', () => {
  it('refuses a plugin whose type is already registered, naming where it came from', async () => {
    write('slack-clone.mjs', providerSource('slack'));
    const reg = new ProviderRegistry();
    const def = await loadPlugin('./slack-clone.mjs', dir);
    expect(() => reg.add(def, './slack-clone.mjs')).toThrow(/provider type "slack" from \.\/slack-clone\.mjs is already registered/);
  });

  it('accepts the same module listed twice (runbook plugins: and --plugin)', async () => {
    write('twice.mjs', providerSource('twice-one'));
    const reg = new ProviderRegistry();
    reg.add(await loadPlugin('./twice.mjs', dir), './twice.mjs');
    reg.add(await loadPlugin(join(dir, 'twice.mjs'), '/'), join(dir, 'twice.mjs'));
    expect(reg.list().filter((d) => d.type === 'twice-one')).toHaveLength(1);
  });
});
