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
 *
 * The scan-finding entry (source=scan) runs live (`runbook run`) against the GitHub, Slack and
 * SMTP simulators on loopback and a real git repository with a GitHub token and an AWS key in
 * its history: only the GitHub token reaches GitHub.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubSimulator, type GitHubSimulator } from '../../src/drill/simulators/github/index.js';
import { startSlackSimulator, type SlackSimulator } from '../../src/drill/simulators/slack.js';
import { startSmtpSimulator, type SmtpSimulator } from '../../src/drill/simulators/smtp.js';
import { newAccessKeyId, newSecretAccessKey } from '../../src/drill/simulators/aws/index.js';
import { cliAsync } from '../e2e/cli.js';
import { withBase62Checksum } from '../../src/core/secrets/kind-checks.js';
import { scenarioPath } from './helpers.js';
import { deliveries, expectTemplatesRender, drill, drillDone, drillStops, filesUnder, runbookPath, drillValues, everythingWritten, expectCleanScorecard, expectNoValues, onlyIncident, status, tempDir, world, type WorldSnapshot } from './helpers.js';

const NAME = 'github-token-leak';
const values = drillValues(NAME);

/** The items of `action` the journal recorded an intent for (an intent is written before every side effect). */
function journalActions(stateDir: string, incident: string, action: string): string[] {
  const lines = readFileSync(join(stateDir, 'incidents', incident, 'journal.jsonl'), 'utf8').trim().split('\n');
  const recs = lines.map((l) => JSON.parse(l) as { type: string; action?: string; item?: string });
  return recs.filter((r) => r.type === 'intent' && r.action === action).map((r) => r.item ?? '');
}

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
    const { r, id, st } = await drillDone(NAME, tmp.dir, ['--yes', '--speed', '0']);
    expect(st.mode).toBe('drill');
    expectCleanScorecard(st.scorecard, 2);
    expect(st.scorecard.leaked_detected).toBe(2);
    expect(st.scorecard.detect_ms).not.toBeNull();
    expect(st.scorecard.rotate_ms, 'every consumer of a leaked token rotated').not.toBeNull();
    expect(st.scorecard.adversary_blocked).toBe(1);
    expect(st.scorecard.items_skipped).toEqual(['scan-clone', 'no-leaks', 'revoke-unchecked']);
    // liveness gates the revocation: alert #2's token (dana already deleted it) is reported dead
    // and never sent to the revoke API; only the live one of alert #1 is
    const checked = st.steps['check-live']?.outputs as { dead_count: number; live: { number: number }[]; dead: { number: number }[] };
    expect(checked.dead_count).toBe(1);
    expect(checked.live.map((a) => a.number)).toEqual([1]);
    expect(checked.dead.map((a) => a.number)).toEqual([2]);
    expect(Object.keys(st.steps['revoke-tokens']!.items)).toEqual(['acme/api#1']);
    expect(journalActions(tmp.dir, id, 'gh.revokeCredentials')).toEqual(['acme/api#1']);
    // the final check ran on both alerts (the revoked one and the dead one) and each verification passed
    expect(Object.keys(st.steps['verify-dead']!.items).sort()).toEqual(['acme/api#1', 'acme/api#2']);
    expect(Object.values(st.steps['verify-dead']!.items).every((i) => i.status === 'ok')).toBe(true);
    expectEndState(world(tmp.dir, id));
    expectNoValues(values.values, everythingWritten(tmp.dir, id, [r]));
    expect(await expectTemplatesRender(NAME, st)).toBeGreaterThan(10);
  });

  it('stops at each approval gate with nothing done past it, and a resumed run finishes with each notification once', async () => {
    tmp = tempDir('gh-gates');
    const { r: first, id } = await drillStops(NAME, tmp.dir, ['--speed', '0'], /revoke-tokens.*needs approval/);
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

  it('drills the scan path: scan the clone in the workspace, check each token, revoke only the live one', async () => {
    tmp = tempDir('gh-scan-drill');
    const scenario = scenarioPath('github-token-leak-scan');
    const { r, id, st } = await drillDone(NAME, tmp.dir, ['--yes', '--speed', '0', '--scenario', scenario]);
    expect(st.scorecard!.leaked_detected, 'both leaked PATs found in the clone').toBe(2);
    expectCleanScorecard(st.scorecard, 2);
    expect((st.steps['check-live']?.outputs as { dead_count: number }).dead_count).toBe(1);
    expect(Object.keys(st.steps['revoke-tokens']!.items)).toEqual([expect.stringMatching(/^scan-[0-9a-f]+$/)]);
    expect(st.steps['revoke-unchecked']?.status).toBe('skipped');
    const w = world(tmp.dir, id);
    expect(w.github!.tokens.find((t) => t.ref.c === 'dana-release-pat')?.revoked).toBe(true);
    expect(w.github!.tokens.find((t) => t.ref.c === 'secops-operator')?.revoked).toBe(false);
    // a history finding's "First exposed" is the date of the commit that added it (the clone's commits are from 2024-05-01)
    const report = await cliAsync(['report', id, '--state-dir', tmp.dir]).done;
    expect(report.stdout).toMatch(/\*\*First exposed:\*\* 2024-05-01 10:00:00Z/);
    // the revoked token reads as revoked (by revoke-tokens, verified by its read-back); the one
    // that was already dead reads as not revoked by this run, and verified dead by the final check
    const section = (fp: string) => report.stdout.slice(report.stdout.indexOf(`- **Fingerprint:** \`${fp}\``)).split('\n### ')[0]!;
    const revokedFp = Object.keys(st.steps['revoke-tokens']!.items)[0]!.replace(/^scan-/, '');
    const deadFp = Object.keys(st.steps['verify-dead']!.items).map((k) => k.replace(/^scan-/, '')).find((fp) => fp !== revokedFp)!;
    expect(section(revokedFp)).toMatch(/\*\*Revoked:\*\* \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ by .* \(step `revoke-tokens` \/ `scan-[0-9a-f]+`\)/);
    expect(section(revokedFp)).not.toContain('not revoked');
    expect(section(deadFp)).toMatch(/\*\*Revoked:\*\* \*\*not revoked\*\*/);
    expect(section(deadFp)).toMatch(/\*\*Verified dead:\*\* .*step `verify-dead`/);
    // each credential is found in one place of the clone, listed once (not again for the liveness check, nor as "found by step")
    for (const fp of [revokedFp, deadFp]) expect(section(fp)).toMatch(/- \*\*Found:\*\* `\.env:\d+ @ [0-9a-f]{12}` \(rule github-token, step `scan-clone`, [^)]*\)\n/);
    const scanValues = drillValues('github-token-leak-scan').values;
    expectNoValues(scanValues, everythingWritten(tmp.dir, id, [r, report]));
  });

  it('finishes cleanly when the revoke answer is lost and Slack fails once', async () => {
    tmp = tempDir('gh-faults');
    const { id, st } = await drillDone(NAME, tmp.dir, ['--yes', '--speed', '0', '--faults', 'github.revokeCredentials:ambiguous x1,slack.postMessage:503x1']);
    const sc = st.scorecard;
    expectCleanScorecard(sc, 2);
    expect((sc as unknown as { faults_injected: number }).faults_injected).toBe(2);
    expectEndState(world(tmp.dir, id));
  });
});

