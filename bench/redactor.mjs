// npm run bench (or: node --import tsx --expose-gc bench/redactor.mjs) — registering N leaked
// Hugging Face tokens with the redactor: ms per secret, RSS per secret, and the time to redact
// 1 MB of output, for the compact redactor (src/core/secrets/redactor.ts) against the previous
// implementation as the baseline (a Map-based trie Aho–Corasick automaton), read from git at
// BENCH_REDACTOR_BASE (default 6dbee49, the last commit before the compact one) into
// bench/.out/redactor-base/ with its imports aimed at the current src/core/secrets. Each measure runs in a fresh child process, old and new interleaved.
// BENCH_REDACTOR_N=100,1000,10000 (default) sets the sizes; BENCH_ROUNDS the rounds (default 3).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const self = fileURLToPath(import.meta.url);
const OLD_DIR = join(dirname(self), '.out', 'redactor-base');
const OLD_REDACTOR = join(OLD_DIR, 'redactor.ts');

/** The old redactor and matcher from git; every other import points at today's src/core/secrets. */
function materialiseBaseline(rev) {
  mkdirSync(OLD_DIR, { recursive: true });
  const secrets = join(dirname(self), '..', 'src', 'core', 'secrets');
  for (const f of ['redactor.ts', 'matcher.ts']) {
    const r = spawnSync('git', ['show', `${rev}:src/core/secrets/${f}`], { cwd: dirname(self), encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`bench/redactor.mjs: cannot read the baseline ${f} at ${rev} from git (${r.stderr.trim()}); set BENCH_REDACTOR_BASE to a commit before the compact redactor`);
    const src = r.stdout.replace(/from '\.\/([a-z-]+)\.js'/g, (m, name) => (name === 'matcher' ? m : `from '${join(secrets, name)}.js'`));
    writeFileSync(join(OLD_DIR, f), src);
  }
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const token = () => 'hf_' + [...randomBytes(34)].map((b) => ALNUM[b % 62]).join('');

if (process.argv[2] === '--child') {
  const [, , , which, nArg] = process.argv;
  const n = Number(nArg);
  const mod = await import(which === 'old' ? OLD_REDACTOR : '../src/core/secrets/redactor.ts');
  const tokens = Array.from({ length: n }, token);
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const r = new mod.Redactor();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) r.add(tokens[i], `inputs.tokens[${i}]`);
  r.redact('warm'); // the old automaton is built lazily on the first scan: count it
  const addMs = performance.now() - t0;
  globalThis.gc?.();
  const rss1 = process.memoryUsage().rss;
  // 1 MB of log lines (redacted 2 + 5 times: the median of the last 5 counts), one in 50 holding a registered token (raw or base64)
  let text = '';
  for (let i = 0; text.length < 1 << 20; i++) {
    const t = tokens[i % n];
    text += `2026-12-03T10:00:00Z revoke item ${i} ${i % 50 === 0 ? (i % 100 === 0 ? t : Buffer.from(t).toString('base64')) : 'ok status=200'}\n`;
  }
  let out = '';
  const times = [];
  const cpu = [];
  // two passes first (not counted): the median is of the steady state, not of the JIT's warm-up
  for (let i = 0; i < 2; i++) r.redact(text);
  for (let i = 0; i < 5; i++) {
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    out = r.redact(text);
    const c = process.cpuUsage(c1);
    times.push(performance.now() - t1);
    cpu.push((c.user + c.system) / 1000);
  }
  const redactMs = times.sort((a, b) => a - b)[2];
  // CPU time of the pass: on a shared, loaded machine wall time mostly measures the other processes
  const redactCpuMs = cpu.sort((a, b) => a - b)[2];
  if (out.includes(tokens[0])) throw new Error('a registered token survived');
  console.log(JSON.stringify({ addMs, rssMiB: (rss1 - rss0) / 2 ** 20, peakMiB: process.resourceUsage().maxRSS / 1024, redactMs, redactCpuMs, needles: r.size }));
} else {
  const sizes = (process.env.BENCH_REDACTOR_N ?? '100,1000,10000').split(',').map(Number);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const run = (which, n) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', self, '--child', which, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`child ${which} ${n} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop());
  };
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  materialiseBaseline(process.env.BENCH_REDACTOR_BASE ?? '6dbee49');
  console.log(`redactor: register N HF tokens (load average ${(await import('node:os')).loadavg()[0].toFixed(1)}); ${rounds} round(s), old/new interleaved, medians`);
  console.log('  N        | ms/secret old → new (ratio) | RSS/secret KiB old → new (ratio) | peak MiB old → new | redact 1 MB ms old → new (ratio) | its CPU ms old → new (ratio)');
  for (const n of sizes) {
    const o = [];
    const w = [];
    for (let i = 0; i < rounds; i++) {
      o.push(run('old', n));
      w.push(run('new', n));
    }
    const m = (xs, k) => med(xs.map((x) => x[k]));
    const [oa, na] = [m(o, 'addMs') / n, m(w, 'addMs') / n];
    const [or, nr] = [(m(o, 'rssMiB') * 1024) / n, (m(w, 'rssMiB') * 1024) / n];
    const [ox, nx] = [m(o, 'redactMs'), m(w, 'redactMs')];
    const [oc, nc] = [m(o, 'redactCpuMs'), m(w, 'redactCpuMs')];
    console.log(
      `  ${String(n).padEnd(8)} | ${oa.toFixed(3)} → ${na.toFixed(3)} (${(na / oa).toFixed(3)}×) | ${or.toFixed(1)} → ${nr.toFixed(1)} (${(nr / or).toFixed(3)}×) | ${m(o, 'peakMiB').toFixed(0)} → ${m(w, 'peakMiB').toFixed(0)} | ${ox.toFixed(1)} → ${nx.toFixed(1)} (${(nx / ox).toFixed(2)}×) | ${oc.toFixed(1)} → ${nc.toFixed(1)} (${(nc / oc).toFixed(2)}×)`,
    );
  }
}
