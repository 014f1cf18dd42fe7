/**
 * The TUI as a person uses it: the BUILT cli inside tmux (a real terminal, 100×30), keys sent
 * with send-keys, the screen read with capture-pane — approve a gate, deny one, tick a manual
 * step with a note, quit mid-run, start again with the resume command shown, and finish.
 * Every wait polls the screen for a condition under an overall deadline (no fixed sleeps).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt } from './cli.js';
import { hasTmux, Tmux } from './tmux.js';
import { loadedPackages, startedModules } from './loaded-packages.js';

const OVERALL_MS = 150_000;

const RUNBOOK = `version: 1
id: tui-e2e
title: TUI end-to-end drill
severity: critical
providers:
  sh: { type: shell }
steps:
  - id: find
    kind: detect
    title: Find the leaked token
    uses: sh.run
    with: { command: [node, -e, "for (let i = 0; i < 5; i++) console.log('scan line ' + i)"] }
  - id: revoke
    kind: revoke
    title: Revoke the token
    uses: sh.run
    with: { command: [node, -e, "console.log('revoked-marker')"], verify_command: [node, -e, "process.exit(0)"] }
  - id: rotate
    kind: rotate
    title: Rotate the deploy key
    uses: sh.run
    with: { command: [node, -e, "console.log('rotated')"] }
  - id: tell
    kind: manual
    title: Tell the security channel
    instructions: Post **what** leaked, never the value.
    evidence: note
  - id: wrapup
    kind: notify
    title: Final notify
    uses: sh.run
    with: { command: [node, -e, "console.log('notified')"] }
`;

// wrapped lines joined; the screen read every 100 ms
const t = new Tmux({ joined: true, pollMs: 100 });
const deadline = Date.now() + OVERALL_MS;
const screen = (s: string) => t.screen(s);
/** waits for `needle` on session `s`'s screen, under the overall deadline */
const waitFor = (s: string, needle: string | RegExp, ms = 30_000) =>
  t.until(s, (text) => (typeof needle === 'string' ? text.includes(needle) : needle.test(text)), String(needle), Math.min(deadline, Date.now() + ms) - Date.now());
const keys = (s: string, ...k: string[]) => t.keys(s, ...k);
const type = (s: string, text: string) => t.type(s, text);
/** at 100×30; NO_COLOR keeps the capture readable, CI=0 so Ink renders as on a person's terminal */
const start = (name: string, cwd: string, command: string) => t.start(name, cwd, command, 100, 30);

function journal(dir: string, incident: string): { type: string; [k: string]: unknown }[] {
  return readFileSync(join(dir, 'state', 'incidents', incident, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string });
}

