/**
 * Runbook format 1.1 expressions in the engine: an `if:` that uses `item` is evaluated per item
 * (skipped items are journaled as skipped, never called, and stay skipped on resume), and a
 * failed `verify.expect` says which expression failed and what it saw — secrets masked.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runEngine, workspace } from './helpers.js';
import { defineAction, defineProvider, SecretOut } from '../../src/providers/sdk.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';

function recorder() {
  const seen: string[] = [];
  const def = defineProvider({
    type: 'rec',
    description: 'test',
    config: z.strictObject({}),
    actions: {
      touch: defineAction({
        kind: 'any',
        description: 'records its id',
        input: z.strictObject({ id: z.string() }),
        output: z.object({ id: z.string() }),
        idempotent: false,
        async run(_ctx, input) {
          seen.push(input.id);
          return { id: input.id };
        },
      }),
      state: defineAction({
        kind: 'any',
        description: 'reports a state and a token',
        input: z.strictObject({ id: z.string() }),
        output: z.object({ state: z.string(), token: SecretOut }),
        idempotent: true,
        async run(ctx) {
          return { state: 'active', token: ctx.secret('tok-CANARY-1234567890', 'token') };
        },
      }),
    },
  });
  return { def, seen };
}

describe('per-item if', () => {
  const yaml = `version: 1
id: per-item
title: Per-item conditions
inputs: { keep: { type: string, default: prod } }
providers: { r: { type: rec } }
steps:
  - id: each
    kind: notify
    title: Touch \${{ item.id }}
    for_each: [{ id: a, env: prod }, { id: b, env: test }, { id: c, env: prod }]
    if: item.env == inputs.keep
    uses: r.touch
    with: { id: "\${{ item.id }}" }
`;

  it('calls only the items whose condition holds; the others are journaled as skipped, and resume does not call again', async () => {
    const w = workspace();
    const { def, seen } = recorder();
    const r = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, providers: [def] });
    expect(r.result.status).toBe('done');
    expect(seen).toEqual(['a', 'c']);
    const st = r.result.state!.steps.each!;
    expect(st.status).toBe('ok');
    expect(st.items.b?.status).toBe('skipped');
    expect(st.items.a?.status).toBe('ok');
    const skipped = r.journal.read().filter((x) => x.type === 'outcome' && x.status === 'skipped');
    expect(skipped).toHaveLength(1);
    expect(JSON.stringify(skipped[0])).toContain('condition is false for this item');

    const again = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, providers: [def] });
    expect(again.result.status).toBe('done');
    expect(seen).toEqual(['a', 'c']);
  });

  it('resumed at the approval gate, a skipped item stays skipped (journaled once) and is never called', async () => {
    const w = workspace();
    const { def, seen } = recorder();
    const gated = yaml.replace('kind: notify', 'kind: notify\n    confirm: true');
    const first = await runEngine({ yaml: gated, dir: w.dir, stateDir: w.stateDir, providers: [def] });
    expect(first.result.status).toBe('waiting');
    expect(seen).toEqual([]);
    const second = await runEngine({ yaml: gated, dir: w.dir, stateDir: w.stateDir, providers: [def], yes: true });
    expect(second.result.status).toBe('done');
    expect(seen).toEqual(['a', 'c']);
    expect(second.journal.read().filter((x) => x.type === 'outcome' && x.status === 'skipped')).toHaveLength(1);
    expect(second.result.state!.steps.each!.items.b?.status).toBe('skipped');
  });

  it('with another input, other items run', async () => {
    const w = workspace();
    const { def, seen } = recorder();
    const r = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, providers: [def], inputs: { keep: 'test' } });
    expect(r.result.status).toBe('done');
    expect(seen).toEqual(['b']);
  });
});

describe('a failed verify.expect', () => {
  it('names the expression and the values it saw, with secrets masked', async () => {
    const w = workspace();
    const { def } = recorder();
    const secrets = new SecretRegistry();
    const yaml = `version: 1
id: expect
title: Expect
providers: { r: { type: rec } }
steps:
  - id: one
    kind: notify
    title: Touch
    uses: r.touch
    with: { id: k1 }
    verify:
      uses: r.state
      with: { id: "\${{ result.id }}" }
      expect: result.state == 'revoked' && result.token != null
`;
    const r = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, providers: [def], secrets });
    expect(r.result.status).toBe('failed');
    const failed = r.journal.read().find((x) => x.type === 'outcome' && x.status === 'failed');
    const text = JSON.stringify(failed);
    expect(text).toContain("expect not met: result.state == 'revoked' && result.token != null");
    expect(text).toContain('result.state = \\"active\\"');
    expect(text).toContain('result.token = ***');
    expect(text).not.toContain('CANARY');
  });
});
