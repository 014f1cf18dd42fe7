// The scanner against secretlint's recommended preset, in one run (bench/README.md, "scan-compare"):
//
//   node --import tsx bench/scan-compare.mjs [--tree DIR] [--runs N] [--only corpus|real] [--json]
//
// 1. Real code: DIR (default: this worktree's node_modules, scanned as a plain folder — public
//    packages, so every finding is a false one). `runbook scan DIR --format json` (the built
//    CLI, end to end) against secretlint's preset walking and linting the same files in its own
//    process: findings, wall time, peak RSS (each process's own maxRSS), interleaved, best of N.
// 2. Planted corpus (generated here, in a temp git repo): one sample of every kind in the
//    credential-kind table, a generic secret, a token only in history, one added only in a
//    merge's conflict resolution, an hf_ token followed by _old, one after a JSON-escaped \n,
//    placeholders and decoys (checksum-failing GitHub token, EXAMPLE keys, x-runs, ordinary code,
//    a documentation JWT). Recall and precision of `scan.files` + `scan.git` together, and of
//    secretlint on the working tree (it has no history mode).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import scan from '../src/providers/scan/index.ts';
import { createActionContext } from '../src/providers/context.ts';
import { KINDS } from '../src/core/secrets/kinds.ts';
import { withBase62Checksum } from '../src/core/secrets/kind-checks.ts';
/** AWS's documented example key id (a placeholder by design), assembled so no key-shaped literal is committed */
const AWS_DOC_ID = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');


const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const TREE = arg('tree', join(ROOT, 'node_modules'));
const RUNS = Number(arg('runs', '1'));
const JSON_OUT = args.includes('--json');

const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rnd = (a, n) => [...randomBytes(n)].map((b) => a[b % a.length]).join('');

/** Run a child to the end: wall ms, stdout, its peak RSS (KiB) from the preload. */
function measure(argv, cwd) {
  const rssFile = join(mkdtempSync(join(tmpdir(), 'bench-rss-')), 'rss');
  writeFileSync(rssFile, '');
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, ['-r', join(ROOT, 'bench/workers/report-rss.cjs'), ...argv], { cwd, env: { ...process.env, BENCH_RSS_FILE: rssFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t;
      const rss = Math.max(0, ...readFileSync(rssFile, 'utf8').trim().split('\n').map(Number));
      rmSync(dirname(rssFile), { recursive: true, force: true });
      resolve({ code, ms, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), rssMb: rss / 1024 });
    });
  });
}

async function realCode() {
  const runs = { ours: [], secretlint: [] };
  for (let i = 0; i < RUNS; i++) {
    // interleaved, so both see the same machine load
    const sl = await measure([join(ROOT, 'bench/workers/scan-worker.mjs'), 'secretlint', TREE], ROOT);
    const slOut = JSON.parse(sl.stdout);
    runs.secretlint.push({ ms: sl.ms, rssMb: sl.rssMb, findings: slOut.findings.length, files: slOut.files, list: slOut.findings });
    const ours = await measure([join(ROOT, 'dist/cli.js'), 'scan', '.', '--format', 'json'], TREE);
    if (ours.code !== 0 && ours.code !== 1) throw new Error(`runbook scan exited ${ours.code}: ${ours.stderr.slice(0, 300)}`);
    const o = JSON.parse(ours.stdout);
    const locations = o.findings.flatMap((f) => f.locations.map((l) => ({ file: l.file, line: l.line, rule: f.rule })));
    runs.ours.push({ ms: ours.ms, rssMb: ours.rssMb, findings: locations.length, files: o.stats.files, list: locations, suppressed: o.suppressed.length });
  }
  const best = (xs) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const peak = (xs) => Math.max(...xs.map((x) => x.rssMb));
  const o = best(runs.ours);
  const s = best(runs.secretlint);
  return {
    tree: TREE,
    files: o.files,
    secretlint_files: s.files,
    ours: { ms: Math.round(o.ms), peak_rss_mb: Math.round(peak(runs.ours)), false_findings: o.findings, set_aside: o.suppressed, examples: o.list.slice(0, 10) },
    secretlint: { ms: Math.round(s.ms), peak_rss_mb: Math.round(peak(runs.secretlint)), false_findings: s.findings, examples: s.list.slice(0, 10) },
    ratios: { time: +(o.ms / s.ms).toFixed(2), speed: +(s.ms / o.ms).toFixed(2), rss: +(peak(runs.ours) / peak(runs.secretlint)).toFixed(2), false_findings: `${o.findings} vs ${s.findings}` },
  };
}

