/**
 * runbooks/aws-credential-compromise.yaml (AWS's credential-leakage run-book) drilled end to end
 * through the BUILT cli in scripted mode, against the drill's own IAM / CloudTrail / GuardDuty
 * simulator (scenario runbooks/scenarios/aws-credential-compromise.scenario.yaml): the attacker
 * makes a second key, uses a role, and — 8 drill minutes in, after containment — assumes the
 * role again with its second key.
 *
 * Won only because the first watch sees that new session, the eradication loop runs until a
 * look finds nothing live (2 rounds), and the last watch holds for 30 drill minutes while the
 * attacker's later attempts are denied. The variant whose loop finds but does not disable fails
 * at the last watch, with an attacker-made credential still live.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliAsync } from '../e2e/cli.js';
import { drill, drillDone, drillStops, drillValues, everythingWritten, expectNoValues, expectTemplatesRender, onlyIncident, runbookPath, scenarioPath, status, tempDir } from './helpers.js';

const NAME = 'aws-credential-compromise';

interface AwsWorldJson {
  keys: { ref: { c?: string }; status: string; present: boolean }[];
  created?: { n: number; user: string; status: string; present: boolean }[];
  inline?: { holder: string; policies: Record<string, string> }[];
  sessions?: { n: number; role: string; issued: string; source: string }[];
  trail?: { name: string; accessKeyId: string | null; errorCode?: string; time: string }[];
}
function awsWorld(stateDir: string, incident: string): AwsWorldJson {
  const file = join(stateDir, 'incidents', incident, 'drill', 'state.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { world: { aws: AwsWorldJson } }).world.aws;
}

describe('aws-credential-compromise drill', { timeout: 180_000 }, () => {
  const values = drillValues(NAME);
  const leakedId = values.credential('ci-deployer-key').value;
  let tmp: ReturnType<typeof tempDir> | undefined;
  afterEach(() => tmp?.remove());

  it('is won with --yes: both watches on drill time, two eradication rounds, every attacker credential dead', async () => {
    tmp = tempDir('awscc');
    const { r, id, st } = await drillDone(NAME, tmp.dir, ['--yes', '--speed', '0']);
    const sc = st.scorecard!;
    expect(sc).toMatchObject({ status: 'done', leaked: 1, leaked_dead: 1, adversary_persistence_live: 0, adversary_blocked: 2, items_failed: [], items_in_doubt: [], notify_missing: [], outbound_refused: 0 });
    // the attacker's first moves (before anyone could act) and its new session at 8m succeeded; the 20m and 25m ones were denied
    expect(sc.adversary_actions).toEqual([
      expect.stringMatching(/^0ms aws.create_key .*succeeded/),
      expect.stringMatching(/^0ms aws.assume_role .*succeeded/),
      expect.stringMatching(/^0ms aws.use_role .*succeeded/),
      expect.stringMatching(/^8m00s aws.assume_role .*succeeded/),
      expect.stringMatching(/^20m00s aws.use_role .*blocked/),
      expect.stringMatching(/^25m00s aws.create_key .*blocked/),
    ]);

    const out = (step: string) => st.steps[step]?.outputs as Record<string, any>;
    // evidence found the second key and the role in CloudTrail
    expect(out('evidence').created_key_ids).toHaveLength(1);
    expect(out('evidence').roles).toEqual(['deploy']);
    // the first watch saw the new session (3 drill minutes into it) and ended there
    expect(out('watch-use')).toMatchObject({ seen: true, checks: 4 });
    expect(st.steps['deny-user']?.status).toBe('ok');
    // the loop: round 1 found two live credentials and disabled them, round 2 found none
    expect(out('eradicate')).toMatchObject({ rounds: 2, until_met: true });
    expect(out('eradicate#1.hunt').live_credentials).toBe(2);
    expect(out('eradicate#2.hunt').live_credentials).toBe(0);
    // the last watch held for its whole 30 minutes
    expect(out('watch-after')).toMatchObject({ seen: false, checks: 31, watched_ms: 30 * 60_000 });

    const w = awsWorld(tmp.dir, id);
    expect(w.keys.find((k) => k.ref.c === 'ci-deployer-key')).toMatchObject({ status: 'Inactive', present: true });
    expect(w.created).toEqual([{ n: 1, user: 'ci-deployer', status: 'Inactive', present: true }]);
    expect(w.sessions?.map((s) => s.role)).toEqual(['deploy', 'deploy']);
    const inline = Object.fromEntries((w.inline ?? []).map((x) => [x.holder, x.policies]));
    expect(Object.keys(inline['role/deploy'] ?? {})).toEqual(['AWSRevokeOlderSessions']);
    const revokedBefore = (JSON.parse(inline['role/deploy']!.AWSRevokeOlderSessions!) as { Statement: { Condition: { DateLessThan: Record<string, string> } }[] }).Statement[0]!.Condition.DateLessThan['aws:TokenIssueTime']!;
    for (const s of w.sessions ?? []) expect(Date.parse(s.issued), 'every session was issued before the last revocation').toBeLessThan(Date.parse(revokedBefore));
    expect(Object.keys(inline['user/ci-deployer'] ?? {})).toEqual(['RunbookIncidentDenyAll']);
    // CloudTrail holds what the attacker did, denied attempts included (a call signed with the
    // deactivated key fails authentication and is not recorded under the user, as in AWS)
    const trail = (w.trail ?? []).map((e) => `${e.name}${e.errorCode ? `:${e.errorCode}` : ''}`);
    expect(trail).toEqual(['CreateAccessKey', 'AssumeRole', 'RunInstances', 'AssumeRole', 'RunInstances:AccessDenied']);
    expect((w.trail ?? [])[0]!.accessKeyId).toBe(leakedId);

    expectNoValues(values.values, everythingWritten(tmp.dir, id, [r]));
    expect(await expectTemplatesRender(NAME, st)).toBeGreaterThan(10);
  });

  it('stopped at the approval gate inside round 1 and resumed, finds the same world: CloudTrail history, sessions and policies restored', async () => {
    tmp = tempDir('awscc-resume');
    const { id } = await drillStops(NAME, tmp.dir, ['--speed', '0', '--approve', 'contain-key', '--approve', 'revoke-sessions', '--approve', 'deny-user'], /eradicate#1\.disable-new-keys \(revoke\) needs approval/);
    const second = await drill(NAME, tmp.dir, ['--incident', id, '--yes', '--speed', '0']);
    expect(second.code, second.stderr).toBe(0);
    const st = status(tmp.dir, id);
    expect(st.scorecard).toMatchObject({ status: 'done', adversary_persistence_live: 0, adversary_blocked: 2, items_failed: [] });
    // round 2 ran in the resumed process: it read the history the first process's world recorded
    const hunt2 = st.steps['eradicate#2.hunt']?.outputs as Record<string, any>;
    expect(hunt2.created_key_ids).toHaveLength(1);
    expect(hunt2.roles).toEqual(['deploy']);
    expect(hunt2.live_credentials).toBe(0);
    const w = awsWorld(tmp.dir, id);
    expect((w.trail ?? []).map((e) => e.name)).toEqual(['CreateAccessKey', 'AssumeRole', 'RunInstances', 'AssumeRole', 'RunInstances']);
    expect(w.sessions).toHaveLength(2);
  });

  it('is lost when the loop finds but does not disable: the last watch fails on the attacker’s session, which is still live', async () => {
    tmp = tempDir('awscc-noloop');
    const text = readFileSync(runbookPath(NAME), 'utf8')
      .replace('scenario: scenarios/aws-credential-compromise.scenario.yaml', `scenario: ${scenarioPath(NAME)}`)
      .replace('if: length(steps.hunt.outputs.live_keys) > 0', 'if: false')
      .replace('if: length(steps.hunt.outputs.live_roles) > 0', 'if: false')
      .replace('until: steps.hunt.outputs.live_credentials == 0', 'until: true');
    const file = join(tmp.dir, 'no-eradication.yaml');
    writeFileSync(file, text);
    const r = await cliAsync(['drill', file, '--state-dir', tmp.dir, '--yes', '--speed', '0']).done;
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/watch-after.*fail_if \(result\.succeeded > 0\) seen/);
    const st = status(tmp.dir, onlyIncident(tmp.dir));
    expect(st.steps['watch-after']?.status).toBe('failed');
    expect(st.scorecard?.adversary_persistence_live).toBeGreaterThan(0);
  });
});
