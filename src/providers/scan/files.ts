/**
 * Scanning files and folders: walk the given paths (never into `.git`, never following
 * symlinks), skip binary files and files over the size cap, run every rule over the rest.
 */
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { detect, lineOf, type FindingSet, type ScanOptions } from './findings.js';

export interface FileScanStats {
  files: number;
  bytes: number;
  skipped_binary: number;
  skipped_large: number;
  skipped_other: number;
}

/**
 * Files below `path` in sorted order: never into skipped names (`.git`), never through a
 * symlink. Synchronous reads (no thread-pool round trip per file: on 18,000 small files that is
 * most of the time); the caller yields to the event loop between files every few milliseconds.
 */
function* walk(path: string, stats: FileScanStats, skip: ReadonlySet<string>, isDir?: boolean): Generator<string> {
  if (isDir === undefined) {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      stats.skipped_other++;
      return;
    }
    if (st.isSymbolicLink()) {
      stats.skipped_other++;
      return;
    }
    if (st.isFile()) {
      yield path;
      return;
    }
    if (!st.isDirectory()) return;
  }
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    stats.skipped_other++;
    return;
  }
  for (const e of entries) {
    if (skip.has(e.name)) continue;
    if (e.isSymbolicLink()) stats.skipped_other++;
    else if (e.isFile()) yield join(path, e.name);
    else if (e.isDirectory()) yield* walk(join(path, e.name), stats, skip, true);
  }
}

/**
 * The file's bytes, or why not: over the size cap, unreadable. Read into one scratch buffer
 * that grows to the largest file and is reused (a fresh buffer per file was most of the
 * scanner's memory: garbage the collector reclaims late).
 */
let scratch = Buffer.allocUnsafe(64 * 1024);
function readCapped(path: string, max: number): Buffer | 'large' | 'error' {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size > max) return 'large';
    if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.min(max, Math.max(size, scratch.length * 2)));
    let off = 0;
    while (off < size) {
      const n = readSync(fd, scratch, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return scratch.subarray(0, off);
  } catch {
    return 'error';
  } finally {
    if (fd !== undefined) closeSync(fd);
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
  opts: ScanOptions & { maxFileBytes: number; signal: AbortSignal; exclude?: readonly string[]; base?: string },
): Promise<FileScanStats> {
  const stats: FileScanStats = { files: 0, bytes: 0, skipped_binary: 0, skipped_large: 0, skipped_other: 0 };
  const base = opts.base ?? process.cwd();
  // `.git` always; plus file or folder names the caller excludes (exact names, e.g. node_modules)
  const skip = new Set(['.git', ...(opts.exclude ?? [])]);
  let lastYield = performance.now();
  for (const root of paths) {
    for (const path of walk(resolve(base, root), stats, skip)) {
      if (performance.now() - lastYield > 15) {
        // let timers, the UI and a cancel get in
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
      }
      opts.signal.throwIfAborted();
      const buf = readCapped(path, opts.maxFileBytes);
      if (buf === 'large') stats.skipped_large++;
      else if (buf === 'error') stats.skipped_other++;
      else if (isBinary(buf)) stats.skipped_binary++;
      else {
        stats.files++;
        stats.bytes += buf.length;
        if (!buf.length) continue;
        const text = buf.toString('utf8');
        const hits = await detect(text, path, opts);
        if (!hits.length) continue;
        const line = lineOf(text);
        const shown = displayPath(base, path);
        set.add(hits, (i) => ({ file: shown, line: line(i) }));
      }
    }
  }
  return stats;
}
