// Engine benchmarks (run with `node --import tsx`, as npm run bench does):
// 1. per-step overhead of 1,000 no-op steps with the durable journal, against the fsync floor
//    measured in the same run (two fsyncs per step: intent and outcome) — target within 2×.
//    Timed: Engine.run() — lock, journal open, every step's intent (fsynced before the call)
//    and outcome, the end of the run. Loading the runbook (YAML parse + validation of 1,000
//    steps, what `runbook validate` does: bench/validate.mjs) is timed on its own, and the two
//    together are reported too. The process's first run is reported (cold: every function runs
//    for the first time, as in a CLI run), then BENCH_ROUNDS (3) pairs of (floor, run) back to
//    back and their median ratio;
// 2. 200 shell steps running `true`, against 200 bare execa calls in the same run — target ≤ 1.2×;
// 3. if ansible-playbook is installed, the same 200 commands as an Ansible playbook;
// 4. with BENCH_AB=<another checkout's root> (its node_modules installed): that tree's engine and
//    this one's in this process, BENCH_AB_ROUNDS (5) rounds alternating which goes first, each
//    round with its own floor and bare execa calls — before/after figures under the same noise.
// Each figure also gives the CPU time of the JavaScript thread (Linux: /proc/self/task/<pid>/
// schedstat; elsewhere the whole process's user + system time) — on a shared machine steadier than
// the wall clock, which waits for the disk and for other processes. (The floor's thread makes its
// own fsync calls; the engine's fsyncs run on libuv's threadpool, outside this figure.)
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { engineOptions, fsyncFloor, noopProvider, stepsYaml, time, row } from './lib.mjs';
import { Engine } from '../src/core/engine/engine.ts';
import { loadRunbookText } from '../src/core/runbook/load.ts';
import { FileJournal } from '../src/core/journal/store.ts';
import { SecretRegistry } from '../src/core/secrets/registry.ts';
import { ProviderRegistry } from '../src/providers/registry.ts';
import { defineProvider, defineAction } from '../src/providers/sdk.ts';
import { scriptedPorts } from '../src/scripted/ports.ts';

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

const noop = noopProvider({ defineProvider, defineAction });
const here = { Engine, loadRunbookText, FileJournal, SecretRegistry, ProviderRegistry, scriptedPorts, noop };

/** Load the runbook, then run it (with this tree's modules, or another's: `m`): { load, run } in ms. */
async function runEngine(yaml, providers = [], m = here) {
  const { Engine, loadRunbookText, FileJournal, SecretRegistry, ProviderRegistry, scriptedPorts } = m;
  providers = providers.map((p) => (p === noop ? m.noop : p));
  const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-'));
  const registry = new ProviderRegistry();
  for (const p of providers) registry.add(p, 'bench');
  const t0 = performance.now();
  const c0 = cpuNow();
  const loaded = loadRunbookText(yaml, join(dir, 'rb.yaml'), { registry });
  const t1 = performance.now();
  const c1 = cpuNow();
  const engine = new Engine(engineOptions({ SecretRegistry, scriptedPorts }, loaded, registry, new FileJournal(join(dir, 'state'), 'bench')));
  const r = await engine.run();
  const t2 = performance.now();
  const c2 = cpuNow();
  if (r.status !== 'done') throw new Error(`bench run ended ${r.status}: ${r.detail}`);
  return { load: t1 - t0, run: t2 - t1, loadCpu: cpuMs(c0, c1), runCpu: cpuMs(c1, c2) };
}

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
/** CPU time so far, ms: the main thread's where Linux tells it, else the process's */
function cpuNow() {
  try {
    return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}
const cpuMs = (a, b) => b - a;
/** { ms, cpu } of an async function: wall clock and CPU time (see cpuNow) */
async function timeCpu(fn) {
  const c = cpuNow();
  const ms = await time(fn);
  return { ms, cpu: cpuNow() - c };
}
const cpuRow = (name, cpu, base, baseName) => row(`  cpu: ${name}`, cpu, base, baseName);

console.log('engine: 1,000 no-op steps with the durable journal');
const noopYaml = stepsYaml(1000);
const { ms: floor, cpu: floorCpu } = await timeCpu(() => fsyncFloor(2000));
row('fsync floor: 2,000 appends + fsync', floor);
cpuRow('the floor', floorCpu);
// the process's first run: every engine and journal function runs for the first time (a CLI run is like this)
const cold = await runEngine(noopYaml, [noop]);
row('engine: 1,000 no-op steps (run, first)', cold.run, floor, 'fsync floor');
cpuRow('the run (first)', cold.runCpu, floorCpu, "the floor's");
console.log(`  per step: ${(cold.run / 1000).toFixed(2)} ms (floor ${(floor / 1000).toFixed(2)} ms)`);
row('load: parse + validate the 1,000 steps', cold.load, floor, 'fsync floor');
cpuRow('the load', cold.loadCpu);
row('load + run (first)', cold.load + cold.run, floor, 'fsync floor');
// then rounds of (floor, run) back to back: the median ratio, which a shared machine's drift disturbs least
const ratios = [];
for (let i = 0; i < ROUNDS; i++) {
  const { ms: f, cpu: fc } = await timeCpu(() => fsyncFloor(2000));
  const r = await runEngine(noopYaml, [noop]);
  ratios.push({ f, r: r.run, x: r.run / f, cx: r.runCpu / fc });
}
ratios.sort((a, b) => a.x - b.x);
const mid = ratios[Math.floor(ratios.length / 2)];
row(`engine: run again, median of ${ROUNDS} (floor, run) pairs`, mid.r, mid.f, `its floor (${mid.f.toFixed(1)} ms)`);
console.log(`  ratios: ${ratios.map((x) => `${x.x.toFixed(2)}×`).join(' ')}; cpu: ${ratios.map((x) => `${x.cx.toFixed(2)}×`).join(' ')} of the floor's`);
console.log('\nengine: 200 shell steps running `true`');
const { ms: bare, cpu: bareCpu } = await timeCpu(async () => {
  for (let i = 0; i < 200; i++) await execa('true', [], { reject: true });
});
row('200 bare execa calls', bare);
cpuRow('bare execa', bareCpu);
const shell = await runEngine(stepsYaml(200, 'shell', '    with: { command: ["true"] }\n'));
row('engine: 200 shell steps (load + run)', shell.load + shell.run, bare, 'bare execa');
row('engine: 200 shell steps (run)', shell.run, bare, 'bare execa');
cpuRow('the shell steps (run)', shell.runCpu, bareCpu, "bare execa's");

const ansible = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
if (ansible.status === 0) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-ansible-'));
  const tasks = Array.from({ length: 200 }, (_, i) => `    - name: t${i}\n      ansible.builtin.command: /bin/true\n`).join('');
  writeFileSync(join(dir, 'p.yml'), `- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n${tasks}`);
  const a = await time(async () => {
    spawnSync('ansible-playbook', ['-i', 'localhost,', join(dir, 'p.yml')], { encoding: 'utf8' });
  });
  row('ansible-playbook: 200 command tasks', a, bare, 'bare execa');
} else console.log('  (ansible-playbook not installed: `apt-get install ansible-core` to compare)');

