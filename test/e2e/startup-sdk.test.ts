// Commands that load a runbook (validate, plan) build the provider registry but call no
// provider: they must not load any provider SDK. Providers import their SDKs on first use
// (src/providers/*: `loadIam()`, `loadOctokit()` …). Proven with the module-resolution tracer.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt } from './cli.js';

beforeAll(ensureBuilt);

const EXAMPLE = 'runbooks/examples/leaked-token-triage.yaml';
/** SDKs (and test-only servers) that only an action that runs may load */
const SDK = /^RESOLVE (?:(?:@aws-sdk|@smithy|@octokit|@slack|@huggingface|@secretlint)\/\S+|(?:nodemailer|smtp-server|libsodium-wrappers|libsodium|marked)(?:\/\S*)?)$/gm;

const traced = (args: string[]) =>
  spawnSync(process.execPath, ['--import', join(ROOT, 'test/e2e/fixtures/trace-resolve.mjs'), CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('startup: loading a runbook loads no provider SDK', () => {
  it('the tracer sees a provider SDK when one is loaded (it can fail)', () => {
    const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/e2e/fixtures/trace-resolve.mjs'), '--input-type=module', '-e', "await import('@octokit/rest'); await import('nodemailer')"], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const hits = r.stderr.match(SDK) ?? [];
    expect(hits).toContain('RESOLVE @octokit/rest');
    expect(hits).toContain('RESOLVE @octokit/core');
    expect(hits).toContain('RESOLVE nodemailer');
    expect(r.stderr).toMatch(/^RESOLVE universal-user-agent$/m); // a dependency of Octokit, not an SDK:
    expect(hits).not.toContain('RESOLVE universal-user-agent');
  });

  it('runbook validate <example>', () => {
    const r = traced(['validate', EXAMPLE]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 runbook valid');
    expect(r.stderr.match(SDK) ?? []).toEqual([]);
  });

  it('runbook plan <example> (every step planned through its provider action)', () => {
    const r = traced(['plan', EXAMPLE, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { steps: unknown[] };
    expect(plan.steps.length).toBeGreaterThan(1);
    expect(r.stderr.match(SDK) ?? []).toEqual([]);
  });

  it('runbook plan of shipped runbooks that use aws, slack and email (their plan() needs no client)', () => {
    const keyId = 'AKIA' + Array.from(randomBytes(16), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
    const aws = traced(['plan', 'runbooks/aws-access-key-exposure.yaml', '--json', '--input', 'user_name=alice', '--input', `access_key_id=${keyId}`, '--input', 'secret_id=app/key', '--input', 'owner_email=a@example.com']);
    expect(aws.status, aws.stderr).toBe(0);
    const calls = (JSON.parse(aws.stdout) as { steps: { calls: string[] }[] }).steps.flatMap((s) => s.calls);
    expect(calls).toContain('iam ListAccessKeys UserName=alice');
    expect(calls).toContain('sts GetCallerIdentity signed with access key AKIA*** (live or dead)');
    expect(aws.stderr.match(SDK) ?? []).toEqual([]);

    const slack = traced(['plan', 'runbooks/slack-token-leak.yaml', '--json', '--input', 'owner_email=a@example.com', '--input', 'leak_location=a paste']);
    expect(slack.status, slack.stderr).toBe(0);
    expect(JSON.parse(slack.stdout).steps.length).toBeGreaterThan(1);
    expect(slack.stderr.match(SDK) ?? []).toEqual([]);
  });

  it('runbook validate of every shipped runbook (they use aws, github, slack, huggingface, email, scan)', () => {
    const r = traced(['validate', 'runbooks']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stderr.match(SDK) ?? []).toEqual([]);
  });
});