describe('github-token-leak from a scan finding (runbook run, live mode, simulators on loopback)', { timeout: 120_000 }, () => {
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const rand = (n: number) => [...randomBytes(n)].map((b) => ALNUM[b % ALNUM.length]).join('');
  // generated here at run time: the leaked PAT, an AWS pair that must never reach GitHub, the operator's tokens
  // GitHub-made tokens carry a CRC32 checksum; the scan sets aside values that fail it
  const leaked = withBase62Checksum('gh' + 'p_', rand(30));
  const dead = withBase62Checksum('gh' + 'p_', rand(30));
  const aws = { id: newAccessKeyId(), secret: newSecretAccessKey() };
  const operator = `ghp_${rand(36)}`;
  const replacement = `github_pat_${rand(82)}`;
  const slackToken = `xoxb-${rand(12)}-${rand(24)}`;
  let gh: GitHubSimulator;
  let slack: SlackSimulator;
  let smtp: SmtpSimulator;
  let tmp: ReturnType<typeof tempDir>;
  let clone: string;

  const git = (args: string[]) => {
    const r = spawnSync('git', ['-C', clone, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: tmp.dir, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'dana', GIT_AUTHOR_EMAIL: 'dana@acme.test', GIT_COMMITTER_NAME: 'dana', GIT_COMMITTER_EMAIL: 'dana@acme.test' } });
    if (r.status !== 0) throw new Error(`git ${args[0]}: ${r.stderr}`);
  };

  beforeAll(async () => {
    tmp = tempDir('gh-scan');
    clone = join(tmp.dir, 'api');
    mkdirSync(join(clone, 'scripts'), { recursive: true });
    git(['init', '-q', '-b', 'main']);
    writeFileSync(join(clone, 'scripts', 'release.sh'), `#!/bin/sh\nexport GITHUB_TOKEN=${leaked}\n# OLD_TOKEN=${dead}\n# TEMPLATE=${'gh' + 'p_' + 'x'.repeat(36)}\n./release\n`);
    writeFileSync(join(clone, 'deploy.ini'), `[default]\naws_access_key_id = ${aws.id}\naws_secret_access_key = ${aws.secret}\n`);
    git(['add', '.']);
    git(['commit', '-q', '-m', 'release script']);
    writeFileSync(join(clone, 'scripts', 'release.sh'), '#!/bin/sh\n./release\n');
    git(['commit', '-q', '-am', 'drop the token']); // only the history has it now
    gh = await startGitHubSimulator({
      seed: {
        users: [{ login: 'dana' }, { login: 'secops' }],
        orgs: [{ login: 'acme', members: ['dana', 'secops'] }],
        tokens: [
          { value: leaked, login: 'dana', scopes: ['repo', 'workflow'] },
          { value: dead, login: 'dana', scopes: ['repo'], revoked: true },
          { value: operator, login: 'secops', scopes: ['repo', 'security_events'] },
        ],
        repos: [{ full_name: 'acme/api', secret_scanning: false, secrets: { RELEASE_TOKEN: leaked } }],
      },
    });
    slack = await startSlackSimulator();
    slack.addToken(slackToken, { user: 'incident-bot', bot_id: 'BINCIDENT' });
    slack.addChannel('security-incidents');
    smtp = await startSmtpSimulator();
  });
  afterAll(async () => {
    await Promise.all([gh?.close(), slack?.close(), smtp?.close()]);
    tmp?.remove();
  });

  it('revokes the GitHub token found in the history, rotates its Actions secret, sends nothing else to GitHub, notifies once', async () => {
    const state = join(tmp.dir, 'state');
    const inputs = {
      repo: 'acme/api',
      source: 'scan',
      scan_path: clone,
      actions_secrets: 'RELEASE_TOKEN',
      owner_email: 'dana@acme.test',
      github_api_url: gh.url,
      slack_api_url: slack.apiUrl,
      smtp_host: smtp.host,
      smtp_port: String(smtp.port),
    };
    const args = ['run', runbookPath(NAME), '--yes', '--state-dir', state, ...Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]), '--done', 'review-activity=https://tickets.acme.test/SEC-7'];
    const env = { GITHUB_TOKEN: operator, SLACK_BOT_TOKEN: slackToken, RUNBOOK_SECRET_REPLACEMENT_TOKEN: replacement };
    const r = await cliAsync(args, { env }).done;
    expect(r.code, r.stderr).toBe(0);

    expect(gh.isLive(leaked), 'the leaked token is dead').toBe(false);
    expect(gh.isLive(operator), "the operator's token is alive").toBe(true);
    expect(gh.actionsSecret('acme/api', 'RELEASE_TOKEN'), 'the consumer holds the replacement').toBe(replacement);
    // one revoke call: the AWS key found next to it never went to GitHub, nor the dead token (reported) or the placeholder (set aside)
    expect(gh.count('revokeCredentials')).toBe(1);
    expect(slack.messages[0]!.text).toMatch(/already dead, not revoked: 1; GitHub gave no answer for: 0; placeholders or bad checksums set aside: 1/);
    expect(gh.count('listAlertsForRepo')).toBe(0);
    expect(smtp.messages.map((m) => m.to)).toEqual([['dana@acme.test']]);
    expect(slack.messages).toHaveLength(1);

    const id = onlyIncident(state);
    const st = status(state, id);
    expect(st.steps['scan-clone']?.status).toBe('ok');
    expect(st.steps['find-alerts']?.status).toBe('skipped');
    expect(st.steps['resolve-alerts']?.status).toBe('skipped');
    expect(Object.keys(st.steps['revoke-tokens']!.items)).toEqual([expect.stringMatching(/^scan-[0-9a-f]+$/)]);
    expect(st.steps['verify-dead']?.status).toBe('ok');
    expect(await expectTemplatesRender(NAME, st)).toBeGreaterThan(10);
    const texts = [...everythingWritten(state, id, [r]), ...smtp.messages.map((m) => ({ where: 'mail', text: `${m.subject}\n${m.text ?? ''}` })), ...slack.messages.map((m) => ({ where: 'slack', text: m.text ?? '' }))];
    expectNoValues([leaked, operator, replacement, slackToken, aws.secret], texts);
    expect(filesUnder(state).length).toBeGreaterThan(0);
  });
});

