/**
 * `runbook plan` decides what the given inputs decide: titles that use only inputs are
 * rendered, an `if:` over inputs is evaluated (a step that will be skipped is shown as skipped,
 * without calls), a `for_each` over an input is expanded item by item (with a per-item `if:`),
 * and what depends on earlier steps is shown as written.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { planRunbook } from '../../src/core/engine/plan.js';
import { resolveInputs } from '../../src/core/engine/inputs.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { testRegistry } from './helpers/providers.js';

const yaml = `version: 1
id: plan-demo
title: Plan demo
inputs:
  user: { type: string, default: alice }
  envs: { type: list, default: [prod, test, dev] }
  dry: { type: boolean, default: true }
providers:
  sh: { type: shell }
steps:
  - id: greet
    kind: detect
    title: Look up \${{ inputs.user }}
    uses: sh.run
    with: { command: [echo, "\${{ inputs.user }}"] }
  - id: wet
    kind: revoke
    title: Revoke for \${{ inputs.user }}
    if: not inputs.dry
    uses: sh.run
    with: { command: [echo, revoke] }
  - id: each
    kind: detect
    title: Check each env
    for_each: \${{ inputs.envs }}
    if: item != 'dev'
    uses: sh.run
    with: { command: [echo, "\${{ item }}"] }
  - id: later
    kind: detect
    title: After \${{ steps.greet.outputs.stdout }}
    for_each: \${{ split(steps.greet.outputs.stdout, ' ') }}
    uses: sh.run
    with: { command: [echo, "\${{ item }}"] }
`;

async function plan(given: Record<string, string> = {}) {
  const registry = testRegistry();
  const loaded = loadRunbookText(yaml, 'plan.yaml', { registry });
  const inputs = await resolveInputs(loaded.runbook.inputs, given, {});
  const steps = await planRunbook(loaded, registry, inputs, new SecretRegistry(), randomBytes(32));
  return Object.fromEntries(steps.map((s) => [s.id, s]));
}

describe('plan with inputs', () => {
  it('renders titles that use only inputs, and leaves the others as written', async () => {
    const p = await plan({ user: 'bob' });
    expect(p.greet!.title).toBe('Look up bob');
    expect(p.wet!.title).toBe('Revoke for bob');
    expect(p.later!.title).toBe('After ${{ steps.greet.outputs.stdout }}');
  });

  it('a step whose if: is false for the inputs is skipped, without its calls', async () => {
    const dry = await plan();
    expect(dry.wet!.skipped).toBe(true);
    expect(dry.wet!.calls).toEqual([]);
    expect(dry.wet!.note).toContain('skipped');
    const wet = await plan({ dry: 'false' });
    expect(wet.wet!.skipped).toBeUndefined();
    expect(wet.wet!.calls).toEqual(['run ["echo","revoke"]']);
  });

  it('expands a for_each over an input item by item, leaving out items a per-item if: skips', async () => {
    const p = await plan();
    expect(p.each!.items).toEqual(['prod', 'test']);
    expect(p.each!.calls).toEqual(['[prod] run ["echo","prod"]', '[test] run ["echo","test"]']);
    const q = await plan({ envs: 'dev,qa' });
    expect(q.each!.items).toEqual(['qa']);
  });

  it('a for_each over an earlier step still depends on it', async () => {
    const p = await plan();
    expect(p.later!.items).toBeUndefined();
    expect(p.later!.calls[0]).toContain('depends on earlier steps');
  });
});

describe('runbook plan (built CLI)', () => {
  beforeAll(() => ensureBuilt());
  it('prints the skipped step without its calls, and the expanded items; --json carries skipped and items', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-plan-'));
    writeFileSync(join(dir, 'plan.yaml'), yaml);
    const t = cli(['plan', 'plan.yaml', '--input', 'user=carol'], { cwd: dir });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain('2. wet  [revoke, skipped]  Revoke for carol');
    expect(t.stdout).toContain('skipped: the condition is false for these inputs (if: not inputs.dry)');
    expect(t.stdout).not.toContain('run ["echo","revoke"]');
    expect(t.stdout).toContain('for each: 2 items: prod, test');
    expect(t.stdout).toContain('→ [test] run ["echo","test"]');
    const j = cli(['plan', 'plan.yaml', '--json'], { cwd: dir });
    const steps = (JSON.parse(j.stdout) as { steps: { id: string; skipped?: boolean; items?: string[] }[] }).steps;
    expect(steps.find((s) => s.id === 'wet')!.skipped).toBe(true);
    expect(steps.find((s) => s.id === 'each')!.items).toEqual(['prod', 'test']);
  });
});
