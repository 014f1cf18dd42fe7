/**
 * `status` and `incidents` of a run without a closing record: the incident's lock says whether
 * it is running now (another terminal) or stopped without closing (kill -9). Seen driving the
 * TUI: status said "running (or stopped without closing: resume to settle)" and printed a
 * Resume command while the run went on in the next pane — that command only meets the lock.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './cli.js';
import { ownRecord } from '../../src/core/journal/lock.js';
import { FixedJournal } from '../report/writer.js';
import { tempDir } from '../report/harness.js';

beforeAll(ensureBuilt);
const t = tempDir('status-lock-');
afterAll(() => t.cleanup());

function incident(id: string, lock: object): void {
  const j = new FixedJournal(t.dir, id, new Date(Date.now() - 60_000).toISOString());
  j.open('live', { id: 'rb', title: 'T', severity: 'high', path: 'nowhere.yaml' }).add({ type: 'step.started', step: 'a' });
  const file = j.write();
  writeFileSync(join(file, '..', 'lock'), JSON.stringify(lock));
}

describe('status of a run that has not closed', () => {
  it('running now (a live process holds the lock): says so, and gives no bare Resume', () => {
    // this test process holds the lock: alive, the same process
    incident('inc-live', ownRecord('tester'));
    const r = cli(['status', 'inc-live', '--state-dir', t.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/state: running now — pid \d+ is running/);
    expect(r.stdout).not.toContain('→ Resume:');
    expect(r.stdout).toContain('only once that one has stopped');
    const l = cli(['incidents', '--state-dir', t.dir]);
    expect(l.stdout).toMatch(/inc-live .*running now — pid \d+ is running/);
  });

  it('stopped without closing (the lock\'s process is gone): resume to settle, with the command', () => {
    incident('inc-dead', { ...ownRecord('tester'), pid: 2 ** 22 + 17, procStart: 'x' });
    const r = cli(['status', 'inc-dead', '--state-dir', t.dir]);
    expect(r.stdout).toMatch(/state: stopped without closing — pid \d+ is not running: resume to settle/);
    expect(r.stdout).toContain('→ Resume:');
    // its started step is not "running": the process that ran it is gone (seen after a kill -9 at a gate)
    expect(r.stdout).toMatch(/■ a\s+stopped/);
    expect(r.stdout).not.toMatch(/ a\s+running/);
  });
});

describe('attach on a local incident', () => {
  it('says what to run instead, as it runs: this incident, this state directory', () => {
    const r = cli(['attach', 'inc-live', '--state-dir', t.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('runbook attach: runbook attach');
    expect(r.stderr).toContain(`status inc-live --state-dir ${t.dir}\``);
    expect(r.stderr).not.toContain('status ID');
  });
});
