/**
 * The flagship drill in the TUI, as a newcomer meets it: the BUILT cli in tmux, run all, approve
 * the gates, tick the manual steps with a note, and read the scorecard at the end — here with
 * the drill clock fast (`--speed 600`: a real second is ten drill minutes), so the attacker
 * gets to act before the approval. Every wait polls the screen (no fixed sleeps).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, ensureBuilt } from '../e2e/cli.js';
import { hasTmux, Tmux } from '../e2e/tmux.js';
import { journal, scorecard } from './helpers.js';

// one session, `drill`; wrapped lines joined; the screen read every 100 ms (keys are sent from the condition)
const t = new Tmux({ joined: true, pollMs: 100 });
const keys = (...k: string[]) => t.keys('drill', ...k);
const until = (cond: (s: string) => boolean, what: string, ms = 60_000) => t.until('drill', cond, what, ms);

describe.skipIf(!hasTmux)('runbook drill — the TUI in tmux', () => {
  beforeAll(ensureBuilt);
  afterAll(() => t.kill());

  it('runs the flagship drill to the end and shows the scorecard, attacker included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-tui-'));
    const cmd = `node ${CLI} drill ${join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml')} --state-dir state --incident tui-drill --speed 600`;
    t.start('drill', dir, cmd, 120, 40);

    let s = await until((x) => x.includes('Next step · find-spaces'), 'the first frame');
    expect(s).toContain('[DRILL]');
    keys('a');
    let notes = 0;
    // answer whatever the run asks, in whatever order its branches ask it
    s = await until((x) => {
      if (/Note: /.test(x) && !x.includes('› drill note')) {
        t.type('drill', `drill note ${++notes}`);
        return false;
      }
      if (x.includes('› drill note')) keys('Enter');
      else if (x.includes('Approval needed ·')) keys('y');
      else if (x.includes('Manual step ·')) keys('Enter');
      return x.includes('Run done');
    }, 'the end of the run', 120_000);
    expect(s).toContain('Drill scorecard (drill time): detect');
    expect(s).toMatch(/contain \S+ \(4\/4/);
    keys('q');
    s = await until((x) => x.includes('EXIT=0'), 'the exit');
    expect(s).toContain('── Drill scorecard — hf-spaces-may-2024');
    const sc = scorecard(join(dir, 'state'))!;
    expect(sc.status).toBe('done');
    expect(sc.leaked_dead).toBe(4);
    expect(sc.adversary_succeeded, 'the attacker acted while the gate waited').toBeGreaterThan(0);
    expect(journal(join(dir, 'state')).filter((r) => r.type === 'manual' && r.via === 'tui')).toHaveLength(2);
  }, 200_000);
});
