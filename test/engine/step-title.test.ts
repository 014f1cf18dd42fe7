/**
 * Issue 14 (gap): a fan-out step's title over `item`, shown for the step as a whole (status,
 * report, plan, the step list), read with blanks ("Is the token of  live?"). It now reads
 * "each item" / "each of N items"; other expressions render as before.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { stepLevelTitle, renderText } from '../../src/core/engine/text.js';
import { loadRunbook } from '../../src/core/runbook/load.js';
import { stepInfos } from '../../src/core/engine/engine.js';
import { ROOT } from '../e2e/cli.js';

describe('step-level titles of fan-out steps', () => {
  it('an expression over item reads "each of N items"; one over inputs still renders', () => {
    const scope = { inputs: { repo: 'acme/api' } };
    const t = 'Revoke the token of ${{ item.number && format(\'alert {0}#{1}\', item.repo, item.number) }} in ${{ inputs.repo }}';
    expect(stepLevelTitle(t, 3, (x) => renderText(x, scope) ?? x)).toBe('Revoke the token of each of 3 items in acme/api');
    expect(stepLevelTitle(t, undefined, (x) => renderText(x, scope) ?? x)).toBe('Revoke the token of each item in acme/api');
    expect(stepLevelTitle('Rotate ${{ items }} and ${{ inputs.repo }}', 2, (x) => renderText(x, scope) ?? x)).not.toContain('each');
  });

  it("the shipped GitHub runbook's step list has no blank where an item was", async () => {
    const lr = await loadRunbook(join(ROOT, 'runbooks/github-token-leak.yaml'));
    const infos = stepInfos(lr.runbook.steps, { inputs: { repo: 'acme/api', scan_path: '.' } });
    expect(infos.find((s) => s.id === 'revoke-tokens')!.title).toBe('Revoke the token of each item');
    expect(infos.find((s) => s.id === 'revoke-unchecked')!.title).toBe('Revoke the unchecked token at each item?');
    for (const s of infos) expect(s.title, s.id).not.toMatch(/ {2}|of \?| at :/);
  });
});

describe('the step-by-step "Next step" title of a fan-out', () => {
  it('reads "each item" once the list is known, never the raw ${{ }} over item', async () => {
    const { runEngine, workspace } = await import('./helpers.js');
    const { scriptedPorts } = await import('../../src/scripted/ports.js');
    const w = workspace();
    const asked: string[] = [];
    const ports = scriptedPorts({ yes: true, approve: new Set(), done: new Map(), settle: new Map() });
    ports.proceed = async (s) => {
      asked.push(`${s.id}: ${s.title}`);
      return { action: 'run' };
    };
    const approve = ports.approve.bind(ports);
    ports.approve = async (req) => {
      asked.push(`gate ${req.step}: ${req.title}`);
      return approve(req);
    };
    const yaml = [
      'version: 1',
      'id: fan-title',
      'title: Fan-out titles',
      'providers: { sh: { type: shell } }',
      'steps:',
      '  - id: list',
      '    kind: detect',
      '    title: List the leaked tokens',
      '    uses: sh.run',
      '    with: { json: true, command: [node, -e, "console.log(JSON.stringify([{repo: \'acme/api\', number: 1}, {repo: \'acme/web\', number: 2}]))"] }',
      '    outputs: { alerts: result.json }',
      '  - id: each',
      '    kind: detect',
      "    title: \"Check the token of ${{ item.number && format('alert {0}#{1}', item.repo, item.number) || 'a file' }} in ${{ steps.list.outputs.alerts[0].repo }}\"",
      '    needs: [list]',
      '    for_each: ${{ steps.list.outputs.alerts }}',
      '    uses: sh.run',
      '    confirm: true',
      '    with: { command: [node, -e, "0"] }',
    ].join('\n');
    const { result } = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, yes: true, overrides: { ports } });
    expect(result.status).toBe('done');
    expect(asked).toEqual(['list: List the leaked tokens', 'each: Check the token of each item in acme/api', 'gate each: Check the token of each item in acme/api']);
  });
});

describe('the by-hand prompt of a fan-out item', () => {
  it("reads the item's own values, not a placeholder per ${{ }} part", async () => {
    const { runEngine, workspace } = await import('./helpers.js');
    const { scriptedPorts } = await import('../../src/scripted/ports.js');
    const { defineProvider, defineAction } = await import('../../src/providers/sdk.js');
    const { ProviderError } = await import('../../src/core/errors.js');
    const { z } = await import('zod');
    const byHand = defineProvider({
      type: 'byhand',
      description: 'test',
      config: z.strictObject({}),
      actions: {
        revoke: defineAction({
          kind: 'revoke',
          description: 'has no API: always asks for a manual action',
          input: z.strictObject({ file: z.string() }),
          output: z.object({}),
          idempotent: true,
          async run(ctx) {
            throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'no revoke endpoint', failure: 'definite', code: 'MANUAL_REQUIRED', nextSteps: ['revoke it in the settings page'] });
          },
        }),
      },
    });
    const w = workspace();
    const titles: string[] = [];
    const ports = scriptedPorts({ yes: true, approve: new Set(), done: new Map(), settle: new Map() });
    ports.manual = async (req) => {
      titles.push(req.title);
      return { done: false, hint: 'later' };
    };
    const yaml = [
      'version: 1',
      'id: by-hand-title',
      'title: By-hand titles',
      'providers: { h: { type: byhand } }',
      'steps:',
      '  - id: revoke',
      '    kind: revoke',
      '    title: "Revoke the token at ${{ item.file }}:${{ item.line }}"',
      '    for_each: [{ file: .env, line: 2 }]',
      '    item_key: ${{ item.file }}',
      '    uses: h.revoke',
      '    with: { file: "${{ item.file }}" }',
    ].join('\n');
    await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, yes: true, providers: [byHand], overrides: { ports } });
    expect(titles).toEqual(['Revoke the token at .env:2 — by hand (.env)']);
  });
});
