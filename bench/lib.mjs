// Small helpers shared by the benchmarks: timing, medians, ratios, peak memory.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Run `fn` `n` times (after one warm-up) and return the median in ms. */
export async function median(n, fn) {
  await fn();
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await time(fn));
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

export const ms = (x) => `${x.toFixed(1)} ms`;
export const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

export function row(name, value, baseline, baseName) {
  console.log(`  ${name.padEnd(44)} ${ms(value).padStart(10)}   ${baseline ? `${ratio(value, baseline)} of ${baseName}` : ''}`);
}

const REPORT_RSS = fileURLToPath(new URL('./workers/report-rss.cjs', import.meta.url));

/**
 * Run a Node script (the built CLI) as a child with a preload that reports its peak RSS at exit;
 * killed (SIGKILL) after `timeoutMs`. Resolves, whatever its exit code, with wall ms, peak RSS
 * (MiB; NaN when it died before its exit hook), exit code, `killed`, stdout (the first MiB, when
 * `stdout` is set; else ignored) and the last `errTail` characters of stderr.
 */
export function spawnMeasured(bin, args, { cwd, timeoutMs, stdout = true, errTail = 4000 }) {
  return new Promise((res, rej) => {
    const rssFile = join(tmpdir(), `runbook-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-r', REPORT_RSS, bin, ...args], { cwd, env: { ...process.env, BENCH_RSS_FILE: rssFile, NO_COLOR: '1' }, stdio: ['ignore', stdout ? 'pipe' : 'ignore', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out.length < 1 << 20 ? (out += d) : undefined));
    child.stderr.on('data', (d) => (err = (err + d).slice(-errTail)));
    child.on('error', rej);
    // a command that does not finish in time is killed and reported, not waited for
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wall = performance.now() - t0;
      let rss = NaN;
      try {
        rss = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024;
        rmSync(rssFile, { force: true });
      } catch {
        /* the process died before its exit hook */
      }
      res({ wall, rss, code, killed, out, err });
    });
  });
}

/** ms for `n` appends of a journal-sized line, each fsynced: the floor a durable journal cannot beat. */
export function fsyncFloor(n) {
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

/**
 * The engine benches' set-up, given the modules to use (`m`: this checkout's, or another's in an
 * A/B): a provider `noop` whose one action `run` does nothing (from m.defineProvider /
 * m.defineAction), a runbook of `n` steps calling it, and the Engine options of a run in `store`
 * with no inputs or secrets and scripted ports that say yes to everything.
 */
export function noopProvider(m) {
  return m.defineProvider({
    type: 'noop',
    description: 'does nothing',
    config: z.strictObject({}),
    actions: { run: m.defineAction({ kind: 'any', description: 'nothing', input: z.strictObject({}), output: z.object({}), idempotent: false, run: async () => ({}) }) },
  });
}

/** A runbook of `n` detect steps calling `p.run` of provider type `type`, each with `withBlock` (YAML lines). */
export const stepsYaml = (n, type = 'noop', withBlock = '    with: {}\n') =>
  `version: 1\nid: bench\ntitle: bench\nproviders:\n  p: { type: ${type} }\nsteps:\n` +
  Array.from({ length: n }, (_, i) => `  - id: s${i}\n    kind: detect\n    title: step ${i}\n    uses: p.run\n${withBlock}`).join('');

export function engineOptions(m, loaded, registry, store) {
  return {
    loaded,
    registry,
    store,
    secrets: new m.SecretRegistry(),
    resolveSecrets: async () => ({}),
    inputs: {},
    mode: 'live',
    ports: m.scriptedPorts({ yes: true, approve: new Set(), done: new Map(), settle: new Map() }),
    signal: new globalThis.AbortController().signal,
    fingerprintKey: randomBytes(32),
  };
}
