/**
 * `runbook status` gives every step line its title — started and finished steps too, not only
 * the pending ones — rendered with what is known (inputs, finished steps' outputs), a fan-out's
 * title at step level ("each of N items"), and a repeat round's step its inner step's title.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './cli.js';

beforeAll(ensureBuilt);

const RUNBOOK = `version: 1.1
id: titles
title: Titles
inputs:
  user: { type: string, default: alice }
providers: { sh: { type: shell } }
steps:
  - id: find
    kind: detect
    title: Find the tokens of \${{ inputs.user }}
    uses: sh.run
    with: { command: [node, -e, "console.log(JSON.stringify({owner: 'bob', ids: ['t1','t2']}))"], json: true, idempotent: true }
  - id: each
    kind: detect
    title: Look up \${{ item }}
    for_each: \${{ steps.find.outputs.json.ids }}
    uses: sh.run
    with: { command: [node, -e, "0"], idempotent: true }
  - id: broken
    kind: detect
    title: Ask \${{ steps.find.outputs.json.owner }} for the logs
    on_failure: continue
    uses: sh.run
    with: { command: [node, -e, "process.exit(3)"], idempotent: true }
  - id: loop
    kind: detect
    title: Look again
    needs: [each]
    repeat: { until: true, max: 2 }
    steps:
      - id: again
        kind: detect
        title: Look again for \${{ inputs.user }}
        uses: sh.run
        with: { command: [node, -e, "0"], idempotent: true }
  - id: tell
    kind: manual
    title: Call \${{ steps.find.outputs.json.owner }}
  - id: after
    kind: detect
    title: Check again
    uses: sh.run
    with: { command: [node, -e, "0"] }
`;

describe('runbook status: every step line has its title', () => {
  it('finished, failed, fan-out, repeat-round, waiting and pending steps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'status-titles-'));
    writeFileSync(join(dir, 'titles.yaml'), RUNBOOK);
    const run = cli(['run', 'titles.yaml', '--yes', '--state-dir', 'st', '--incident', 'i1'], { cwd: dir });
    expect(run.stderr).toContain('manual step tell is waiting');
    const st = cli(['status', 'i1', '--state-dir', 'st'], { cwd: dir });
    expect(st.code).toBe(0);
    const line = (id: string) => st.stdout.split('\n').find((l) => new RegExp(`^  \\S ${id.replace(/[#.]/g, '\\$&')}\\s`).test(l));
    expect(line('find')).toMatch(/✓ find\s+ok\s+Find the tokens of alice$/);
    expect(line('each')).toMatch(/✓ each\s+ok\s+2\/2 ok {2}Look up each of 2 items$/);
    expect(line('broken')).toMatch(/✗ broken\s+failed\s+Ask bob for the logs {2}— /);
    expect(line('loop')).toMatch(/✓ loop\s+ok\s+Look again$/);
    expect(line('loop#1.again')).toMatch(/✓ loop#1\.again\s+ok\s+Look again for alice$/);
    expect(line('tell')).toMatch(/◆ tell\s+waiting\s+Call bob {2}— manual step tell is waiting/);
    expect(line('after')).toMatch(/· after\s+pending\s+Check again$/);
    // a repeat's rounds are listed right under it, as the TUI's checklist shows them — not after the last step
    const ids = st.stdout.split('\n').map((l) => /^ {2}\S (\S+)\s/.exec(l)?.[1]).filter(Boolean);
    expect(ids.indexOf('loop#1.again')).toBe(ids.indexOf('loop') + 1);
    expect(ids.indexOf('tell')).toBeGreaterThan(ids.indexOf('loop#1.again'));
  });
});
