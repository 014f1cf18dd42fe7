/**
 * Where findings come from: merge-commit conflict resolutions, --since, paths relative to the
 * runbook's folder (a missing one is an error), and other scanners' reports (gitleaks,
 * trufflehog, GitHub secret-scanning alerts — fixtures written from their documented formats,
 * with values generated here).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/providers/scan/findings.js';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import scan from '../../src/providers/scan/index.js';
import { ProviderError } from '../../src/core/errors.js';
import { commitAll, gen, git, initRepo, randomFrom, scanContext, tempDir, writeTree } from './helpers-scan.js';
import { createActionContext } from '../../src/providers/context.js';

const files = scan.actions.files!;
const gitScan = scan.actions.git!;
const importReport = scan.actions.import!;
const liveness = scan.actions.checkLiveness!;

describe('scan.git: merge commits', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('finds a secret added only while resolving a merge conflict, once, with the merge commit and its date', async () => {
    const token = gen.ghp();
    initRepo(t.dir);
    writeTree(t.dir, { 'app.cfg': 'mode = base\n' });
    commitAll(t.dir, 'base');
    git(t.dir, 'checkout', '-q', '-b', 'feature');
    writeTree(t.dir, { 'app.cfg': 'mode = feature\n' });
    commitAll(t.dir, 'feature');
    git(t.dir, 'checkout', '-q', 'main');
    writeTree(t.dir, { 'app.cfg': 'mode = main\n' });
    commitAll(t.dir, 'main');
    try {
      git(t.dir, 'merge', '-q', 'feature');
    } catch {
      /* the conflict is the point */
    }
    // the resolution keeps neither side and adds a token
    writeTree(t.dir, { 'app.cfg': `mode = merged\ntoken = ${token}\n` });
    const merge = commitAll(t.dir, 'merge feature');
    expect(git(t.dir, 'rev-list', '--parents', '-n', '1', 'HEAD').split(' ')).toHaveLength(3);

    const { ctx } = scanContext('git', {});
    const out = await gitScan.run(ctx, gitScan.input.parse({ repo: t.dir }));
    const found = out.findings.filter((f: Finding) => f.token.reveal() === token);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'github-token', file: 'app.cfg', line: 2, commit: merge });
    expect(found[0]!.committedAt).toBe(new Date(Number(git(t.dir, 'log', '-1', '--format=%ct', merge)) * 1000).toISOString());

    // --since: only what the revision does not hold
    const since = await gitScan.run(ctx, gitScan.input.parse({ repo: t.dir, since: 'HEAD' }));
    expect(since.findings).toEqual([]);
    const sinceMain = await gitScan.run(ctx, gitScan.input.parse({ repo: t.dir, since: 'HEAD~1' }));
    expect(sinceMain.findings.map((f: Finding) => f.token.reveal())).toEqual([token]);
    await expect(gitScan.run(ctx, gitScan.input.parse({ repo: t.dir, since: 'no-such-rev' }))).rejects.toThrow(/does not know the revision no-such-rev/);
  });
});

