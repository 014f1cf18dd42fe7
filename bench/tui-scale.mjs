// The TUI at scale (issue 15 item 3): `node bench/tui-scale.mjs` (or `node bench/run.mjs tui-scale`).
//
// A world of N leaked tokens behind a loopback HTTP API (a child process, so the bench's own
// tmux polling never stalls it): GET /tokens lists them, DELETE /tokens/:id revokes one. The
// runbook lists them (http.request), then revokes every one in a fan-out at concurrency 16
// (a gated revoke step), then a last step. For each N, in the same run:
//  - scripted: `runbook run … --yes` with no terminal — wall time, the fan-out's time from the
//    journal (first intent → step.finished) and peak RSS (/usr/bin/time);
//  - TUI: the built CLI in a tmux pane (100×30): launch → first frame (the header) and first
//    complete frame (the first prompt), against `node` printing one line in the same kind of
//    pane; then `a` (run all) and `y` (approve every item); while the fan-out runs, j / k every
//    ~100 ms and the time until the screen shows the other step selected (key → screen); the
//    fan-out's time from the journal, the run's wall time and peak RSS.
// The same keys once the run is over (the TUI idle, its store still holding N items) are the
// floor of key → screen on this machine: tmux, the bench's polling and the load, no fan-out.
// Key → screen is timed from send-keys to the pane's output (a tmux control-mode client, no
// polling); BENCH_KEYS_VIA=poll times it by capture-pane every 2 ms instead (as before 2026-12-03 keys).
// BENCH_N=1000,10000 (default), BENCH_ROUNDS=1 (TUI/scripted pairs per N, interleaved),
// BENCH_IDLE_KEYS=20 (presses for that floor),
// BENCH_TUI_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (node flags for the TUI process).
// BENCH_CLI='base=/tmp/base/dist/cli.js' (other builds): their TUI runs each round on the same
// world, interleaved with this build's (the order flips every round), reported as ratios.
// BENCH_FIRST=7 (default 0): instead, the flagship drill's first frame at 80×24 (`runbook drill
// hf-spaces-secrets-exposure`), BENCH_FIRST rounds interleaved with node printing one line in the
// same kind of pane, and with other builds: BENCH_CLI='base=/tmp/base/dist/cli.js'. Three times
// each: the first frame (`[DRILL]` on screen: the header's first line, written before Ink loads),
// Ink's first frame (the header's `0/0 steps` line) and the first complete frame (the prompt).
// BENCH_FIRST_N=10000 adds the same rows for the N-token drill world of scripts/hf-world.mjs
// (`runbook drill <world>/hf-revoke.yaml`; its complete frame waits for the world to be built).
// Needs tmux (a private server: -L runbook-scale-PID).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ms, ratio } from './lib.mjs';
import { writeHfWorld } from '../scripts/hf-world.mjs';

