#!/usr/bin/env node
/**
 * The crash sweep (issue 11): kill -9 every shipped runbook's drill at every labelled crash point
 * (src/core/journal/crash.ts: before-write:<type>#N, after-write:<type>#N, after-intent#N,
 * before-outcome#N, mid-fanout#N — enumerated from a reference run's journal) and at random
 * moments, then resume with the SAME command until it is done, and count:
 *
 *   trials                 kills that happened (a point the run never reached is not a trial)
 *   finished               done with the same command only
 *   needed operator help   anything more: a lock to break (until a dead owner's lock is taken by
 *                          itself, the sweep then retries with --break-lock), a flag to give, a
 *                          failure — with the reason
 *   steps lost             steps finished before the kill that are not finished at the end, or
 *                          whose items were called again after they had succeeded
 *   duplicate effects      non-idempotent effects the drill's world accepted twice (its durable
 *                          effects log, through the scorecard's duplicate_effects)
 *
 * Usage: npm run crash-sweep -- [--runbook NAME]… [--points N] [--random N] [--jobs N] [--json FILE]
 *   --points N   at most N labelled points per runbook, spread evenly (default: all)
 *   --random N   N random-moment kills per runbook (default 10)
 *   --jobs N     trials at once (default 2)
 * Needs the built CLI (`npm run build`; `npm run crash-sweep` builds first).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// a private copy of the build: a rebuild while the sweep runs must not change what it measures
const COPY = join(ROOT, `.crash-sweep-${process.pid}`);
const CLI = join(COPY, 'cli.js');
const LOCKED = 4;
const MAX_RESUMES = 6;

function args() {
  const a = process.argv.slice(2);
  const o = { runbooks: [], points: Infinity, random: 10, jobs: 2, json: undefined, keep: false };
  const setters = {
    '--runbook': (v) => o.runbooks.push(v),
    '--points': (v) => (o.points = Number(v)),
    '--random': (v) => (o.random = Number(v)),
    '--jobs': (v) => (o.jobs = Number(v)),
    '--json': (v) => (o.json = v),
  };
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--keep') o.keep = true;
    else if (setters[a[i]]) setters[a[i]](a[++i]);
    else throw new Error(`crash-sweep: unknown argument ${a[i]}`);
  }
  return o;
}

function drillable() {
  const dir = join(ROOT, 'runbooks');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .filter((f) => {
      const doc = parse(readFileSync(join(dir, f), 'utf8'));
      return !!(doc?.drill?.scenario || doc?.drill?.world);
    })
    .map((f) => f.replace(/\.ya?ml$/, ''));
}

function run(argv, { env = {}, killAfterMs } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolve({ code, signal, stderr, ms: Date.now() - t0 });
    });
  });
}

function records(state, id) {
  const file = join(state, 'incidents', id, 'journal.jsonl');
  if (!existsSync(file)) return [];
  const out = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      /* a torn last line */
    }
  }
  return out;
}

/** step → last status; `finished`: steps with a step.finished ok; `okItems`: step/item with an ok outcome */
function summary(recs) {
  const steps = {};
  const finished = new Set();
  const okItems = new Set();
  for (const r of recs) {
    if (r.type === 'step.started') steps[r.step] = 'running';
    if (r.type === 'step.finished') {
      steps[r.step] = r.status;
      if (r.status === 'ok') finished.add(r.step);
    }
    if (r.type === 'outcome' && r.status === 'ok') okItems.add(`${r.step}/${r.item}`);
    if (r.type === 'settled' && r.decision === 'done') okItems.add(`${r.step}/${r.item}`);
  }
  return { steps, finished, okItems };
}

/** Every labelled crash point a run of this journal passes. */
function pointsOf(recs) {
  const count = {};
  for (const r of recs) count[r.type] = (count[r.type] ?? 0) + 1;
  const pts = [];
  for (const [type, n] of Object.entries(count)) {
    if (type === 'incident.opened') {
      pts.push(`before-write:${type}`, `after-write:${type}`);
      continue;
    }
    for (let i = 1; i <= n; i++) pts.push(`before-write:${type}#${i}`, `after-write:${type}#${i}`);
  }
  for (let i = 1; i <= (count.intent ?? 0); i++) pts.push(`after-intent#${i}`, `before-outcome#${i}`);
  for (let i = 1; i <= 3; i++) pts.push(`mid-fanout#${i}`);
  return pts;
}

function spread(list, n) {
  if (!(n < list.length)) return list;
  const out = [];
  for (let i = 0; i < n; i++) out.push(list[Math.floor((i * list.length) / n)]);
  return out;
}

