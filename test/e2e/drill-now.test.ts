/**
 * now() in a drill is the drill world's time — its epoch (the incident's opening) plus the drill
 * clock — the time the simulators stamp CloudTrail events with: after a simulated responder takes
 * an hour, `event_time > now() - duration('30m')` holds for the attacker's action at 45 minutes and
 * not for the one at the start (with wall-clock time, both happened "seconds ago").
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, ROOT } from './cli.js';

beforeAll(ensureBuilt);

const DIR = join(ROOT, 'test', 'e2e', 'fixtures', 'drill-now');
const MIN = 60_000;

describe('now() in a drill', () => {
  it('is the drill world’s time, on the clock of the simulated CloudTrail events', () => {
    const state = mkdtempSync(join(tmpdir(), 'drill-now-'));
    const r = cli(['drill', join(DIR, 'now.yaml'), '--scenario', join(DIR, 'now.scenario.yaml'), '--yes', '--json', '--state-dir', state], { timeout: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const records = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; record?: Record<string, any> }).flatMap((e) => (e.type === 'record' && e.record ? [e.record] : []));
    const opened = Date.parse(records.find((x) => x.type === 'incident.opened')!.ts);
    const look = records.find((x) => x.type === 'step.finished' && x.step === 'look')!.outputs as { all: number; recent: number; now: string; first: string };
    // both attacker actions are found; only the one 15 minutes before now() is "in the last 30 minutes"
    expect(look.all).toBe(2);
    expect(look.recent).toBe(1);
    // now() is an hour of drill time after the opening (the responder took 60m), not seconds
    const now = Date.parse(look.now) - opened;
    expect(now).toBeGreaterThanOrEqual(60 * MIN);
    expect(now).toBeLessThan(61 * MIN);
    // the newest event is stamped when it was due: 45 minutes of drill time in
    const first = Date.parse(look.first) - opened;
    expect(first).toBeGreaterThanOrEqual(45 * MIN - 1000);
    expect(first).toBeLessThan(46 * MIN);
  });
});
