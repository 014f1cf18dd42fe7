// Engine benchmarks (run with `node --import tsx`, as npm run bench does):
// 1. per-step overhead of 1,000 no-op steps with the durable journal, against the fsync floor
//    measured in the same run (two fsyncs per step: intent and outcome) — target within 2×;
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

const noop = noopProvider({ defineProvider, defineAction });

async function runEngine(yaml, providers = []) {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-'));
  const registry = new ProviderRegistry();
  for (const p of providers) registry.add(p, 'bench');
  const loaded = loadRunbookText(yaml, join(dir, 'rb.yaml'), { registry });
  const engine = new Engine(engineOptions({ SecretRegistry, scriptedPorts }, loaded, registry, new FileJournal(join(dir, 'state'), 'bench')));
  const r = await engine.run();
  if (r.status !== 'done') throw new Error(`bench run ended ${r.status}: ${r.detail}`);
}

console.log('engine: 1,000 no-op steps with the durable journal');
const floor = fsyncFloor(2000);
row('fsync floor: 2,000 appends + fsync', floor);
const engine = await time(() => runEngine(stepsYaml(1000), [noop]));
row('engine: 1,000 no-op steps', engine, floor, 'fsync floor');
console.log(`  per step: ${(engine / 1000).toFixed(2)} ms (floor ${(floor / 1000).toFixed(2)} ms)`);

console.log('\nengine: 200 shell steps running `true`');
const bare = await time(async () => {
  for (let i = 0; i < 200; i++) await execa('true', [], { reject: true });
});
row('200 bare execa calls', bare);
const shell = await time(() => runEngine(stepsYaml(200, 'shell', '    with: { command: ["true"] }\n')));
row('engine: 200 shell steps', shell, bare, 'bare execa');

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
