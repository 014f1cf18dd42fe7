/**
 * End to end: the BUILT cli (`npm run build`; `npm test` builds first) validating, listing and
 * printing the schema, with exit codes and output as a user or CI sees them.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const example = 'runbooks/examples/leaked-token-triage.yaml';
const invalid = (f: string) => `test/runbook/fixtures/invalid/${f}`;

function run(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(cli)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
}, 120_000);

describe('runbook validate (built cli)', () => {
  it('exits 0 for valid runbooks, files or folders', () => {
    const r = run(['validate', example, 'runbooks']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ ${example}\n`);
    expect(r.stdout).toMatch(/\d+ runbooks valid\n$/);
  });

  it('exits 2 and points at the line and column with a code frame', () => {
    const r = run(['validate', example, invalid('with-unknown-key.yaml'), invalid('needs-cycle.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      [
        `${invalid('with-unknown-key.yaml')}:14:7  steps[0].with.okcodes: unknown key "okcodes" — did you mean "ok_codes"?`,
        '  13 |       command: [echo, hi]',
        '> 14 |       okcodes: [0]',
        '     |       ^',
      ].join('\n'),
    );
    expect(r.stdout).toContain(`${invalid('needs-cycle.yaml')}:9:13  steps[0].needs[0]: needs form a cycle: a → c`);
    expect(r.stdout).toMatch(/2 of 3 runbooks invalid \(2 problems\)\n$/);
  });

  it('shows the first N problems per file, then how many more', () => {
    const r = run(['validate', '--max-issues', '1', invalid('expr-unknown-refs.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`✗ ${invalid('expr-unknown-refs.yaml')}: 3 problems`);
    expect(r.stdout.match(/\s\^\n/g)).toHaveLength(1);
    expect(r.stdout).toContain(`… and 2 more in ${invalid('expr-unknown-refs.yaml')}`);
  });

  it('--format json gives every issue with its position, for editors and CI', () => {
    const r = run(['validate', '--format', 'json', example, invalid('secret-literal.yaml')]);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { files: { file: string; valid: boolean; issues: { line: number; col: number; path: string; code: string; frame: string }[] }[] };
    expect(out.files.map((f) => [f.file, f.valid, f.issues.length])).toEqual([
      [example, true, 0],
      [invalid('secret-literal.yaml'), false, 2],
    ]);
    expect(out.files[1]!.issues.map((i) => [i.line, i.col, i.code, i.path])).toEqual([
      [7, 16, 'schema', 'secrets.api.from'],
      [11, 5, 'unknown-key', 'secrets.db.value'],
    ]);
    expect(out.files[1]!.issues[0]!.frame).toContain('^');
  });

  it('never prints a credential found in a runbook', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-e2e-'));
    const token = 'ghp_' + Array.from(randomBytes(36), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
    const file = join(dir, 'leak.yaml');
    writeFileSync(file, readFileSync(join(root, example), 'utf8').replace('title: Triage a token', `title: Triage ${token} a token`));
    for (const format of ['text', 'json']) {
      const r = run(['validate', '--format', format, file]);
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/credential|GitHub token/);
      expect(r.stdout + r.stderr).not.toContain(token.slice(4));
    }
  });

  it('searches folders, skipping YAML that is not a runbook', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-e2e-'));
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'a.yml'), readFileSync(join(root, example), 'utf8'));
    writeFileSync(join(dir, 'scenario.yaml'), 'world:\n  tokens: []\n');
    const r = run(['validate', '.'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ nested/a.yml');
    expect(r.stderr).toContain('skipped 1 YAML file');
  });

  it('exits 2 on usage mistakes', () => {
    expect(run(['validate']).code).toBe(2);
    const r = run(['validate', '--format', 'xml', example]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('runbook validate: --format must be text, json, github, sarif, not "xml"');
    const missing = run(['validate', 'no/such/file.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('no/such/file.yaml  cannot read the file: no such file');
  });
});

describe('runbook schema and list (built cli)', () => {
  it('schema prints exactly the committed JSON Schema', () => {
    const r = run(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(root, 'schema', 'runbook.schema.json'), 'utf8'));
  });

  it('list prints id, severity, steps, title and path in columns; --json too', () => {
    const r = run(['list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +SEVERITY +STEPS +TITLE +PATH$/);
    const row = lines.find((l) => l.startsWith('leaked-token-triage '))!;
    expect(row).toMatch(/^leaked-token-triage +high +4 +Triage a token leaked in a git repository +runbooks\/examples\/leaked-token-triage\.yaml$/);
    // columns line up
    expect(row.indexOf('high')).toBe(lines[0]!.indexOf('SEVERITY'));
    expect(row.indexOf('runbooks/')).toBe(lines[0]!.indexOf('PATH'));
    const json = JSON.parse(run(['list', '--json', 'runbooks/examples']).stdout) as { id: string; steps: number; path: string }[];
    expect(json.find((x) => x.id === 'leaked-token-triage')).toMatchObject({ steps: 4, severity: 'high', path: example });
  });

  it('list names invalid runbooks on stderr and exits 2', () => {
    const r = run(['list', invalid('needs-cycle.yaml'), example]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('leaked-token-triage');
    expect(r.stderr).toContain(`${invalid('needs-cycle.yaml')} is invalid (1 problem); run: node dist/cli.js validate ${invalid('needs-cycle.yaml')}`);
  });
});
