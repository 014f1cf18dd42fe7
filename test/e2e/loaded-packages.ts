/**
 * What did a CLI process load? The module-resolution tracer (fixtures/trace-resolve.mjs) prints
 * each bare specifier resolved from node_modules (`RESOLVE name`), each file loaded from a
 * `dist/` folder (`CHUNK file`) and each module started inside dist/runner.cjs (`MODULE path`).
 * Packages bundled into a dist chunk are read from that chunk's source map, so the answer is the
 * same whether a package is bundled or loaded from node_modules.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT } from './cli.js';

const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** Every package the traced process loaded, from node_modules or bundled into a dist chunk. */
export function loadedPackages(stderr: string): Set<string> {
  const out = new Set<string>();
  for (const [, spec] of stderr.matchAll(/^RESOLVE (\S+)$/gm)) if (spec) out.add(packageOf(spec));
  for (const [, path] of stderr.matchAll(/^MODULE (\S+)$/gm)) {
    const inPackage = path?.split('node_modules/').at(-1);
    if (inPackage && inPackage !== path) out.add(packageOf(inPackage));
  }
  for (const [, chunk] of stderr.matchAll(/^CHUNK (\S+)$/gm)) {
    // the tracer names any file below a `dist/` folder, packages' own included (e.g. mjs/signals.js)
    if (!chunk || !existsSync(join(ROOT, 'dist', chunk))) continue;
    const map = join(ROOT, 'dist', `${chunk}.map`);
    if (!existsSync(map)) throw new Error(`no source map for dist/${chunk}: cannot tell which packages it holds`);
    for (const source of (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources) {
      const inPackage = source.split('node_modules/').at(-1);
      if (inPackage && inPackage !== source) out.add(packageOf(inPackage));
    }
  }
  return out;
}

/** Run the built CLI under the tracer; `packages` is what it loaded. */
/** The source paths of the runner's modules, in the order they started. */
export function startedModules(stderr: string): string[] {
  return [...stderr.matchAll(/^MODULE (\S+)$/gm)].map((m) => m[1]!);
}

export function tracedCli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/e2e/fixtures/trace-resolve.mjs'), CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { ...r, packages: loadedPackages(r.stderr) };
}
