/**
 * runbooks/github-token-leak.yaml drilled to completion through the BUILT cli in scripted mode
 * (scenario runbooks/scenarios/github-token-leak.scenario.yaml: two alerts for dana's PATs,
 * one live and held by the RELEASE_TOKEN Actions secret, one already dead).
 *
 * End state checked against the simulated world (the drill's scorecard and world snapshot):
 * both tokens dead and verified dead, RELEASE_TOKEN holds the replacement (NPM_TOKEN untouched),
 * both alerts resolved as revoked, one mail to dana and one message in #security-incidents —
 * also when the run stops at its approval gates and is resumed, and when GitHub and Slack fail
 * once. No credential value appears in any output, file or report.
 *
 * `--speed 0`: only the simulated responder moves the drill clock, so the attacker (20 s in)
 * acts at the same point of the run every time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deliveries, expectTemplatesRender, drill, drillValues, everythingWritten, expectCleanScorecard, expectNoValues, onlyIncident, status, tempDir, world, type WorldSnapshot } from './helpers.js';

const NAME = 'github-token-leak';
const values = drillValues(NAME);

function expectEndState(w: WorldSnapshot): void {
  const gh = w.github!;
  const token = (id: string) => gh.tokens.find((t) => t.ref.c === id);
  expect(token('dana-release-pat')?.revoked).toBe(true);
  expect(token('dana-old-pat')?.revoked).toBe(true);
  expect(token('secops-operator')?.revoked, 'the operator token must survive').toBe(false);
  expect(gh.alerts).toEqual([
    { repo: 'acme/api', number: 1, state: 'resolved', resolution: 'revoked' },
    { repo: 'acme/api', number: 2, state: 'resolved', resolution: 'revoked' },
  ]);
  const secret = (name: string) => gh.secrets.find((s) => s.repo === 'acme/api' && s.name === name)?.ref;
  expect(secret('RELEASE_TOKEN'), 'the consumer now holds the replacement token').toEqual({ g: 'secret:replacement_token' });
  expect(secret('NPM_TOKEN'), 'an unrelated secret is left alone').toEqual({ g: 'acme/api/NPM_TOKEN' });
  const d = deliveries(w);
  expect(d.mail).toEqual({ 'dana@acme.test': 1 });
  expect(d.slack).toEqual({ 'security-incidents': 1 });
  expect(w.smtp!.messages[0]!.subject).toBe('[security] Your GitHub token leaked in acme/api and was revoked');
}

describe('github-token-leak drill', { timeout: 120_000 }, () => {
  let tmp: ReturnType<typeof tempDir> | undefined;
  afterEach(() => tmp?.remove());

  it('runs end to end with --yes: tokens dead and verified, consumer rotated, alerts resolved, each notification once', async () => {
    tmp = tempDir('gh');
    const r = await drill(NAME, tmp.dir, ['--yes', '--speed', '0']);
    expect(r.code, r.stderr).toBe(0);
    const id = onlyIncident(tmp.dir);
    const st = status(tmp.dir, id);
    expect(st.mode).toBe('drill');
    expectCleanScorecard(st.scorecard, 2);
    expect(st.scorecard.leaked_detected).toBe(2);
    expect(st.scorecard.detect_ms).not.toBeNull();
    expect(st.scorecard.rotate_ms, 'every consumer of a leaked token rotated').not.toBeNull();
    expect(st.scorecard.adversary_blocked).toBe(1);
    expect(st.scorecard.items_skipped).toEqual(['no-alerts']);
    // the final check ran on both alerts and each verification passed
    expect(Object.keys(st.steps['verify-dead']!.items).sort()).toEqual(['acme/api#1', 'acme/api#2']);
    expect(Object.values(st.steps['verify-dead']!.items).every((i) => i.status === 'ok')).toBe(true);
    expectEndState(world(tmp.dir, id));
    expectNoValues(values.values, everythingWritten(tmp.dir, id, [r]));
    expect(await expectTemplatesRender(NAME, st)).toBeGreaterThan(10);
  });

  it('stops at each approval gate with nothing done past it, and a resumed run finishes with each notification once', async () => {
    tmp = tempDir('gh-gates');
    const first = await drill(NAME, tmp.dir, ['--speed', '0']);
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toMatch(/revoke-tokens.*needs approval/);
    const id = onlyIncident(tmp.dir);
    let w = world(tmp.dir, id);
    expect(w.github!.tokens.find((t) => t.ref.c === 'dana-release-pat')?.revoked, 'nothing is revoked before approval').toBe(false);
    expect(w.smtp?.messages ?? []).toEqual([]);

    const second = await drill(NAME, tmp.dir, ['--incident', id, '--approve', 'revoke-tokens']);
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toMatch(/rotate-actions-secrets.*needs approval/);
    w = world(tmp.dir, id);
    expect(w.github!.tokens.find((t) => t.ref.c === 'dana-release-pat')?.revoked).toBe(true);
    expect(w.github!.secrets.find((s) => s.name === 'RELEASE_TOKEN')?.ref, 'not rotated before its approval').toEqual({ c: 'dana-release-pat' });

    const third = await drill(NAME, tmp.dir, ['--incident', id, '--yes']);
    expect(third.code, third.stderr).toBe(0);
    expectCleanScorecard(status(tmp.dir, id).scorecard, 2);
    expectEndState(world(tmp.dir, id));

    // a fourth run of the finished incident sends nothing again
    const fourth = await drill(NAME, tmp.dir, ['--incident', id, '--yes']);
    expect(fourth.code, fourth.stderr).toBe(0);
    expectEndState(world(tmp.dir, id));
    expectNoValues(values.values, everythingWritten(tmp.dir, id, [first, second, third, fourth]));
  });

  it('finishes cleanly when the revoke answer is lost and Slack fails once', async () => {
    tmp = tempDir('gh-faults');
    const r = await drill(NAME, tmp.dir, ['--yes', '--speed', '0', '--faults', 'github.revokeCredentials:ambiguous x1,slack.postMessage:503x1']);
    expect(r.code, r.stderr).toBe(0);
    const id = onlyIncident(tmp.dir);
    const sc = status(tmp.dir, id).scorecard;
    expectCleanScorecard(sc, 2);
    expect((sc as unknown as { faults_injected: number }).faults_injected).toBe(2);
    expectEndState(world(tmp.dir, id));
  });
});