if (process.env.BENCH_AB) {
  const root = process.env.BENCH_AB;
  const imp = (f) => import(join(root, f));
  const sdk = await imp('src/providers/sdk.ts');
  const other = {
    Engine: (await imp('src/core/engine/engine.ts')).Engine,
    loadRunbookText: (await imp('src/core/runbook/load.ts')).loadRunbookText,
    FileJournal: (await imp('src/core/journal/store.ts')).FileJournal,
    SecretRegistry: (await imp('src/core/secrets/registry.ts')).SecretRegistry,
    ProviderRegistry: (await imp('src/providers/registry.ts')).ProviderRegistry,
    scriptedPorts: (await imp('src/scripted/ports.ts')).scriptedPorts,
    noop: noopProvider(sdk),
  };
  const n = Math.max(1, Number(process.env.BENCH_AB_ROUNDS ?? 5));
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const trees = [
    ['this tree', here],
    [root, other],
  ];
  const shellYaml = stepsYaml(200, 'shell', '    with: { command: ["true"] }\n');
  const got = trees.map(() => ({ x: [], run: [], cpu: [], loadCpu: [], sx: [], scpu: [] }));
  for (let i = 0; i < n; i++) {
    const { ms: f } = await timeCpu(() => fsyncFloor(2000));
    const { ms: b, cpu: bc } = await timeCpu(async () => {
      for (let k = 0; k < 200; k++) await execa('true', [], { reject: true });
    });
    for (const t of i % 2 ? [1, 0] : [0, 1]) {
      const r = await runEngine(noopYaml, [noop], trees[t][1]);
      const sh = await runEngine(shellYaml, [], trees[t][1]);
      Object.entries({ x: r.run / f, run: r.run, cpu: r.runCpu, loadCpu: r.loadCpu, sx: sh.run / b, scpu: sh.runCpu / bc }).forEach(([k, v]) => got[t][k].push(v));
    }
  }
  console.log(`\nA/B, ${n} alternating rounds (medians; cpu: the JavaScript thread's)`);
  trees.forEach(([name], t) => {
    const g = got[t];
    console.log(`  ${name}: 1,000 no-op steps ${med(g.run).toFixed(0)} ms = ${med(g.x).toFixed(2)}× of the round's floor, cpu ${med(g.cpu).toFixed(0)} ms (load cpu ${med(g.loadCpu).toFixed(0)} ms); 200 shell steps ${med(g.sx).toFixed(2)}× of bare execa, cpu ${med(g.scpu).toFixed(2)}×`);
  });
}
