/**
 * The drill clock starts on the responder's first key (issue 12): the scenario's attacker makes
 * no move before it — not even the moves due at 0s of aws-credential-compromise. In-process: the
 * real drill command, the shipped runbook and scenario, the real TUI on fake TTY streams; the
 * drill is stopped (its signal) with no key ever pressed.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import drill from '../../src/commands/drill.js';
import { ROOT } from '../e2e/cli.js';
import { terminal, waitFor } from '../ui/helpers.js';

describe('runbook drill on a terminal — no attacker move before the first key', () => {
  it('aws-credential-compromise: the world is up, no key pressed, the 0s moves have not happened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-attacker-waits-'));
    const state = join(dir, 'state');
    const abort = new AbortController();
    const { stdout, ctx } = terminal(dir, { signal: abort.signal });
    const done = drill([join(ROOT, 'runbooks/aws-credential-compromise.yaml'), '--state-dir', state, '--incident', 'waits'], ctx);
    const snapshot = join(state, 'incidents', 'waits', 'drill', 'state.json');
    await waitFor(() => stdout.text.includes('Next step') && existsSync(snapshot), () => stdout.text.slice(-3000), 60_000);
    // a few engine ticks with the world up and no key pressed
    await new Promise((r) => setTimeout(r, 1000));
    abort.abort();
    await done;
    const saved = JSON.parse(readFileSync(snapshot, 'utf8')) as { adversary: unknown[]; clockMs: number };
    expect(saved.clockMs).toBe(0);
    expect(saved.adversary).toEqual([]);
    const journal = readFileSync(join(state, 'incidents', 'waits', 'journal.jsonl'), 'utf8');
    expect(journal).not.toContain('drill: adversary');
  }, 120_000);
});
