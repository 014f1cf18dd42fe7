/**
 * Scanning git history with real `git` (through ctx.exec): every line ever added on any ref.
 *
 * `git log -p --all --reverse --unified=0 --diff-merges=remerge` writes the patch stream to a private temp file
 * (`--output`), which is then read line by line — memory stays flat for large histories and
 * no diff line passes through the step's log (ctx.exec streams stdout to the logger, and a
 * generic secret is not known to the redactor until we find it).
 *
 * Merge commits: `--diff-merges=remerge` (git ≥ 2.36) shows what a merge changed compared with
 * git's own automatic merge of its parents — the conflict resolution and any "evil merge"
 * edit — so a secret added only while resolving a conflict is found, and lines that merely
 * came from a branch are not scanned twice. Older git falls back to `-m` (each parent).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { displayPath } from './files.js';
import { createInterface } from 'node:readline';
import { ProviderError } from '../../core/errors.js';
import type { ActionContext } from '../sdk.js';
import { detect, lineIndex, type FindingSet, type ScanOptions } from './findings.js';

export interface GitScanStats {
  commits: number;
  files: number;
  added_lines: number;
}

const COMMIT_MARK = '\u0001commit ';
/** flush a file's added lines into the scanner once they pass this size */
const BLOCK_BYTES = 4 * 1024 * 1024;

