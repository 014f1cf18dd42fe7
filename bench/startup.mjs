// `runbook --version` and `--help` against `node -e 0`, measured in the same run (target: < 2×).
// Neither path may load Ink (test/e2e/startup.test.ts checks which modules they load).
// `runbook validate <example>` builds the provider registry: providers import their SDKs only
// when an action runs, so validating must not pay for the AWS SDK, Octokit & co.
// (test/e2e/startup-sdk.test.ts). The commands are interleaved, one spawn of each per round, so
// every row sees the same load on a shared machine.
// `BENCH_CLI=label=/path/to/dist/cli.js,…` adds the same rows for other builds — e.g. an older
// commit built in a `git worktree` — in the same run.
import { spawnSync } from 'node:child_process';
import { row } from './lib.mjs';

const EXAMPLE = 'runbooks/examples/leaked-token-triage.yaml';
const N = Number(process.env.BENCH_RUNS ?? 15);

const cases = [['node -e 0', ['-e', '0']]];
const builds = [['runbook', 'dist/cli.js']];
for (const spec of (process.env.BENCH_CLI ?? '').split(',').filter(Boolean)) {
  const at = spec.indexOf('=');
  builds.push(at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, spec]);
}
for (const [name, cli] of builds)
  cases.push([`${name} --version`, [cli, '--version']], [`${name} --help`, [cli, '--help']], [`${name} validate <example>`, [cli, 'validate', EXAMPLE]]);

const times = cases.map(() => []);
for (let round = 0; round <= N; round++)
  cases.forEach(([, args], i) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    if (round > 0) times[i].push(performance.now() - t); // round 0 warms the file cache
  });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`startup (median of ${N} interleaved runs each)`);
const base = median(times[0]);
cases.forEach(([name], i) => (i === 0 ? row(name, base) : row(name, median(times[i]), base, 'node -e 0')));