const NS = (process.env.BENCH_N ?? '1000,10000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const IDLE_KEYS = Number(process.env.BENCH_IDLE_KEYS ?? 20);
const CLI = resolve('dist/cli.js');
const OUT = resolve('bench/.out/tui-scale');
const SOCKET = `scaletui-${process.pid}`;
const TIME = '/usr/bin/time';
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const MiB = (kb) => `${(kb / 1024).toFixed(0)} MiB`;
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

if (spawnSync('tmux', ['-V']).status !== 0 || !existsSync(TIME)) {
  console.log('tui-scale: skipped (needs tmux and /usr/bin/time)');
  process.exit(0);
}
process.on('exit', () => spawnSync('tmux', ['-L', SOCKET, 'kill-server']));
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const tmux = (...args) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
tmux('new-session', '-d', '-s', 'keep', 'sleep 3600');
const screen = (s) => tmux('capture-pane', '-p', '-J', '-t', s).stdout ?? '';
async function until(cond, limit, what) {
  const end = performance.now() + limit;
  for (;;) {
    const v = cond();
    if (v) return performance.now();
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

// ─── the N-token world (written here; a shared generator may replace it) ──────────────────────
writeFileSync(
  join(OUT, 'server.mjs'),
  `import { createServer } from 'node:http';
const n = Number(process.argv[2]);
const tokens = Array.from({ length: n }, (_, i) => ({ id: 'tok-' + String(i).padStart(6, '0'), owner: 'user' + (i % 997), role: i % 3 ? 'read' : 'write' }));
const list = JSON.stringify({ tokens });
const live = new Set(tokens.map((t) => t.id));
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/tokens') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(list); }
  const m = /^\\/tokens\\/([\\w-]+)$/.exec(req.url ?? '');
  if (m && req.method === 'DELETE') { const was = live.delete(m[1]); res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify({ revoked: was })); }
  res.writeHead(404); res.end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`,
);
// event-loop delay of a process (both runs): what no key press can beat
writeFileSync(
  join(OUT, 'lag.mjs'),
  `import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
process.on('exit', () => { h.disable(); writeFileSync(process.env.BENCH_LAG_FILE, JSON.stringify({ p50: h.percentile(50) / 1e6, p95: h.percentile(95) / 1e6 })); });
`,
);
const lagOf = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);

async function world(n) {
  const child = spawn(process.execPath, [join(OUT, 'server.mjs'), String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((res, rej) => {
    child.stdout.once('data', (d) => res(Number(String(d).trim())));
    child.once('exit', (c) => rej(new Error(`world server exited ${c}`)));
  });
  return { port, stop: () => child.kill() };
}
const runbook = (n, port) => `version: 1
id: bench-scale
title: ${n} leaked tokens
severity: high
providers:
  api: { type: http }
steps:
  - id: find
    kind: detect
    title: List the leaked tokens
    uses: api.request
    with: { url: "http://127.0.0.1:${port}/tokens", pick: { tokens: tokens } }
  - id: revoke
    kind: revoke
    title: Revoke every leaked token
    uses: api.request
    for_each: \${{ steps.find.outputs.values.tokens }}
    item_key: \${{ item.id }}
    concurrency: 16
    verify: false
    with: { method: DELETE, url: "http://127.0.0.1:${port}/tokens/\${{ item.id }}" }
  - id: last
    kind: notify
    title: Tell the owners
    uses: api.request
    with: { url: "http://127.0.0.1:${port}/tokens", expect: [200] }
`;

/** The fan-out's time from the journal: the first intent of `revoke` → its step.finished. */
function fanOutMs(stateDir) {
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/journal.*\.jsonl$/.test(e.name)) files.push(join(d, e.name));
    }
  };
  walk(stateDir);
  let first;
  let last;
  let items = 0;
  for (const f of files) {
    for (const l of readFileSync(f, 'utf8').split('\n')) {
      if (!l.includes('"revoke"')) continue;
      const r = JSON.parse(l);
      if (r.step !== 'revoke') continue;
      if (r.type === 'intent') first ??= Date.parse(r.ts);
      if (r.type === 'outcome') items++;
      if (r.type === 'step.finished') last = Date.parse(r.ts);
    }
  }
  return first !== undefined && last !== undefined ? { ms: last - first, items } : undefined;
}
// /usr/bin/time -f '%M %U %S': peak RSS (KiB) and CPU seconds (user, system), the last line
const timeOf = (file) => readFileSync(file, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
const peakKb = (file) => timeOf(file)[0] ?? NaN;
const cpuS = (file) => (timeOf(file)[1] ?? NaN) + (timeOf(file)[2] ?? NaN);

async function scripted(n, dir, file) {
  const state = join(dir, 'state-scripted');
  const t0 = performance.now();
  const child = spawn(TIME, ['-o', join(dir, 'time-scripted'), '-f', '%M %U %S', process.execPath, CLI, 'run', file, '--yes', '--state-dir', state, '--incident', 'scripted'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1', BENCH_LAG_FILE: join(dir, 'lag-scripted.json'), NODE_OPTIONS: `--import ${join(OUT, 'lag.mjs')}` } });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
  const code = await new Promise((r) => child.once('exit', r));
  const wall = performance.now() - t0;
  if (code !== 0) throw new Error(`scripted run exited ${code}: ${err}`);
  return { wall, fan: fanOutMs(state), rssKb: peakKb(join(dir, 'time-scripted')), cpu: cpuS(join(dir, 'time-scripted')), lag: lagOf(join(dir, 'lag-scripted.json')) };
}

const KEYS_VIA = process.env.BENCH_KEYS_VIA ?? 'control';
/**
 * The output of a session's pane as tmux receives it: a control-mode client (`tmux -C attach`;
 * it takes no part in the window's size) reports every chunk as `%output %pane data` (octal
 * escapes). next(text) resolves at the first output after the call that contains `text` (a
 * tail of the previous chunk is kept, so a split word is found).
 */
function outputWatch(session) {
  const client = spawn('tmux', ['-L', SOCKET, '-C', 'attach', '-t', session], { stdio: ['pipe', 'pipe', 'ignore'] });
  let rest = '';
  let tail = '';
  let want;
  client.stdout.setEncoding('latin1');
  client.stdout.on('data', (d) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) {
      if (!l.startsWith('%output ')) continue;
      const data = l.slice(l.indexOf(' ', 8) + 1).replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
      const text = Buffer.from(tail + data, 'latin1').toString('utf8');
      tail = data.slice(-64);
      if (want && text.includes(want.text)) {
        const w = want;
        want = undefined;
        w.resolve();
      }
    }
  });
  return {
    next: (text) => new Promise((resolve) => {
      tail = '';
      want = { text, resolve };
    }),
    cancel: () => (want = undefined),
    close: () => client.kill(),
  };
}

async function echoBaseline(name, size = ['100', '30']) {
  if (FIRST_VIA === 'control') {
    const w = await launchWatched(name, size, `node -e "console.log('READY')"; sleep 60`);
    const t = await w.until(() => w.seen.includes('READY'), 30_000, 'READY');
    w.close();
    tmux('kill-session', '-t', name);
    return t - w.t0;
  }
  const t0 = performance.now();
  tmux('new-session', '-d', '-s', name, '-x', size[0], '-y', size[1], `node -e "console.log('READY')"; sleep 60`);
  const t = await until(() => screen(name).includes('READY'), 30_000, 'READY');
  tmux('kill-session', '-t', name);
  return t - t0;
}

// How a launch's frames are seen (BENCH_FIRST, and the node baseline with it): `control` (the
// default) — the pane's command waits (`tmux wait-for`) until a control-mode client is attached,
// then starts; each chunk of output is timed as the client receives it, and the screen is read
// (capture-pane) only then. `poll` — capture-pane every 2 ms from launch, as before 2026-12-04:
// a tmux client spawned per poll, which on 2 CPUs takes CPU from the process it times (so longer
// launches are stretched more than the baseline).
const FIRST_VIA = process.env.BENCH_FIRST_VIA ?? 'control';
async function launchWatched(name, [x, y], command) {
  const go = `go-${name}`;
  const made = tmux('new-session', '-d', '-s', name, '-x', x, '-y', y, '-c', OUT, `tmux -L ${SOCKET} wait-for ${go}; ${command}`);
  if (made.status !== 0) throw new Error(`tmux new-session failed: ${made.stderr}`);
  const client = spawn('tmux', ['-L', SOCKET, '-C', 'attach', '-t', name], { stdio: ['pipe', 'pipe', 'ignore'] });
  let rest = '';
  let ready;
  let wake;
  const arrivals = [];
  const attached = new Promise((r) => (ready = r));
  client.stdout.setEncoding('latin1');
  client.stdout.on('data', (d) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) {
      // the client's first reply (%begin … %end of the attach) says it is attached
      if (l.startsWith('%end') || l.startsWith('%session-changed')) ready();
      if (l.startsWith('%output ')) {
        arrivals.push(performance.now());
        wake?.();
      }
    }
  });
  await Promise.race([attached, sleep(5000)]);
  const w = {
    t0: performance.now(),
    seen: '',
    /** the time of the first output after which cond() holds on the screen (read once per chunk) */
    async until(cond, limit, what) {
      const end = performance.now() + limit;
      let read = 0;
      for (;;) {
        while (read < arrivals.length) {
          const at = arrivals[arrivals.length - 1];
          read = arrivals.length;
          w.seen = screen(name);
          if (cond(at)) return at;
        }
        if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
        await Promise.race([new Promise((r) => (wake = r)), sleep(50)]);
      }
    },
    close: () => client.kill(),
  };
  tmux('wait-for', '-S', go);
  return w;
}

