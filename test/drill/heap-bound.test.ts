/**
 * A drill keeps V8's heap growth bounded (src/core/engine/heap.ts) from the moment it prepares its
 * world until its cleanup has ended — not only while the engine runs: after the run the drill folds
 * the journal for its scorecard, prints its summary and snapshots its world once more, and at
 * 10,000 tokens that tail made the process's peak when V8's default growth came back with the
 * end of the engine's run (bench/README.md, issue-15 RSS). Once the command returns, the default
 * is back.
 *
 * In-process: the real drill command, the flagship runbook and its scenario, scripted (--yes).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import drill from '../../src/commands/drill.js';
import { heapGrowthBounded } from '../../src/core/engine/heap.js';
import { ROOT } from '../e2e/cli.js';
import { terminal } from '../ui/helpers.js';

describe('a drill and the heap growth bound', () => {
  it('holds from before the run until the drill has cleaned up, through the summary printed after the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-heap-'));
    const { stderr, ctx } = terminal(dir);
    const seen: { text: string; bounded: boolean }[] = [];
    stderr.onWrite = (s) => seen.push({ text: s, bounded: heapGrowthBounded() });
    expect(heapGrowthBounded()).toBe(false);
    const code = await drill([join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml'), '--state-dir', join(dir, 'state'), '--incident', 'heap', '--yes', '--non-interactive'], ctx);
    expect(code, stderr.text.slice(-2000)).toBe(0);
    // the preamble (before the run) and the summary (after it): every line was written under the bound
    expect(seen.some((w) => w.text.includes('drill: scenario'))).toBe(true);
    const score = seen.findIndex((w) => /scorecard/i.test(w.text));
    expect(score, stderr.text.slice(-2000)).toBeGreaterThanOrEqual(0);
    expect(seen.filter((w) => !w.bounded).map((w) => w.text)).toEqual([]);
    expect(heapGrowthBounded()).toBe(false);
  }, 120_000);
});
