// Bundles the CLI with esbuild. Code splitting keeps Ink (and every command) out of the
// --version / --help path: cli.ts loads each command with a dynamic import, and providers
// import their SDKs on first use, so each SDK lands in a chunk of its own that only an action
// that runs loads.
// Builds into a fresh folder and swaps it in, so a running `dist/cli.js` is never half-written.
import { build } from 'esbuild';
import { rmSync, chmodSync, renameSync, existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { bundlePatches } from './bundle-patches.mjs';

// Packages are bundled too: a package loaded as one chunk instead of tens or hundreds of ESM/CJS
// files from node_modules loads about twice as fast (zod, yaml and execa on every command that
// reads a runbook; each SDK on its first call) — bench/startup.mjs and bench/README.md.
// Kept external, i.e. loaded from node_modules at run time:
// - none at the moment. Add a package here when it reads files next to its own source at run
//   time (`__dirname`, `new URL('./x', import.meta.url)`) or must be one instance shared with
//   code outside the bundle.
// - pg-native: pg's optional libpq binding (`require('pg').native`), never used by runbook.
const EXTERNAL = ['pg-native'];

const stubs = bundlePatches();

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// this build's id: the stored runbooks below are used only by the code built with them
const BUILD = `${version}+${Date.now().toString(36)}.${randomBytes(4).toString('hex')}`;

const tmp = `dist.tmp-${process.pid}`;
const old = `dist.old-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
await build({
  // the shared journal's worker thread (src/core/journal/pg-store.ts) is an entry of its own: dist/pg-worker.js
  entryPoints: { cli: 'src/cli.ts', 'pg-worker': 'src/core/journal/pg-worker.ts' },
  outdir: tmp,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external: EXTERNAL,
  plugins: [stubs],
  // React's production build (the bundled copy only; no source of ours reads NODE_ENV);
  // the version from package.json, inlined so --version reads no file (src/help.ts)
  define: { 'process.env.NODE_ENV': '"production"', __RUNBOOK_VERSION__: JSON.stringify(version), __RUNBOOK_BUILD__: JSON.stringify(BUILD) },
  jsx: 'automatic',
  logLevel: 'warning',
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __runbookCreateRequire } from 'node:module';\nconst require = __runbookCreateRequire(import.meta.url);" },
});
await compileRunbooks(`${tmp}/compiled-runbooks`);
chmodSync(`${tmp}/cli.js`, 0o755);
if (existsSync('dist')) renameSync('dist', old);
renameSync(tmp, 'dist');
rmSync(old, { recursive: true, force: true });

/**
 * The validated form of every shipped runbook, as `<dir>/<sha256 of its text>.json` stamped with
 * this build (src/core/runbook/compiled.ts): a command loading a shipped runbook unchanged skips
 * the YAML parse and the validation. The validator is the same source, bundled on its own here.
 */
async function compileRunbooks(dir) {
  const script = `compile-runbooks-${process.pid}.mjs`;
  await build({
    stdin: { contents: "export { compileShipped } from './src/commands/compile-shipped.ts';", resolveDir: '.', loader: 'ts', sourcefile: 'compile-runbooks.ts' },
    outfile: script,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    plugins: [stubs],
    define: { 'process.env.NODE_ENV': '"production"', __RUNBOOK_VERSION__: JSON.stringify(version), __RUNBOOK_BUILD__: JSON.stringify(BUILD) },
    logLevel: 'warning',
    banner: { js: "import { createRequire as __runbookCreateRequire } from 'node:module';\nconst require = __runbookCreateRequire(import.meta.url);" },
  });
  try {
    const { compileShipped } = await import(pathToFileURL(script).href);
    const { compiled, skipped } = compileShipped('runbooks', BUILD);
    mkdirSync(dir, { recursive: true });
    for (const c of compiled) writeFileSync(`${dir}/${c.sha256}.json`, JSON.stringify(c));
    // not an error here: a command loading it reports its problems with file:line:col
    for (const f of skipped) console.warn(`build: runbooks/${f} does not validate: not compiled (\`runbook validate runbooks/${f}\` says why)`);
  } finally {
    rmSync(script, { force: true });
  }
}