const gitEnv = { PATH: process.env.PATH, HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.org', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.org' };
const git = (dir, ...a) => {
  try {
    return execFileSync('git', ['-C', dir, ...a], { env: gitEnv, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (e) {
    if (a[0] === 'merge') return ''; // the conflict is planted
    throw e;
  }
};

/** The planted corpus: returns the repo and the values that must be found (everything else found is false). */
function plant(dir) {
  const planted = [];
  const file = (rel, text) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  git(tmpdir(), 'init', '-q', '-b', 'main', dir);
  // every kind of the table, each in its own file, with ordinary lines around it
  for (const k of KINDS) {
    const sample = k.sample(rnd);
    file(`kinds/${k.id}.txt`, `# settings for ${k.id}\nname = service\n${sample}\nretries = 3\n`);
    planted.push({ what: k.id, sample });
  }
  const generic = rnd(AN, 26) + rnd('0123456789', 3) + rnd(AN, 3);
  file('app/settings.py', `DEBUG = False\nSERVICE_API_KEY = "${generic}"\nTIMEOUT = 30\n`);
  planted.push({ what: 'generic', sample: generic });
  const hfOld = 'hf_' + rnd('0123456789', 5) + rnd(AN, 29);
  file('app/old.env', `HF_TOKEN=${hfOld}_old\n`);
  planted.push({ what: 'hf followed by _old', sample: hfOld });
  const escaped = withBase62Checksum('gh' + 'p_', rnd(AN, 30));
  file('logs/out.json', JSON.stringify({ level: 'info', msg: `clone done\n${escaped}\nok` }) + '\n');
  planted.push({ what: 'token after JSON-escaped \\n', sample: escaped });
  // decoys: placeholders, documentation values, a checksum failure, ordinary code
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  file(
    'docs/decoys.md',
    [
      '# examples',
      `HF_TOKEN=hf_${'x'.repeat(34)}`,
      `GITHUB_TOKEN=${'gh'}p_${'x'.repeat(36)}`,
      `token: ${'gh'}p_${rnd(AN, 36)}`, // a random tail fails GitHub's checksum
      `aws_access_key_id = AKIA${'X'.repeat(16)}`,
      `aws_access_key_id = ${AWS_DOC_ID}`,
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      `Authorization: Bearer ${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: '1234567890', name: 'John Doe', iat: 1516239022 })}.${rnd(AN, 43)}`,
      'postgres://user:password@localhost:5432/db',
      'SLACK_TOKEN=xoxb-your-token-here',
      'const keys = Object.keys(out);',
      'const token = getToken(req.headers.authorization);',
      "this.apiKey = options.apiKey || process.env.API_KEY;",
      'password: ${DB_PASSWORD}',
      `"integrity": "sha512-${rnd(AN, 86)}=="`,
      '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----',
      '',
    ].join('\n'),
  );
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'corpus');
  // history only: added, then removed
  const historyOnly = withBase62Checksum('gh' + 'p_', rnd(AN, 30));
  file('deploy/release.sh', `#!/bin/sh\nexport GITHUB_TOKEN=${historyOnly}\n`);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'release script');
  file('deploy/release.sh', '#!/bin/sh\n');
  git(dir, 'commit', '-q', '-am', 'drop the token');
  planted.push({ what: 'history only', sample: historyOnly, historyOnly: true });
  // merge conflict resolved by adding a token
  file('app.cfg', 'mode = base\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  git(dir, 'checkout', '-q', '-b', 'feature');
  file('app.cfg', 'mode = feature\n');
  git(dir, 'commit', '-q', '-am', 'feature');
  git(dir, 'checkout', '-q', 'main');
  file('app.cfg', 'mode = main\n');
  git(dir, 'commit', '-q', '-am', 'main');
  git(dir, 'merge', '-q', 'feature');
  const mergeOnly = 'hf_' + rnd(AN, 34);
  file('app.cfg', `mode = merged\nhf = ${mergeOnly}\n`);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'merge feature');
  file('app.cfg', 'mode = merged\n');
  git(dir, 'commit', '-q', '-am', 'clean up');
  planted.push({ what: 'merge resolution only', sample: mergeOnly, historyOnly: true });
  return planted;
}

async function corpus() {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-corpus-'));
  try {
    const planted = plant(dir);
    const ctx = (action) => createActionContext({ type: 'scan', action, config: scan.config.parse({}), workdir: dir });
    const files = await scan.actions.files.run(ctx('files'), { paths: ['.'] });
    const hist = await scan.actions.git.run(ctx('git'), { repo: '.' });
    const values = new Map();
    const where = new Map();
    for (const f of [...files.findings, ...hist.findings]) {
      values.set(f.fingerprint, f.token.reveal());
      where.set(f.fingerprint, `${f.rule} ${f.file}:${f.line}`);
    }
    const found = [...values.values()];
    const isPlanted = (v) => planted.some((p) => p.sample.includes(v));
    // where each false finding is (rule, file, line — never the value)
    const falseOnes = [...values.entries()].filter(([, v]) => !isPlanted(v)).map(([fp]) => where.get(fp));
    const missed = planted.filter((p) => !found.some((v) => p.sample.includes(v)));
    const truePos = found.filter(isPlanted).length;
    // secretlint over the working tree (what it can see)
    const sl = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench/workers/scan-worker.mjs'), 'secretlint', dir], { maxBuffer: 1 << 26 }).toString());
    const slFound = new Set(sl.findings.map((f) => `${f.file}`));
    const slHits = planted.filter((p) => !p.historyOnly && [...slFound].some((f) => f === `kinds/${p.what}.txt` || (p.what === 'generic' && f === 'app/settings.py') || (p.what.startsWith('hf followed') && f === 'app/old.env') || (p.what.startsWith('token after') && f === 'logs/out.json')));
    const slDecoys = sl.findings.filter((f) => f.file === 'docs/decoys.md').length;
    return {
      planted: planted.length,
      ours: { findings: found.length, true_positives: truePos, recall: +(truePos / planted.length).toFixed(3), precision: +(found.length ? truePos / found.length : 1).toFixed(3), missed: missed.map((m) => m.what), false_findings: falseOnes, set_aside: files.suppressed.length + hist.suppressed.length },
      secretlint: { findings: sl.findings.length, planted_found: slHits.length, recall: +(slHits.length / planted.length).toFixed(3), decoy_findings: slDecoys },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ONLY = arg('only', 'both'); // corpus | real | both
const c = ONLY === 'real' ? undefined : await corpus();
const r = ONLY === 'corpus' ? undefined : await realCode();
if (JSON_OUT) console.log(JSON.stringify({ corpus: c, real_code: r }));
else {
  if (c) {
  console.log(`planted corpus: ${c.planted} credentials (every kind, history-only, merge-resolution-only, boundary cases) + decoys`);
  console.log(`  runbook scan (files + git)  recall ${c.ours.recall}  precision ${c.ours.precision}  (${c.ours.findings} findings, ${c.ours.set_aside} set aside${c.ours.missed.length ? `, missed: ${c.ours.missed.join(', ')}` : ''}${c.ours.false_findings.length ? `; false: ${c.ours.false_findings.join(', ')}` : ''})`);
  console.log(`  secretlint (working tree)   recall ${c.secretlint.recall}  (${c.secretlint.findings} findings, ${c.secretlint.decoy_findings} on the decoy file)`);
  }
  if (r) {
  console.log(`real code: ${r.tree} as a plain folder, ${r.files} text files (best of ${RUNS})`);
  console.log(`  secretlint preset   ${String(r.secretlint.ms).padStart(7)} ms  ${String(r.secretlint.peak_rss_mb).padStart(5)} MB  ${r.secretlint.false_findings} false findings`);
  console.log(`  runbook scan        ${String(r.ours.ms).padStart(7)} ms  ${String(r.ours.peak_rss_mb).padStart(5)} MB  ${r.ours.false_findings} false findings (${r.ours.set_aside} placeholders/checksum failures set aside)`);
  console.log(`  ratios (ours ÷ secretlint): time ${r.ratios.time}×, peak RSS ${r.ratios.rss}×`);
  for (const f of r.ours.examples) console.log(`    ours: ${f.file}:${f.line} ${f.rule}`);
}
}
