// Breach scale (issue 15): the N-token world of scripts/hf-world.mjs — N leaked Hugging Face
// tokens, one fan-out revoke step at concurrency 16 — run with the built CLI at each N:
//   live   `runbook run` against the standalone HF simulator (in this process, loopback)
//   drill  `runbook drill` of the same runbook (its own simulated world)
//   status / report / resume   on the finished live incident
// For each: wall time, cost per item, peak RSS of the CLI process; the revoke step's time per
// item is read from the journal (step.started → step.finished). Cost per item is compared with
// N=100's in the same run (the goal: flat within 1.5×), and drill revoke with the live run's.
//   BENCH_SCALE_N=100,1000,10000 (default)   BENCH_SCALE_ROUNDS=1 (rounds per N, medians)
//   BENCH_SCALE_TIMEOUT_S=900 (a command still running then is killed and reported as such)
//   BENCH_SCALE_ONLY=readers: only status / report / resume, against one live incident generated
//   per N (no drill); BENCH_SCALE_KEEP=1 keeps each N's folder (its path is printed) for profiling;
//   BENCH_SCALE_BASE=/path/to/other/dist/cli.js also runs each of them with that build, right after
//   this one's, on the same incident (e.g. a build of main: the ratio this tree / that one)
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { writeHfWorld } from '../scripts/hf-world.mjs';
import { startHuggingFaceSimulator } from '../src/drill/simulators/huggingface/index.ts';
import { spawnMeasured } from './lib.mjs';

const ROOT = resolve('.');
const CLI = join(ROOT, 'dist', 'cli.js');
const SIZES = (process.env.BENCH_SCALE_N ?? '100,1000,10000').split(',').map(Number);
const ROUNDS = Math.max(1, Number(process.env.BENCH_SCALE_ROUNDS ?? 1));
/** each command is killed after this long (BENCH_SCALE_TIMEOUT_S, default 900 s) and shown as such */
const TIMEOUT_MS = Number(process.env.BENCH_SCALE_TIMEOUT_S ?? 900) * 1000;
const READERS = process.env.BENCH_SCALE_ONLY === 'readers';
const KEEP = process.env.BENCH_SCALE_KEEP === '1';
const KINDS = READERS ? ['status', 'report', 'resume'] : ['run', 'drill', 'status', 'report', 'resume'];
if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run npm run build first (npm run bench does)');

const BASE = process.env.BENCH_SCALE_BASE ? resolve(process.env.BENCH_SCALE_BASE) : undefined;

/** Runs the CLI; resolves with wall ms, peak RSS (MiB) and output. Fails on an unexpected exit code. */
async function cli(args, { cwd, ok = [0], timeoutMs = TIMEOUT_MS, bin = CLI } = {}) {
  // a command that does not finish in time (the drill at N=10,000 was quadratic before the merge) is killed and reported, not waited for
  const r = await spawnMeasured(bin, args, { cwd, timeoutMs });
  if (r.killed) return { wall: r.wall, rss: NaN, out: r.out + r.err, code: r.code, killed: true };
  if (!ok.includes(r.code)) throw new Error(`runbook ${args.join(' ')} → exit ${r.code}\n${r.err}`);
  return { wall: r.wall, rss: r.rss, out: r.out + r.err, code: r.code };
}

/** ms between the revoke step's step.started and step.finished records in the journal. */
function revokeMs(stateDir, incident) {
  const lines = readFileSync(join(stateDir, 'incidents', incident, 'journal.jsonl'), 'utf8').split('\n');
  let start;
  let end;
  for (const l of lines) {
    if (!l.includes('revoke-tokens') || !l.includes('"step.')) continue;
    const r = JSON.parse(l);
    const rec = r.record ?? r;
    if (rec.step !== 'revoke-tokens') continue;
    if (!rec.ts) continue;
    if (rec.type === 'step.started' && start === undefined) start = Date.parse(rec.ts);
    if (rec.type === 'step.finished') end = Date.parse(rec.ts);
  }
  if (start === undefined) throw new Error(`no revoke-tokens start in ${incident}'s journal`);
  // a run left waiting (items in doubt) has no step.finished: count to its last record of the step
  if (end === undefined) {
    for (const l of lines) if (l.includes('"step":"revoke-tokens"')) end = Date.parse((JSON.parse(l).record ?? JSON.parse(l)).ts);
  }
  return end - start;
}

