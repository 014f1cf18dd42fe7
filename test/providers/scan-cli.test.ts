/**
 * `runbook scan` and `runbook triage` through the BUILT cli: exit codes a CI job can use
 * (0 clean, 1 findings, 2 usage), every output format, values always masked, identifiers in full,
 * git history with --since, other scanners' reports, and triage naming the runbook to start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { cliAsync, ensureBuilt } from '../e2e/cli.js';
import { tracedCli } from '../e2e/loaded-packages.js';
import { startGitHubSimulator, type GitHubSimulator } from '../../src/drill/simulators/github/index.js';
import { commitAll, gen, initRepo, tempDir, writeTree } from './helpers-scan.js';

const run = (args: string[], cwd: string) => cliAsync(args, { cwd }).done;

describe('runbook scan (built CLI)', { timeout: 60_000 }, () => {
  const t = tempDir();
  const v = { hf: gen.hf(), ghp: gen.ghp(), awsId: gen.awsId(), awsSecret: gen.awsSecret(), slack: gen.slack(), old: gen.hf() };
  const secrets = [v.hf, v.ghp, v.awsSecret, v.slack, v.old];

  beforeAll(() => {
    ensureBuilt();
    writeTree(t.dir, {
      'clean/readme.md': '# nothing to see\nconst keys = Object.keys(out);\n',
      'leaky/.env': `HF_TOKEN=${v.hf}\nTEMPLATE=${'hf_' + 'x'.repeat(34)}\n`,
      'leaky/deploy/aws.ini': `[default]\naws_access_key_id = ${v.awsId}\naws_secret_access_key = ${v.awsSecret}\n`,
      'leaky/app.js': `const gh = "${v.ghp}";\nconst hook = "${v.slack}";\n`,
      'repo/readme.md': '# repo\n',
    });
    const repo = join(t.dir, 'repo');
    initRepo(repo);
    commitAll(repo, 'first');
    writeTree(repo, { 'config.env': `HF=${v.old}\n` });
    commitAll(repo, 'add a token');
    writeTree(repo, { 'config.env': 'HF=\n' });
    commitAll(repo, 'remove it');
  });
  afterAll(() => t.cleanup());

  const noValue = (text: string) => {
    for (const s of secrets) expect(text.includes(s), 'a secret value was printed').toBe(false);
  };

  it('exit 0 on a clean tree, 1 with findings; text shows prefix + last 4 of secrets and AWS key ids in full', async () => {
    const clean = await run(['scan', 'clean'], t.dir);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/no credentials found in 1 file\b/);

    const r = await run(['scan', 'leaky'], t.dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(`leaky/.env:1  a Hugging Face token hf_***${v.hf.slice(-4)}`);
    expect(r.stdout).toContain(`leaky/deploy/aws.ini:2  an AWS access key id ${v.awsId}`);
    expect(r.stdout).toMatch(/5 findings in 3 files/);
    expect(r.stdout).toMatch(/set aside, not findings: 1 placeholder/);
    noValue(r.stdout + r.stderr);
  });

  it('a plain scan of files loads no provider machinery (zod, execa) — a third of its memory; --git does', () => {
    const plain = tracedCli(['scan', 'leaky', '--format', 'json'], t.dir);
    expect(plain.status, plain.stderr).toBe(1);
    expect(JSON.parse(plain.stdout).findings).toHaveLength(5);
    expect([...plain.packages].filter((p) => ['zod', 'execa'].includes(p))).toEqual([]);
    // the tracer sees what the other modes load (the check is not blind)
    const git = tracedCli(['scan', 'repo', '--git', '--format', 'json'], t.dir);
    expect(git.status, git.stderr).toBe(1);
    expect(git.packages.has('zod') && git.packages.has('execa')).toBe(true);
  });

  it('json, sarif and github formats carry the same findings, masked', async () => {
    const json = await run(['scan', 'leaky', '--format', 'json'], t.dir);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { findings: { rule: string; sensitivity: string; preview: string; revoke: { runbook?: string } }[]; suppressed: { reason: string }[] };
    expect(doc.findings.map((f) => f.rule).sort()).toEqual(['aws-access-key-id', 'aws-secret-access-key', 'github-token', 'huggingface-token', 'slack-token']);
    expect(doc.findings.find((f) => f.rule === 'aws-access-key-id')).toMatchObject({ sensitivity: 'identifier', preview: v.awsId, revoke: { runbook: 'aws-access-key-exposure' } });
    expect(doc.suppressed).toEqual([expect.objectContaining({ reason: 'placeholder', file: 'leaky/.env', line: 2 })]);

    const sarif = await run(['scan', 'leaky', '--format', 'sarif'], t.dir);
    const s = JSON.parse(sarif.stdout) as { version: string; runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    expect(s.version).toBe('2.1.0');
    expect(s.runs[0]!.results).toHaveLength(5);
    expect(s.runs[0]!.results.find((x) => x.ruleId === 'github-token')!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'leaky/app.js' }, region: { startLine: 1 } });

    const gh = await run(['scan', 'leaky', '--format', 'github'], t.dir);
    expect(gh.stdout.split('\n').filter((l) => l.startsWith('::error file=leaky/app.js,line=1,'))).toHaveLength(1);
    for (const out of [json, sarif, gh]) noValue(out.stdout + out.stderr);
  });

  it('--git scans history (a token only in history is found, with its commit); --since limits it', async () => {
    const r = await run(['scan', 'repo', '--git'], t.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`repo/config\\.env:1 \\(commit [0-9a-f]{12}, \\d{4}-\\d\\d-\\d\\d\\)  a Hugging Face token hf_\\*\\*\\*${v.old.slice(-4)}`));
    const since = await run(['scan', 'repo', '--git', '--since', 'HEAD~1'], t.dir);
    expect(since.code, since.stdout).toBe(0);
    noValue(r.stdout + since.stdout);
  });

  it('exit 2 for a missing path, a bad flag value, --since without --git', async () => {
    for (const args of [['scan', 'missing'], ['scan', 'leaky', '--format', 'xml'], ['scan', 'leaky', '--since', 'HEAD'], ['scan']]) {
      const r = await run(args, t.dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    const r = await run(['scan', 'missing'], t.dir);
    expect(r.stderr).toMatch(/no such file or folder: missing/);
  });

  it('--from reads another scanner’s report', async () => {
    const report = join(t.dir, 'gitleaks.json');
    writeFileSync(report, JSON.stringify([{ RuleID: 'github-pat', File: 'a.sh', StartLine: 3, Secret: v.ghp, Commit: '', Date: '' }]));
    const r = await run(['scan', 'gitleaks.json', '--from', 'gitleaks'], t.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`a.sh:3  a GitHub token ghp_***${v.ghp.slice(-4)}`);
    noValue(r.stdout + r.stderr);
  });

  it('triage checks liveness, groups by provider and names the runbook to start, with the inputs the scan knows', async () => {
    // GitHub answers from its simulator (the token is live); every other check meets a closed port: unknown
    let gh: GitHubSimulator | undefined;
    try {
      gh = await startGitHubSimulator({ seed: { users: [{ login: 'dana' }], tokens: [{ value: v.ghp, login: 'dana', scopes: ['repo'] }] } });
      const closed = 'http://127.0.0.1:9';
      const r = await run(['triage', 'leaky', '--github-url', gh.url, '--hf-url', closed, '--slack-url', closed, '--aws-endpoint', closed], t.dir);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`github: 1 finding\n  live  a GitHub token ghp_***${v.ghp.slice(-4)}`);
      expect(r.stdout).toMatch(/token is valid for dana/);
      expect(r.stdout).toMatch(/^aws: 2 findings/m);
      expect(r.stdout).toMatch(/1 live, 4 unknown, 0 dead/);
      await checkHints(r);
      // --start: several runbooks apply here, so none is started; each command is printed
      const several = await run(['triage', 'leaky', '--start', '--github-url', gh.url, '--hf-url', closed, '--slack-url', closed, '--aws-endpoint', closed], t.dir);
      expect(several.code).toBe(2);
      expect(several.stderr).toMatch(/4 different runbooks apply/);
      // one runbook applies: it is started (scripted here, so it stops on the inputs it lacks)
      writeTree(t.dir, { 'only-gh/app.js': `const gh = "${v.ghp}";\n` });
      const one = await run(['triage', 'only-gh', '--start', '--github-url', gh.url], t.dir);
      expect(one.stderr).toMatch(/starting: \S+(?: \S*cli\.js)? run \S*github-token-leak\.yaml/);
      expect(one.code).toBe(2);
      expect(one.stderr).toMatch(/repo/);
      noValue(several.stdout + several.stderr + one.stdout + one.stderr);
    } finally {
      await gh?.close();
    }
  });

  async function checkHints(r: { stdout: string; stderr: string }) {
    expect(r.stdout).toContain(`--input access_key_id=${v.awsId}`);
    expect(r.stdout).toMatch(/start its runbook: \S+(?: \S*cli\.js)? run \S*runbooks\/github-token-leak\.yaml/);
    expect(r.stdout).toMatch(/start its runbook: \S+(?: \S*cli\.js)? run \S*runbooks\/slack-token-leak\.yaml --input leak_location=leaky\/app\.js:2/);
    noValue(r.stdout + r.stderr);
  }
});
