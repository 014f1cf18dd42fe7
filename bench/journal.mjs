// The journal's cost per no-op step (run with `node --import tsx`, as npm run bench does):
// 1,000 no-op steps through the engine with the durable, hash-chained journal, against the fsync
// floor measured in the same run (wall clock and CPU). BENCH_BASE=DIR also runs another
// checkout's engine (an A/B: e.g. `git archive <commit> | tar -x -C DIR`, node_modules linked),
// interleaved round by round — which tree goes first alternates, so a load that rises within a
// round hits both alike — and prints the ratio of the medians.
//   BENCH_BASE=/tmp/rb-base node bench/run.mjs journal      (BENCH_STEPS, BENCH_ROUNDS change the size)
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { engineOptions, fsyncFloor, noopProvider, row, stepsYaml } from './lib.mjs';

const here = resolve(fileURLToPath(import.meta.url), '..', '..');
const roots = { now: here, ...(process.env.BENCH_BASE ? { base: resolve(process.env.BENCH_BASE) } : {}) };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STEPS = Number(process.env.BENCH_STEPS ?? 1000);

async function loadRoot(root) {
  const imp = (p) => import(pathToFileURL(join(root, p)).href);
  const [{ Engine }, { loadRunbookText }, { FileJournal }, { SecretRegistry }, { ProviderRegistry }, { defineProvider, defineAction }, { scriptedPorts }] = await Promise.all([
    imp('src/core/engine/engine.ts'),
    imp('src/core/runbook/load.ts'),
    imp('src/core/journal/store.ts'),
    imp('src/core/secrets/registry.ts'),
    imp('src/providers/registry.ts'),
    imp('src/providers/sdk.ts'),
    imp('src/scripted/ports.ts'),
  ]);
  const noop = noopProvider({ defineProvider, defineAction });
  const yaml = stepsYaml(STEPS);
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-journal-'));
    const t = performance.now();
    const c = process.cpuUsage();
    const registry = new ProviderRegistry();
    registry.add(noop, 'bench');
    const loaded = loadRunbookText(yaml, join(dir, 'rb.yaml'), { registry });
    const r = await new Engine(engineOptions({ SecretRegistry, scriptedPorts }, loaded, registry, new FileJournal(join(dir, 'state'), 'bench'))).run();
    if (r.status !== 'done') throw new Error(`bench run ended ${r.status}: ${r.detail}`);
    const cpu = process.cpuUsage(c);
    return { wall: performance.now() - t, cpu: (cpu.user + cpu.system) / 1000 };
  };
}

const now = await loadRoot(roots.now);
const base = roots.base ? await loadRoot(roots.base) : undefined;
await now(); // warm-up
if (base) await base();
const a = [];
const b = [];
for (let i = 0; i < ROUNDS; i++) {
  if (i % 2 === 0 && base) b.push(await base());
  a.push(await now());
  if (i % 2 === 1 && base) b.push(await base());
}
const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const floor = fsyncFloor(2 * STEPS);
console.log(`journal: ${STEPS} no-op steps (2 fsyncs each: intent, outcome), median of ${ROUNDS} interleaved rounds (load average ${loadavg()[0].toFixed(1)})`);
row(`fsync floor: ${2 * STEPS} appends + fsync`, floor);
const show = (label, xs) => {
  const w = med(xs.map((x) => x.wall));
  const c = med(xs.map((x) => x.cpu));
  row(`${label}: ${STEPS} no-op steps`, w, floor, 'fsync floor');
  console.log(`  ${''.padEnd(44)} ${(w / STEPS).toFixed(2)} ms per step, ${c.toFixed(0)} ms CPU`);
  return { w, c };
};
const x = show('now', a);
if (base) {
  const y = show(`base (${roots.base})`, b);
  console.log(`  now / base: ${(x.w / y.w).toFixed(3)}× wall, ${(x.c / y.c).toFixed(3)}× CPU  (rounds now: ${a.map((r) => r.wall.toFixed(0)).join(', ')}; base: ${b.map((r) => r.wall.toFixed(0)).join(', ')})`);
}
