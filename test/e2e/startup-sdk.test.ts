// Commands that load a runbook (validate, plan) build the provider registry but call no
// provider action: they must not load any provider SDK. Providers import their SDKs on first
// use (src/providers/*: `loadIam()`, `loadOctokit()` …). Proven with the module-resolution
// tracer: a package is "loaded" when the CLI resolves it from node_modules (RESOLVE name) or
// when it loads a dist chunk that has the package bundled in (CHUNK file → the chunk's source map).
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt } from './cli.js';

beforeAll(ensureBuilt);

const EXAMPLE = 'runbooks/examples/leaked-token-triage.yaml';
/** SDKs (and the test-only SMTP server) that only an action that runs may load */
const isSdk = (pkg: string) => /^(@aws-sdk|@smithy|@octokit|@slack|@huggingface|@secretlint)\//.test(pkg) || ['nodemailer', 'smtp-server', 'libsodium-wrappers', 'libsodium', 'marked'].includes(pkg);

const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** Every package the traced process loaded, from node_modules or bundled into a dist chunk. */
function loadedPackages(stderr: string): Set<string> {
  const out = new Set<string>();
  for (const [, spec] of stderr.matchAll(/^RESOLVE (\S+)$/gm)) if (spec) out.add(packageOf(spec));
  for (const [, chunk] of stderr.matchAll(/^CHUNK (\S+)$/gm)) {
    // the tracer names any file below a `dist/` folder, packages' own included (e.g. mjs/signals.js)
    if (!chunk || !existsSync(join(ROOT, 'dist', chunk))) continue;
    const map = join(ROOT, 'dist', `${chunk}.map`);
    expect(existsSync(map), `no source map for dist/${chunk}`).toBe(true);
    for (const source of (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources) {
      const inPackage = source.split('node_modules/').at(-1);
      if (inPackage && inPackage !== source) out.add(packageOf(inPackage));
    }
  }
  return out;
}

function traced(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/e2e/fixtures/trace-resolve.mjs'), CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { ...r, packages: loadedPackages(r.stderr) };
}

const sdks = (packages: Set<string>) => [...packages].filter(isSdk).sort();

describe('startup: loading a runbook loads no provider SDK', () => {
  it('the check sees an SDK that an action loads (a scan step loads secretlint), and the packages a validate needs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-sdk-'));
    try {
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'notes.txt'), `nothing to see ${randomBytes(4).toString('hex')}\n`);
      writeFileSync(
        join(dir, 'probe.yaml'),
        ['version: 1', 'id: sdk-probe', 'title: Scan one folder', 'providers:', '  scan:', '    type: scan', 'steps:', '  - id: scan', '    kind: detect', '    title: Scan the folder', '    uses: scan.files', '    with:', '      paths: [data]', ''].join('\n'),
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
    expect(calls).toContain('sts GetCallerIdentity signed with access key AKIA*** (live or dead)');
    expect(sdks(aws.packages)).toEqual([]);

    const slack = traced(['plan', 'runbooks/slack-token-leak.yaml', '--json', '--input', 'owner_email=a@example.com', '--input', 'leak_location=a paste']);
    expect(slack.status, slack.stderr).toBe(0);
    expect((JSON.parse(slack.stdout) as { steps: unknown[] }).steps.length).toBeGreaterThan(1);
    expect(sdks(slack.packages)).toEqual([]);
  });

  it('runbook validate of every shipped runbook (aws, github, slack, huggingface, email, scan)', () => {
    const r = traced(['validate', 'runbooks']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(sdks(r.packages)).toEqual([]);
  });
});
