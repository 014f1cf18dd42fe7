/**
 * Issue 12 (first frame): the build stores the validated form of each shipped runbook
 * (dist/compiled-runbooks/<sha256>.json); a command loading a runbook with that text and no
 * --plugin takes it instead of parsing and validating the YAML. Anything else is validated as
 * always: an edited shipped runbook still fails with file:line:col.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWithPlugins, storedScenario, type CompiledRunbooks } from '../../src/commands/shared.js';
import type { CommandContext } from '../../src/commands/context.js';
import { compileRunbook, compileShipped } from '../../src/commands/compile-shipped.js';
import { parseScenarioText, scenarioFor, type LoadedScenario } from '../../src/drill/scenario/load.js';
import { storedScenarioFor } from '../../src/drill/scenario/stored.js';
import { readCompiled, sha256Hex, type CompiledRunbook, type CompiledScenario } from '../../src/core/runbook/compiled.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';
import { ValidationError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/secrets/redactor.js';
import { ROOT, cli, ensureBuilt } from '../e2e/cli.js';
import { rejection } from '../helpers/rejection.js';

const ctx = (cwd = ROOT): CommandContext => ({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd, redactor: new Redactor(), signal: new AbortController().signal });
const FLAGSHIP = join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml');
const WITH_PLUGIN = join(ROOT, 'examples/providers/statuspage/runbook.yaml');

/** Every runbook `runbook list` shows: the shipped folder and its examples/. */
function shipped(): string[] {
  const dir = join(ROOT, 'runbooks');
  return ['', 'examples'].flatMap((sub) =>
    readdirSync(join(dir, sub))
      .filter((n) => /\.ya?ml$/.test(n))
      .map((n) => join(dir, sub, n)),
  );
}

/** A folder of stored forms, as the build writes them. */
function store(build: string, list: (CompiledRunbook | CompiledScenario)[]): CompiledRunbooks {
  const dir = mkdtempSync(join(tmpdir(), 'compiled-'));
  for (const c of list) writeFileSync(join(dir, `${c.sha256}.json`), JSON.stringify(c));
  return { dir, build };
}

