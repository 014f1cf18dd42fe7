// Bundles the CLI with esbuild. Code splitting keeps Ink (and every command) out of the
// --version / --help path: cli.ts loads each command with a dynamic import.
// Builds into a fresh folder and swaps it in, so a running `dist/cli.js` is never half-written.
import { build } from 'esbuild';
import { rmSync, chmodSync, renameSync, existsSync } from 'node:fs';

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
  packages: 'external',
  jsx: 'automatic',
  logLevel: 'warning',
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync(`${tmp}/cli.js`, 0o755);
if (existsSync('dist')) renameSync('dist', old);
renameSync(tmp, 'dist');
rmSync(old, { recursive: true, force: true });