describe('scan paths', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('reads relative paths from the runbook’s folder and names files relative to it; a missing path is an error', async () => {
    const hf = gen.hf();
    writeTree(t.dir, { 'clone/app/.env': `HF_TOKEN=${hf}\n` });
    initRepo(join(t.dir, 'clone'));
    commitAll(join(t.dir, 'clone'), 'add env');
    const ctx = (action: string) => createActionContext({ type: 'scan', action, config: scan.config.parse({}), workdir: t.dir });
    const viaFiles = await files.run(ctx('files'), files.input.parse({ paths: ['clone'] }));
    const viaGit = await gitScan.run(ctx('git'), gitScan.input.parse({ repo: 'clone' }));
    expect(viaFiles.findings.map((f: Finding) => [f.file, f.line])).toEqual([['clone/app/.env', 1]]);
    // the same file has the same name both ways
    expect(viaGit.findings.map((f: Finding) => [f.file, f.line])).toEqual([['clone/app/.env', 1]]);
    // and scan.git also says which repository and where in it: `git -C repo … -- path` matches the file wherever it runs
    const clone = realpathSync(join(t.dir, 'clone'));
    expect(viaGit.findings.map((f: Finding) => [f.repo, f.path])).toEqual([[clone, 'app/.env']]);
    expect(viaGit.findings[0]!.locations[0]).toMatchObject({ repo: clone, path: 'app/.env' });
    expect(git(viaGit.findings[0]!.repo!, 'log', '--format=%s', '--', viaGit.findings[0]!.path!).trim()).toBe('add env');
    // a folder inside the repository: git still names files from the top
    const sub = await gitScan.run(ctx('git'), gitScan.input.parse({ repo: 'clone/app' }));
    expect(sub.findings.map((f: Finding) => [f.file, f.repo, f.path])).toEqual([['clone/app/.env', clone, 'app/.env']]);

    const err = await files.run(ctx('files'), files.input.parse({ paths: ['clone', 'nope/missing'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toMatch(/no such file or folder: nope\/missing/);
    expect((err as ProviderError).failure).toBe('definite');
  });
});

describe('scan.import: reports of other scanners', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());
  const fixture = (name: string, values: Record<string, string>) => {
    let text = readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
    for (const [k, v] of Object.entries(values)) text = text.split(`@${k}@`).join(v);
    const path = join(t.dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('gitleaks JSON: each Secret becomes a finding of its kind, with file, line, commit and date', async () => {
    const v = { GITHUB: gen.ghp(), GENERIC: gen.generic() };
    const { ctx, secrets } = scanContext('import', {});
    const out = await importReport.run(ctx, importReport.input.parse({ format: 'gitleaks', file: fixture('gitleaks-report.json', v) }));
    expect(out.findings.map((f: Finding) => [f.rule, f.provider_hint, f.file, f.line, f.commit ?? null, f.committedAt ?? null])).toEqual([
      ['github-token', 'github', 'deploy/release.sh', 12, '3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39', '2024-05-01T09:12:44.000Z'],
      ['gitleaks:generic-api-key', 'generic', 'settings.ini', 3, null, null],
    ]);
    expect(out.findings[0]!.token.reveal()).toBe(v.GITHUB);
    expect(JSON.stringify(out)).not.toContain(v.GITHUB);
    expect(secrets.redactor.redact(v.GENERIC)).not.toContain(v.GENERIC);
  });

  it('trufflehog JSON lines: log lines skipped, AWS key id paired with its secret from RawV2', async () => {
    const v = { AWSID: gen.awsId(), AWSSECRET: gen.awsSecret(), SLACK: gen.slack() };
    const { ctx } = scanContext('import', {});
    const out = await importReport.run(ctx, importReport.input.parse({ format: 'trufflehog', file: fixture('trufflehog.jsonl', v) }));
    expect(out.findings.map((f: Finding) => [f.rule, f.file, f.line, f.sensitivity])).toEqual([
      ['aws-access-key-id', 'config/aws.env', 2, 'identifier'],
      ['slack-token', 'notes/slack.txt', 7, 'secret'],
    ]);
    expect(out.findings[0]!.pair?.reveal()).toBe(v.AWSSECRET);
    expect(out.findings[0]!.committedAt).toBe('2024-04-30T18:05:11.000Z');
  });

  it('GitHub secret-scanning alerts: alerts without a visible secret are skipped', async () => {
    const v = { HF: gen.hf(), GITHUB: gen.ghp() };
    const { ctx } = scanContext('import', {});
    const out = await importReport.run(ctx, importReport.input.parse({ format: 'github-alerts', file: fixture('github-alerts.json', v) }));
    expect(out.findings.map((f: Finding) => [f.rule, f.file])).toEqual([
      ['huggingface-token', 'https://github.com/acme/api/security/secret-scanning/42'],
      ['github-token', 'https://github.com/acme/api/security/secret-scanning/43'],
    ]);
    expect(out.stats.reported).toBe(2);
  });

  it('GitHub secret-scanning alerts: placeholder values are set aside like scan findings, never sent to a liveness check', async () => {
    const real = gen.ghp();
    const alerts = [
      { number: 1, secret_type: 'github_personal_access_token', secret: 'ghp_' + 'x'.repeat(12), html_url: 'https://github.com/acme/api/security/secret-scanning/1' },
      { number: 2, secret_type: 'custom_pattern', secret: 'YOUR_API_KEY_HERE' },
      { number: 3, secret_type: 'custom_pattern', secret: '${API_KEY}' },
      { number: 4, secret_type: 'github_personal_access_token', secret: real },
    ];
    const t = tempDir();
    try {
      const file = join(t.dir, 'alerts.json');
      writeFileSync(file, JSON.stringify(alerts));
      const { ctx } = scanContext('import', {});
      const out = await importReport.run(ctx, importReport.input.parse({ format: 'github-alerts', file }));
      expect(out.findings.map((f: Finding) => f.token.reveal())).toEqual([real]);
      expect(out.suppressed.map((s: { rule: string; file: string; reason: string }) => [s.rule, s.file, s.reason])).toEqual([
        ['github-alert:github_personal_access_token', 'https://github.com/acme/api/security/secret-scanning/1', 'placeholder'],
        ['github-alert:custom_pattern', 'alert #2', 'placeholder'],
        ['github-alert:custom_pattern', 'alert #3', 'placeholder'],
      ]);
    } finally {
      t.cleanup();
    }
  });

  it('a broken report is an error naming the file (and line), never quoting it', async () => {
    const secret = gen.hf();
    const bad = join(t.dir, 'bad.json');
    writeFileSync(bad, `[{"Secret": "${secret}"`);
    const { ctx } = scanContext('import', {});
    const e1 = await importReport.run(ctx, importReport.input.parse({ format: 'gitleaks', file: bad })).catch((e: unknown) => e as Error);
    expect(e1.message).toMatch(/bad\.json: not valid JSON/);
    expect(e1.message).not.toContain(secret.slice(3));
    writeFileSync(bad, `{"DetectorName":"X","Raw":"a"}\n{"DetectorName": "HuggingFace", "Raw": "${secret}"\n`);
    const e2 = await importReport.run(ctx, importReport.input.parse({ format: 'trufflehog', file: bad })).catch((e: unknown) => e as Error);
    expect(e2.message).toMatch(/bad\.json:2: not a JSON line/);
    expect(e2.message).not.toContain(secret.slice(3));
  });
});

describe('scan.checkLiveness: lists to act on', () => {
  it('splits findings into live, unknown and dead; JWTs by their expiry; kinds without a check are unknown with where to revoke', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = (exp: number) => [enc({ alg: 'HS256', typ: 'JWT' }), enc({ sub: randomFrom('abcdefgh', 10), exp }), randomFrom('ABCDEFGHabcdefgh0123456789', 43)].join('.');
    const { ctx } = scanContext('files', {});
    const t = tempDir();
    try {
      writeTree(t.dir, { 'a.txt': `old ${jwt(1_000_000_000)}\nnew ${jwt(4_102_444_800)}\nstripe ${'sk' + '_live_' + randomFrom('ABCDEFGHabcdefgh0123456789', 30)}\n` });
      const found = await files.run(ctx, files.input.parse({ paths: [t.dir] }));
      expect(found.findings).toHaveLength(3);
      const { ctx: lctx } = scanContext('checkLiveness', {});
      const out = await liveness.run(lctx, liveness.input.parse({ findings: found.findings }));
      expect([out.live, out.unknown, out.dead]).toEqual([0, 2, 1]);
      expect(out.dead_findings.map((f: { line: number; liveness_detail: string }) => f.line)).toEqual([1]);
      expect(out.unknown_findings.map((f: { line: number; liveness_detail: string }) => f.liveness_detail).join('\n')).toMatch(/dashboard\.stripe\.com/);
    } finally {
      t.cleanup();
    }
  });
});
