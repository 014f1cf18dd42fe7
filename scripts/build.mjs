// Bundles the CLI with esbuild. Code splitting keeps Ink (and every command) out of the
// --version / --help path: cli.ts loads each command with a dynamic import.
// Builds into a fresh folder and swaps it in, so a running `dist/cli.js` is never half-written.
import { build } from 'esbuild';
import { rmSync, chmodSync, renameSync, existsSync } from 'node:fs';

// The TUI's packages (Ink and what only it uses) are bundled into its lazily loaded chunk:
// loading Ink as ~130 separate ESM files from node_modules takes 3–4× longer than one bundled
// chunk (bench/tui.mjs). Every other package stays external, as `packages: 'external'` did.
// Ink's devtools hook (only with DEV=true) is stubbed; bundled CJS code gets a real `require`.
const TUI_PACKAGES = /^(ink|react|react-reconciler|scheduler|zustand|marked)(\/|$)/;
const tuiBundle = {
  name: 'tui-bundle',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'tui-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'tui-stub' }, () => ({ contents: 'export default { initialize() {}, connectToDevTools() {} };' }));
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.importer.includes('/node_modules/') || TUI_PACKAGES.test(args.path) ? undefined : { path: args.path, external: true },
    );
  },
};

const tmp = `dist.tmp-${process.pid}`;
const old = `dist.old-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outdir: tmp,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  plugins: [tuiBundle],
  // React's production build (the bundled copy only; no source of ours reads NODE_ENV)
  define: { 'process.env.NODE_ENV': '"production"' },
  jsx: 'automatic',
  logLevel: 'warning',
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __runbookCreateRequire } from 'node:module';\nconst require = __runbookCreateRequire(import.meta.url);" },
});
chmodSync(`${tmp}/cli.js`, 0o755);
if (existsSync('dist')) renameSync('dist', old);
renameSync(tmp, 'dist');
rmSync(old, { recursive: true, force: true });
