// Commands that load a runbook (validate, plan) build the provider registry but call no
// provider action: they must not load any provider SDK. Providers import their SDKs on first
// use (src/providers/*: `loadIam()`, `loadOctokit()` …). Proven with the module-resolution
// tracer: a package is "loaded" when the CLI resolves it from node_modules or loads a dist chunk
// that has it bundled in (./loaded-packages.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from './cli.js';
import { tracedCli as traced } from './loaded-packages.js';

beforeAll(ensureBuilt);

const EXAMPLE = 'runbooks/examples/leaked-token-triage.yaml';
/** SDKs (and the test-only SMTP server) that only an action that runs may load */
const isSdk = (pkg: string) => /^(@aws-sdk|@smithy|@octokit|@slack|@huggingface|@secretlint)\//.test(pkg) || ['nodemailer', 'smtp-server', 'libsodium-wrappers', 'libsodium', 'marked'].includes(pkg);
const sdks = (packages: Set<string>) => [...packages].filter(isSdk).sort();

describe('startup: loading a runbook loads no provider SDK', () => {
  it('the check sees an SDK that an action loads (a scan step with secretlint: true loads it), and the packages a validate needs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-sdk-'));
    try {
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'notes.txt'), `nothing to see ${randomBytes(4).toString('hex')}\n`);
      writeFileSync(
        join(dir, 'probe.yaml'),
        ['version: 1', 'id: sdk-probe', 'title: Scan one folder', 'providers:', '  scan:', '    type: scan', '    secretlint: true', 'steps:', '  - id: scan', '    kind: detect', '    title: Scan the folder', '    uses: scan.files', '    with:', '      paths: [data]', ''].join('\n'),
      );
      const run = traced(['run', 'probe.yaml', '--non-interactive', '--state-dir', join(dir, 'state')], dir);
      expect(run.status, run.stderr).toBe(0);
      expect(sdks(run.packages)).toContain('@secretlint/core');

      const validate = traced(['validate', EXAMPLE]);
      expect(validate.packages).toContain('zod');
      expect(validate.packages).toContain('yaml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runbook validate <example>', () => {
    const r = traced(['validate', EXAMPLE]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 runbook valid');
    expect(sdks(r.packages)).toEqual([]);
  });

  it('runbook plan <example>', () => {
    const r = traced(['plan', EXAMPLE, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { steps: unknown[] }).steps.length).toBeGreaterThan(1);
    expect(sdks(r.packages)).toEqual([]);
  });

  it('runbook plan of shipped runbooks that use aws, slack and email (their plan() needs no client)', () => {
    const keyId = 'AKIA' + Array.from(randomBytes(16), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
    const aws = traced(['plan', 'runbooks/aws-access-key-exposure.yaml', '--json', '--input', 'user_name=alice', '--input', `access_key_id=${keyId}`, '--input', 'secret_id=app/key', '--input', 'owner_email=a@example.com']);
    expect(aws.status, aws.stderr).toBe(0);
    const calls = (JSON.parse(aws.stdout) as { steps: { calls: string[] }[] }).steps.flatMap((s) => s.calls);
    expect(calls).toContain('iam ListAccessKeys UserName=alice');
    // an access key id is an identifier: shown in full (only its secret is masked)
    expect(calls).toContain(`sts GetCallerIdentity signed with access key ${keyId} (live or dead)`);
    expect(sdks(aws.packages)).toEqual([]);

    const slack = traced(['plan', 'runbooks/slack-token-leak.yaml', '--json', '--input', 'owner_email=a@example.com', '--input', 'leak_location=a paste']);
    expect(slack.status, slack.stderr).toBe(0);
    expect((JSON.parse(slack.stdout) as { steps: unknown[] }).steps.length).toBeGreaterThan(1);
    expect(sdks(slack.packages)).toEqual([]);
  });

  it('runbook providers (lists every action and its inputs from the schemas)', () => {
    const r = traced(['providers', 'aws']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('deactivateKey');
    expect(sdks(r.packages)).toEqual([]);
  });

  it('runbook validate of every shipped runbook (aws, github, slack, huggingface, email, scan)', () => {
    const r = traced(['validate', 'runbooks']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(sdks(r.packages)).toEqual([]);
  });
});
