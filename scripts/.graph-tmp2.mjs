import { build } from 'esbuild';
import { bundlePatches } from './bundle-patches.mjs';
const r = await build({ entryPoints: { cli: 'src/cli.ts' }, outdir: '/tmp/ff/gout', bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', metafile: true, write: false, external: ['pg-native'], plugins: [bundlePatches()], define: { 'process.env.NODE_ENV': '"production"', __RUNBOOK_VERSION__: '"x"', __RUNBOOK_BUILD__: '"x"' }, jsx: 'automatic', logLevel: 'error' });
const inputs = r.metafile.inputs;
const roots = process.argv.slice(2, -1); const target = new RegExp(process.argv.at(-1));
const prev = new Map(roots.map((x) => [x, null])); const q = [...roots];
while (q.length) { const x = q.shift(); for (const i of inputs[x]?.imports ?? []) { if (i.kind !== 'import-statement' && i.kind !== 'require-call') continue; if (target.test(i.path)) { let c = x; const chain = [i.path]; while (c) { chain.unshift(c); c = prev.get(c); } console.log(chain.join(' → ')); continue; } if (!prev.has(i.path)) { prev.set(i.path, x); q.push(i.path); } } }
