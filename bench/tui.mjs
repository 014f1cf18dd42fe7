// The TUI (`node bench/run.mjs tui`, or `node --import tsx --expose-gc bench/tui.mjs`):
//  1. launch → first frame and first complete frame of `runbook run` in a real terminal (tmux,
//     100×30), against `node` printing one line in the same terminal and `node -e 0`, same run;
//  2. in-process: runTui with fake TTY streams while a step streams 100,000 lines — heap and
//     RSS, lines/s, and the latency from a key press to the frame that shows its effect;
//  3. the built CLI in tmux running a shell step that prints 100,000 lines: RSS of the process
//     and key → screen latency as a person would see it.
// BENCH_RUNS=N (launch repetitions, default 5), BENCH_LINES=N (default 100000),
// BENCH_PARTS=1,2,3 (default all).
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { median, ms, ratio } from './lib.mjs';
import { FakeIn } from '../test/ui/fake-tty.ts';
import { build as esbuild } from 'esbuild';
import { bundlePatches } from '../scripts/bundle-patches.mjs';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const CLI = resolve('dist/cli.js');
const OUT = resolve('bench/.out/tui');
const SOCKET = `runbook-bench-${process.pid}`;
// whatever happens (a timeout throws), leave no tmux server or CLI behind
process.on('exit', () => spawnSync('tmux', ['-L', SOCKET, 'kill-server']));
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const PARTS = new Set((process.env.BENCH_PARTS ?? '1,2,3').split(',').map(Number));
const MiB = (b) => `${(b / 1048576).toFixed(1)} MiB`;
const load = () => spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const tmux = (...args) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
// one idle session keeps the server up: killing a run's session must not take the server down
// while the next run's new-session connects to it ("server exited unexpectedly")
if (hasTmux) {
  const kept = tmux('new-session', '-d', '-s', 'keep', 'sleep 3600');
  if (kept.status !== 0) throw new Error(`tmux new-session failed: ${kept.stderr || kept.error?.message || `exit ${kept.status}`}`);
}
const screen = (s) => tmux('capture-pane', '-p', '-J', '-t', s).stdout ?? '';
async function until(cond, ms, what) {
  const end = performance.now() + ms;
  for (;;) {
    if (cond()) return performance.now();
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

console.log(`tui (load average ${load()})`);

// ─── 1. launch → first complete frame ─────────────────────────────────────────────────────────
const RB = `version: 1
id: bench-tui
title: TUI launch bench
severity: high
providers:
  sh: { type: shell }
steps:
${Array.from({ length: 20 }, (_, i) => `  - id: s${i}
    kind: ${i % 4 === 1 ? 'revoke' : 'detect'}
    title: Step ${i} of the launch bench
    uses: sh.run
    with: { command: [node, -e, "console.log(${i})"] }`).join('\n')}
`;
writeFileSync(join(OUT, 'launch.yaml'), RB);

// the TUI alone: src/ui bundled as the build bundles it (its packages' patches, React's
// production build), a stand-in engine that begins the run and asks to proceed
await esbuild({
  entryPoints: { 'ui-bundle': 'src/ui/index.tsx' },
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [bundlePatches()],
  define: { 'process.env.NODE_ENV': '"production"' },
  jsx: 'automatic',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __runbookCreateRequire } from 'node:module';\nconst require = __runbookCreateRequire(import.meta.url);" },
});
writeFileSync(
  join(OUT, 'tui-only.mjs'),
  `const { runTui } = await import(${JSON.stringify(join(OUT, 'ui-bundle.mjs'))});
const steps = Array.from({ length: 20 }, (_, i) => ({ id: 's' + i, kind: 'detect', title: 'Step ' + i + ' of the launch bench', needs: [], confirm: false, fanOut: false, evidence: { type: 'none', required: false } }));
await runTui({
  start: async (ports, observe) => {
    observe({ type: 'run.begin', incident: 'bench', mode: 'live', dryRun: false, runbook: { id: 'b', title: 'TUI launch bench', severity: 'high', path: 'b.yaml' }, steps, resumed: false, openedAt: new Date().toISOString() });
    await ports.proceed({ id: 's0', title: 'Step 0', kind: 'detect' });
    return { status: 'done', exitCode: 0, incident: 'bench' };
  },
  note() {}, abort() {}, resumeCommand: 'x', reportCommand: 'y', mode: 'live',
  stdin: process.stdin, stdout: process.stdout, stderr: process.stderr,
});
`,
);

async function launch(name, command, firstNeedle, completeNeedles, size = ['100', '30']) {
  const t0 = performance.now();
  const made = tmux('new-session', '-d', '-s', name, '-x', size[0], '-y', size[1], '-c', OUT, `env NO_COLOR=1 CI=0 ${command}; sleep 60`);
  if (made.status !== 0) throw new Error(`tmux new-session ${name} failed: ${made.stderr || made.error?.message || `exit ${made.status}`}`);
  let first;
  const done = await until(() => {
    const s = screen(name);
    if (first === undefined && s.includes(firstNeedle)) first = performance.now();
    return completeNeedles.every((n) => s.includes(n));
  }, 60_000, `${completeNeedles.join(' + ')} in ${name}`).finally(() => tmux('kill-session', '-t', name));
  return { first: (first ?? done) - t0, complete: done - t0 };
}

if (hasTmux && PARTS.has(1)) {
  const node0 = await median(15, async () => spawnSync(process.execPath, ['-e', '0']));
  const echo = [];
  const tui = [];
  const only = [];
  const drill = [];
  const DRILL_RB = resolve('runbooks/hf-spaces-secrets-exposure.yaml');
  for (let i = 0; i < RUNS; i++) {
    echo.push((await launch(`e${i}`, `node -e "console.log('READY')"`, 'READY', ['READY'])).complete);
    only.push(await launch(`o${i}`, `node tui-only.mjs`, 'LIVE', ['Next step · s0', '? help', 'of 20 ──']));
    tui.push(await launch(`t${i}`, `node ${CLI} run launch.yaml --state-dir state-${i} --incident bench-${i}`, 'LIVE', ['Next step · s0', '? help', 'of 20 ──']));
    // the flagship drill at 80×24: its simulators start on loopback before the first frame
    drill.push(await launch(`d${i}`, `node ${CLI} drill ${DRILL_RB} --state-dir state-drill-${i} --incident drill-${i}`, '[DRILL]', ['Next step · find-spaces', '? help', 'q quit', 'attacker'], ['80', '24']));
  }
  const echoM = quantile(echo, 0.5);
  const first = quantile(tui.map((t) => t.first), 0.5);
  const complete = quantile(tui.map((t) => t.complete), 0.5);
  console.log(`\n1. launch, median of ${RUNS} (each in a fresh tmux session, 100×30)`);
  console.log(`  ${'node -e 0 (spawnSync, median of 15)'.padEnd(52)} ${ms(node0).padStart(10)}`);
  console.log(`  ${'node printing one line, seen in tmux'.padEnd(52)} ${ms(echoM).padStart(10)}   ${ratio(echoM, node0)} of node -e 0`);
  const onlyFirst = quantile(only.map((t) => t.first), 0.5);
  const onlyComplete = quantile(only.map((t) => t.complete), 0.5);
  console.log(`  ${'TUI alone (bundled): first frame'.padEnd(52)} ${ms(onlyFirst).padStart(10)}   ${ratio(onlyFirst, echoM)} of node in tmux`);
  console.log(`  ${'TUI alone (bundled): first complete frame'.padEnd(52)} ${ms(onlyComplete).padStart(10)}   ${ratio(onlyComplete, echoM)} of node in tmux, ${ratio(onlyComplete, node0)} of node -e 0`);
  console.log(`  ${'runbook run: first frame (LIVE badge)'.padEnd(52)} ${ms(first).padStart(10)}   ${ratio(first, echoM)} of node in tmux`);
  console.log(`  ${'runbook run: first complete frame (prompt, 20 steps)'.padEnd(52)} ${ms(complete).padStart(10)}   ${ratio(complete, echoM)} of node in tmux`);
  const drillFirst = quantile(drill.map((t) => t.first), 0.5);
  const drillComplete = quantile(drill.map((t) => t.complete), 0.5);
  console.log(`  ${'runbook drill (flagship, 80×24): first frame'.padEnd(52)} ${ms(drillFirst).padStart(10)}   ${ratio(drillFirst, echoM)} of node in tmux`);
  console.log(`  ${'runbook drill (flagship, 80×24): first complete frame'.padEnd(52)} ${ms(drillComplete).padStart(10)}   ${ratio(drillComplete, echoM)} of node in tmux (target ≤ 3×)`);
} else console.log('\n1. launch: skipped');

// ─── 2. in-process: 100,000 lines while keys are pressed ──────────────────────────────────────
class FakeOut extends EventEmitter {
  isTTY = true;
  columns = 100;
  rows = 30;
  writes = 0;
  bytes = 0;
  onWrite = null;
  write = (s, cb) => {
    // a frame is one large write; Ink also writes small cursor / synchronized-output codes
    if (s.length > 200) this.writes++;
    this.bytes += Buffer.byteLength(s);
    this.onWrite?.(s);
    if (typeof cb === 'function') cb();
    return true;
  };
}

if (PARTS.has(2)) {
  const { runTui } = await import('../src/ui/index.tsx');
  const stdin = new FakeIn();
  const stdout = new FakeOut();
  const stderr = new FakeOut();
  const info = (id) => ({ id, kind: 'detect', title: `Step ${id}`, needs: [], confirm: false, fanOut: false, evidence: { type: 'none', required: false } });
  let seq = 0;
  const rec = (body) => ({ type: 'record', record: { ...body, seq: ++seq, ts: new Date().toISOString(), op: 'bench' } });
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  let heapPeak = heap0;
  let rssPeak = rss0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed);
    rssPeak = Math.max(rssPeak, m.rss);
  }, 20);
  const latencies = [];
  let streamMs = 0;
  let finish;
  const finished = new Promise((r) => (finish = r));
  const done = runTui({
    start: async (ports, observe) => {
      observe({ type: 'run.begin', incident: 'bench', mode: 'live', dryRun: false, runbook: { id: 'b', title: 'Stream bench', severity: 'high', path: 'b.yaml' }, steps: Array.from({ length: 10 }, (_, i) => info(`s${i}`)), resumed: false, openedAt: new Date().toISOString() });
      observe(rec({ type: 'step.started', step: 's0' }));
      const t0 = performance.now();
      const pad = 'x'.repeat(60);
      // like a child's output pump: chunks of lines, the event loop turning between them
      for (let i = 0; i < LINES; i += 250) {
        for (let j = i; j < Math.min(LINES, i + 250); j++) observe({ type: 'log', step: 's0', item: '-', stream: 'stdout', text: `line ${j} ${pad}` });
        await tick();
      }
      streamMs = performance.now() - t0;
      observe(rec({ type: 'step.finished', step: 's0', status: 'ok' }));
      await finished;
      return { status: 'done', exitCode: 0, incident: 'bench' };
    },
    note() {},
    resumeCommand: 'runbook run b.yaml --incident bench',
    reportCommand: 'runbook report bench',
    mode: 'live',
    stdin,
    stdout,
    stderr,
    abort() {},
    env: { NO_COLOR: '1' },
  });
  // press j / k every 40 ms while lines stream; latency = key → first write showing its effect
  await sleep(300);
  let pressed = 0;
  const t0 = performance.now();
  while (streamMs === 0 && performance.now() - t0 < 120_000) {
    const target = pressed % 2 === 0 ? 'Step s1 ' : 'Step s0 ';
    const key = pressed % 2 === 0 ? 'j' : 'k';
    const at = performance.now();
    const seen = new Promise((r) => {
      stdout.onWrite = (s) => {
        if (s.includes(target)) r(performance.now() - at);
      };
    });
    stdin.type(key);
    latencies.push(await Promise.race([seen, sleep(5000).then(() => 5000)]));
    stdout.onWrite = null;
    pressed++;
    await sleep(40);
  }
  await sleep(200);
  finish();
  await sleep(100);
  stdin.type('q');
  await done;
  globalThis.clearInterval(sampler);
  globalThis.gc?.();
  const heapEnd = process.memoryUsage().heapUsed;
  console.log(`\n2. in-process runTui, one step streaming ${LINES.toLocaleString('en-US')} lines (fake TTY, 100×30)`);
  console.log(`  ${'stream time / throughput'.padEnd(52)} ${ms(streamMs).padStart(10)}   ${Math.round(LINES / (streamMs / 1000)).toLocaleString('en-US')} lines/s`);
  console.log(`  ${'frames written / bytes'.padEnd(52)} ${String(stdout.writes).padStart(10)}   ${(stdout.bytes / 1024).toFixed(0)} KiB (${(stdout.writes / (streamMs / 1000)).toFixed(1)} frames/s while streaming)`);
  console.log(`  ${'heap: before / peak / after (gc)'.padEnd(52)} ${MiB(heap0)} / ${MiB(heapPeak)} / ${MiB(heapEnd)}`);
  console.log(`  ${'rss: before / peak'.padEnd(52)} ${MiB(rss0)} / ${MiB(rssPeak)}`);
  // the stream may end before the first press (a fast machine, few lines): no latency to report then
  if (latencies.length) console.log(`  ${`key → frame latency, ${latencies.length} presses: median / p95 / max`.padEnd(52)} ${ms(quantile(latencies, 0.5))} / ${ms(quantile(latencies, 0.95))} / ${ms(Math.max(...latencies))}`);
  else console.log(`  ${'key → frame latency'.padEnd(52)} no press landed while the lines streamed (raise BENCH_LINES)`);
}

