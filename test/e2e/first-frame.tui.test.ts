/**
 * The first frame of `runbook drill` on a terminal (issue 12), the built CLI in tmux at 80×24:
 * - the header's first line is written as plain text before Ink is imported, and Ink's first
 *   frame draws the same characters over it (nothing flashes); the TUI's code (Ink) starts
 *   before the drill command's own code (runbook parser, engine, simulators);
 * - a run that cannot start takes that frame down before the error prints (a clean terminal).
 * The pane's raw output comes from `tmux pipe-pane`; which modules start, in which order, from the
 * module tracer (fixtures/trace-resolve.mjs) with stderr sent to a file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt } from './cli.js';
import { Tmux, hasTmux } from './tmux.js';
import { startedModules } from './loaded-packages.js';

const t = new Tmux();
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

beforeAll(ensureBuilt);
afterAll(() => t.kill());

describe.skipIf(!hasTmux)('the first frame of a drill', () => {
  it("is the header's first line at once, then Ink's frame over the same characters; the TUI loads before the drill's code", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-first-'));
    const out = join(dir, 'pane.out');
    const trace = join(dir, 'trace.txt');
    // the command waits for `go`, so the pane's output is piped from its very first byte
    t.start('ff', dir, `sh -c 'while [ ! -e go ]; do sleep 0.05; done; exec ${process.execPath} --import ${join(ROOT, 'test/e2e/fixtures/trace-resolve.mjs')} ${CLI} drill hf-spaces-secrets-exposure --state-dir ${join(dir, 'state')} 2>${trace}'`, 80, 24);
    t.run('pipe-pane', '-o', '-t', 'ff', `cat >> ${out}`);
    writeFileSync(join(dir, 'go'), '');
    await t.until('ff', (s) => s.includes('Next step · find-spaces') && s.includes('q quit'), 'the first prompt', 60_000);
    const bytes = readFileSync(out, 'utf8');
    // the very first bytes: the header's first line, plain, the cursor back at its start
    expect(bytes.startsWith('\r[DRILL] starting…\r'), JSON.stringify(bytes.slice(0, 80))).toBe(true);
    // Ink's first frame starts with the same line, so nothing on screen changes but the rest appears
    const ink = plain(bytes.slice('\r[DRILL] starting…\r'.length));
    expect(ink, JSON.stringify(ink.slice(0, 80))).toMatch(/^\[DRILL\] starting…\r?\n/);
    expect(ink).toContain("starting the drill's simulated world for hf-spaces-secrets-exposure…");
    // the TUI (and Ink) started before the drill command's own code
    const started = startedModules(readFileSync(trace, 'utf8'));
    const ui = started.indexOf('src/ui/index.tsx');
    const inkStarted = started.indexOf('node_modules/ink/build/index.js');
    const drill = started.indexOf('src/commands/drill.ts');
    expect(ui, started.join(' ')).toBeGreaterThan(-1);
    expect(inkStarted, started.join(' ')).toBeGreaterThan(-1);
    expect(drill, started.join(' ')).toBeGreaterThan(Math.max(ui, inkStarted));
    t.keys('ff', 'q');
    await t.until('ff', (s) => s.includes('y quit'), 'the quit question');
    t.keys('ff', 'y');
    await t.until('ff', (s) => /EXIT=\d+/.test(s), 'the exit');
    t.run('kill-session', '-t', 'ff');
    expect(existsSync(join(dir, 'state'))).toBe(true);
  }, 120_000);

  it('a drill that cannot start takes the frame down before the error prints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-first-'));
    // --concurrency is checked by the command after the first frame went up
    t.start('bad', dir, `${process.execPath} ${CLI} drill hf-spaces-secrets-exposure --concurrency 0 --state-dir ${join(dir, 'state')}`, 80, 24);
    const s = await t.until('bad', (x) => /EXIT=\d+/.test(x), 'the exit');
    expect(s).toContain('--concurrency must be a whole number from 1 to 64');
    expect(s).toContain('EXIT=2');
    expect(s).not.toContain('[DRILL]');
    expect(s).not.toContain('loading');
    expect(s).not.toContain('starting…');
    t.run('kill-session', '-t', 'bad');
  }, 60_000);
});
