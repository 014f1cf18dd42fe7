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
import { warmCodeCache } from './warm-code-cache.mjs';

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

// The SDKs — what a provider's action, a drill simulator or team mode imports the first time it
// needs it: ES-module chunks of their own (dist/sdk/*.mjs, one entry each, shared code in common
// chunks) that the runner imports then, not part of the runner, whose start pays for every
// module it holds (its code cache, the functions its top level declares; bench/README.md).
// 'default': a CommonJS package of which runbook reads module.exports (`(await import(x)).default`,
// as Node gives it); 'named': an ES module read by its named exports.
const SDKS = {
  '@aws-sdk/client-sts': 'default',
  '@aws-sdk/client-iam': 'default',
  '@aws-sdk/client-guardduty': 'default',
  '@aws-sdk/client-cloudtrail': 'default',
  '@aws-sdk/client-secrets-manager': 'default',
  '@slack/web-api': 'default',
  nodemailer: 'default',
  'libsodium-wrappers': 'default',
  pg: 'default',
  '@huggingface/hub': 'named',
  '@octokit/rest': 'named',
  '@secretlint/core': 'named',
  '@secretlint/secretlint-rule-preset-recommend': 'named',
  '@secretlint/profiler': 'named',
};
const sdkChunk = (pkg) => `sdk/${pkg.replace(/^@/, '').replaceAll('/', '-')}`;
const sdkEntries = {
  name: 'sdk-entries',
  setup(b) {
    // an .mjs path: esbuild then reads a CommonJS package's default as Node does (module.exports)
    b.onResolve({ filter: /^sdk-entry:/ }, (a) => ({ path: `${a.path.slice('sdk-entry:'.length)}.mjs`, namespace: 'sdk-entry' }));
    b.onLoad({ filter: /.*/, namespace: 'sdk-entry' }, (a) => {
      const pkg = JSON.stringify(a.path.slice(0, -'.mjs'.length));
      return { resolveDir: process.cwd(), contents: SDKS[JSON.parse(pkg)] === 'default' ? `import m from ${pkg};\nexport default m;\n` : `export * from ${pkg};\n` };
    });
  },
};
// in the runner, our own import() of an SDK loads its chunk (a path beside dist/cli.js)
const sdkOutside = {
  name: 'sdk-outside',
  setup(b) {
    const names = new RegExp(`^(${Object.keys(SDKS).map((k) => k.replace(/[./-]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter: names }, (a) => (a.kind === 'dynamic-import' && /[\\/]src[\\/]/.test(a.importer) ? { path: `./${sdkChunk(a.path)}.mjs`, external: true } : undefined));
  },
};

// dist/cli.js leaves the commands to dist/runner.cjs: the command table's lazy imports and the
// source fallback of src/cli.ts stay out of its chunks (dist/cli.js never follows them).
const runnerOnly = {
  name: 'runner-only',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (a) =>
      /[\\/]src[\\/]commands[\\/]spec\.ts$/.test(a.importer) || (/[\\/]src[\\/]cli\.ts$/.test(a.importer) && a.path === './command-runner.js') ? { path: a.path, external: true } : undefined,
    );
  },
};

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// this build's id: the stored runbooks below are used only by the code built with them
const BUILD = `${version}+${Date.now().toString(36)}.${randomBytes(4).toString('hex')}`;

const define = { 'process.env.NODE_ENV': '"production"', __RUNBOOK_VERSION__: JSON.stringify(version), __RUNBOOK_BUILD__: JSON.stringify(BUILD) };

const tmp = `dist.tmp-${process.pid}`;
const old = `dist.old-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
/** what every bundle below shares */
const common = { outdir: tmp, bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', external: EXTERNAL, logLevel: 'warning' };
// dist/cli.js: argv, --version, --help (nothing else loads for those), and loading the runner —
// CommonJS (dist/package.json says so): an ES-module entry starts Node's ES-module loader, ~20 ms
// more on the way to the TUI's first frame (bench/README.md), and nothing there needs it.
await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  format: 'cjs',
  plugins: [stubs, runnerOnly],
  // the version from package.json, inlined so --version reads no file (src/help.ts)
  define: { ...define, __RUNBOOK_RUNNER__: JSON.stringify('./runner.cjs'), 'import.meta.url': '__runbookImportMetaUrl' },
  inject: ['scripts/runner-shims.js'],
  banner: { js: '#!/usr/bin/env node' },
});
// ES modules, .mjs: dist/pg-worker.mjs, the shared journal's worker thread
// (src/core/journal/pg-store.ts), and dist/sdk/*.mjs, the SDKs (above)
await build({
  ...common,
  entryPoints: { 'pg-worker': 'src/core/journal/pg-worker.ts', ...Object.fromEntries(Object.keys(SDKS).map((p) => [sdkChunk(p), `sdk-entry:${p}`])) },
  outExtension: { '.js': '.mjs' },
  splitting: true,
  format: 'esm',
  plugins: [stubs, sdkEntries],
  define,
  banner: { js: "import { createRequire as __runbookCreateRequire } from 'node:module';\nconst require = __runbookCreateRequire(import.meta.url);" },
});
writeFileSync(`${tmp}/package.json`, `${JSON.stringify({ type: 'commonjs', description: 'the build of runbook (scripts/build.mjs): dist/cli.js is CommonJS, the .mjs files ES modules' }, null, 2)}\n`);
// dist/runner.cjs: every command (src/command-runner.ts and what it loads, Ink included) as one
// CommonJS script, which src/code-cache.ts loads through a V8 code cache — Node
// 20 caches no ES module's compiled code. Modules imported lazily stay lazy: esbuild wraps each
// in a function that runs on its first import().
await build({
  ...common,
  entryPoints: { runner: 'src/command-runner.ts' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  plugins: [sdkOutside, stubs],
  define: { ...define, 'import.meta.url': '__runbookImportMetaUrl' },
  // no comments or indentation (names and code as they are; the source map has the rest): a
  // third smaller, and ASCII only, so src/code-cache.ts reads it as a one-byte string (a script
  // with one non-ASCII comment decodes as UTF-16, ~4× the time)
  minifyWhitespace: true,
  charset: 'ascii',
  inject: ['scripts/runner-shims.js'],
  jsx: 'automatic',
});
finishRunner(`${tmp}/runner.cjs`);
await compileRunbooks(`${tmp}/compiled-runbooks`);
warmCodeCache(tmp);
chmodSync(`${tmp}/cli.js`, 0o755);
if (existsSync('dist')) renameSync('dist', old);
renameSync(tmp, 'dist');
rmSync(old, { recursive: true, force: true });

/**
 * The runner as written, with these changes:
 * - every non-ASCII UTF-16 unit written as `\\uXXXX`: esbuild escapes strings and templates
 *   (charset: 'ascii') but leaves regular-expression literals as written, and a script with one
 *   non-ASCII character decodes into a two-byte string (~25 ms more for the runner, every start).
 *   The escape means the same code unit in a pattern, with or without the `u` flag;
 * - esbuild's lazy module wrappers (`__esm`, `__commonJS`) pass each module's path to
 *   `globalThis.__runbookModuleTrace` when it is set, as the module starts: the tests' module
 *   tracer (test/e2e/fixtures/trace-resolve.mjs) proves with it what a command loads (no Ink for
 *   --json, no SDK for validate) now that it is all one file. Unset, the path passes through;
 * - what is still imported at run time (a provider plugin, a Node built-in a package imports
 *   lazily) goes through `__runbookImport`, the loader's import() (src/code-cache.ts): Node 20
 *   loses a script's import() callback for functions read from a code cache ("A dynamic import
 *   callback was not specified"), and its own vm loader for it is experimental (it warns);
 * - the whole wrapped in the CommonJS module function the loader calls (src/code-cache.ts). The
 *   first line's columns in the source map are off by the text added in front of it.
 */
function finishRunner(file) {
  let text = readFileSync(file, 'utf8').replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const STRICT = '"use strict";';
  if (!text.startsWith(STRICT)) throw new Error(`${file}: does not start with ${STRICT} (scripts/build.mjs finishRunner)`);
  text = `${STRICT}var __runbookTraceKey=globalThis.__runbookModuleTrace??(k=>k);${text.slice(STRICT.length)}`;
  for (const v of ['fn', 'cb']) {
    const init = `${v}[__getOwnPropNames(${v})[0]]`;
    if (text.split(init).length !== 2) throw new Error(`${file}: esbuild's module wrapper \`${init}\` not found once (scripts/build.mjs finishRunner)`);
    text = text.replace(init, `${v}[__runbookTraceKey(__getOwnPropNames(${v})[0])]`);
  }
  // the bundle's import() calls: those awaited where they are made, and those of the SDK chunks
  // (sdkOutside); the two other `import(` are code in strings (a worker's and a child's
  // --import), which must stay as they are
  text = text.replaceAll('await import(', 'await __runbookImport(');
  const sdks = text.split('import("./sdk/').length - 1;
  if (sdks === 0) throw new Error(`${file}: no import of an SDK chunk (./sdk/…) to route (scripts/build.mjs finishRunner)`);
  text = text.replaceAll('import("./sdk/', '__runbookImport("./sdk/');
  // the CommonJS wrapper (src/code-cache.ts WRAPPER): the file is the function the loader runs
  writeFileSync(file, `(function (exports, require, module, __filename, __dirname, __runbookImport) {${text}\n})`);
}

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
    define,
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
