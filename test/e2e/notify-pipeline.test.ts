/**
 * Issue 4, "Done when": a runbook that scans a real git repository with planted tokens,
 * verifies them (HF, GitHub and AWS simulators with those tokens seeded live), posts to Slack,
 * pages PagerDuty, e-mails each affected owner and calls a signed webhook runs end to end in
 * scripted mode through the BUILT cli — every service a simulator from src/drill/simulators
 * on loopback, its URL passed as an --input. Then: each notification arrived exactly once, a
 * second run of the same incident sends nothing, and no token value is in stdout, stderr, the
 * --json output, the journal or the notifications themselves.
 *
 * Token-shaped values are generated here at run time; none is written in this file.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHuggingFaceSimulator, type HuggingFaceSimulator } from '../../src/drill/simulators/huggingface/index.js';
import { startGitHubSimulator, type GitHubSimulator } from '../../src/drill/simulators/github/index.js';
import { newAccessKeyId, newSecretAccessKey, startAwsSimulator, type AwsSimulator } from '../../src/drill/simulators/aws/index.js';
import { startSlackSimulator, type SlackSimulator } from '../../src/drill/simulators/slack.js';
import { startPagerDutySimulator, type PagerDutySimulator } from '../../src/drill/simulators/pagerduty.js';
import { startSmtpSimulator, type SmtpSimulator } from '../../src/drill/simulators/smtp.js';
import { startWebhookSimulator, type WebhookSimulator } from '../../src/drill/simulators/webhook.js';
import { cliAsync, ensureBuilt, ROOT, type CliResult } from './cli.js';
import { withBase62Checksum } from '../../src/core/secrets/kind-checks.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number, alphabet = ALNUM) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');

const RUNBOOK = join(ROOT, 'test/e2e/fixtures/notify-pipeline.yaml');
const OWNERS = { hf: 'alice@example.com', gh: 'bob@example.com', aws: 'carol@example.com' };

// generated at test time: the leaked tokens and the operator's own secrets
// (a GitHub token carries GitHub's CRC32 checksum, or the scan sets it aside as not a real token)
const leaked = { hf: `hf_${rand(34)}`, gh: withBase62Checksum('gh' + 'p_', rand(30)), awsId: newAccessKeyId(), awsSecret: newSecretAccessKey() };
const operator = { slack: `xoxb-${rand(12, '0123456789')}-${rand(24)}`, pagerduty: rand(32, '0123456789abcdef'), webhook: `whsec_${randomBytes(24).toString('base64')}` };
// the AWS access key id is an identifier, shown in full (AWS documents it so); its secret is not
const SECRET_VALUES = [leaked.hf, leaked.gh, leaked.awsSecret, ...Object.values(operator)];

/** Each secret value and its base64 form must be absent from `text`. */
function expectNoSecrets(text: string, where: string): void {
  for (const v of SECRET_VALUES) {
    for (const form of [v, Buffer.from(v).toString('base64')]) expect(text.includes(form), `${where} holds a secret value (…${v.slice(-4)})`).toBe(false);
  }
}

