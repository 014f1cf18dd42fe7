// The flagship runbook at scale (issue 15, "the flagship runbook drills at N=10,000"):
// runbooks/hf-spaces-secrets-exposure.yaml drilled by the built CLI against the world of
// `node scripts/hf-world.mjs N DIR --flagship` — N leaked classic Hub tokens of 50 users, each in
// the HF_TOKEN secret of its own Space; an attacker who reads a Space with the first token after a
// minute. Every step of the runbook runs: list Spaces and secrets, the scope script, the scan,
// whoami-v2 per token, the page, revoke (each checked by whoami-v2 → 401), the owners script,
// rotate and restart per Space, a mail per owner, Slack, and the 30-minute watch (31 checks of
// every revoked token, on drill time) — about 37 provider calls per leaked token.
//
// For each N: wall time, CPU time and peak RSS of the CLI process, the scorecard (every token dead,
// every Space rotated, attacker blocked), and each step's time from the journal. Cost per item
// (wall and CPU / N) is compared with the first N's from the same run; the marginal cost (extra
// time per extra token since the previous N) cancels start-up out. The goal: flat (within 1.5×).
//   BENCH_FLAGSHIP_N=100,300 (default: quick, for npm run bench; 100,1000,3000,10000 by hand)
//   BENCH_FLAGSHIP_TIMEOUT_S=3600 (a drill still running then is killed and reported as such)
//   BENCH_FLAGSHIP_KEEP=1 keeps each N's folder (its path is printed)
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { flagshipScenarioYaml } from '../scripts/hf-world.mjs';
import { spawnMeasured } from './lib.mjs';

const ROOT = resolve('.');
const CLI = process.env.BENCH_FLAGSHIP_CLI ? resolve(process.env.BENCH_FLAGSHIP_CLI) : join(ROOT, 'dist', 'cli.js');
const RUNBOOK = join(ROOT, 'runbooks', 'hf-spaces-secrets-exposure.yaml');
const SIZES = (process.env.BENCH_FLAGSHIP_N ?? '100,300').split(',').map(Number);
const TIMEOUT_MS = Number(process.env.BENCH_FLAGSHIP_TIMEOUT_S ?? 3600) * 1000;
const KEEP = process.env.BENCH_FLAGSHIP_KEEP === '1';
if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run npm run build first (npm run bench does)');
if (SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('BENCH_FLAGSHIP_N: a comma-separated list of whole numbers, e.g. 100,300');

/** Runs the CLI; resolves with wall ms, peak RSS (MiB), exit code, whether it was killed and the stderr's tail. */
async function drill(args, cwd) {
  const { wall, rss, code, killed, err } = await spawnMeasured(CLI, args, { cwd, timeoutMs: TIMEOUT_MS, stdout: false, errTail: 20_000 });
  return { wall, rss, code, killed, err };
}

/** Each step's span (first to last journal record) in ms, from the incident's journal. */
function stepSpans(stateDir) {
  const incident = readdirSync(join(stateDir, 'incidents'))[0];
  const spans = {};
  for (const line of readFileSync(join(stateDir, 'incidents', incident, 'journal.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    const rec = r.record ?? r;
    if (!rec.step || !rec.ts) continue;
    const t = Date.parse(rec.ts);
    const s = (spans[rec.step] ??= { from: t, to: t });
    s.to = t;
  }
  return Object.fromEntries(Object.entries(spans).map(([k, v]) => [k, v.to - v.from]));
}

async function measure(n) {
  const dir = mkdtempSync(join(tmpdir(), `runbook-bench-flagship-${n}-`));
  const scenario = join(dir, `hf-spaces-${n}.scenario.yaml`);
  writeFileSync(scenario, flagshipScenarioYaml(n));
  const state = join(dir, 'state');
  try {
    const before = cpuOfChildren();
    const r = await drill(['drill', RUNBOOK, '--scenario', scenario, '--yes', '--non-interactive', '--state-dir', state], dir);
    const cpu = cpuOfChildren() - before;
    const dead = new RegExp(`\\((\\d+)/${n} leaked credentials dead`).exec(r.err)?.[1];
    const rotated = new RegExp(`\\((\\d+)/${n} places that held a leaked value rotated`).exec(r.err)?.[1];
    const attacker = /attacker\s+(.+)/.exec(r.err)?.[1]?.trim();
    const ok = !r.killed && r.code === 0 && Number(dead) === n && Number(rotated) === n;
    if (!ok) console.log(`    N=${n}: ${r.killed ? `KILLED after ${TIMEOUT_MS / 1000} s` : `exit ${r.code}`}, dead ${dead ?? '?'}/${n}, rotated ${rotated ?? '?'}/${n}\n${r.err.slice(-1500)}`);
    return { ...r, cpu, ok, dead, rotated, attacker, spans: r.killed ? {} : stepSpans(state) };
  } finally {
    if (KEEP) console.log(`  (kept: ${dir})`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** user + system CPU ms of this process's waited-for children so far (Linux: /proc/self/stat cutime + cstime). */
function cpuOfChildren() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    // fields 16 and 17 (1-based, after pid and comm): cutime, cstime in clock ticks (100 Hz on Linux)
    return (Number(rest[13]) + Number(rest[14])) * 10;
  } catch {
    return NaN;
  }
}

console.log(`flagship-scale: runbooks/hf-spaces-secrets-exposure.yaml drilled at N = ${SIZES.join(', ')} leaked Hub tokens (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs)`);
const results = [];
let failed = false;
for (const [i, n] of SIZES.entries()) {
  const r = await measure(n);
  results.push({ n, ...r });
  const first = results[0];
  const prev = i > 0 ? results[i - 1] : undefined;
  const per = r.wall / n;
  const cpuPer = r.cpu / n;
  const marginal = prev ? (r.wall - prev.wall) / (n - prev.n) : undefined;
  const marginalCpu = prev ? (r.cpu - prev.cpu) / (n - prev.n) : undefined;
  const m1 = i > 1 ? (results[1].wall - first.wall) / (results[1].n - first.n) : undefined;
  console.log(`\n  N = ${n.toLocaleString('en-US')}: ${(r.wall / 1000).toFixed(1)} s wall, ${(r.cpu / 1000).toFixed(1)} s CPU, peak RSS ${r.rss.toFixed(0)} MiB — ${r.ok ? 'finished' : 'DID NOT FINISH'}; ${r.dead}/${n} dead, ${r.rotated}/${n} rotated; attacker: ${r.attacker ?? '?'} (load average now ${loadavg()[0].toFixed(1)})`);
  console.log(`    per leaked token: ${per.toFixed(1)} ms wall (${(per / (first.wall / first.n)).toFixed(2)}× of N=${first.n}'s), ${cpuPer.toFixed(1)} ms CPU (${(cpuPer / (first.cpu / first.n)).toFixed(2)}× of N=${first.n}'s)`);
  if (marginal !== undefined)
    console.log(`    marginal since N=${prev.n}: ${marginal.toFixed(1)} ms wall, ${marginalCpu.toFixed(1)} ms CPU per extra token${m1 !== undefined ? ` (${(marginal / m1).toFixed(2)}× of N=${first.n}→${results[1].n}'s, goal ≤ 1.5×)` : ''}`);
  const spans = Object.entries(r.spans)
    .filter(([, ms]) => ms >= 50)
    .map(([s, ms]) => `${s} ${(ms / 1000).toFixed(1)} s`)
    .join(', ');
  if (spans) console.log(`    steps (first to last journal record): ${spans}`);
  if (!r.ok) failed = true;
}
process.exitCode = failed ? 1 : 0;
