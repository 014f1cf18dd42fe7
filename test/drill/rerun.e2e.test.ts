/**
 * Issue 15 item 7: running a finished drill again prints its scorecard but does not journal a
 * second one (the journal's scorecard is the drill's, not one per invocation).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { incidents, journal, stateDir } from './helpers.js';

beforeAll(ensureBuilt);
const T = 180_000;

describe('a finished drill run again', () => {
  it('keeps one scorecard record', () => {
    const dir = stateDir('rerun');
    const args = ['drill', 'runbooks/slack-token-leak.yaml', '--yes', '--speed', '0', '--state-dir', dir, '--incident', 'again'];
    const first = cli(args, { timeout: T });
    expect(first.code, first.stderr).toBe(0);
    expect(incidents(dir)).toEqual(['again']);
    const count = () => journal(dir, 'again').filter((r) => r.type === 'scorecard').length;
    expect(count()).toBe(1);
    const second = cli(args, { timeout: T });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('Drill scorecard');
    expect(count()).toBe(1);
  }, T);
});
