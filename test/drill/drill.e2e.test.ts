/**
 * `runbook drill` end to end with the BUILT cli (npm run build first): every shipped runbook
 * with a scenario drills to completion and leaves the world in the expected end state; faults
 * are survived, or stop the run with the right exit code and resume to completion; a seeded
 * drill repeats itself exactly.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { drillableRunbooks, drillState, journal, outcomeTrail, scorecard, stateDir } from './helpers.js';

const FLAGSHIP = 'runbooks/hf-spaces-secrets-exposure.yaml';
const T = 180_000;

beforeAll(() => ensureBuilt());

/** The end state every finished drill must reach, read from its scorecard (checked against the world). */
function expectContained(sc: Record<string, any> | undefined): void {
  expect(sc, 'a finished drill journals a scorecard').toBeDefined();
  expect(sc!.status).toBe('done');
  expect(sc!.leaked).toBeGreaterThan(0);
  expect(sc!.leaked_dead, 'every leaked credential is dead in the world').toBe(sc!.leaked);
  expect(sc!.contain_ms).not.toBeNull();
  expect(sc!.consumers_rotated, 'every place that held a leaked value was rotated and reloaded').toBe(sc!.consumers);
  expect(sc!.notify_missing, 'every expected notification arrived').toEqual([]);
  expect(sc!.notify_duplicates, 'nobody was mailed twice').toEqual([]);
  expect(sc!.items_failed).toEqual([]);
  expect(sc!.items_in_doubt).toEqual([]);
  expect(sc!.adversary_persistence_live, 'no credential the attacker made is still live').toBe(0);
  expect(sc!.outbound_refused).toBe(0);
}

describe('shipped runbooks', () => {
  const runbooks = drillableRunbooks();

  it('include the flagship drill', () => {
    expect(runbooks).toContain(FLAGSHIP);
  });

  it.each(runbooks)('%s drills to completion in scripted mode with the world in its expected end state', (file) => {
    const dir = stateDir('shipped');
    const r = cli(['drill', file, '--yes', '--speed', '0', '--state-dir', dir], { timeout: T });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Drill scorecard');
    expectContained(scorecard(dir));
    const opened = journal(dir).find((x) => x.type === 'incident.opened');
    expect(opened?.mode).toBe('drill');
  }, T);
});

