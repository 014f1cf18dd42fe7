/** Issue 11 item 11: a run that stops on an item in doubt says so in `--json` with a `waiting` event. */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cli, ensureBuilt } from './cli.js';
import { cliWorkspace } from '../engine/helpers.js';

beforeAll(ensureBuilt);

describe('--json and an item in doubt', () => {
  it('emits a waiting event (on: in-doubt) naming the item and the --settle flag', () => {
    const { dir } = cliWorkspace('doubt-json', 'noverify.yaml');
    const base = ['run', 'noverify.yaml', '--incident', 'nv', '--state-dir', join(dir, 'state'), '--input', `effects=${join(dir, 'effects.log')}`];
    const crashed = cli(base, { cwd: dir, env: { RUNBOOK_CRASH_AT: 'before-write:outcome#1' } });
    expect(crashed.signal).toBe('SIGKILL');
    const r = cli([...base, '--break-lock', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    const events = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const waiting = events.filter((e) => e.type === 'waiting');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ step: 'page', item: '-', on: 'in-doubt' });
    expect(String(waiting[0]!.hint)).toContain('--settle page=done');
    expect(events.at(-1)).toMatchObject({ type: 'run.end', status: 'waiting', exitCode: 3 });
  });
});
