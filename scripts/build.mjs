// Bundles the CLI with esbuild. Code splitting keeps Ink (and every command) out of the
// --version / --help path: cli.ts loads each command with a dynamic import.
import { build } from 'esbuild';
import { rmSync, chmodSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
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
  define: { 'process.env.RUNBOOK_BUNDLED': '"1"' },
});
chmodSync('dist/cli.js', 0o755);