function safeRevokeMs(stateDir, incident) {
  try {
    return revokeMs(stateDir, incident);
  } catch {
    return NaN; // killed before the step started (or before its journal existed)
  }
}

/** "N item(s) in doubt" from the CLI's closing line (0 when it finished). */
const inDoubt = (out) => Number(/(\d+) item\(s\) in doubt/.exec(out)?.[1] ?? 0);

async function measure(n, round) {
  const dir = mkdtempSync(join(tmpdir(), `runbook-bench-scale-${n}-`));
  const world = writeHfWorld(dir, n);
  const seed = JSON.parse(readFileSync(world.seedFile, 'utf8'));
  const sim = await startHuggingFaceSimulator({ seed, switches: { whoamiLimit: { max: 1e9, windowS: 300 }, apiLimit: { max: 1e9, windowS: 300 } } });
  const state = join(dir, 'state');
  const r = {};
  try {
    const live = `live-${n}-${round}`;
    // exit 3: the run is waiting on items in doubt (a call whose outcome is unknown, e.g. a timeout on a loaded machine): counted, not fatal
    const run = await cli(['run', world.runbook, '--non-interactive', '--yes', '--incident', live, '--state-dir', state, '--input', `hub_url=${sim.url}`, '--input', `secrets_export=${world.exportDir}`], { cwd: dir, ok: [0, 3] });
    r.run = { ...run, revoke: run.killed ? NaN : safeRevokeMs(state, live), left: world.tokens.filter((t) => sim.isLive(t)).length, doubt: inDoubt(run.out) };
    // resume of a finished incident: loads the journal and finds nothing left to do
    const readers = {
      status: ['status', live, '--state-dir', state],
      report: ['report', live, '--state-dir', state],
      resume: ['run', world.runbook, '--non-interactive', '--yes', '--incident', live, '--state-dir', state],
    };
    for (const [k, args] of Object.entries(readers)) {
      r[k] = await cli(args, { cwd: dir, ok: [0, 3] });
      if (BASE) r[k].base = await cli(args, { cwd: dir, ok: [0, 3], bin: BASE });
    }
    if (READERS) return r;
    const drill = `drill-${n}-${round}`;
    const d = await cli(['drill', world.runbook, '--non-interactive', '--yes', '--incident', drill, '--state-dir', state], { cwd: dir, ok: [0, 3] });
    // a killed drill's revoke step did not finish: no per-item figure
    r.drill = { ...d, revoke: d.killed ? NaN : safeRevokeMs(state, drill), doubt: inDoubt(d.out) };
  } finally {
    await sim.close();
    if (KEEP) console.log(`  (kept: ${dir}; incident live-${n}-${round} in ${state})`);
    else rmSync(dir, { recursive: true, force: true });
  }
  return r;
}

