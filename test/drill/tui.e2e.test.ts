/**
 * The flagship drill in the TUI, as a newcomer meets it: the BUILT cli in tmux, run all, approve
 * the gates, tick the manual steps with a note, and read the scorecard at the end — here with
 * the drill clock fast (`--speed 600`: a real second is ten drill minutes), so the attacker
 * gets to act before the approval. Every wait polls the screen (no fixed sleeps).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, ensureBuilt } from '../e2e/cli.js';
import { journal, scorecard } from './helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `runbook-drill-tui-${process.pid}`;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const screen = () => tmux('capture-pane', '-p', '-J', '-t', 'drill');
const keys = (...k: string[]) => tmux('send-keys', '-t', 'drill', ...k);

async function until(cond: (s: string) => boolean, what: string, ms = 60_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (cond(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasTmux)('runbook drill — the TUI in tmux', () => {
  beforeAll(ensureBuilt);
  afterAll(() => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  });

  it('runs the flagship drill to the end and shows the scorecard, attacker included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-tui-'));
    const cmd = `node ${CLI} drill ${join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml')} --state-dir state --incident tui-drill --speed 600`;
    tmux('new-session', '-d', '-s', 'drill', '-x', '120', '-y', '40', '-c', dir, `env NO_COLOR=1 CI=0 ${cmd}; echo EXIT=$?; sleep 300`);

    let s = await until((t) => t.includes('Next step · find-spaces'), 'the first frame');
    expect(s).toContain('[DRILL]');
    keys('a');
    let notes = 0;
    // answer whatever the run asks, in whatever order its branches ask it
    s = await until((t) => {
      if (/Note: /.test(t) && !t.includes('› drill note')) {
        tmux('send-keys', '-t', 'drill', '-l', `drill note ${++notes}`);
        return false;
      }
      if (t.includes('› drill note')) keys('Enter');
      else if (t.includes('Approval needed ·')) keys('y');
      else if (t.includes('Manual step ·')) keys('Enter');
      return t.includes('Run done');
    }, 'the end of the run', 120_000);
    expect(s).toContain('Drill scorecard (drill time): detect');
    expect(s).toMatch(/contain \S+ \(4\/4/);
    keys('q');
    s = await until((t) => t.includes('EXIT=0'), 'the exit');
    expect(s).toContain('── Drill scorecard — hf-spaces-may-2024');
    const sc = scorecard(join(dir, 'state'))!;
    expect(sc.status).toBe('done');
    expect(sc.leaked_dead).toBe(4);
    expect(sc.adversary_succeeded, 'the attacker acted while the gate waited').toBeGreaterThan(0);
    expect(journal(join(dir, 'state')).filter((r) => r.type === 'manual' && r.via === 'tui')).toHaveLength(2);
  }, 200_000);
});