/** git's C-style quoting of odd paths: "a\tb\303\251" */
export function unquoteGitPath(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = body[i + 1] ?? '';
    if (/[0-7]/.test(n)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(esc[n] ?? n.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

interface Block {
  commit: string;
  committedAt: string;
  file: string;
  repo: string;
  /** the file's path inside the repository */
  path: string;
  lines: string[];
  lineNos: number[];
  bytes: number;
}

export async function scanGitHistory(ctx: ActionContext<unknown>, repo: string, set: FindingSet, opts: ScanOptions & { refs?: string[]; since?: string }): Promise<GitScanStats> {
  const dir = resolve(ctx.workdir, repo);
  const tmp = await mkdtemp(join(tmpdir(), 'runbook-scan-'));
  const out = join(tmp, 'history.patch');
  const fail = (message: string, code: string) => new ProviderError({ provider: ctx.instance, action: ctx.action, message, failure: 'definite', code });
  try {
    // --since REV: only commits that REV does not already hold (what a pull request adds)
    const not = opts.since ? [`^${opts.since}`] : [];
    const argv = (merges: string) => [
      'git', '-C', dir, '-c', 'core.quotePath=false', 'log', '-p', merges, '--reverse', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--unified=0',
      `--format=format:%x01commit %H %ct`, `--output=${out}`, ...(opts.refs?.length ? ['--end-of-options', ...opts.refs, ...not] : ['--all', ...(not.length ? ['--end-of-options', ...not] : [])]),
    ];
    let res = await ctx.exec(argv('--diff-merges=remerge'), { signal: ctx.signal });
    if (res.exitCode !== 0 && /diff-merges|remerge/i.test(res.stderr)) res = await ctx.exec(argv('-m'), { signal: ctx.signal });
    if (res.aborted) throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'git log was cancelled', failure: 'ambiguous', code: 'ABORTED' });
    if (res.timedOut) throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'git log timed out', failure: 'ambiguous', code: 'TIMEOUT' });
    if (res.exitCode !== 0) {
      if (/not a git repository/i.test(res.stderr)) throw fail(`${dir} is not a git repository`, 'NOT_A_REPO');
      if (/does not have any commits/i.test(res.stderr)) return { commits: 0, files: 0, added_lines: 0 };
      if (/bad revision|unknown revision|ambiguous argument/i.test(res.stderr)) throw fail(`git does not know the revision ${[...(opts.refs ?? []), ...(opts.since ? [opts.since] : [])].join(', ')} in ${dir}`, 'BAD_REVISION');
      throw fail(`git log exited with code ${res.exitCode} in ${dir}`, 'GIT_FAILED');
    }
    // git names files from the repository's top folder (also when `repo` is a folder inside it)
    const top = await ctx.exec(['git', '-C', dir, 'rev-parse', '--show-toplevel'], { signal: ctx.signal });
    const root = top.exitCode === 0 && top.stdout.trim() ? resolve(top.stdout.trim()) : dir;
    // shown inside the runbook's folder: relative to it (as scan.files shows the same file); elsewhere: relative to the
    // repository. Every finding also carries `repo` and `path`, which `git -C repo … -- path` matches wherever it runs.
    const inBase = !displayPath(ctx.workdir, root).startsWith('/');
    return await parsePatchFile(out, set, opts, ctx.signal, (f) => ({ file: inBase ? displayPath(ctx.workdir, join(root, f)) : f, repo: root, path: f }));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function parsePatchFile(path: string, set: FindingSet, opts: ScanOptions, signal: AbortSignal, shown: (file: string) => { file: string; repo: string; path: string }): Promise<GitScanStats> {
  const stats: GitScanStats = { commits: 0, files: 0, added_lines: 0 };
  let commit = '';
  let committedAt = '';
  let block: Block | undefined;
  let newLine = 0;
  let oldLeft = 0;
  let newLeft = 0;
  const flush = async () => {
    const b = block;
    if (!b || !b.lines.length) return;
    block = { ...b, lines: [], lineNos: [], bytes: 0 };
    const text = b.lines.join('\n');
    const hits = await detect(text, b.file, opts);
    if (!hits.length) return;
    const starts: number[] = [];
    let off = 0;
    for (const l of b.lines) {
      starts.push(off);
      off += l.length + 1;
    }
    set.add(hits, (index) => {
      const lo = lineIndex(starts, index);
      return { file: b.file, line: b.lineNos[lo] ?? 0, commit: b.commit, ...(b.committedAt ? { committedAt: b.committedAt } : {}), repo: b.repo, path: b.path };
    });
  };
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (oldLeft > 0 || newLeft > 0) {
      // inside a hunk: the header's counts say how many lines belong to it
      if (line.startsWith('+')) {
        newLeft--;
        stats.added_lines++;
        if (block) {
          block.lines.push(line.slice(1));
          block.lineNos.push(newLine);
          block.bytes += line.length;
          if (block.bytes > BLOCK_BYTES) await flush();
        }
        newLine++;
      } else if (line.startsWith('-')) oldLeft--;
      else if (line.startsWith(' ')) {
        oldLeft--;
        newLeft--;
        newLine++;
      }
      continue;
    }
    if (line.startsWith(COMMIT_MARK)) {
      signal.throwIfAborted();
      await flush();
      block = undefined;
      const [hash = '', ct = ''] = line.slice(COMMIT_MARK.length).trim().split(' ');
      if (hash === commit) continue; // -m: the same merge again, against its next parent
      commit = hash;
      committedAt = /^\d+$/.test(ct) ? new Date(Number(ct) * 1000).toISOString() : '';
      stats.commits++;
    } else if (line.startsWith('diff --git ')) {
      await flush();
      block = undefined;
    } else if (line.startsWith('+++ ')) {
      // git appends a tab to names with spaces; names that really end in a tab are quoted
      const target = line.slice(4).replace(/\t$/, '');
      if (target === '/dev/null') block = undefined;
      else {
        const unq = unquoteGitPath(target);
        block = { commit, committedAt, ...shown(unq.startsWith('b/') ? unq.slice(2) : unq), lines: [], lineNos: [], bytes: 0 };
        stats.files++;
      }
    } else if (line.startsWith('@@ ')) {
      const m = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m) continue;
      oldLeft = m[1] === undefined ? 1 : Number(m[1]);
      newLine = Number(m[2]);
      newLeft = m[3] === undefined ? 1 : Number(m[3]);
    }
  }
  await flush();
  return stats;
}
