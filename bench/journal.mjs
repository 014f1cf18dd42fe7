// The journal's cost per no-op step (run with `node --import tsx`, as npm run bench does):
// 1,000 no-op steps through the engine with the durable, hash-chained journal, against the fsync
// floor measured in the same run. BENCH_BASE=DIR also runs another checkout's engine (e.g. the
// commit before the hash chain, `git archive <commit> | tar -x -C DIR`, node_modules linked),
// interleaved round by round, and prints the ratio of the medians.
import { mkdtempSync, openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { time, row } from './lib.mjs';

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
  const noop = defineProvider({
    type: 'noop',
    description: 'does nothing',
    config: z.strictObject({}),
    actions: { run: defineAction({ kind: 'any', description: 'nothing', input: z.strictObject({}), output: z.object({}), idempotent: false, run: async () => ({}) }) },
  });
  const yaml =
    `version: 1\nid: bench\ntitle: bench\nproviders:\n  p: { type: noop }\nsteps:\n` +
    Array.from({ length: STEPS }, (_, i) => `  - id: s${i}\n    kind: detect\n    title: step ${i}\n    uses: p.run\n    with: {}\n`).join('');
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-journal-'));
    const registry = new ProviderRegistry();
    registry.add(noop, 'bench');
    const loaded = loadRunbookText(yaml, join(dir, 'rb.yaml'), { registry });
    const r = await new Engine({
      loaded,
      registry,
      store: new FileJournal(join(dir, 'state'), 'bench'),
      secrets: new SecretRegistry(),
      resolveSecrets: async () => ({}),
      inputs: {},
      mode: 'live',
      ports: scriptedPorts({ yes: true, approve: new Set(), done: new Map(), settle: new Map() }),
      signal: new AbortController().signal,
      fingerprintKey: randomBytes(32),
    }).run();
    if (r.status !== 'done') throw new Error(`bench run ended ${r.status}: ${r.detail}`);
  };
}

function fsyncFloor(n) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-fsync-'));
  const fd = openSync(join(dir, 'f.jsonl'), 'a', 0o600);
  const line = Buffer.from(JSON.stringify({ seq: 1, ts: new Date().toISOString(), type: 'outcome', pad: 'x'.repeat(120) }) + '\n');
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    writeSync(fd, line);
    fsyncSync(fd);
  }
  closeSync(fd);
  return performance.now() - t;
}

const runs = {};
for (const [name, root] of Object.entries(roots)) runs[name] = await loadRoot(root);
const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
for (const run of Object.values(runs)) await run(); // warm-up
for (let i = 0; i < ROUNDS; i++) for (const [name, run] of Object.entries(runs)) times[name].push(await time(run));
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floor = fsyncFloor(2 * STEPS);
console.log(`journal: ${STEPS} no-op steps (2 fsyncs each: intent, outcome), median of ${ROUNDS} interleaved rounds`);
row(`fsync floor: ${2 * STEPS} appends + fsync`, floor);
row(`now: ${STEPS} no-op steps`, med(times.now), floor, 'fsync floor');
if (times.base) {
  row(`base (${roots.base}): ${STEPS} no-op steps`, med(times.base), floor, 'fsync floor');
  console.log(`  now / base: ${(med(times.now) / med(times.base)).toFixed(3)}×  (rounds now: ${times.now.map((x) => x.toFixed(0)).join(', ')}; base: ${times.base.map((x) => x.toFixed(0)).join(', ')})`);
}
