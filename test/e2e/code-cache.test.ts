/**
 * The runner's V8 code cache (src/code-cache.ts, scripts/build.mjs): the build ships one this
 * Node accepts; a missing or refused cache is written when the process exits and used by the
 * next; RUNBOOK_CODE_CACHE=off neither reads nor writes one. Each test runs a copy of dist/ (the
 * other tests' processes share the real one). Whether V8 took a cache shows on disk: a process
 * that finds none, or one V8 refuses, writes a new one as it exits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ensureBuilt } from './cli.js';

beforeAll(ensureBuilt);

/** a copy of dist/ (and the shipped runbooks beside it, as in the package) */
function copyDist(): { dist: string; cacheDir: string; run: (args: string[], env?: Record<string, string>) => ReturnType<typeof spawnSync> } {
  const root = mkdtempSync(join(tmpdir(), 'runbook-cc-'));
  cpSync(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') });
  cpSync(join(ROOT, 'runbooks'), join(root, 'runbooks'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  const dist = join(root, 'dist');
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(dist, 'cli.js'), ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '', HOME: root, XDG_STATE_HOME: join(root, 'state'), ...env },
    });
  return { dist, cacheDir: join(dist, 'code-cache'), run };
}

/** the cache files for this Node: name → [mtime, bytes] */
function caches(dir: string): Map<string, [number, Buffer]> {
  const out = new Map<string, [number, Buffer]>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(`-${process.version}-${process.arch}.bin`)) continue;
    out.set(f, [statSync(join(dir, f)).mtimeMs, readFileSync(join(dir, f))]);
  }
  return out;
}

const VALIDATE = ['validate', 'runbooks/slack-token-leak.yaml'];

describe('the code cache of dist/runner.cjs', () => {
  it('the build ships one that this Node accepts: a command runs and leaves it as it was', () => {
    const c = copyDist();
    const before = caches(c.cacheDir);
    expect(before.size, `no cache for ${process.version} in dist/code-cache`).toBe(1);
    const r = c.run(VALIDATE);
    expect(r.status, String(r.stderr)).toBe(0);
    expect(r.stderr).toBe('');
    expect(caches(c.cacheDir)).toEqual(before);
  });

  it('a missing one is written as the process exits (after a drill that changed V8 heap flags) and the next process takes it', () => {
    const c = copyDist();
    rmSync(c.cacheDir, { recursive: true, force: true });
    // a scripted drill holds the engine's heap bounds (V8 flags) while it runs: the cache is
    // written with V8's defaults back, or every later process would refuse it
    const drill = c.run(['drill', 'slack-token-leak', '--yes', '--speed', '600', '--json']);
    expect(drill.status, String(drill.stderr).slice(0, 2000)).toBe(0);
    const written = caches(c.cacheDir);
    expect(written.size).toBe(1);
    const r = c.run(VALIDATE);
    expect(r.status, String(r.stderr)).toBe(0);
    expect(caches(c.cacheDir)).toEqual(written);
  }, 120_000);

  it('one V8 refuses is replaced, and the command runs all the same', () => {
    const c = copyDist();
    const [name] = [...caches(c.cacheDir).keys()];
    writeFileSync(join(c.cacheDir, name!), Buffer.alloc(4096, 7));
    const r = c.run(VALIDATE);
    expect(r.status, String(r.stderr)).toBe(0);
    expect(r.stdout).toContain('1 runbook valid');
    const replaced = caches(c.cacheDir);
    expect(replaced.get(name!)![1].equals(Buffer.alloc(4096, 7))).toBe(false);
    expect(c.run(VALIDATE).status).toBe(0);
    expect(caches(c.cacheDir)).toEqual(replaced);
  });

  it('RUNBOOK_CODE_CACHE=off neither reads nor writes one', () => {
    const c = copyDist();
    rmSync(c.cacheDir, { recursive: true, force: true });
    const r = c.run(VALIDATE, { RUNBOOK_CODE_CACHE: 'off' });
    expect(r.status, String(r.stderr)).toBe(0);
    expect(existsSync(c.cacheDir)).toBe(false);
  });

  it('a provider plugin (an ES module the runner imports at run time) loads from a cached runner', () => {
    const c = copyDist();
    const dir = mkdtempSync(join(tmpdir(), 'runbook-cc-plugin-'));
    writeFileSync(
      join(dir, 'p.mjs'),
      `export default function ({ z, defineProvider, defineAction }) {
  return defineProvider({ type: 'cc', description: 'A plugin.', config: z.strictObject({}),
    actions: { go: defineAction({ kind: 'any', description: 'Nothing.', input: z.strictObject({}), output: z.object({}), idempotent: true, run: async () => ({}) }) } });
}
`,
    );
    writeFileSync(join(dir, 'p.yaml'), 'version: 1\nid: p\ntitle: P\nplugins: [./p.mjs]\nproviders:\n  x: { type: cc }\nsteps:\n  - id: go\n    kind: detect\n    title: Go\n    uses: x.go\n');
    const r = c.run(['validate', join(dir, 'p.yaml')]);
    expect(r.status, String(r.stdout) + String(r.stderr)).toBe(0);
    expect(r.stderr).toBe('');
  });
});
