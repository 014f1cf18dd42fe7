// `runbook --version` and `--help` against `node -e 0`, measured in the same run (target: < 2×).
// Neither path may load Ink: we also check which modules the --version path loads.
import { spawnSync } from 'node:child_process';
import { median, row } from './lib.mjs';

const run = (args) => () => {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
};
console.log('startup (median of 15 runs each)');
const base = await median(15, run(['-e', '0']));
row('node -e 0', base);
row('runbook --version', await median(15, run(['dist/cli.js', '--version'])), base, 'node -e 0');
row('runbook --help', await median(15, run(['dist/cli.js', '--help'])), base, 'node -e 0');
