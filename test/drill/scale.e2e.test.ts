/**
 * Issue 15: the flagship runbook drilled against a generated world of N leaked Hub tokens
 * (test/helpers/scale-world.mjs), and the outputs that used to grow with N — `status` and the
 * Markdown report — summarise the fan-outs: what needs attention in full, the rest counted;
 * `status --all` (its hint runs as printed) and the JSON report keep every item.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, ROOT } from '../e2e/cli.js';
// @ts-expect-error a plain .mjs helper (also run from the command line)
import { scaleScenario } from '../helpers/scale-world.mjs';

const N = 60;
const T = 300_000;
let dir: string;
let drilled: ReturnType<typeof cli>;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'runbook-scale-'));
  writeFileSync(join(dir, 'world.yaml'), (scaleScenario as (n: number) => string)(N));
  drilled = cli(['drill', join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml'), '--scenario', join(dir, 'world.yaml'), '--yes', '--speed', '0', '--done', 'fine-grained=confirmed', '--state-dir', join(dir, 'state'), '--incident', 'scale'], { timeout: T });
}, T);

describe(`the flagship runbook at ${N} leaked tokens`, () => {
  it('drills to completion: every leaked token found, dead, every Space rotated, every owner mailed', () => {
    expect(drilled.code, drilled.stderr.slice(-3000)).toBe(0);
    expect(drilled.stderr).toContain(`(${N}/${N} leaked credentials dead in the world)`);
    expect(drilled.stderr).toContain(`(${N}/${N} places that held a leaked value rotated and reloaded)`);
    expect(drilled.stderr).not.toMatch(/time to notify\s+not reached/);
  });

  it('status counts the finished items of each large fan-out; its hint lists every item', () => {
    const st = cli(['status', 'scale', '--state-dir', join(dir, 'state')]);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toContain(`revoke-tokens   ok        ${N}/${N} ok`);
    expect(st.stdout).toContain(`(${N} finished item(s) not listed)`);
    // only the small fan-outs (find-secrets and restart-spaces over 15 Spaces, notify-users over 15 owners) list their ok items
    expect(st.stdout.split('\n').filter((l) => /^ {6}\S+: ok$/.test(l)).length).toBe((3 * N) / 4);
    const hint = /→ Every item: (.+)$/m.exec(st.stdout)?.[1];
    expect(hint).toBeDefined();
    const argv = hint!.split(' ').slice(2); // node <cli> …args (no quoting needed here)
    expect(argv.slice(-1)).toEqual(['--all']);
    const all = cli(argv);
    expect(all.code, all.stderr).toBe(0);
    // every item of every fan-out: verify, revoke, rotate (N each) and the three small ones (N/4 each);
    // the 30-minute watch over the N revoked tokens is one line per watch, not one per item
    expect(all.stdout.split('\n').filter((l) => /^ {6}\S+: ok$/.test(l)).length).toBe(3 * N + (3 * N) / 4);
    expect(all.stdout).toMatch(new RegExp(`watch: 31 checks of ${N} items, 30m00s of 30m00s watched`));
  });

  it('the Markdown report counts routine item events and settled credentials; the JSON report has every one', () => {
    const md = cli(['report', 'scale', '--state-dir', join(dir, 'state')]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain(`**${N} leaked credentials**: ${N} revoked and verified dead`);
    expect(md.stdout).toMatch(new RegExp(`\\| \`revoke-tokens\` \\| ${N} routine item events`));
    expect(md.stdout).not.toContain('- **Revoked:**');
    const json = cli(['report', 'scale', '--state-dir', join(dir, 'state'), '--json']);
    const rep = JSON.parse(json.stdout) as { credentials: { role: string }[]; steps: { id: string; items: unknown[] }[] };
    expect(rep.credentials.filter((c) => c.role === 'leaked')).toHaveLength(N);
    expect(rep.steps.find((s) => s.id === 'revoke-tokens')!.items).toHaveLength(N);
  });
});