describe('the flagship drill', () => {
  it('revokes, rotates, restarts and notifies exactly once, in the world', () => {
    const dir = stateDir('flagship');
    const r = cli(['drill', FLAGSHIP, '--yes', '--speed', '0', '--state-dir', dir], { timeout: T });
    expect(r.code, r.stderr).toBe(0);
    const sc = scorecard(dir)!;
    expectContained(sc);
    expect(sc.leaked).toBe(4);
    expect(sc.consumers).toBe(4);
    // --speed 0: drill time moves only with the simulated responders and the final 30-minute
    // watch, after containment: every attempt is blocked, the one due at 30m during the watch too
    expect(sc.adversary_succeeded).toBe(0);
    expect(sc.adversary_blocked).toBe(5);
    const world = drillState(dir).world;
    const mails = (world.smtp.messages as { to: string[] }[]).flatMap((m) => m.to).sort();
    expect(mails).toEqual(['alice@acme.example', 'bob@acme.example', 'ml-admins@acme.example']);
    expect(world.pagerduty.incidents).toHaveLength(1);
    expect(world.pagerduty.incidents[0].triggers).toBe(1);
    expect(world.slack.messages.filter((m: { channel: string }) => m.channel === 'security-incidents')).toHaveLength(1);
    for (const sp of world.hf.spaces as { id: string; restarts: number; secrets: Record<string, { ref: Record<string, string> }> }[]) {
      if (sp.id === 'acme-ml/new-app') {
        expect(sp.restarts, 'the out-of-scope Space is left alone').toBe(0);
        continue;
      }
      expect(sp.restarts).toBe(1);
      expect(sp.secrets.HF_TOKEN!.ref).toEqual({ c: 'acme-spaces-runtime' });
    }
    // no credential value is kept next to the journal
    expect(JSON.stringify(drillState(dir))).not.toMatch(/hf_[A-Za-z0-9]{34}|api_org_[A-Za-z0-9]{34}/);
    expect(JSON.stringify(journal(dir))).not.toMatch(/hf_[A-Za-z0-9]{34}|api_org_[A-Za-z0-9]{34}/);
  }, T);

  it('stops at the first approval gate without --yes (exit 3), then resumes in the same world to completion', () => {
    const dir = stateDir('gate');
    const first = cli(['drill', FLAGSHIP, '--speed', '0', '--state-dir', dir, '--incident', 'gate-1'], { timeout: T });
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toMatch(/--approve revoke-tokens/);
    expect(first.stderr).toMatch(/── Drill scorecard so far \(the drill is not over\) — [^\n]* ──\n/);
    expect(first.stderr).not.toContain('── — so far');
    expect(scorecard(dir), 'an unfinished drill journals no scorecard').toBeUndefined();
    const second = cli(['drill', FLAGSHIP, '--yes', '--state-dir', dir, '--incident', 'gate-1'], { timeout: T });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/resumed at drill time/);
    expectContained(scorecard(dir));
    expect(drillState(dir).world.pagerduty.incidents[0].triggers, 'the page from the first run was not repeated').toBe(1);
  }, T);

  it('survives injected faults: 429s, 5xx and revokes whose answer is lost', () => {
    const dir = stateDir('faults');
    const faults = 'huggingface.revokeToken:ambiguous,huggingface.*:429x3,pagerduty.trigger:503x1,slack.postMessage:503x1,huggingface.restartSpace:502x1';
    const r = cli(['drill', FLAGSHIP, '--yes', '--speed', '0', '--seed', '11', '--faults', faults, '--state-dir', dir], { timeout: T });
    expect(r.code, r.stderr).toBe(0);
    const sc = scorecard(dir)!;
    expectContained(sc);
    expect(sc.faults_injected).toBeGreaterThanOrEqual(10);
    const recs = journal(dir);
    expect(recs.some((x) => x.type === 'verify' && x.on === 'retry' && x.state === 'done'), 'an ambiguous revoke was verified, not repeated blindly').toBe(true);
    expect(r.stderr).toMatch(/retry 2 in/);
  }, T);

  it('stops with exit 1 when a provider refuses, and resumes to completion once it is back', () => {
    const dir = stateDir('fail');
    const first = cli(['drill', FLAGSHIP, '--yes', '--speed', '0', '--faults', 'huggingface.listSpaces:400', '--state-dir', dir, '--incident', 'fail-1'], { timeout: T });
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(/find-spaces/);
    const second = cli(['drill', FLAGSHIP, '--yes', '--faults', 'none', '--state-dir', dir, '--incident', 'fail-1'], { timeout: T });
    expect(second.code, second.stderr).toBe(0);
    expectContained(scorecard(dir));
  }, T);

  it('repeats itself exactly with the same --seed (faults, outcomes, scorecard)', () => {
    const faults = 'huggingface.*:429@0.35,huggingface.revokeToken:ambiguous@0.5';
    const run = () => {
      const dir = stateDir('seed');
      const r = cli(['drill', FLAGSHIP, '--yes', '--speed', '0', '--seed', '424242', '--faults', faults, '--incident', 'seeded', '--state-dir', dir], { timeout: T });
      return { code: r.code, trail: outcomeTrail(journal(dir)), sc: scorecard(dir), state: drillState(dir) };
    };
    const a = run();
    const b = run();
    expect(b.code).toBe(a.code);
    expect(b.trail).toEqual(a.trail);
    expect(b.sc).toEqual(a.sc);
    expect(b.state.faultStats.injected).toEqual(a.state.faultStats.injected);
    expect(Object.values(a.state.faultStats.injected as Record<string, number>).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
  }, 2 * T);
});