const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`scale: N leaked HF tokens, one fan-out revoke at concurrency 16 (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs), ${ROUNDS} round(s) per N`);
const results = {};
for (const n of SIZES) {
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const load0 = loadavg()[0];
    const r = await measure(n, i);
    rounds.push(r);
    // each round on its own line: the medians below hide the spread the machine's load makes
    const each = KINDS.map((k) => `${k} ${(r[k].wall / 1000).toFixed(1)} s ${r[k].rss.toFixed(0)} MiB`).join(', ');
    const vsLive = READERS ? '' : ` — drill/live wall ${(r.drill.wall / r.run.wall).toFixed(2)}×, RSS ${(r.drill.rss / r.run.rss).toFixed(2)}×`;
    console.log(`  N=${n} round ${i + 1} (load ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}): ${each}${vsLive}`);
  }
  const pick = (k, f) => med(rounds.map((x) => f(x[k])));
  results[n] = {
    liveRevoke: pick('run', (x) => x.revoke) / n,
    drillRevoke: READERS ? NaN : pick('drill', (x) => x.revoke) / n,
    ...Object.fromEntries(KINDS.map((k) => [k, { perItem: pick(k, (x) => x.wall) / n, wall: pick(k, (x) => x.wall), rss: pick(k, (x) => x.rss) }])),
  };
  const x = results[n];
  console.log(`\n  N = ${n.toLocaleString('en-US')}`);
  if (!READERS) console.log(`    revoke step per item: live ${x.liveRevoke.toFixed(2)} ms, drill ${x.drillRevoke.toFixed(2)} ms → drill/live ${(x.drillRevoke / x.liveRevoke).toFixed(2)}× (goal ≤ 1.5×)`);
  const doubt = rounds.map((q) => `live ${q.run.doubt} in doubt / ${q.run.left} still live${READERS ? '' : `, drill ${q.drill.doubt} in doubt`}`).join('; ');
  console.log(`    left over: ${doubt}`);
  const prevN = SIZES[SIZES.indexOf(n) - 1];
  for (const k of KINDS) {
    const base = results[SIZES[0]][k].perItem;
    // marginal: the extra wall time per extra item since the previous N (start-up cost cancels out)
    const marginal = prevN ? (x[k].wall - results[prevN][k].wall) / (n - prevN) : undefined;
    x[k].marginal = marginal;
    const m0 = results[SIZES[1]]?.[k]?.marginal;
    const marg = marginal === undefined ? '' : `, marginal ${marginal.toFixed(3)} ms per item since N=${prevN}${m0 && n !== SIZES[1] ? ` (${(marginal / m0).toFixed(2)}× of ${SIZES[0]}→${SIZES[1]}'s)` : ''}`;
    const killed = rounds.some((q) => q[k].killed) ? ` (KILLED after ${TIMEOUT_MS / 1000} s: did not finish)` : '';
    const b = BASE && rounds[0][k].base ? { wall: med(rounds.map((q) => q[k].base.wall)), rss: med(rounds.map((q) => q[k].base.rss)) } : undefined;
    if (b) x[k].base = b;
    const vs = b ? ` — base build ${(b.wall / 1000).toFixed(2)} s, ${b.rss.toFixed(0)} MiB: this/base wall ${(x[k].wall / b.wall).toFixed(2)}×, RSS ${(x[k].rss / b.rss).toFixed(2)}×` : '';
    console.log(`    ${k.padEnd(7)} ${(x[k].wall / 1000).toFixed(2).padStart(8)} s wall${killed}, ${x[k].perItem.toFixed(3).padStart(8)} ms per item (${(x[k].perItem / base).toFixed(2)}× of N=${SIZES[0]}'s)${marg}, peak RSS ${x[k].rss.toFixed(0)} MiB${vs}`);
  }
}
if (SIZES.length > 1) {
  const lo = results[SIZES[0]];
  const hi = results[SIZES[SIZES.length - 1]];
  console.log(`\n  per-item cost N=${SIZES.at(-1)} / N=${SIZES[0]} (goal ≤ 1.5×): ` + KINDS.map((k) => `${k} ${(hi[k].perItem / lo[k].perItem).toFixed(2)}×`).join(', '));
  if (SIZES.length > 2)
    console.log(`  marginal cost per item ${SIZES.at(-2)}→${SIZES.at(-1)} / ${SIZES[0]}→${SIZES[1]} (start-up excluded): ` + KINDS.map((k) => `${k} ${(hi[k].marginal / results[SIZES[1]][k].marginal).toFixed(2)}×`).join(', '));
  if (!READERS) console.log(`  drill revoke / live revoke per item at N=${SIZES.at(-1)}: ${(hi.drillRevoke / hi.liveRevoke).toFixed(2)}× (goal ≤ 1.5×); peak RSS drill ${hi.drill.rss.toFixed(0)} MiB, live ${hi.run.rss.toFixed(0)} MiB (goal ≤ 300)`);
}
