/**
 * A short smoke run of the crash sweep (scripts/crash-sweep.mjs; the full one is
 * `npm run crash-sweep`): a few labelled crash points and one random kill of the smallest shipped
 * drill, each resumed until done — nothing lost, no duplicate effect in the world.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../e2e/cli.js';

beforeAll(() => ensureBuilt());

describe('crash sweep (smoke)', () => {
  it('kills the slack-token-leak drill at labelled points and at random, resumes each to done: 0 lost, 0 duplicates', () => {
    const json = join(mkdtempSync(join(tmpdir(), 'sweep-smoke-')), 'out.json');
    const r = spawnSync(process.execPath, ['scripts/crash-sweep.mjs', '--runbook', 'slack-token-leak', '--points', '6', '--random', '1', '--jobs', '2', '--json', json], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| runbook \| trials \| finished \(same command\) \| needed operator help/);
    const trials = (JSON.parse(readFileSync(json, 'utf8')) as { killed: boolean; done: boolean; lost: string[]; duplicates: string[] }[]).filter((t) => t.killed);
    expect(trials.length).toBeGreaterThanOrEqual(5);
    for (const t of trials) {
      expect(t.done).toBe(true);
      expect(t.lost).toEqual([]);
      expect(t.duplicates).toEqual([]);
    }
  }, 320_000);
});