describe.skipIf(!hasTmux)('runbook run — the TUI in tmux', () => {
  beforeAll(ensureBuilt);
  afterAll(() => t.kill());

  it('approve a gate, deny one, tick a manual step with a note, quit, resume with the shown command, finish', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-tui-'));
    writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
    const incident = 'e2e-tui';
    start('one', dir, `node ${CLI} run rb.yaml --state-dir state --incident ${incident}`);

    // the first complete frame: header with the LIVE badge, the checklist, what is asked
    let s = await waitFor('one', 'Next step · find', 60_000);
    expect(s).toMatch(/● LIVE\s+TUI end-to-end drill\s+CRITICAL\n.*incident e2e-tui/);
    expect(s).toMatch(/○ pending\s+revoke\s+Revoke the token/);
    expect(s).toContain('⏎ run step');
    keys('one', 'Enter');

    // gate 1: the plan is shown, then approved
    await waitFor('one', 'Next step · revoke');
    keys('one', 'Enter');
    s = await waitFor('one', 'Approval needed · revoke');
    expect(s).toContain('This will:');
    expect(s).toContain('revoked-marker');
    expect(s).toMatch(/y approve\s+d deny…/);
    keys('one', 'y');

    // gate 2: denied with a reason
    await waitFor('one', 'Next step · rotate');
    s = screen('one');
    expect(s).toMatch(/✓ done\s+revoke\s+Revoke the token/);
    keys('one', 'Enter');
    await waitFor('one', 'Approval needed · rotate');
    keys('one', 'd');
    await waitFor('one', 'Deny rotate — reason (optional)');
    type('one', 'deploy key never left the vault');
    await waitFor('one', '› deploy key never left the vault');
    keys('one', 'Enter');

    // the manual step, ticked off with a note
    await waitFor('one', 'Next step · tell');
    expect(screen('one')).toMatch(/↷ skipped\s+rotate/);
    keys('one', 'Enter');
    s = await waitFor('one', 'Manual step · tell');
    expect(s).toContain('Post what leaked, never the value.');
    expect(s).toContain('Evidence: a note (required)');
    keys('one', 'Enter');
    await waitFor('one', 'Note: what was done');
    type('one', 'posted in #sec-incidents');
    await waitFor('one', '› posted in #sec-incidents');
    keys('one', 'Enter');

    // quit mid-run, at the last step: state kept, resume command shown, terminal not raw
    await waitFor('one', 'Next step · wrapup');
    expect(screen('one')).toMatch(/✓ done\s+manual\s+Tell the security channel/);
    keys('one', 'q');
    s = await waitFor('one', 'Quit now?');
    expect(s.replace(/\s*\n\s*/g, ' ')).toContain(`resume with: node ${CLI} run rb.yaml --incident ${incident} --state-dir state`);
    keys('one', 'y');
    s = await waitFor('one', 'EXIT=130');
    // the command is printed the way the CLI was started (not on PATH as `runbook` here), so it runs as printed
    const resume = /→ Resume: (node .+)$/m.exec(s)?.[1]?.trim();
    expect(resume).toBe(`node ${CLI} run rb.yaml --incident ${incident} --state-dir state`);
    const tty = t.run('display', '-p', '-t', 'one', '#{pane_tty}').trim();
    const stty = spawnSync('stty', ['-a', '-F', tty], { encoding: 'utf8' }).stdout;
    expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
    expect(stty).toMatch(/(^|\s)echo(\s|$)/);

    let recs = journal(dir, incident);
    expect(recs).toContainEqual(expect.objectContaining({ type: 'approval', step: 'revoke', decision: 'approved', via: 'tui' }));
    expect(recs).toContainEqual(expect.objectContaining({ type: 'approval', step: 'rotate', decision: 'denied', reason: 'deploy key never left the vault' }));
    expect(recs).toContainEqual(expect.objectContaining({ type: 'manual', step: 'tell', note: 'posted in #sec-incidents', via: 'tui' }));
    expect(recs.at(-1)).toMatchObject({ type: 'run.stopped', reason: 'interrupted' });
    expect(recs.some((r) => r.type === 'step.finished' && r.step === 'wrapup')).toBe(false);

    // start again with the command that was shown: the checklist is where we left it
    start('two', dir, resume!);
    s = await waitFor('two', 'Next step · wrapup', 60_000);
    expect(s).toContain('resumed');
    expect(s).toMatch(/✓ done\s+detect\s+Find the leaked token/);
    expect(s).toMatch(/✓ done\s+revoke\s+Revoke the token/);
    expect(s).toMatch(/↷ skipped\s+rotate/);
    expect(s).toMatch(/✓ done\s+manual\s+Tell the security channel/);
    keys('two', 'Enter');
    s = await waitFor('two', 'Run done');
    expect(s).toContain(`Report:  node ${CLI} report ${incident} --state-dir state`);
    expect(s).toMatch(/✓ done\s+notify\s+Final notify/);
    keys('two', 'q');
    s = await waitFor('two', 'EXIT=0');
    expect(s).toContain(`incident ${incident} done.`);

    recs = journal(dir, incident);
    expect(recs.at(-1)).toMatchObject({ type: 'run.stopped', reason: 'done' });
    // nothing was done twice
    expect(recs.filter((r) => r.type === 'intent' && r.step === 'revoke')).toHaveLength(1);
    expect(recs.filter((r) => r.type === 'intent' && r.step === 'rotate')).toHaveLength(0);
    expect(recs.filter((r) => r.type === 'manual')).toHaveLength(1);
    expect(recs.filter((r) => r.type === 'step.finished' && r.step === 'wrapup' && r.status === 'ok')).toHaveLength(1);
  }, OVERALL_MS + 10_000);
});

// Ink is bundled into the TUI's own chunk (dist/ui-*.js), so a tracer of bare package names
// cannot see it: trace every module URL instead.
describe('the TUI', () => {
  beforeAll(ensureBuilt);
  it('is loaded only by an interactive run: never by --help, a scripted run or a plan', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-tui-'));
    writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
    const runs = [
      ['--help'],
      ['run', '--help'],
      ['plan', 'rb.yaml'],
      ['run', 'rb.yaml', '--state-dir', join(dir, 'state'), '--incident', 'scripted', '--non-interactive'],
    ];
    for (const args of runs) {
      const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/e2e/fixtures/trace-resolve.mjs'), CLI, ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
      if (args[0] === 'plan') expect(startedModules(r.stderr), 'the tracer sees the runner').toContain('src/commands/plan.ts');
      expect(startedModules(r.stderr).filter((m) => (m.startsWith('src/ui/') && m !== 'src/ui/first-line.ts') || /node_modules\/(ink|react)\//.test(m)), args.join(' ')).toEqual([]);
      expect([...loadedPackages(r.stderr)].filter((p) => p === 'ink' || p === 'react'), args.join(' ')).toEqual([]);
    }
    // the interactive path does start it: test/e2e/first-frame.tui.test.ts
  });
});
