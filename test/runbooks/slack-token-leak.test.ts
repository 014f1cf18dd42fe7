/**
 * runbooks/slack-token-leak.yaml drilled to completion through the BUILT cli in scripted mode
 * (scenario runbooks/scenarios/slack-token-leak.scenario.yaml: the deploy-notifier bot token
 * leaked; an attacker posts to #general with it 10 s in; a different bot reports).
 *
 * End state checked in the simulated world: the leaked token revoked (auth.test says so) and
 * verified dead by the final step, the reporting bot's token untouched, one message in
 * #security-incidents (the attacker's post does not count), one mail to the owner. A second
 * scenario — the same world with the token already revoked by its owner — still ends clean:
 * revoking a dead token is a result ("already-dead"), not a failure. No token value appears in
 * any output, file or report.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveries, expectTemplatesRender, drill, drillDone, drillStops, drillValues, everythingWritten, expectCleanScorecard, expectNoValues, onlyIncident, scenarioPath, status, tempDir, world } from './helpers.js';

const NAME = 'slack-token-leak';
const values = drillValues(NAME);

describe('slack-token-leak drill', { timeout: 120_000 }, () => {
  let tmp: ReturnType<typeof tempDir> | undefined;
  afterEach(() => tmp?.remove());

  it('runs end to end with --yes: the leaked token revoked and verified dead, each notification once', async () => {
    tmp = tempDir('slack');
    const { r, id, st } = await drillDone(NAME, tmp.dir, ['--yes', '--speed', '0']);
    expectCleanScorecard(st.scorecard, 1);
    expect(st.scorecard.leaked_detected).toBe(1);
    expect(st.scorecard.adversary_blocked).toBe(1);
    expect(st.steps['revoke-token']?.status).toBe('ok');
    expect(st.steps['verify-dead']?.status).toBe('ok');
    const w = world(tmp.dir, id);
    expect(w.slack!.tokens.map((t) => [t.ref.c, t.state]).sort()).toEqual([
      ['deploy-notifier-bot', 'revoked'],
      ['incident-bot', 'live'],
    ]);
    const d = deliveries(w);
    expect(d.slack, 'the attacker never got to post, and the summary went out once').toEqual({ 'security-incidents': 1 });
    expect(d.mail).toEqual({ 'chatops@acme.test': 1 });
    expectNoValues(values.values, everythingWritten(tmp.dir, id, [r]));
    expect(await expectTemplatesRender(NAME, st)).toBeGreaterThan(10);
  });

  it('stops at the revoke gate with the token still live', async () => {
    tmp = tempDir('slack-gate');
    const { id } = await drillStops(NAME, tmp.dir, ['--speed', '0'], /revoke-token.*needs approval/);
    expect(world(tmp.dir, id).slack!.tokens.find((t) => t.ref.c === 'deploy-notifier-bot')?.state).toBe('live');
    expect(world(tmp.dir, id).smtp?.messages ?? []).toEqual([]);
  });

  it('ends clean when the owner already revoked the token (already-dead is a result)', async () => {
    tmp = tempDir('slack-dead');
    const scenario = join(tmp.dir, 'already-revoked.scenario.yaml');
    const text = readFileSync(scenarioPath(NAME), 'utf8').replace('{ id: deploy-notifier-bot, user: deploy-notifier, bot: true, leaked: true }', '{ id: deploy-notifier-bot, user: deploy-notifier, bot: true, leaked: true, revoked: true }');
    expect(text).toContain('revoked: true');
    writeFileSync(scenario, text);
    const state = join(tmp.dir, 'state');
    const r = await drill(NAME, state, ['--yes', '--speed', '0', '--scenario', scenario]);
    expect(r.code, r.stderr).toBe(0);
    const id = onlyIncident(state);
    const st = status(state, id);
    expectCleanScorecard(st.scorecard, 1);
    expect(JSON.stringify(st.steps['check-token']?.outputs)).toContain('"state":"dead"');
    expect(JSON.stringify(st.steps['revoke-token']?.outputs)).toContain('already-dead');
    expect(deliveries(world(state, id)).mail).toEqual({ 'chatops@acme.test': 1 });
  });
});
