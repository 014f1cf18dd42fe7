/**
 * The TUI's mode (run all, or step by step) is saved in the incident's tui.json as it changes —
 * not only on quit: a drill running all its steps and killed with kill -9 resumes running all.
 * In-process: the real drill command and TUI on fake TTY streams; the file is read while the
 * run goes on (what kill -9 would leave), before any quit.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import drill from '../../src/commands/drill.js';
import { ROOT } from '../e2e/cli.js';
import { terminal, waitFor } from '../ui/helpers.js';

describe('runbook drill on a terminal — the mode is saved when it changes', () => {
  it('a (run all): tui.json says so at once, while the run goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-mode-'));
    const state = join(dir, 'state');
    const abort = new AbortController();
    const { stdin, stdout, ctx } = terminal(dir, { signal: abort.signal });
    const done = drill([join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml'), '--state-dir', state, '--incident', 'mode'], ctx);
    await waitFor(() => stdout.text.includes('Next step · find-spaces'), () => stdout.text.slice(-3000), 60_000);
    const file = join(state, 'incidents', 'mode', 'tui.json');
    stdin.type('a');
    await waitFor(() => existsSync(file), () => `no tui.json after a; screen:\n${stdout.text.slice(-2000)}`, 30_000);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ autoRun: true });
    abort.abort();
    await done;
  }, 120_000);
});
