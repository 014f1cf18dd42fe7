/**
 * End to end: the BUILT CLI (`npm run build`, then `node dist/cli.js report …`). The fresh dist
 * is copied to a private folder first, so another build in the shared tree cannot pull it away
 * mid-test (external packages still resolve from the repository's node_modules).
 */
import { cpSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/core/exec.js';
import { drill, liveHf } from './scenarios.js';
import { tempDir } from './harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PRIVATE = join(ROOT, 'node_modules', '.cache', `report-e2e-${process.pid}`);
let t: ReturnType<typeof tempDir>;

beforeAll(async () => {
  const build = await exec(['npm', 'run', 'build'], { cwd: ROOT, timeoutMs: 120_000 });
  if (build.exitCode !== 0) throw new Error(`npm run build failed:\n${build.stderr}${build.stdout}`);
  mkdirSync(PRIVATE, { recursive: true });
  cpSync(join(ROOT, 'dist'), join(PRIVATE, 'dist'), { recursive: true });
  t = tempDir();
  liveHf(join(t.dir, 'state'), t.dir);
  drill(join(t.dir, 'state'));
}, 180_000);
afterAll(() => {
  t?.cleanup();
  rmSync(PRIVATE, { recursive: true, force: true });
});

const cli = (args: string[]) => exec(['node', join(PRIVATE, 'dist', 'cli.js'), ...args], { cwd: t.dir, timeoutMs: 30_000 });

describe('built cli: runbook report', () => {
  it('prints the same Markdown as the golden file', async () => {
    const r = await cli(['report', 'hf-2024-05-31', '--state-dir', join(t.dir, 'state')]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(import.meta.dirname, 'golden', 'live-hf.md'), 'utf8'));
  });

  it('writes JSON to --out with mode 0600 and says where on stderr', async () => {
    const r = await cli(['report', 'drill-hf-001', '--format', 'json', '--out', 'drill.json', '--state-dir', 'state']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`written to ${join(t.dir, 'drill.json')} (mode 0600)`);
    expect(statSync(join(t.dir, 'drill.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(t.dir, 'drill.json'), 'utf8')).toBe(readFileSync(join(import.meta.dirname, 'golden', 'drill.json'), 'utf8'));
  });

  it('an unknown incident exits 2 with the state dir and a next step', async () => {
    const r = await cli(['report', 'missing-incident', '--state-dir', 'state']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`no incident "missing-incident" in the state directory ${join(t.dir, 'state')}`);
    // the hint names the program as it was run (node …/dist/cli.js here), so it runs as printed
    expect(r.stderr).toMatch(/→ Run `node \S+\/dist\/cli\.js incidents --state-dir \S+`/);
  });

  it('is listed in --help and has its own help', async () => {
    expect((await cli(['--help'])).stdout).toContain('report ID');
    const h = await cli(['report', '--help']);
    expect(h.exitCode).toBe(0);
    expect(h.stdout).toContain('--format md|json');
  });
});