// ─── 3. the built CLI in tmux, a shell step printing 100,000 lines ────────────────────────────
if (hasTmux && PARTS.has(3)) {
  writeFileSync(
    join(OUT, 'flood.yaml'),
    `version: 1
id: bench-flood
title: TUI flood bench
providers:
  sh: { type: shell }
steps:
  - id: flood
    kind: detect
    title: Print ${LINES} lines
    uses: sh.run
    with:
      command: [node, -e, "let i = 0; const pad = 'x'.repeat(60); (function go() { let s = ''; for (let k = 0; k < 500 && i < ${LINES}; k++) s += 'line ' + (i++) + ' ' + pad + '\\\\n'; process.stdout.write(s, () => (i < ${LINES} ? setTimeout(go, 1) : 0)); })()"]
  - id: after
    kind: detect
    title: After the flood
    uses: sh.run
    with: { command: [node, -e, "0"] }
`,
  );
  const made = tmux('new-session', '-d', '-s', 'flood', '-x', '100', '-y', '30', '-c', OUT, `env NO_COLOR=1 CI=0 node ${CLI} run flood.yaml --state-dir state-flood --incident flood; sleep 60`);
  if (made.status !== 0) throw new Error(`tmux new-session flood failed: ${made.stderr || made.error?.message || `exit ${made.status}`}`);
  await until(() => screen('flood').includes('Next step · flood'), 60_000, 'flood prompt');
  const panePid = tmux('display', '-p', '-t', 'flood', '#{pane_pid}').stdout.trim();
  const pid = spawnSync('pgrep', ['-f', '-P', panePid, 'cli.js run flood'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  const rss = () => Number(spawnSync('ps', ['-o', 'rss=', '-p', pid], { encoding: 'utf8' }).stdout.trim() || 0) * 1024;
  const rssStart = rss();
  let rssPeak = rssStart;
  tmux('send-keys', '-t', 'flood', 'Enter');
  const lat = [];
  let shownMax;
  let i = 0;
  const t0 = performance.now();
  const streaming = () => /◐ running\s+detect\s+Print/.test(screen('flood'));
  await until(streaming, 30_000, 'flood running');
  while (streaming() && performance.now() - t0 < 180_000) {
    rssPeak = Math.max(rssPeak, rss());
    const target = i % 2 === 0 ? 'Step after' : 'Step flood';
    const at = performance.now();
    tmux('send-keys', '-t', 'flood', i % 2 === 0 ? 'j' : 'k');
    try {
      await until(() => screen('flood').includes(target), 5000, target);
      lat.push(performance.now() - at);
      const m = /last 200 of ([\d,]+) lines/.exec(screen('flood'));
      if (m) shownMax = m[1];
    } catch {
      if (streaming()) lat.push(5000); // not seen while the step still ran: count it
    }
    i++;
    await sleep(50);
  }
  const finished = await until(() => /✓ done\s+detect\s+Print/.test(screen('flood')), 120_000, 'flood done').catch(() => undefined);
  // select the flood step and show its detail instead of the next step's prompt
  tmux('send-keys', '-t', 'flood', 'k', 'Tab');
  const tail = () => /Step flood[^]*last 200 of ([\d,]+) lines/.exec(screen('flood'))?.[1];
  const shown = await until(() => tail() !== undefined, 10_000, 'tail').then(tail).catch(() => `${shownMax} (while streaming)`);
  rssPeak = Math.max(rssPeak, rss());
  tmux('kill-session', '-t', 'flood');
  console.log(`\n3. built CLI in tmux: a shell step printing ${LINES.toLocaleString('en-US')} lines`);
  console.log(`  ${'step wall time (with the key presses)'.padEnd(52)} ${ms((finished ?? performance.now()) - t0).padStart(10)}   the log tail says "last 200 of ${shown ?? '?'} lines"`);
  console.log(`  ${'rss of the CLI: at the prompt / peak'.padEnd(52)} ${MiB(rssStart)} / ${MiB(rssPeak)}`);
  if (lat.length) console.log(`  ${`key → screen latency (tmux), ${lat.length} presses: median / p95 / max`.padEnd(52)} ${ms(quantile(lat, 0.5))} / ${ms(quantile(lat, 0.95))} / ${ms(Math.max(...lat))}`);
} else console.log('\n3. built CLI in tmux: skipped');

spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