async function tui(n, dir, file, name, cli = CLI, tag = 'tui') {
  const state = join(dir, `state-${tag}`);
  const timeFile = join(dir, `time-${tag}`);
  const t0 = performance.now();
  const made = tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '30', '-c', dir, `env NO_COLOR=1 CI=0 BENCH_LAG_FILE=${join(dir, `lag-${tag}.json`)} NODE_OPTIONS=--import=${join(OUT, 'lag.mjs')} ${TIME} -o ${timeFile} -f '%M %U %S' ${process.execPath} ${process.env.BENCH_TUI_NODE_ARGS ?? ''} ${cli} run ${file} --state-dir ${state} --incident tui; sleep 600`);
  if (made.status !== 0) throw new Error(`tmux new-session failed: ${made.stderr}`);
  let first;
  const complete = await until(() => {
    const s = screen(name);
    if (first === undefined && s.includes('LIVE')) first = performance.now();
    return s.includes('Next step · find') && s.includes('? help');
  }, 120_000, 'the first prompt');
  tmux('send-keys', '-t', name, 'a');
  await until(() => screen(name).includes('Approval needed · revoke'), 600_000, 'the revoke gate');
  tmux('send-keys', '-t', name, 'y');
  const running = () => /◐ running\s+revoke/.test(screen(name));
  await until(() => running() || /✓ done\s+revoke/.test(screen(name)), 60_000, 'the fan-out');
  // one key press (j: the step after revoke, k: back) → the screen showing the other step: seen
  // in the pane's output stream (a tmux control-mode client: %output as tmux receives it, no
  // polling), or with BENCH_KEYS_VIA=poll by capture-pane every 2 ms (a tmux client spawned per
  // poll: on 2 CPUs that polling competes with the TUI it measures)
  const watch = KEYS_VIA === 'poll' ? undefined : outputWatch(name);
  const press = async (i, [down, up] = ['Step last', 'Step revoke']) => {
    const target = i % 2 === 0 ? down : up;
    const seen = watch?.next(target);
    const at = performance.now();
    tmux('send-keys', '-t', name, i % 2 === 0 ? 'j' : 'k');
    try {
      if (seen) await Promise.race([seen, sleep(10_000).then(() => Promise.reject(new Error(target)))]);
      else await until(() => screen(name).includes(target), 10_000, target);
      return performance.now() - at;
    } catch {
      return 10_000;
    } finally {
      watch?.cancel();
    }
  };
  const lat = [];
  let i = 0;
  while (running()) {
    const t = await press(i++);
    if (t < 10_000 || running()) lat.push(t);
    await sleep(100);
  }
  await until(() => /✓ done\s+notify\s+Tell/.test(screen(name)) || /failed/.test(screen(name)), 600_000, 'the end');
  const end = performance.now();
  const shot = screen(name);
  // the floor: the same keys in the same TUI (10,000 items in its store) once the run is over —
  // what this machine's load, tmux and the bench's polling cost without a fan-out running
  const idle = [];
  await until(() => screen(name).includes('Run over'), 30_000, 'the end panel').catch(() => undefined);
  await press(1); // leave the end panel (k: revoke)
  // between find and revoke: once the run is over, selecting the last step shows the end panel
  for (let k = 1; k <= IDLE_KEYS; k++) {
    const t = await press(k, ['Step revoke', 'Step find']);
    if (t < 10_000) idle.push(t); // a press not shown within 10 s is left out (and counted below)
    await sleep(100);
  }
  watch?.close();
  tmux('send-keys', '-t', name, 'q');
  await until(() => existsSync(timeFile) && readFileSync(timeFile, 'utf8').trim() !== '', 30_000, 'the TUI to exit').catch(() => undefined);
  tmux('kill-session', '-t', name);
  if (!/✓ done\s+notify/.test(shot)) throw new Error(`the TUI run did not finish:\n${shot}`);
  return { first: (first ?? complete) - t0, complete: complete - t0, wall: end - t0, lat, idle, fan: fanOutMs(state), rssKb: existsSync(timeFile) ? peakKb(timeFile) : NaN, cpu: existsSync(timeFile) ? cpuS(timeFile) : NaN, lag: lagOf(join(dir, `lag-${tag}.json`)) };
}

