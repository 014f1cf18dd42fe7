/**
 * slack-token-leak: Slack mints no replacement token by API, so the world holds no consumer to
 * watch; the manual reissue step (`drill: { rotates: true }`) is the rotation. Done by the
 * simulated responder (--yes), the scorecard has a time to rotate — not "rotate not reached".
 * In-process: the real drill command, the shipped runbook and scenario, scripted output.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import drill from '../../src/commands/drill.js';
import { ROOT } from '../e2e/cli.js';
import { terminal } from '../ui/helpers.js';

describe('runbook drill slack-token-leak — the reissue step counts as the rotation', () => {
  it('--yes: the scorecard has a time to rotate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-rotate-'));
    const state = join(dir, 'state');
    const { stderr, ctx } = terminal(dir, { tty: false });
    const code = await drill([join(ROOT, 'runbooks/slack-token-leak.yaml'), '--yes', '--speed', '0', '--state-dir', state, '--incident', 'rot'], ctx);
    expect(code, stderr.text).toBe(0);
    expect(stderr.text).toMatch(/time to rotate {3}\d[^\n]*the step that rotates was done/);
    const records = readFileSync(join(state, 'incidents', 'rot', 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data?: { rotate_ms: unknown } });
    expect(typeof records.find((r) => r.type === 'scorecard')?.data?.rotate_ms).toBe('number');
  }, 120_000);
});
