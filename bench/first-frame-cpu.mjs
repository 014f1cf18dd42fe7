// The flagship drill's first complete frame as the process sees it: a `--import` hook marks the
// stdout write after which the screen holds the first question and the footer, and records the
// process's CPU time (user + system, every thread) and its time since it started. Steadier than
// the wall clock seen from tmux (bench/tui-scale.mjs BENCH_FIRST) on a shared machine: the
// shell, tmux and node's own start are left out, and CPU time hardly moves with the load.
//
// BENCH_FIRST_CPU_ROUNDS=10 (launches per build, interleaved);
// BENCH_CLI='base=/tmp/base/dist/cli.js,…' other builds (each needs runbooks/ beside its dist/).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROUNDS = Number(process.env.BENCH_FIRST_CPU_ROUNDS ?? 10);
const CLI = resolve('dist/cli.js');
const builds = [['this build', CLI], ...(process.env.BENCH_CLI ? process.env.BENCH_CLI.split(',').map((x) => x.split('=')) : [])];
const dir = mkdtempSync(join(tmpdir(), 'runbook-first-cpu-'));
const SOCKET = `firstcpu-${process.pid}`;
const out = join(dir, 'marks.txt');
const hook = join(dir, 'hook.mjs');
writeFileSync(
  hook,
  `import { appendFileSync } from 'node:fs';
const write = process.stdout.write.bind(process.stdout);
let seen = '';
let done = false;
process.stdout.write = (chunk, ...rest) => {
  const r = write(chunk, ...rest);
  if (!done) {
    seen += String(chunk).replace(/\\x1b\\[[0-9;?]*[a-zA-Z]/g, '');
    if (seen.includes('Next step · find') && seen.includes('q quit')) {
      done = true;
      const c = process.cpuUsage();
      appendFileSync(${JSON.stringify(out)}, process.env.BENCH_TAG + ' ' + (c.user + c.system) / 1000 + ' ' + performance.now() + '\\n');
    }
  }
  return r;
};
`,
);
const tmux = (...a) => spawnSync('tmux', ['-L', SOCKET, ...a], { encoding: 'utf8' });
const marks = () => (existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean) : []);

console.log(`first-frame-cpu: the flagship drill, 80×24, ${ROUNDS} interleaved launches per build (load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
for (let r = 0; r < ROUNDS; r++) {
  for (const [tag, cli] of builds) {
    const before = marks().length;
    const state = join(dir, `state-${r}-${tag.replace(/\W/g, '')}`);
    const made = tmux('new-session', '-d', '-s', 'f', '-x', '80', '-y', '24', '-c', dir, `env NO_COLOR=1 CI=0 BENCH_TAG=${tag.replace(/\W/g, '_')} ${process.execPath} --import ${hook} ${cli} drill hf-spaces-secrets-exposure --state-dir ${state}; sleep 60`);
    if (made.status !== 0) throw new Error(`tmux new-session failed: ${made.stderr}`);
    const end = Date.now() + 60_000;
    while (marks().length === before) {
      if (Date.now() > end) throw new Error(`${tag}: no first complete frame within 60 s:\n${tmux('capture-pane', '-p', '-t', 'f').stdout}`);
      await sleep(20);
    }
    tmux('kill-server');
    await sleep(200);
  }
}
const byTag = new Map();
for (const l of marks()) {
  const [tag, cpu, wall] = l.split(' ');
  if (!byTag.has(tag)) byTag.set(tag, { cpu: [], wall: [] });
  byTag.get(tag).cpu.push(Number(cpu));
  byTag.get(tag).wall.push(Number(wall));
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const first = byTag.get(builds[0][0].replace(/\W/g, '_'));
for (const [tag, v] of byTag) {
  const other = v === first ? '' : `   ${(med(first.cpu) / med(v.cpu)).toFixed(2)}× / ${(med(first.wall) / med(v.wall)).toFixed(2)}× (this build of ${tag})`;
  console.log(`  ${tag.padEnd(12)} CPU ${med(v.cpu).toFixed(1).padStart(7)} ms   since start ${med(v.wall).toFixed(1).padStart(7)} ms   (${v.cpu.length} launches)${other}`);
}
rmSync(dir, { recursive: true, force: true });
