// Scanner throughput: scan.files over a generated tree of N files (default 2,000), against a
// baseline of `git grep -E` with the same known-shape patterns over the same tree in the same
// run; then scan.git over the same tree committed as a history of several commits.
//
//   node --import tsx bench/scan.mjs [--files 2000] [--runs 3] [--json]
//
// The ratio is scanner files/s ÷ git grep files/s. git grep only matches regexes (no secretlint,
// no entropy, no Secret/fingerprint work), so it is a floor for "how fast can files be read and
// matched here", not a like-for-like competitor.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import scan from '../src/providers/scan/index.ts';
import { createActionContext } from '../src/providers/context.ts';
import { withBase62Checksum } from '../src/core/secrets/kind-checks.ts';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const FILES = opt('files', 2000);
const RUNS = opt('runs', 3);
const JSON_OUT = args.includes('--json');

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n, a = ALNUM) => [...randomBytes(n)].map((b) => a[b % a.length]).join('');
const tokens = [() => 'hf_' + rand(34), () => withBase62Checksum('gh' + 'p_', rand(30)), () => 'AK' + 'IA' + rand(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), () => 'xo' + 'xb-' + rand(12, '0123456789') + '-' + rand(24)];

// a source-like file of ~60 lines; every 50th file gets a token, every 40th a generic secret
function fileText(i) {
  const lines = [];
  for (let l = 0; l < 60; l++) lines.push(`const value_${i}_${l} = compute(${l}, "${rand(12)}"); // line ${l} of a generated module`);
  if (i % 50 === 0) lines.splice(10, 0, `const token = "${tokens[(i / 50) % tokens.length]()}";`);
  if (i % 40 === 0) lines.splice(20, 0, `SERVICE_API_KEY=${rand(32)}`);
  return lines.join('\n') + '\n';
}

const gitEnv = { PATH: process.env.PATH, HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.org', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.org' };
const git = (dir, ...a) => execFileSync('git', ['-C', dir, ...a], { env: gitEnv, maxBuffer: 1 << 28 }).toString();

const root = mkdtempSync(join(tmpdir(), 'runbook-bench-scan-'));
const tree = join(root, 'tree');
try {
  const COMMITS = 5;
  git(root, 'init', '-q', '-b', 'main', tree);
  for (let c = 0; c < COMMITS; c++) {
    for (let i = c; i < FILES; i += COMMITS) {
      const dir = join(tree, `pkg${i % 40}`, `mod${i % 7}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `file${i}.js`), fileText(i));
    }
    git(tree, 'add', '-A');
    git(tree, 'commit', '-q', '-m', `batch ${c}`);
  }
  const bytes = Number(execFileSync('du', ['-sb', '--exclude=.git', tree]).toString().split('\t')[0]);

  const pattern = '(hf|api_org)_[A-Za-z0-9]{34}|(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82}|(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}|xox[baprs]-[0-9A-Za-z-]{10,}|sk-[A-Za-z0-9_-]*T3BlbkFJ';
  const ctx = (action) => createActionContext({ type: 'scan', action, config: scan.config.parse({}) });

  const time = async (fn) => {
    const s = performance.now();
    const r = await fn();
    return { ms: performance.now() - s, r };
  };
  const best = async (fn) => {
    let min = Infinity;
    let last;
    for (let i = 0; i < RUNS; i++) {
      const { ms, r } = await time(fn);
      min = Math.min(min, ms);
      last = r;
    }
    return { ms: min, r: last };
  };

  const grep = await best(() => {
    try {
      return execFileSync('git', ['grep', '--no-index', '-I', '-n', '-E', '-c', pattern, '--', '.'], { cwd: tree, env: gitEnv, maxBuffer: 1 << 28 }).toString().trim().split('\n').length;
    } catch (e) {
      if (e.status === 1) return 0;
      throw e;
    }
  });
  const files = await best(() => scan.actions.files.run(ctx('files'), { paths: [tree] }));
  const filesSl = await best(() => scan.actions.files.run(createActionContext({ type: 'scan', action: 'files', config: scan.config.parse({ secretlint: true }) }), { paths: [tree] }));
  const hist = await best(() => scan.actions.git.run(ctx('git'), { repo: tree }));

  const fps = (ms) => FILES / (ms / 1000);
  const result = {
    files: FILES,
    bytes,
    runs: RUNS,
    git_grep: { ms: Math.round(grep.ms), files_per_s: Math.round(fps(grep.ms)), files_with_hits: grep.r },
    scan_files: { ms: Math.round(files.ms), files_per_s: Math.round(fps(files.ms)), findings: files.r.findings.length, ratio_vs_git_grep: +(fps(files.ms) / fps(grep.ms)).toFixed(3) },
    scan_files_with_secretlint: { ms: Math.round(filesSl.ms), files_per_s: Math.round(fps(filesSl.ms)), findings: filesSl.r.findings.length, ratio_vs_git_grep: +(fps(filesSl.ms) / fps(grep.ms)).toFixed(3) },
    scan_git: { ms: Math.round(hist.ms), commits: hist.r.stats.commits, added_lines: hist.r.stats.added_lines, findings: hist.r.findings.length, files_per_s: Math.round(fps(hist.ms)) },
  };
  if (JSON_OUT) console.log(JSON.stringify(result));
  else {
    console.log(`scan bench: ${FILES} files, ${(bytes / 1e6).toFixed(1)} MB, best of ${RUNS}`);
    console.log(`  git grep -E (baseline)      ${String(result.git_grep.ms).padStart(6)} ms  ${String(result.git_grep.files_per_s).padStart(7)} files/s`);
    console.log(`  scan.files                  ${String(result.scan_files.ms).padStart(6)} ms  ${String(result.scan_files.files_per_s).padStart(7)} files/s  ratio ${result.scan_files.ratio_vs_git_grep}  (${result.scan_files.findings} findings)`);
    console.log(`  scan.files + secretlint     ${String(result.scan_files_with_secretlint.ms).padStart(6)} ms  ${String(result.scan_files_with_secretlint.files_per_s).padStart(7)} files/s  ratio ${result.scan_files_with_secretlint.ratio_vs_git_grep}`);
    console.log(`  scan.git (${COMMITS} commits)        ${String(result.scan_git.ms).padStart(6)} ms  ${result.scan_git.added_lines} added lines  (${result.scan_git.findings} findings)`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
