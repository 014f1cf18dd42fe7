// npm run bench (or: node bench/validate.mjs) — validates a generated 5,000-step runbook and
// prints the time and peak memory. The loader is bundled from src with esbuild (the same
// settings as the CLI build) so the figure is for the code as shipped; the built CLI is then
// timed end to end on the same file when dist/cli.js exists.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'bench', '.out');
const STEPS = Number(process.env.BENCH_STEPS ?? 5000);
mkdirSync(out, { recursive: true });

/** A runbook of STEPS steps: shell detect steps reading earlier outputs, manual steps, for_each. */
function generate(n) {
  const lines = [
    '# yaml-language-server: $schema=../../schema/runbook.schema.json',
    'version: 1',
    'id: bench-big',
    `title: Generated runbook with ${n} steps`,
    'severity: critical',
    'inputs:',
    '  user: { type: string, default: alice, pattern: "^[a-z]+$" }',
    '  names: { type: list, default: [a, b, c] }',
    'secrets:',
    '  token: { from: env, env: BENCH_TOKEN }',
    'providers:',
    '  sh: { type: shell, env: { TOKEN: "${{ secrets.token }}" } }',
    'steps:',
  ];
  for (let i = 0; i < n; i++) {
    const prev = i > 0 && (i - 1) % 3 !== 2 ? `s${i - 1}` : null;
    // a for_each step's outputs are count/items/keys, any other shell step's stdout
    const out = (j) => `steps.s${j}.outputs.${j % 5 === 0 ? 'count' : 'stdout'}`;
    if (i % 3 === 2) {
      lines.push(
        `  - id: s${i}`,
        '    kind: manual',
        `    title: Check step ${i} for \${{ inputs.user }}`,
        '    instructions: |',
        `      Look at the output of step ${i - 1}:`,
        `      \${{ ${out(i - 1)} }}`,
        '    evidence: note',
      );
    } else {
      lines.push(
        `  - id: s${i}`,
        `    kind: ${i % 2 ? 'detect' : 'revoke'}`,
        `    title: Step ${i}`,
        '    uses: sh.run',
        ...(i % 5 === 0 ? ['    for_each: ${{ inputs.names }}', '    concurrency: 2'] : []),
        '    with:',
        // an argument is text: a count is interpolated into it (a lone expression would be a number)
        `      command: [echo, "${i % 5 === 0 ? '${{ item }}' : '${{ inputs.user }}'}", "${prev ? `after \${{ ${out(i - 1)} }}` : 'first'}"]`,
        '      env: { N: "' + i + '" }',
        '    timeout: 30s',
        '    retry: { attempts: 2, backoff: 1s }',
      );
    }
  }
  return lines.join('\n') + '\n';
}

const file = join(out, `big-${STEPS}.yaml`);
const text = generate(STEPS);
writeFileSync(file, text);

await build({
  entryPoints: [join(root, 'src', 'core', 'runbook', 'load.ts')],
  outfile: join(out, 'load.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const { loadRunbookText } = await import(pathToFileURL(join(out, 'load.mjs')).href);

const mb = (b) => (b / 1024 / 1024).toFixed(1);
const rssBefore = process.memoryUsage().rss;
const times = [];
const cpus = [];
let steps = 0;
for (let i = 0; i < 4; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const lr = loadRunbookText(text, file);
  times.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpus.push((c.user + c.system) / 1000);
  steps = lr.runbook.steps.length;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const warm = times.slice(1);
const peakRss = process.resourceUsage().maxRSS * 1024;

console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
console.log(`validate: ${steps} steps, ${(text.length / 1024).toFixed(0)} KiB of YAML`);
console.log(`  in-process: first ${times[0].toFixed(0)} ms, then median ${median(warm).toFixed(0)} ms wall / ${median(cpus.slice(1)).toFixed(0)} ms CPU (of ${warm.length} runs)`);
console.log(`  peak RSS ${mb(peakRss)} MiB (baseline before loading ${mb(rssBefore)} MiB), heap used ${mb(process.memoryUsage().heapUsed)} MiB`);

const cli = join(root, 'dist', 'cli.js');
if (existsSync(cli)) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'validate', file], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  console.log(`  built CLI: runbook validate → exit ${r.status} in ${ms.toFixed(0)} ms wall clock`);
  if (r.status !== 0) {
    console.error(r.stdout.slice(0, 2000), r.stderr.slice(0, 2000));
    process.exitCode = 1;
  }
} else console.log('  (dist/cli.js missing: run npm run build to time the CLI too)');