describe('github-token-leak from secret-scanning alerts (runbook run, live mode, GitHub simulator on loopback)', { timeout: 120_000 }, () => {
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const rand = (n: number) => [...randomBytes(n)].map((b) => ALNUM[b % ALNUM.length]).join('');
  const live = withBase62Checksum('gh' + 'p_', rand(30));
  const dead = withBase62Checksum('gh' + 'p_', rand(30));
  const operator = `ghp_${rand(36)}`;
  const slackToken = `xoxb-${rand(12)}-${rand(24)}`;

  it('revokes only the live token of two alerts: the dead one is reported, never sent to the revoke API, and its alert closed', async () => {
    const tmp = tempDir('gh-alerts');
    const gh = await startGitHubSimulator({
      seed: {
        users: [{ login: 'dana' }, { login: 'secops' }],
        orgs: [{ login: 'acme', members: ['dana', 'secops'] }],
        tokens: [
          { value: live, login: 'dana', scopes: ['repo'] },
          { value: dead, login: 'dana', scopes: ['repo'], revoked: true },
          { value: operator, login: 'secops', scopes: ['repo', 'security_events'] },
        ],
        repos: [
          {
            full_name: 'acme/api',
            alerts: [
              { secret_type: 'github_personal_access_token', secret: live },
              { secret_type: 'github_personal_access_token', secret: dead },
            ],
          },
        ],
      },
    });
    const slack = await startSlackSimulator();
    slack.addToken(slackToken, { user: 'incident-bot', bot_id: 'BINCIDENT' });
    slack.addChannel('security-incidents');
    const smtp = await startSmtpSimulator();
    try {
      const state = join(tmp.dir, 'state');
      const inputs = { repo: 'acme/api', owner_email: 'dana@acme.test', github_api_url: gh.url, slack_api_url: slack.apiUrl, smtp_host: smtp.host, smtp_port: String(smtp.port) };
      const args = ['run', runbookPath(NAME), '--yes', '--state-dir', state, ...Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]), '--done', 'review-activity=https://tickets.acme.test/SEC-8'];
      const r = await cliAsync(args, { env: { GITHUB_TOKEN: operator, SLACK_BOT_TOKEN: slackToken, RUNBOOK_SECRET_REPLACEMENT_TOKEN: `github_pat_${rand(82)}` } }).done;
      expect(r.code, r.stderr).toBe(0);
      expect(gh.isLive(live), 'the live token is revoked').toBe(false);
      // one call to the credentials-revoke API, for alert 1: the dead token of alert 2 is not sent
      expect(gh.count('revokeCredentials')).toBe(1);
      const id = onlyIncident(state);
      const st = status(state, id);
      expect(Object.keys(st.steps['revoke-tokens']!.items)).toEqual(['acme/api#1']);
      expect(journalActions(state, id, 'gh.revokeCredentials')).toEqual(['acme/api#1']);
      expect(slack.messages[0]!.text).toMatch(/already dead, not revoked: 1; GitHub gave no answer for: 0/);
      // both alerts end resolved: one token revoked, the other already dead
      expect([gh.alert('acme/api', 1)?.state, gh.alert('acme/api', 2)?.state]).toEqual(['resolved', 'resolved']);
      expectNoValues([live, dead, operator, slackToken], [...everythingWritten(state, id, [r]), ...slack.messages.map((m) => ({ where: 'slack', text: m.text ?? '' }))]);
    } finally {
      await Promise.all([gh.close(), slack.close(), smtp.close()]);
      tmp.remove();
    }
  });
});
