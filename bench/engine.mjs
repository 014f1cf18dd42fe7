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
// 3. if ansible-playbook is installed, the same 200 commands as an Ansible playbook.
import { mkdtempSync, writeFileSync } from 'node:fs';
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

/** Load the runbook, then run it: { load, run } in ms. */
async function runEngine(yaml, providers = []) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-'));
  const registry = new ProviderRegistry();
  for (const p of providers) registry.add(p, 'bench');
  const t0 = performance.now();
  const loaded = loadRunbookText(yaml, join(dir, 'rb.yaml'), { registry });
  const t1 = performance.now();
  const engine = new Engine(engineOptions({ SecretRegistry, scriptedPorts }, loaded, registry, new FileJournal(join(dir, 'state'), 'bench')));
  const r = await engine.run();
  const t2 = performance.now();
  if (r.status !== 'done') throw new Error(`bench run ended ${r.status}: ${r.detail}`);
  return { load: t1 - t0, run: t2 - t1 };
}

console.log('engine: 1,000 no-op steps with the durable journal');
const noopYaml = stepsYaml(1000);
const floor = fsyncFloor(2000);
row('fsync floor: 2,000 appends + fsync', floor);
// the process's first run: every engine and journal function runs for the first time (a CLI run is like this)
const cold = await runEngine(noopYaml, [noop]);
row('engine: 1,000 no-op steps (run, first)', cold.run, floor, 'fsync floor');
console.log(`  per step: ${(cold.run / 1000).toFixed(2)} ms (floor ${(floor / 1000).toFixed(2)} ms)`);
row('load: parse + validate the 1,000 steps', cold.load, floor, 'fsync floor');
row('load + run (first)', cold.load + cold.run, floor, 'fsync floor');
// then rounds of (floor, run) back to back: the median ratio, which a shared machine's drift disturbs least
const ratios = [];
for (let i = 0; i < ROUNDS; i++) {
  const f = fsyncFloor(2000);
  const r = await runEngine(noopYaml, [noop]);
  ratios.push({ f, r: r.run, x: r.run / f });
}
ratios.sort((a, b) => a.x - b.x);
const mid = ratios[Math.floor(ratios.length / 2)];
row(`engine: run again, median of ${ROUNDS} (floor, run) pairs`, mid.r, mid.f, `its floor (${mid.f.toFixed(1)} ms)`);
console.log(`  ratios: ${ratios.map((x) => `${x.x.toFixed(2)}×`).join(' ')}`);
console.log('\nengine: 200 shell steps running `true`');
const bare = await time(async () => {
  for (let i = 0; i < 200; i++) await execa('true', [], { reject: true });
});
row('200 bare execa calls', bare);
const shell = await runEngine(stepsYaml(200, 'shell', '    with: { command: ["true"] }\n'));
row('engine: 200 shell steps (load + run)', shell.load + shell.run, bare, 'bare execa');
row('engine: 200 shell steps (run)', shell.run, bare, 'bare execa');

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