const FIRST = Number(process.env.BENCH_FIRST ?? 0);
// other builds, BENCH_CLI='base=/tmp/base/dist/cli.js,…': their TUIs interleaved with this build's
const OTHERS = process.env.BENCH_CLI ? process.env.BENCH_CLI.split(',').map((x) => x.split('=')) : [];
if (FIRST > 0) {
  const clis = [['this build', CLI], ...(process.env.BENCH_CLI ? process.env.BENCH_CLI.split(',').map((x) => x.split('=')) : [])];
  const N = Number(process.env.BENCH_FIRST_N ?? 0);
  const world = join(OUT, `world-${N}`);
  if (N > 0) writeHfWorld(world, N);
  // [label, cli, runbook, the prompt of its first complete frame]
  const builds = [
    ...clis.map(([n, cli]) => [n, cli, 'hf-spaces-secrets-exposure', 'Next step · find-spaces']),
    ...(N > 0 ? clis.map(([n, cli]) => [`${n}, N=${N.toLocaleString('en-US')}`, cli, join(world, 'hf-revoke.yaml'), 'Next step · find-tokens']) : []),
  ];
  const times = { echo: [], ...Object.fromEntries(builds.map(([n]) => [n, { first: [], ink: [], complete: [] }])) };
  console.log(`tui-scale: the flagship drill's first frame, 80×24, ${FIRST} interleaved rounds, frames seen by ${FIRST_VIA === 'control' ? 'a control-mode client' : 'capture-pane every 2 ms'} (load average ${load()})`);
  for (let r = 0; r < FIRST; r++) {
    times.echo.push(await echoBaseline(`fe${r}`, ['80', '24']));
    for (const [name, cli, book, prompt] of builds) {
      const s = `f${r}-${name.replace(/\W/g, '')}`;
      const command = `env NO_COLOR=1 CI=0 ${process.execPath} ${cli} drill ${book} --state-dir ${join(OUT, `first-${s}`)}; echo BENCH-EXIT; sleep 60`;
      let first;
      let ink;
      // complete: the first question, the footer and (the flagship) the drill clock with the attacker's next move
      const complete = (sc) => sc.includes(prompt) && sc.includes('q quit') && (name.includes('N=') || sc.includes('attacker'));
      const mark = (sc, at) => {
        if (first === undefined && sc.includes('[DRILL]')) first = at;
        if (ink === undefined && /\d+\/\d+ steps/.test(sc)) ink = at;
        return complete(sc);
      };
      let t0;
      let done;
      if (FIRST_VIA === 'control') {
        const w = await launchWatched(s, ['80', '24'], command);
        t0 = w.t0;
        done = await w.until((at) => mark(w.seen, at), 600_000, 'the first prompt');
        w.close();
      } else {
        t0 = performance.now();
        tmux('new-session', '-d', '-s', s, '-x', '80', '-y', '24', '-c', OUT, command);
        done = await until(() => mark(screen(s), performance.now()), 600_000, 'the first prompt');
      }
      // leave (q, y) and wait for the process to end, so no cleanup overlaps the next launch
      tmux('send-keys', '-t', s, 'q');
      await until(() => screen(s).includes('y quit'), 60_000, 'the quit question');
      tmux('send-keys', '-t', s, 'y');
      await until(() => screen(s).includes('BENCH-EXIT'), 600_000, 'the drill to end');
      tmux('kill-session', '-t', s);
      times[name].first.push((first ?? done) - t0);
      times[name].ink.push((ink ?? done) - t0);
      times[name].complete.push(done - t0);
    }
  }
  const echoM = quantile(times.echo, 0.5);
  console.log(`  ${'node printing one line, seen in tmux'.padEnd(52)} ${ms(echoM).padStart(10)}   1`);
  for (const [name] of builds) {
    const f = quantile(times[name].first, 0.5);
    const c = quantile(times[name].complete, 0.5);
    const target = name.includes('N=') ? 'target: ≤ 1 s' : 'target ≤ 3×';
    console.log(`  ${`${name}: first frame ([DRILL] header)`.padEnd(52)} ${ms(f).padStart(10)}   ${ratio(f, echoM)} of node in tmux (${target})`);
    const k = quantile(times[name].ink, 0.5);
    console.log(`  ${`${name}: Ink's first frame (the header's steps line)`.padEnd(52)} ${ms(k).padStart(10)}   ${ratio(k, echoM)} of node in tmux (${target})`);
    console.log(`  ${`${name}: first complete frame (first prompt)`.padEnd(52)} ${ms(c).padStart(10)}   ${ratio(c, echoM)} of node in tmux`);
  }
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  process.exit(0);
}

