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
