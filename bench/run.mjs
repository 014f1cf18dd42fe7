// npm run bench: runs every benchmark in this folder, one after another (the machine is
// noisy; each bench reports ratios against a baseline measured in the same run).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const files = readdirSync('bench').filter((f) => f.endsWith('.mjs') && !['run.mjs', 'lib.mjs'].includes(f) && (!only.length || only.some((o) => f.includes(o))));
let failed = 0;
for (const f of files.sort()) {
  console.log(`\n=== bench/${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', `bench/${f}`], { stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
