/**
 * Resumed after kill -9 on a terminal: the lock of the dead process is taken over and the TUI
 * says so as a note — the "Taking it over" line is not written to stderr, where it would
 * garble the loading screen. (Scripted runs keep the stderr line: test/e2e/lock.test.ts.)
 * In-process: the real drill command and TUI on fake TTY streams; the dead process is a lock
 * file naming a pid that is not running.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import drill from '../../src/commands/drill.js';
import { ownRecord } from '../../src/core/journal/lock.js';
import { ROOT } from '../e2e/cli.js';
import { terminal, plain, waitFor } from '../ui/helpers.js';


async function session(dir: string, state: string, before?: () => void) {
  const t = terminal(dir);
  before?.();
  const done = drill([join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml'), '--state-dir', state, '--incident', 'taken'], t.ctx);
  await waitFor(() => t.stdout.text.includes('Next step · find-spaces'), () => t.stdout.text.slice(-3000), 60_000);
  const screen = plain(t.stdout.text);
  t.stdin.type('q');
  await waitFor(() => t.stdout.text.includes('y quit'), () => t.stdout.text.slice(-2000), 60_000);
  t.stdin.type('y');
  await done;
  return { screen, stderr: t.stderr.text };
}

describe('resume on a terminal after kill -9', () => {
  it('the lock take-over is a note on screen, not a line on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-takeover-'));
    const state = join(dir, 'state');
    await session(dir, state);
    const second = await session(dir, state, () => writeFileSync(join(state, 'incidents', 'taken', 'lock'), JSON.stringify({ ...ownRecord('tester'), pid: 2 ** 22 + 17, procStart: 'x' })));
    expect(second.stderr).not.toContain('Taking it over');
    expect(second.stderr).not.toContain('which is gone');
  }, 120_000);
});