function git(repo: string, args: string[], author?: string): void {
  const env = { PATH: process.env.PATH ?? '', HOME: repo, GIT_CONFIG_NOSYSTEM: '1', ...(author ? { GIT_AUTHOR_NAME: author, GIT_AUTHOR_EMAIL: author, GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.com' } : {}) };
  const r = spawnSync('git', ['-C', repo, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr}`);
}

function commitFile(repo: string, file: string, text: string, author: string, message: string): void {
  mkdirSync(dirname(join(repo, file)), { recursive: true });
  writeFileSync(join(repo, file), text);
  git(repo, ['add', file]);
  git(repo, ['commit', '-q', '-m', message], author);
}

let tmp: string;
let repo: string;
let hf: HuggingFaceSimulator;
let gh: GitHubSimulator;
let aws: AwsSimulator;
let slack: SlackSimulator;
let pd: PagerDutySimulator;
let smtp: SmtpSimulator;
let hook: WebhookSimulator;
let channel: string;
const incident = `e2e-notify-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'runbook-notify-'));
  repo = join(tmp, 'repo');
  mkdirSync(repo);
  git(repo, ['init', '-q', '-b', 'main']);
  commitFile(repo, 'README.md', '# demo service\n', 'dave@example.com', 'initial');
  commitFile(repo, 'config/hub.env', `HF_TOKEN=${leaked.hf}\nMODEL=distilbert\n`, OWNERS.hf, 'hub config');
  commitFile(repo, 'scripts/release.sh', `#!/bin/sh\nexport GITHUB_TOKEN=${leaked.gh}\n./release\n`, OWNERS.gh, 'release script');
  commitFile(repo, 'infra/aws.ini', `[default]\naws_access_key_id = ${leaked.awsId}\naws_secret_access_key = ${leaked.awsSecret}\nregion = us-east-1\n`, OWNERS.aws, 'aws profile');
  // the HF token is removed again: only the history still has it
  commitFile(repo, 'config/hub.env', 'HF_TOKEN=\nMODEL=distilbert\n', OWNERS.hf, 'remove token');

  hf = await startHuggingFaceSimulator({ seed: { users: [{ name: 'alice', email: OWNERS.hf }], tokens: [{ value: leaked.hf, owner: 'alice', role: 'write' }] } });
  gh = await startGitHubSimulator({ seed: { users: [{ login: 'bob' }], tokens: [{ value: leaked.gh, login: 'bob', scopes: ['repo'] }] } });
  aws = await startAwsSimulator({ seed: { users: [{ name: 'carol', keys: [{ id: leaked.awsId, secret: leaked.awsSecret }] }] } });
  slack = await startSlackSimulator();
  slack.addToken(operator.slack, { user: 'runbook-bot' });
  channel = slack.addChannel('security-incidents').id;
  pd = await startPagerDutySimulator();
  smtp = await startSmtpSimulator();
  hook = await startWebhookSimulator({ secret: operator.webhook });
});

afterAll(async () => {
  await Promise.all([hf, gh, aws, slack, pd, smtp, hook].map((s) => s?.close()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The simulators live in this process: the CLI must run asynchronously so they can answer. */
async function run(extra: string[] = []): Promise<CliResult> {
  const inputs = {
    repo,
    repo_name: 'acme/demo-service',
    hf_url: hf.url,
    github_url: gh.url,
    aws_endpoint: aws.url,
    slack_api_url: slack.apiUrl,
    slack_channel: channel,
    pagerduty_url: pd.url,
    smtp_host: smtp.host,
    smtp_port: String(smtp.port),
    mail_readback_url: smtp.readbackUrl,
    webhook_url: hook.hookUrl('/hooks/incident'),
  };
  const args = ['run', RUNBOOK, '--yes', '--incident', incident, '--state-dir', join(tmp, 'state'), ...Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]), ...extra];
  return cliAsync(args, { env: { SLACK_BOT_TOKEN: operator.slack, PAGERDUTY_ROUTING_KEY: operator.pagerduty, WEBHOOK_SECRET: operator.webhook } }).done;
}

/** Everything the notification services have received so far. */
function delivered() {
  return {
    slack: slack.count('chat.postMessage'),
    slackMessages: slack.messages.length,
    pagerduty: pd.events.length,
    pdRequests: pd.requests.length,
    mails: smtp.messages.length,
    webhooks: hook.requests.length,
    webhookDeliveries: hook.deliveries.length,
  };
}

function journalText(): string {
  const dir = join(tmp, 'state', 'incidents', incident);
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  expect(files.length).toBeGreaterThan(0);
  return files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

describe('scan → verify → Slack, PagerDuty, e-mail, signed webhook (built CLI, scripted)', () => {
  let first: CliResult;

  it('runs end to end with --json and exit 0', async () => {
    first = await run(['--json']);
    expect(first.code, first.stderr).toBe(0);
    const events = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(events.length).toBeGreaterThan(5);
  });

  it('verified the planted tokens live against the HF, GitHub and AWS simulators', () => {
    expect(hf.count('whoami')).toBeGreaterThanOrEqual(1);
    expect(gh.count('getAuthenticated')).toBeGreaterThanOrEqual(1);
    expect(aws.count('sts:GetCallerIdentity')).toBeGreaterThanOrEqual(1);
    const records = journalText().trim().split('\n').map((l) => JSON.parse(l) as { type?: string; step?: string; outputs?: Record<string, unknown> });
    const liveness = records.find((r) => r.type === 'step.finished' && r.step === 'liveness');
    // HF token, GitHub token, AWS key id and its secret key: four findings, all live
    expect(liveness?.outputs).toMatchObject({ live: 4, dead: 0, unknown: 0 });
  });

  it('delivered each notification exactly once', () => {
    expect(delivered()).toEqual({ slack: 1, slackMessages: 1, pagerduty: 1, pdRequests: 1, mails: 3, webhooks: 1, webhookDeliveries: 1 });
    expect(slack.messages[0]!.channel).toBe(channel);
    expect(slack.messages[0]!.text).toContain('4 live, 0 dead, 0 unknown');
    expect(pd.incidents).toHaveLength(1);
    expect(pd.incidents[0]).toMatchObject({ triggers: 1, severity: 'critical', summary: '4 live credentials leaked in acme/demo-service' });
    expect(smtp.messages.map((m) => m.to.join(',')).sort()).toEqual(Object.values(OWNERS).sort());
    expect(new Set(smtp.messages.map((m) => m.dedupeId)).size).toBe(3);
    expect(hook.deliveries[0]).toMatchObject({ signedWith: ['standard'], payload: { incident, repository: 'acme/demo-service', live: 4, dead: 0, unknown: 0 } });
    expect(hook.deliveries[0]!.idempotencyKey).toContain(incident);
  });

  it('sends nothing again when the same incident is run again', async () => {
    const before = delivered();
    const again = await run();
    expect(again.code, again.stderr).toBe(0);
    expect(delivered()).toEqual(before);
    expectNoSecrets(again.stdout + again.stderr, 'the second run');
  });

  it('shows no token value in stdout, stderr, the --json events, the journal or the notifications', () => {
    expectNoSecrets(first.stdout, 'stdout (--json events)');
    expectNoSecrets(first.stderr, 'stderr');
    expectNoSecrets(journalText(), 'the journal');
    expectNoSecrets(smtp.messages.map((m) => m.raw).join('\n'), 'the e-mails');
    expectNoSecrets(JSON.stringify(slack.messages) + JSON.stringify(pd.incidents) + JSON.stringify(hook.deliveries), 'the notifications');
    // the journal still identifies the findings: by fingerprint and last 4 characters
    expect(journalText()).toContain(`"last4":"${leaked.gh.slice(-4)}"`);
  });
});