console.log(`tui-scale (load average ${load()}; N = ${NS.join(', ')}; ${ROUNDS} round(s))`);
const echo = [];
for (let i = 0; i < 3; i++) echo.push(await echoBaseline(`echo${i}`));
const echoM = quantile(echo, 0.5);
console.log(`  ${'node printing one line, seen in tmux (median of 3)'.padEnd(58)} ${ms(echoM).padStart(10)}`);
for (const n of NS) {
  const { port, stop } = await world(n);
  try {
    const rows = { s: [], t: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const dir = join(OUT, `n${n}-r${r}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'scale.yaml');
      writeFileSync(file, runbook(n, port));
      // alternate which goes first (other builds' TUIs, BENCH_CLI, in turn after this build's)
      if (r % 2 === 0) {
        rows.s.push(await scripted(n, dir, file));
        rows.t.push(await tui(n, dir, file, `t${n}-${r}`));
      } else {
        rows.t.push(await tui(n, dir, file, `t${n}-${r}`));
        rows.s.push(await scripted(n, dir, file));
      }
      const order = r % 2 === 0 ? OTHERS : [...OTHERS].reverse();
      for (const [label, cli] of order) (rows[label] ??= []).push(await tui(n, dir, file, `t${n}-${r}-${label}`, resolve(cli), `tui-${label}`));
    }
    const med = (xs, f) => quantile(xs.map(f).filter((x) => x !== undefined && !Number.isNaN(x)), 0.5);
    const sFan = med(rows.s, (x) => x.fan?.ms);
    const tFan = med(rows.t, (x) => x.fan?.ms);
    const lat = rows.t.flatMap((x) => x.lat);
    console.log(`\n  N = ${n.toLocaleString('en-US')} (revoked per run: scripted ${rows.s[0].fan?.items}, TUI ${rows.t[0].fan?.items}; load ${load()})`);
    const line = (k, v, extra = '') => console.log(`    ${k.padEnd(56)} ${v.padStart(10)}   ${extra}`);
    line('TUI: first frame (header)', ms(med(rows.t, (x) => x.first)), `${ratio(med(rows.t, (x) => x.first), echoM)} of node in tmux (target: ≤ 1 s)`);
    line('TUI: first complete frame (first prompt)', ms(med(rows.t, (x) => x.complete)), `${ratio(med(rows.t, (x) => x.complete), echoM)} of node in tmux`);
    line('scripted: fan-out (journal: first intent → finished)', ms(sFan), '1');
    line('TUI: fan-out (journal: first intent → finished)', ms(tFan), `${ratio(tFan, sFan)} of scripted (target: ≤ 1.2×)`);
    line('scripted: whole run (spawn → exit)', ms(med(rows.s, (x) => x.wall)));
    line('TUI: whole run (launch → end panel, keys included)', ms(med(rows.t, (x) => x.wall)), `${ratio(med(rows.t, (x) => x.wall), med(rows.s, (x) => x.wall))} of scripted`);
    const idle = rows.t.flatMap((x) => x.idle);
    if (idle.length) line(`TUI: key → screen after the run, idle (${idle.length} of ${IDLE_KEYS * ROUNDS} presses): p50 / p95`, `${ms(quantile(idle, 0.5))} / ${ms(quantile(idle, 0.95))}`, 'the floor: tmux, polling and load, no fan-out');
    if (lat.length) line(`TUI: key → screen while fanning out (${lat.length} presses): p50 / p95`, `${ms(quantile(lat, 0.5))} / ${ms(quantile(lat, 0.95))}`, `${idle.length ? `${ratio(quantile(lat, 0.95), quantile(idle, 0.95))} of idle p95; ` : ''}target: p95 ≤ 100 ms`);
    else line('TUI: key → screen while fanning out', 'none', 'the fan-out ended before a key could be pressed');
    line('event-loop delay p50 / p95: scripted', `${ms(med(rows.s, (x) => x.lag?.p50))} / ${ms(med(rows.s, (x) => x.lag?.p95))}`, 'what no key press can beat in that process');
    line('event-loop delay p50 / p95: TUI', `${ms(med(rows.t, (x) => x.lag?.p50))} / ${ms(med(rows.t, (x) => x.lag?.p95))}`);
    line('CPU time (user + system): scripted / TUI', `${med(rows.s, (x) => x.cpu)?.toFixed(1)} s / ${med(rows.t, (x) => x.cpu)?.toFixed(1)} s`, `${ratio(med(rows.t, (x) => x.cpu), med(rows.s, (x) => x.cpu))} of scripted: on a saturated machine wall time follows it`);
    line('peak RSS: scripted / TUI', `${MiB(med(rows.s, (x) => x.rssKb))} / ${MiB(med(rows.t, (x) => x.rssKb))}`, `${ratio(med(rows.t, (x) => x.rssKb), med(rows.s, (x) => x.rssKb))} of scripted (target: ≤ 300 MiB)`);
    for (const [label] of OTHERS) {
      const o = rows[label] ?? [];
      const oLat = o.flatMap((x) => x.lat);
      const oIdle = o.flatMap((x) => x.idle);
      console.log(`   vs ${label} (its TUI on the same world, interleaved):`);
      line(`${label}: TUI fan-out`, ms(med(o, (x) => x.fan?.ms)), `this build ${ratio(tFan, med(o, (x) => x.fan?.ms))} of it`);
      if (oLat.length && lat.length) line(`${label}: key → screen while fanning out (${oLat.length}): p50 / p95`, `${ms(quantile(oLat, 0.5))} / ${ms(quantile(oLat, 0.95))}`, `this build p50 ${ratio(quantile(lat, 0.5), quantile(oLat, 0.5))}, p95 ${ratio(quantile(lat, 0.95), quantile(oLat, 0.95))} of it`);
      if (oIdle.length && idle.length) line(`${label}: key → screen idle (${oIdle.length}): p50 / p95`, `${ms(quantile(oIdle, 0.5))} / ${ms(quantile(oIdle, 0.95))}`, `this build p95 ${ratio(quantile(idle, 0.95), quantile(oIdle, 0.95))} of it`);
      line(`${label}: event-loop delay p50 / p95`, `${ms(med(o, (x) => x.lag?.p50))} / ${ms(med(o, (x) => x.lag?.p95))}`);
      line(`${label}: CPU time`, `${med(o, (x) => x.cpu)?.toFixed(1)} s`, `this build ${ratio(med(rows.t, (x) => x.cpu), med(o, (x) => x.cpu))} of it`);
    }
  } finally {
    stop();
  }
}
spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
