/**
 * Scanning files and folders: walk the given paths (never into `.git`, never following
 * symlinks), skip binary files and files over the size cap, run every rule over the rest.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { detect, lineOf, type FindingSet, type ScanOptions } from './findings.js';

export interface FileScanStats {
  files: number;
  bytes: number;
  skipped_binary: number;
  skipped_large: number;
  skipped_other: number;
}

async function* walk(path: string, stats: FileScanStats, signal: AbortSignal, skip: ReadonlySet<string>): AsyncGenerator<{ path: string; size: number }> {
  signal.throwIfAborted();
  let st;
  try {
    st = await lstat(path);
  } catch {
    stats.skipped_other++;
    return;
  }
  if (st.isSymbolicLink()) {
    stats.skipped_other++;
    return;
  }
  if (st.isFile()) {
    yield { path, size: st.size };
    return;
  }
  if (!st.isDirectory()) return;
  let entries: string[];
  try {
    entries = (await readdir(path)).sort();
  } catch {
    stats.skipped_other++;
    return;
  }
  for (const name of entries) {
    if (skip.has(name)) continue;
    yield* walk(join(path, name), stats, signal, skip);
  }
}

/**
 * How a path is shown in findings: relative to `base` (the runbook's folder, or the current
 * directory for `runbook scan`) when it is inside it, else absolute. scan.files and scan.git
 * both use it, so the same file has the same name whichever way it was scanned.
 */
export function displayPath(base: string, abs: string): string {
  const rel = relative(base, abs);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** Roots that do not exist (resolved against `base`): scanning nothing is not a clean result. */
export async function missingPaths(base: string, paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    try {
      await lstat(resolve(base, p));
    } catch {
      out.push(p);
    }
  }
  return out;
}

/** A file is binary when its first 8 KiB hold a NUL byte (git's own test). */
function isBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8192).includes(0);
}

export async function scanPaths(
  paths: readonly string[],
  set: FindingSet,
  opts: ScanOptions & { maxFileBytes: number; signal: AbortSignal; concurrency?: number; exclude?: readonly string[]; base?: string },
): Promise<FileScanStats> {
  const stats: FileScanStats = { files: 0, bytes: 0, skipped_binary: 0, skipped_large: 0, skipped_other: 0 };
  const base = opts.base ?? process.cwd();
  const scanOne = async (file: { path: string; size: number }) => {
    if (file.size > opts.maxFileBytes) {
      stats.skipped_large++;
      return;
    }
    let buf: Buffer;
    try {
      buf = await readFile(file.path);
    } catch {
      stats.skipped_other++;
      return;
    }
    // the size can change between lstat and read
    if (buf.length > opts.maxFileBytes) {
      stats.skipped_large++;
      return;
    }
    if (isBinary(buf)) {
      stats.skipped_binary++;
      return;
    }
    const text = buf.toString('utf8');
    stats.files++;
    stats.bytes += file.size;
    if (!text) return;
    const hits = await detect(text, file.path, opts);
    if (!hits.length) return;
    const line = lineOf(text);
    const shown = displayPath(base, file.path);
    set.add(hits, (i) => ({ file: shown, line: line(i) }));
  };
  // a small pool: reading overlaps with matching, results stay deterministic per file
  const limit = Math.max(1, opts.concurrency ?? 8);
  const running = new Set<Promise<void>>();
  // `.git` always; plus file or folder names the caller excludes (exact names, e.g. node_modules)
  const skip = new Set(['.git', ...(opts.exclude ?? [])]);
  for (const root of paths) {
    for await (const file of walk(resolve(base, root), stats, opts.signal, skip)) {
      const p: Promise<void> = scanOne(file).finally(() => running.delete(p));
      running.add(p);
      if (running.size >= limit) await Promise.race(running);
    }
  }
  await Promise.all(running);
  return stats;
}
