import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import scan from '../../src/providers/scan/index.js';
import { ProviderError } from '../../src/core/errors.js';
import { fingerprintValue, isSecret } from '../../src/core/secrets/secret.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { commitAll, gen, git, initRepo, scanContext, tempDir, writeTree } from './helpers-scan.js';
/** AWS's documented example key id (a placeholder by design), assembled so no key-shaped literal is committed */
const AWS_DOC_ID = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');


const files = scan.actions.files!;
const gitScan = scan.actions.git!;

/** every value must be absent from everything that can be printed or stored */
function expectNoValues(values: string[], ...outputs: unknown[]) {
  for (const o of outputs) {
    const text = typeof o === 'string' ? o : `${JSON.stringify(o)}\n${inspect(o, { depth: null })}`;
    for (const v of values) expect(text.includes(v), `a value leaked into ${text.slice(0, 80)}`).toBe(false);
  }
}

describe('scan.files', () => {
  const t = tempDir();
  const v = { hf: gen.hf(), org: gen.hfOrg(), ghp: gen.ghp(), fine: gen.ghFine(), awsId: gen.awsId(), awsSecret: gen.awsSecret(), slack: gen.slack(), openai: gen.openai(), generic: gen.generic(), binary: gen.hf(), large: gen.hf(), inGit: gen.hf() };
  // every value but the AWS access key id, which is an identifier (shown in full)
  const all = Object.values(v).filter((x) => x !== v.awsId);
  const key = 'fixed-fingerprint-key-for-test';

  beforeAll(() => {
    writeTree(t.dir, {
      '.env': `# settings\nHF_TOKEN=${v.hf}\nORG=${v.org}\n`,
      'app/config.yaml': `github:\n  token: ${v.ghp}\n  fine: ${v.fine}\n`,
      'app/copy-of-env.txt': `old token was ${v.hf}\n`,
      'deploy/aws.ini': `[default]\naws_access_key_id = ${v.awsId}\naws_secret_access_key = ${v.awsSecret}\nexample = ${AWS_DOC_ID}\n`,
      'notify.js': `const slack = "${v.slack}";\nconst openai = '${v.openai}';\n`,
      'settings.py': `DEBUG = True\nSERVICE_API_KEY = "${v.generic}"\nOTHER_KEY = os.environ["OTHER_KEY"]\n`,
      'image.bin': Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(v.binary)]),
      '.git/config': `token=${v.inGit}\n`,
      'clean.md': '# nothing here\n',
    });
    writeFileSync(join(t.dir, 'huge.log'), `${v.large}\n`.padEnd(5 * 1024 * 1024 + 10, 'x'));
  });
  afterAll(() => t.cleanup());

  it('finds each known shape with file, line, rule and hint, and keeps values only as Secrets', async () => {
    const { ctx, secrets, log, evidence } = scanContext('files', {});
    const out = await files.run(ctx, files.input.parse({ paths: [t.dir] }));
    const byValue = new Map<string, any>(out.findings.map((f: any) => [f.token.reveal(), f]));
    const expectFinding = (value: string, rule: string, hint: string, file: string, line: number) => {
      const f = byValue.get(value);
      expect(f, `no finding for ${rule}`).toBeDefined();
      expect(f).toMatchObject({ rule, provider_hint: hint, file: join(t.dir, file), line, last4: value.slice(-4) });
      expect(isSecret(f.token)).toBe(true);
      if (rule === 'aws-access-key-id') expect(secrets.redactor.redact(`x ${value} y`)).toBe(`x ${value} y`);
      else expect(secrets.redactor.redact(`x ${value} y`)).not.toContain(value);
    };
    expectFinding(v.org, 'huggingface-org-token', 'huggingface', '.env', 3);
    expectFinding(v.ghp, 'github-token', 'github', 'app/config.yaml', 2);
    expectFinding(v.fine, 'github-fine-grained-pat', 'github', 'app/config.yaml', 3);
    expectFinding(v.awsId, 'aws-access-key-id', 'aws', 'deploy/aws.ini', 2);
    expectFinding(v.awsSecret, 'aws-secret-access-key', 'aws', 'deploy/aws.ini', 3);
    expectFinding(v.slack, 'slack-token', 'slack', 'notify.js', 1);
    expectFinding(v.openai, 'openai-key', 'openai', 'notify.js', 2);
    expectFinding(v.generic, 'generic-high-entropy', 'generic', 'settings.py', 2);
    // the same HF token in two files is one finding with both locations (sorted by path)
    const hf = byValue.get(v.hf);
    expect(hf.rule).toBe('huggingface-token');
    expect(hf.locations).toEqual([
      { file: join(t.dir, '.env'), line: 2 },
      { file: join(t.dir, 'app/copy-of-env.txt'), line: 1 },
    ]);
    // the AWS halves are paired, so liveness can check the key
    expect(byValue.get(v.awsId).pair.reveal()).toBe(v.awsSecret);
    // skipped: binary, > 5 MB, .git, the documented EXAMPLE key, env references
    for (const skipped of [v.binary, v.large, v.inGit, AWS_DOC_ID]) expect(byValue.has(skipped)).toBe(false);
    expect(out.findings.some((f: any) => f.file.endsWith('settings.py') && f.line === 3)).toBe(false);
    expect(out.stats).toMatchObject({ skipped_binary: 1, skipped_large: 1 });
    expect(out.findings).toHaveLength(9);
    expect(files.output.safeParse(out).success).toBe(true);
    expectNoValues(all, out, log.lines, evidence);
  });

  it('fingerprints with the configured key, or a per-process key that is stable within the process', async () => {
    const reg = new SecretRegistry();
    const fk = reg.create(key, 'secrets.fp');
    const keyed = await files.run(scanContext('files', { fingerprint_key: fk }, reg).ctx, { paths: [join(t.dir, '.env')] });
    const f = keyed.findings.find((x: any) => x.token.reveal() === v.hf);
    expect(f.fingerprint).toBe(fingerprintValue(v.hf, key));
    const r1 = await files.run(scanContext('files', {}).ctx, { paths: [join(t.dir, '.env')] });
    const r2 = await files.run(scanContext('files', {}).ctx, { paths: [join(t.dir, '.env')] });
    const fp = (r: any) => r.findings.find((x: any) => x.token.reveal() === v.hf).fingerprint;
    expect(fp(r1)).toBe(fp(r2));
    expect(fp(r1)).not.toBe(fingerprintValue(v.hf, key));
    expect(fp(r1)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('skips excluded names anywhere below the paths', async () => {
    const out = await files.run(scanContext('files', {}).ctx, files.input.parse({ paths: [t.dir], exclude: ['app', 'notify.js'] }));
    expect(out.findings.some((f: any) => f.file.includes('/app/') || f.file.endsWith('notify.js'))).toBe(false);
    expect(out.findings.some((f: any) => f.file.endsWith('.env'))).toBe(true);
  });

  it('plans without reading anything', async () => {
    const { ctx } = scanContext('files', {});
    expect(await files.plan!(ctx, files.input.parse({ paths: ['/nonexistent'], exclude: ['node_modules'] }))).toEqual([
      'read and scan /nonexistent (skipping .git, node_modules, binary files and files over 5 MiB); nothing is changed',
    ]);
  });
});

describe('scan.git (real git history)', () => {
  const t = tempDir();
  const v = { removed: gen.hf(), branch: gen.ghp(), twice: gen.slack(), odd: gen.hf(), generic: gen.generic() };
  const commits: Record<string, string> = {};

  beforeAll(() => {
    initRepo(t.dir);
    writeTree(t.dir, { 'README.md': '# demo\n', 'app/config.py': 'import os\n\nDEBUG = False\n' });
    commits.first = commitAll(t.dir, 'initial');
    writeTree(t.dir, { 'app/config.py': `import os\n\nHF_TOKEN = "${v.removed}"\nDEBUG = False\n`, 'notes.txt': `slack ${v.twice}\n` });
    commits.leak = commitAll(t.dir, 'add config');
    writeTree(t.dir, { 'app/config.py': 'import os\n\nHF_TOKEN = os.environ["HF_TOKEN"]\nDEBUG = False\n', 'notes.txt': 'nothing\n' });
    commits.fix = commitAll(t.dir, 'remove token');
    writeTree(t.dir, { 'docs/más notas.txt': `line one\nline two\nkey ${v.odd}\n`, 'other/notes.txt': `one\nslack again ${v.twice}\n`, 'settings.ini': `API_SECRET=${v.generic}\n` });
    commits.later = commitAll(t.dir, 'more');
    git(t.dir, 'checkout', '-q', '-b', 'feature', commits.first);
    writeTree(t.dir, { 'feature.txt': `a\nb\nc\nd\ngh ${v.branch}\n` });
    commits.branch = commitAll(t.dir, 'feature work');
    git(t.dir, 'checkout', '-q', 'main');
  });
  afterAll(() => t.cleanup());

  it('finds a token that was added and later deleted, with the commit and line that added it', async () => {
    const { ctx, log, evidence } = scanContext('git', {});
    const out = await gitScan.run(ctx, gitScan.input.parse({ repo: t.dir }));
    const by = new Map<string, any>(out.findings.map((f: any) => [f.token.reveal(), f]));
    expect(by.get(v.removed)).toMatchObject({ rule: 'huggingface-token', provider_hint: 'huggingface', file: 'app/config.py', line: 3, commit: commits.leak, last4: v.removed.slice(-4) });
    expect(by.get(v.branch)).toMatchObject({ rule: 'github-token', file: 'feature.txt', line: 5, commit: commits.branch });
    expect(by.get(v.odd)).toMatchObject({ file: 'docs/más notas.txt', line: 3, commit: commits.later });
    expect(by.get(v.generic)).toMatchObject({ rule: 'generic-high-entropy', file: 'settings.ini', line: 1 });
    // one finding per value; all locations, oldest first
    expect(by.get(v.twice).locations).toEqual([
      { file: 'notes.txt', line: 1, commit: commits.leak, committedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), repo: realpathSync(t.dir), path: 'notes.txt' },
      { file: 'other/notes.txt', line: 2, commit: commits.later, committedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), repo: realpathSync(t.dir), path: 'other/notes.txt' },
    ]);
    expect(out.findings).toHaveLength(5);
    expect(out.stats.commits).toBe(5);
    expect(gitScan.output.safeParse(out).success).toBe(true);
    expectNoValues(Object.values(v), out, log.lines, evidence);
  });

  it('the working tree alone no longer shows the removed token (history is what finds it)', async () => {
    const out = await files.run(scanContext('files', {}).ctx, { paths: [join(t.dir, 'app')] });
    expect(out.findings).toHaveLength(0);
  });

  it('scans only the given refs when asked', async () => {
    const out = await gitScan.run(scanContext('git', {}).ctx, gitScan.input.parse({ repo: t.dir, refs: ['main'] }));
    expect(out.findings.some((f: any) => f.token.reveal() === v.branch)).toBe(false);
    expect(out.findings.some((f: any) => f.token.reveal() === v.removed)).toBe(true);
    expect(gitScan.input.safeParse({ repo: t.dir, refs: ['--output=/tmp/x'] }).success).toBe(false);
  });

  it('a folder that is not a repository is a ProviderError naming it', async () => {
    const d = tempDir();
    try {
      const err = await gitScan.run(scanContext('git', {}).ctx, { repo: d.dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).code).toBe('NOT_A_REPO');
      expect((err as ProviderError).message).toContain(d.dir);
    } finally {
      d.cleanup();
    }
  });
});
