/**
 * Issue 15 item 5: a command parses its runbook's YAML once — the `plugins:` list is read from
 * the same parse that is then validated (it used to be a full strict parse, then another).
 */
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWithPlugins } from '../../src/commands/shared.js';
import { validatePaths } from '../../src/commands/validate.js';
import type { CommandContext } from '../../src/commands/context.js';
import { yamlParses } from '../../src/core/runbook/yaml.js';
import { Redactor } from '../../src/core/secrets/redactor.js';
import { ROOT } from '../e2e/cli.js';

const ctx = (): CommandContext => ({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: ROOT, redactor: new Redactor(), signal: new AbortController().signal });
const FLAGSHIP = join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml');
const WITH_PLUGIN = join(ROOT, 'examples/providers/statuspage/runbook.yaml');

describe('one YAML parse per command', () => {
  it('loading a runbook (run, drill, plan …) parses it once', async () => {
    const before = yamlParses.count;
    const { loaded } = await loadWithPlugins(FLAGSHIP, [], ctx());
    expect(loaded.runbook.id).toBe('hf-spaces-secrets-exposure');
    expect(yamlParses.count - before).toBe(1);
  });

  it('a runbook with plugins: its plugin is loaded from the same parse that is validated', async () => {
    const before = yamlParses.count;
    const { loaded, registry } = await loadWithPlugins(WITH_PLUGIN, [], ctx());
    expect(registry.get('statuspage')).toBeDefined();
    expect(loaded.runbook.steps.some((s) => s.uses?.startsWith('status'))).toBe(true);
    expect(yamlParses.count - before).toBe(1);
  });

  it('validate parses each file once', async () => {
    const before = yamlParses.count;
    const { results } = await validatePaths([FLAGSHIP], ctx());
    expect(results).toEqual([expect.objectContaining({ valid: true })]);
    expect(yamlParses.count - before).toBe(1);
  });
});
