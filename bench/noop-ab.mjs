// A/B of the no-op step bench: this tree against another checkout of the project (BENCH_BASE,
// e.g. an unpacked `git archive <base>` with node_modules linked), interleaved in the same run
// so the machine's noise hits both alike. Reports the median of each and the ratio.
//   BENCH_BASE=/tmp/rb-base node bench/run.mjs noop-ab      (BENCH_STEPS, BENCH_ROUNDS to change the size)
// Without BENCH_BASE it measures this tree only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';

const STEPS = Number(process.env.BENCH_STEPS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

async function tree(root) {
  const im = (p) => import(pathToFileURL(join(root, p)).href);
  const [{ Engine }, { loadRunbookText }, { FileJournal }, { SecretRegistry }, { ProviderRegistry }, { defineProvider, defineAction }, { scriptedPorts }] = await Promise.all([
    im('src/core/engine/engine.ts'),
    im('src/core/runbook/load.ts'),
    im('src/core/journal/store.ts'),
    im('src/core/secrets/registry.ts'),
    im('src/providers/registry.ts'),
    im('src/providers/sdk.ts'),
    im('src/scripted/ports.ts'),
  ]);
  const noop = defineProvider({
    type: 'noop',
    description: 'does nothing',
    config: z.strictObject({}),
    actions: { run: defineAction({ kind: 'any', description: 'nothing', input: z.strictObject({}), output: z.object({}), idempotent: false, run: async () => ({}) }) },
  });
  const yaml = `version: 1\nid: bench\ntitle: bench\nproviders:\n  p: { type: noop }\nsteps:\n` + Array.from({ length: STEPS }, (_, i) => `  - id: s${i}\n    kind: detect\n    title: step ${i}\n    uses: p.run\n    with: {}\n`).join('');
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-ab-'));
    const registry = new ProviderRegistry();
    registry.add(noop, 'bench');
    const loaded = loadRunbookText(yaml, join(dir, 'rb.yaml'), { registry });
    const engine = new Engine({
      loaded,
      registry,
      store: new FileJournal(join(dir, 'state'), 'bench'),
      secrets: new SecretRegistry(),
      resolveSecrets: async () => ({}),
      inputs: {},
      mode: 'live',
      ports: scriptedPorts({ yes: true, approve: new Set(), done: new Map(), settle: new Map() }),
      signal: new globalThis.AbortController().signal,
      fingerprintKey: randomBytes(32),
    });
    const t = performance.now();
    const c = process.cpuUsage();
    const r = await engine.run();
    if (r.status !== 'done') throw new Error(`bench run ended ${r.status}: ${r.detail}`);
    const cpu = process.cpuUsage(c);
    return { wall: performance.now() - t, cpu: (cpu.user + cpu.system) / 1000 };
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const show = (label, xs) => {
  const w = median(xs.map((x) => x.wall));
  const c = median(xs.map((x) => x.cpu));
  console.log(`  ${label}: median ${w.toFixed(0)} ms wall (${(w / STEPS).toFixed(2)} ms per step), ${c.toFixed(0)} ms CPU`);
  return { w, c };
};
const here = await tree(resolve('.'));
const base = process.env.BENCH_BASE ? await tree(resolve(process.env.BENCH_BASE)) : undefined;
await here(); // warm up
if (base) await base();
const a = [];
const b = [];
// alternate which tree goes first, so a load that rises within a round hits both alike
for (let i = 0; i < ROUNDS; i++) {
  if (i % 2 === 0 && base) b.push(await base());
  a.push(await here());
  if (i % 2 === 1 && base) b.push(await base());
}
console.log(`no-op steps: ${STEPS} per run, ${ROUNDS} interleaved rounds`);
const x = show('this tree', a);
if (base) {
  const y = show('BENCH_BASE', b);
  console.log(`  ratio this/base: ${(x.w / y.w).toFixed(3)}× wall, ${(x.c / y.c).toFixed(3)}× CPU`);
}
