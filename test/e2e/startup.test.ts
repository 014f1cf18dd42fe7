import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, ROOT, cli, ensureBuilt } from './cli.js';
import { loadedPackages, startedModules } from './loaded-packages.js';

beforeAll(ensureBuilt);

const traced = (args: string[]) =>
  spawnSync(process.execPath, ['--import', join(ROOT, 'test/e2e/fixtures/trace-resolve.mjs'), CLI, ...args], { encoding: 'utf8' });

describe('startup', () => {
  it('--version and --help load no package at all (no Ink, no SDK)', () => {
    for (const args of [['--version'], ['--help'], ['run', '--help']]) {
      const r = traced(args);
      expect(r.status).toBe(0);
      expect(r.stderr.match(/^RESOLVE .*/gm) ?? []).toEqual([]);
      expect([...loadedPackages(r.stderr)]).toEqual([]); // nor a chunk with a package bundled in
    }
  });

  it('a scripted command loads no Ink and not the TUI', () => {
    const r = traced(['plan', 'runbooks/examples/leaked-token-triage.yaml', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).steps.length).toBeGreaterThan(1);
    expect(loadedPackages(r.stderr)).toContain('zod'); // the tracer works (bundled or not)
    expect(startedModules(r.stderr)).toContain('src/commands/plan.ts');
    expect([...loadedPackages(r.stderr)].filter((p) => p === 'ink' || p === 'react')).toEqual([]);
    // the header's first line (src/ui/first-line.ts, no dependency) is the runner's; the TUI is not
    expect(startedModules(r.stderr).filter((m) => (m.startsWith('src/ui/') && m !== 'src/ui/first-line.ts'))).toEqual([]);
  });

  it('prints the version and the exit-code table', () => {
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = cli(['--help']);
    expect(h.stdout).toContain('Exit codes: 0 done');
    expect(cli([]).code).toBe(2);
    const bad = cli(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown command "frobnicate"');
  });

  it('a reader that goes away (| head) is not reported as a bug', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" schema | true`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('internal error');
  });
});