async function trial(name, kill, o) {
  const state = mkdtempSync(join(tmpdir(), 'crash-sweep-'));
  const cmd = ['drill', `runbooks/${name}.yaml`, '--yes', '--speed', '0', '--state-dir', state, '--incident', 't'];
  const t = { runbook: name, kill: kill.point ?? `random ${kill.ms} ms`, killed: false, finished: false, help: [], lost: [], duplicates: [], compensated: [], resumes: 0 };
  try {
    const first = await run(cmd, kill.point ? { env: { RUNBOOK_CRASH_AT: kill.point } } : { killAfterMs: kill.ms });
    if (first.signal !== 'SIGKILL') {
      t.notReached = first.code;
      return t;
    }
    t.killed = true;
    const prefix = records(state, 't');
    const before = summary(prefix);
    let argv = cmd;
    for (let i = 0; i < MAX_RESUMES; i++) {
      t.resumes++;
      const r = await run(argv);
      if (r.code === 0) {
        t.finished = t.help.length === 0;
        t.done = true;
        break;
      }
      if (r.code === LOCKED && !argv.includes('--break-lock')) {
        t.help.push('lock (--break-lock)');
        argv = [...cmd, '--break-lock'];
        continue;
      }
      const why = r.stderr.split('\n').filter((l) => /^runbook: |error|refused|waiting/i.test(l)).slice(-2).join(' | ');
      t.help.push(`exit ${r.code ?? r.signal}: ${why.slice(0, 300)}`);
      break;
    }
    const recs = records(state, 't');
    const after = summary(recs);
    for (const s of before.finished) if (after.steps[s] !== 'ok') t.lost.push(`${s} (now ${after.steps[s]})`);
    // an item that had succeeded before the kill was called again
    for (const r of recs.slice(prefix.length)) if (r.type === 'intent' && before.okItems.has(`${r.step}/${r.item}`)) t.lost.push(`${r.step}/${r.item} called again`);
    const card = [...recs].reverse().find((r) => r.type === 'scorecard')?.data;
    t.duplicates = card?.duplicate_effects ?? [];
    t.compensated = card?.compensated_effects ?? [];
    if (t.done && !card) t.help.push('no scorecard');
    t.failedItems = card?.items_failed ?? [];
    return t;
  } finally {
    if (!o.keep) rmSync(state, { recursive: true, force: true });
  }
}

async function pool(jobs, tasks) {
  const out = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return out;
}

async function main() {
  const o = args();
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('crash-sweep: build first (npm run build)');
  cpSync(join(ROOT, 'dist'), COPY, { recursive: true });
  process.on('exit', () => rmSync(COPY, { recursive: true, force: true }));
  const names = o.runbooks.length ? o.runbooks : drillable();
  const results = [];
  const started = Date.now();
  for (const name of names) {
    const ref = mkdtempSync(join(tmpdir(), 'crash-sweep-ref-'));
    const r = await run(['drill', `runbooks/${name}.yaml`, '--yes', '--speed', '0', '--state-dir', ref, '--incident', 't']);
    if (r.code !== 0) throw new Error(`crash-sweep: the reference drill of ${name} did not finish (exit ${r.code}):\n${r.stderr}`);
    const points = spread(pointsOf(records(ref, 't')), o.points);
    rmSync(ref, { recursive: true, force: true });
    let seed = 0x9e3779b9 ^ name.length;
    const rand = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
    const kills = [...points.map((point) => ({ point })), ...Array.from({ length: o.random }, () => ({ ms: Math.round(150 + rand() * Math.max(200, r.ms - 150)) }))];
    process.stderr.write(`crash-sweep: ${name}: ${points.length} labelled points + ${o.random} random kills (reference run ${r.ms} ms)\n`);
    const got = await pool(o.jobs, kills.map((k) => () => trial(name, k, o)));
    results.push(...got);
    const onlyLock = (t) => t.done && t.help.every((h) => h.startsWith('lock'));
    const bad = got.filter((t) => t.killed && ((!t.finished && !onlyLock(t)) || t.lost.length || t.duplicates.length));
    for (const t of bad) process.stderr.write(`  ${t.kill}: ${t.finished ? 'finished' : 'NOT finished with the same command'}${t.help.length ? ` — ${t.help.join('; ')}` : ''}${t.lost.length ? ` — lost: ${t.lost.join(', ')}` : ''}${t.duplicates.length ? ` — duplicates: ${t.duplicates.join(', ')}` : ''}\n`);
  }
  const rows = [...names.map((n) => [n, results.filter((t) => t.runbook === n)]), ['all', results]];
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const table = [
    line(['runbook', 'trials', 'finished (same command)', 'needed operator help', '… only a lock to break', 'steps lost', 'duplicate effects', 'taken back']),
    line(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...rows.map(([n, ts]) => {
      const k = ts.filter((t) => t.killed);
      const help = k.filter((t) => t.help.length);
      return line([
        n,
        k.length,
        k.filter((t) => t.finished).length,
        help.length,
        help.filter((t) => t.done && t.help.every((h) => h.startsWith('lock'))).length,
        k.reduce((a, t) => a + t.lost.length, 0),
        k.reduce((a, t) => a + t.duplicates.length, 0),
        k.reduce((a, t) => a + t.compensated.length, 0),
      ]);
    }),
  ];
  process.stdout.write(`\n${table.join('\n')}\n\n(${Math.round((Date.now() - started) / 1000)} s; ${results.filter((t) => !t.killed).length} points not reached)\n`);
  if (o.json) writeFileSync(o.json, JSON.stringify(results, null, 2));
  const failed = results.some((t) => t.killed && (t.lost.length || t.duplicates.length || !t.done));
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 2;
});
