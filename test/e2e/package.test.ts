/**
 * The npm package as a responder gets it: `npm pack` → `npm install -g` into a temporary prefix
 * (offline: the tarball has no dependencies) → `runbook --version`, `runbook run
 * aws-access-key-exposure --help` and a drill, from a folder outside the repository, with only
 * the installed `runbook` on PATH. Packs the already built dist/ (--ignore-scripts: no rebuild
 * under the other tests' feet).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'runbook-pack-'));
const prefix = join(tmp, 'prefix');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;
let tarball = '';
let files: string[] = [];

beforeAll(() => {
  ensureBuilt();
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(tmp, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run a command with only the installed package's bin folder (and node's) on PATH. */
function installed(args: string[], extra: Record<string, string> = {}) {
  return spawnSync('runbook', args, {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 180_000,
    env: { PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: tmp, XDG_STATE_HOME: join(tmp, 'state'), NO_COLOR: '1', ...extra },
  });
}

describe('the npm package', () => {
  it('is publishable: not private, MIT with a LICENSE, no invented repository, no runtime dependencies', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe('MIT');
    // the project has no public repository yet: no repository, homepage or bugs URL until it has
    // one (a placeholder sent users of the package to a repository that is not this one)
    expect(pkg.repository).toBeUndefined();
    expect(pkg.homepage).toBeUndefined();
    expect(pkg.bugs).toBeUndefined();
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ runbook: 'dist/cli.js' });
  });

  it('ships the bundle, the runbooks with their scenarios, the schema and the docs — no sources, tests or maps', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/cli.js', 'schema/runbook.schema.json', 'runbooks/aws-access-key-exposure.yaml', 'runbooks/scenarios/aws-access-key-exposure.scenario.yaml', 'runbooks/lib/hf-spaces-scope.mjs', 'docs/report-format.md'])
      expect(files, f).toContain(f);
    expect(files.filter((f) => /^(src|test|bench|\.ci|scripts|examples)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  });

  it('installs as one package with no network, and runs: --version, a shipped runbook by id, a drill', () => {
    const inst = spawnSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], { encoding: 'utf8', timeout: 120_000 });
    expect(inst.status, inst.stderr).toBe(0);
    expect(inst.stdout).toMatch(/added 1 package/);
    expect(readdirSync(join(prefix, 'lib', 'node_modules'))).toEqual(['runbook']);
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'runbook', 'node_modules'))).toBe(false);

    const v = installed(['--version']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toBe(`${pkg.version}\n`);

    const h = installed(['run', 'aws-access-key-exposure', '--help']);
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toContain('Usage: runbook run FILE|ID');

    const d = installed(['drill', 'aws-access-key-exposure', '--yes'], { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    expect(d.status, d.stderr).toBe(0);
    expect(d.stderr).toContain('Drill scorecard');
    // the installed runbook is on PATH, so hints say `runbook …` — and that runs
    const report = /→ Report: (runbook report \S+)/.exec(d.stderr)?.[1];
    expect(report).toBeDefined();
    const r = installed(report!.split(' ').slice(1));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('## Timeline chart');

    // what a responder's own secret scanner sees in the install: no credential of any kind
    const scan = installed(['scan', join(prefix, 'lib', 'node_modules', 'runbook')]);
    expect(scan.status, scan.stdout + scan.stderr).toBe(0);
    expect(scan.stdout).toMatch(/^no credentials found in \d+ files/i);
  }, 300_000);

  it('bundles no private key: smtp-server\'s built-in localhost key and certificate are dropped (scripts/build.mjs)', () => {
    ensureBuilt();
    const dist = join(ROOT, 'dist');
    for (const f of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((n) => /\.(c|m)?js$/.test(n))) {
      const text = readFileSync(join(dist, f), 'utf8');
      // a PEM block with its base64 body (our own code may name the markers, never carry a body)
      expect(/-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----(\\n|\n)[A-Za-z0-9+/]{40}/.test(text), f).toBe(false);
    }
  });
});