describe('compiled shipped runbooks', () => {
  it('the stored form of every shipped runbook is exactly what the normal load gives (after its JSON round trip)', () => {
    const files = shipped();
    expect(files.length).toBeGreaterThanOrEqual(8);
    const { compiled, skipped } = compileShipped(join(ROOT, 'runbooks'), 'b1');
    expect(skipped).toEqual([]);
    expect(compiled.filter((c) => 'runbook' in c)).toHaveLength(files.length);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const normal = loadRunbookText(text, file);
      const stored = JSON.parse(JSON.stringify(compiled.find((c) => c.sha256 === sha256Hex(text)))) as CompiledRunbook;
      expect(stored.runbook, file).toStrictEqual(normal.runbook);
      expect(stored.sha256).toBe(normal.hash);
    }
  });

  it('so is the stored form of every shipped drill scenario; a drill takes it only for the same text', () => {
    const dir = join(ROOT, 'runbooks', 'scenarios');
    const names = readdirSync(dir).filter((n) => n.endsWith('.yaml'));
    expect(names.length).toBeGreaterThanOrEqual(8);
    const { compiled } = compileShipped(join(ROOT, 'runbooks'), 'b1');
    for (const name of names) {
      const text = readFileSync(join(dir, name), 'utf8');
      const stored = JSON.parse(JSON.stringify(compiled.find((c) => c.sha256 === sha256Hex(text)))) as CompiledScenario;
      expect(stored.scenario, name).toStrictEqual(parseScenarioText(text, join(dir, name)));
    }
    // the flagship drill's scenario: the stored form (marked) for its text, a parse for any other
    const loaded = loadRunbookText(readFileSync(FLAGSHIP, 'utf8'), FLAGSHIP);
    const file = join(dir, 'hf-spaces.scenario.yaml');
    const text = readFileSync(file, 'utf8');
    const c = compiled.find((x) => x.sha256 === sha256Hex(text)) as CompiledScenario<LoadedScenario['scenario']>;
    const marked = { ...c, scenario: { ...c.scenario, name: 'FROM THE STORED FORM' } };
    const stored = storedScenario<LoadedScenario['scenario']>(store('b1', [marked]));
    expect(storedScenarioFor(loaded, undefined, ROOT, stored)?.scenario.name).toBe('FROM THE STORED FORM');
    expect(storedScenarioFor(loaded, undefined, ROOT, stored)).toMatchObject({ file, source: text, base: [] });
    expect(storedScenarioFor(loaded, undefined, ROOT, storedScenario(store('b2', [marked])))).toBeUndefined();
    expect(storedScenarioFor(loaded, undefined, ROOT, undefined)).toBeUndefined();
    const edited = join(mkdtempSync(join(tmpdir(), 'scenario-')), 'x.scenario.yaml');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => /^version: /.test(l));
    lines[at] = 'version: 7';
    writeFileSync(edited, lines.join('\n'));
    // an edited scenario has no stored form: it is read and checked, its problem at file:line:col
    expect(storedScenarioFor(loaded, edited, ROOT, stored)).toBeUndefined();
    const e = (() => {
      try {
        scenarioFor(loaded, edited, ROOT);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues[0]).toMatchObject({ file: edited, line: at + 1 });
  });

  it('loadWithPlugins takes the stored form of an unchanged shipped runbook — and only from the same build', async () => {
    const text = readFileSync(FLAGSHIP, 'utf8');
    const c = compileRunbook(text, FLAGSHIP, 'b1')!;
    // a marked copy: what loadWithPlugins returns says which path it took
    const marked = { ...c, runbook: { ...c.runbook, title: 'FROM THE STORED FORM' } };
    const fast = await loadWithPlugins('hf-spaces-secrets-exposure', [], ctx(), store('b1', [marked]));
    expect(fast.loaded.runbook.title).toBe('FROM THE STORED FORM');
    expect(fast.loaded).toMatchObject({ file: FLAGSHIP, dir: join(ROOT, 'runbooks'), source: text, hash: sha256Hex(text) });
    // its built-in providers are imported when first needed (the engine awaits ready())
    expect(() => fast.registry.get('huggingface')).toThrow(/ready/);
    await fast.registry.ready();
    expect(fast.registry.get('huggingface')).toBeDefined();
    // stored by another build, or a --plugin given: the YAML is loaded and validated
    const other = await loadWithPlugins('hf-spaces-secrets-exposure', [], ctx(), store('b2', [marked]));
    expect(other.loaded.runbook.title).not.toBe('FROM THE STORED FORM');
    expect(other.loaded).toStrictEqual(loadRunbookText(text, FLAGSHIP));
    const plugin = await loadWithPlugins('hf-spaces-secrets-exposure', [join(ROOT, 'examples/providers/statuspage/index.mjs')], ctx(), store('b1', [marked]));
    expect(plugin.loaded.runbook.title).not.toBe('FROM THE STORED FORM');
    expect(plugin.registry.get('statuspage')).toBeDefined();
  });

  it('an edited shipped runbook is validated again: a broken edit fails with file:line:col', async () => {
    const { compiled } = compileShipped(join(ROOT, 'runbooks'), 'b1');
    const stored = store('b1', compiled);
    const dir = mkdtempSync(join(tmpdir(), 'edited-'));
    const file = join(dir, 'hf-spaces-secrets-exposure.yaml');
    const text = readFileSync(FLAGSHIP, 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => /^ {4}kind: /.test(l));
    lines[at] = lines[at]!.replace(/kind: \w+/, 'kind: revokee');
    writeFileSync(file, lines.join('\n'));
    const e = await rejection(loadWithPlugins(file, [], ctx(dir), stored), ValidationError);
    expect(e.issues[0]).toMatchObject({ file, line: at + 1 });
    expect(e.issues[0]!.col).toBeGreaterThan(0);
    // an edit that still validates is the edit's runbook, not the stored one
    writeFileSync(file, text.replace(/^title: .*$/m, 'title: Edited title'));
    expect((await loadWithPlugins(file, [], ctx(dir), stored)).loaded.runbook.title).toBe('Edited title');
  });

  it('a runbook with plugins is never stored', () => {
    expect(compileRunbook(readFileSync(WITH_PLUGIN, 'utf8'), WITH_PLUGIN, 'b1')).toBeUndefined();
  });

  it('a stored form that is unreadable, another build’s or under another hash is not used', () => {
    const text = readFileSync(FLAGSHIP, 'utf8');
    const c = compileRunbook(text, FLAGSHIP, 'b1')!;
    const { dir } = store('b1', [c]);
    expect(readCompiled(dir, 'b1', c.sha256)).toStrictEqual(JSON.parse(JSON.stringify(c.runbook)));
    expect(readCompiled(dir, 'b2', c.sha256)).toBeUndefined();
    writeFileSync(join(dir, `${'0'.repeat(64)}.json`), JSON.stringify(c)); // its content is another text's
    expect(readCompiled(dir, 'b1', '0'.repeat(64))).toBeUndefined();
    writeFileSync(join(dir, `${c.sha256}.json`), '{"build":"b1","sha25');
    expect(readCompiled(dir, 'b1', c.sha256)).toBeUndefined();
    expect(readCompiled(dir, 'b1', '../x')).toBeUndefined();
  });
});

describe('the built CLI', () => {
  beforeAll(ensureBuilt);

  it('dist holds the stored form of every shipped runbook, equal to the normal load', () => {
    const dir = join(ROOT, 'dist', 'compiled-runbooks');
    for (const file of shipped()) {
      const text = readFileSync(file, 'utf8');
      const f = join(dir, `${sha256Hex(text)}.json`);
      expect(existsSync(f), `${file}: no ${f} (npm run build)`).toBe(true);
      expect((JSON.parse(readFileSync(f, 'utf8')) as CompiledRunbook).runbook, file).toStrictEqual(loadRunbookText(text, file).runbook);
    }
    const scenarios = join(ROOT, 'runbooks', 'scenarios');
    for (const name of readdirSync(scenarios).filter((n) => n.endsWith('.yaml'))) {
      const text = readFileSync(join(scenarios, name), 'utf8');
      const f = join(dir, `${sha256Hex(text)}.json`);
      expect(existsSync(f), `${name}: no ${f} (npm run build)`).toBe(true);
      expect((JSON.parse(readFileSync(f, 'utf8')) as CompiledScenario).scenario, name).toStrictEqual(parseScenarioText(text, join(scenarios, name)));
    }
  });

  it('a shipped runbook edited into a broken one fails with file:line:col, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edited-cli-'));
    mkdirSync(join(dir, 'lib'));
    copyFileSync(join(ROOT, 'runbooks/lib/hf-spaces-scope.mjs'), join(dir, 'lib/hf-spaces-scope.mjs'));
    const file = join(dir, 'hf.yaml');
    const text = readFileSync(FLAGSHIP, 'utf8');
    copyFileSync(FLAGSHIP, file);
    // unchanged (its stored form): the plan needs its inputs, as from the shipped folder
    const same = cli(['plan', file]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('missing required inputs: org');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => /^ {4}kind: /.test(l));
    lines[at] = lines[at]!.replace(/kind: \w+/, 'kind: revokee');
    writeFileSync(file, lines.join('\n'));
    const broken = cli(['plan', file]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(new RegExp(`hf\\.yaml:${at + 1}:\\d+`));
    expect(broken.stderr).toContain('steps[0].kind: must be one of');
    expect(broken.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
