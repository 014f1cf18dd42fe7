/**
 * Scanning files and folders: walk the given paths (never into `.git`, never following
 * symlinks), skip binary files and files over the size cap, run every rule over the rest —
 * in overlapping pieces of 64 KiB, so a 5 MiB minified bundle costs no more memory than a
 * small file.
 */
import { closeSync, constants as fsConstants, fstatSync, lstatSync, openSync, readdirSync, readSync, type Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isAscii } from 'node:buffer';
import { KINDS, type CredentialKind } from '../../core/secrets/kinds.js';
import { detect, detectSome, lineOf, type Finding, type FindingSet, type ScanOptions, type Suppressed } from './findings.js';
import type { RawHit } from './rules.js';
import { candidates } from './prefilter.js';

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
    if (!st.isDirectory()) {
      // a FIFO, device or socket: never opened (a FIFO blocks, /dev/zero never ends)
      stats.skipped_other++;
      return;
    }
  }
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    stats.skipped_other++;
    return;
  }
  // (`path` is absolute and normalised: a name is appended without path.join, which normalised
  // every file's path again — a fifth of the scan's allocation on node_modules)
  const prefix = path.endsWith(sep) ? path : path + sep;
  for (const e of entries) {
    if (skip.has(e.name)) continue;
    if (e.isFile()) yield prefix + e.name;
    else if (e.isDirectory()) yield* walk(prefix + e.name, stats, skip, true);
    // a symlink, FIFO, device or socket: counted, never opened
    else stats.skipped_other++;
  }
}

/** Files larger than this are skipped (the scan provider's `max_file_bytes` default). */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * A file is read and scanned in pieces of this many bytes (the overlap included), so memory
 * stays bounded whatever its size. 64 KiB keeps a piece's text out of V8's large-object space
 * (256 KiB pieces peaked 8 MB higher on node_modules: each live one was promoted at a scavenge).
 */
export const CHUNK_BYTES = 64 * 1024;
/**
 * Consecutive pieces overlap by at least this many bytes, and a hit is taken from the piece in
 * which it starts before the overlap: a credential shorter than this (every kind in the table,
 * an 8192-bit RSA key in PEM included) is seen whole in one piece. Whole hits inside the overlap
 * are taken too (and deduplicated), so two halves of an AWS key pair either side of a cut are
 * seen together.
 */
export const CHUNK_OVERLAP = 16 * 1024;

/** One piece of a file: its text, how many characters of it are its own (hits starting later belong to the next piece), the lines before it. */
export interface Piece {
  text: string;
  own: number;
  linesBefore: number;
}

/**
 * One piece of a file as bytes: `bytes` (a view of a scratch buffer, valid until the next
 * piece is read), of which the first `own` are its own (`Infinity`: the last piece), the lines
 * before it.
 */
export interface BytePiece {
  bytes: Buffer;
  own: number;
  linesBefore: number;
}

/**
 * Reads into one scratch buffer of at most `chunk` bytes, reused for every file (a fresh
 * buffer, or a whole 5 MiB file as one string, was most of the scanner's memory).
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** Back from `i` to the start of a UTF-8 character. */
function charStart(buf: Buffer, i: number): number {
  while (i > 0 && (buf[i]! & 0xc0) === 0x80) i--;
  return i;
}

function countNewlines(buf: Buffer, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(10); i >= 0 && i < end; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

function readFull(fd: number, buf: Buffer, want: number, at: number): number {
  let got = 0;
  while (got < want) {
    const n = readSync(fd, buf, got, want - got, at + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * The file in overlapping pieces of bytes, or why not: over the size cap, unreadable, binary
 * (a NUL in its first 8 KiB). Pieces are cut at line ends where there is one (else at a
 * character boundary), so each decodes exactly and line numbers stay right. A file shorter
 * than a piece is read once, without a stat.
 */
export function* readBytePieces(path: string, max: number, stats: FileScanStats, chunk = CHUNK_BYTES, overlap = CHUNK_OVERLAP): Generator<BytePiece> {
  let fd: number | undefined;
  try {
    // no link followed, no wait on a FIFO put in a file's place since the walk saw it
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    const ov = Math.min(overlap, Math.floor(chunk / 4));
    if (scratch.length < chunk) scratch = Buffer.allocUnsafe(chunk);
    let at = 0;
    let lines = 0;
    let size = 0;
    for (let first = true; ; first = false) {
      const want = first ? chunk : Math.min(size - at, chunk);
      const got = readFull(fd, scratch, want, at);
      const view = scratch.subarray(0, got);
      if (first) {
        // a short first read is the whole file; a full one needs the size (the cap, the last piece)
        size = got < want ? got : fstatSync(fd).size;
        if (size > max) {
          stats.skipped_large++;
          return;
        }
        if (view.subarray(0, 8192).includes(0)) {
          stats.skipped_binary++;
          return;
        }
        stats.files++;
        stats.bytes += size;
        if (got === 0) return;
      }
      if (at + got >= size || got < want) {
        yield { bytes: view, own: Infinity, linesBefore: lines };
        return;
      }
      // this piece ends at its last line end (or a character boundary); the next one starts at
      // the line holding the point `overlap` bytes before that end
      // (pieces stay long: a cut is moved to a character boundary rather than far back to a line end)
      let end = view.lastIndexOf(10) + 1;
      if (end < got / 2) end = charStart(view, got);
      let next = view.lastIndexOf(10, end - ov - 1) + 1;
      if (next < end - 2 * ov) next = charStart(view, end - ov);
      // (counted before the yield: another scan may reuse the scratch buffer meanwhile)
      const before = lines;
      lines += countNewlines(view, next);
      at += next;
      yield { bytes: view.subarray(0, end), own: next, linesBefore: before };
    }
  } catch {
    stats.skipped_other++;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A byte piece's text, and how many characters of it are its own. */
function decode(p: BytePiece): Piece {
  const text = p.bytes.toString('utf8');
  if (!Number.isFinite(p.own)) return { text, own: Infinity, linesBefore: p.linesBefore };
  const head = p.bytes.subarray(0, p.own);
  return { text, own: isAscii(head) ? p.own : head.toString('utf8').length, linesBefore: p.linesBefore };
}

/** The file in overlapping pieces of text (see `readBytePieces`). */
export function* readPieces(path: string, max: number, stats: FileScanStats, chunk = CHUNK_BYTES, overlap = CHUNK_OVERLAP): Generator<Piece> {
  for (const p of readBytePieces(path, max, stats, chunk, overlap)) yield decode(p);
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

export async function scanPaths(
  paths: readonly string[],
  set: FindingSet,
  opts: ScanOptions & { maxFileBytes: number; signal: AbortSignal; exclude?: readonly string[]; base?: string; /** for tests: smaller pieces */ chunkBytes?: number; chunkOverlap?: number },
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
      let shown: string | undefined;
      for (const bytes of readBytePieces(path, opts.maxFileBytes, stats, opts.chunkBytes, opts.chunkOverlap)) {
        let piece: Piece;
        let hits: RawHit[];
        if (opts.secretlint) {
          piece = decode(bytes);
          hits = await detect(piece.text, path, opts);
        } else {
          // most pieces hold no keyword of any kind and no credential word before an assignment:
          // they are never decoded, and the rest run only the patterns that can match
          const c = candidates(bytes.bytes);
          if (!c.any && !c.generic) continue;
          const kinds: CredentialKind[] = [];
          if (c.any) for (let k = 0; k < KINDS.length; k++) if (c.kinds[k]) kinds.push(KINDS[k]!);
          piece = decode(bytes);
          hits = detectSome(piece.text, kinds, c.generic, opts);
        }
        if (!hits.length) continue;
        // a piece takes the hits that start in its own part, and also those in the overlap that
        // end before its last line end (whole values, on whole lines): so an AWS key id and its
        // secret on either side of the cut are both in one `add` and paired. The next piece
        // finds the overlap's hits again; FindingSet keeps one location per file and line.
        const own = piece.own;
        const whole = Number.isFinite(own) ? piece.text.lastIndexOf('\n') : Infinity;
        hits = hits.filter((h) => h.index < own || h.index + h.value.length <= whole);
        if (!hits.length) continue;
        const line = lineOf(piece.text);
        const file = (shown ??= displayPath(base, path));
        const before = piece.linesBefore;
        set.add(hits, (i) => ({ file, line: before + line(i) }));
      }
    }
  }
  return stats;
}

export type ScanFilesOptions = Parameters<typeof scanPaths>[2] & { base: string };

/** A file named on the command line (or in a step) that was not read, and why. */
export interface Unscanned {
  path: string;
  why: string;
}

/** Why a root that is a file (or a symlink, FIFO, device, socket) was not scanned: the skip counter it moved. */
function whyUnscanned(s: FileScanStats, maxFileBytes: number, st: Stats): string | undefined {
  if (s.files > 0) return undefined;
  const link = st.isSymbolicLink();
  if (!link && !st.isFile()) return `not a regular file (${st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device'}), not read`;
  if (s.skipped_large > 0) return `larger than ${+(maxFileBytes / 1048576).toFixed(1)} MiB`;
  if (s.skipped_binary > 0) return 'binary, a NUL byte in its first 8 KiB';
  if (link) return 'a symbolic link, not followed';
  if (s.skipped_other > 0) return 'not readable';
  return undefined;
}

/**
 * scan.files without the action around it (`runbook scan PATH…` calls it directly, so it loads
 * no provider machinery): the roots that do not exist, or the findings sorted by location.
 */
export async function scanFiles(
  paths: readonly string[],
  set: FindingSet,
  opts: ScanFilesOptions,
): Promise<{ missing: string[] } | { missing?: undefined; findings: Finding[]; suppressed: Suppressed[]; stats: FileScanStats; unscanned: Unscanned[] }> {
  const missing = await missingPaths(opts.base, paths);
  if (missing.length) return { missing };
  // root by root, so a file named here that was skipped (too large, binary, a symlink, unreadable)
  // is named — scanning nothing of it is not a clean result
  const stats: FileScanStats = { files: 0, bytes: 0, skipped_binary: 0, skipped_large: 0, skipped_other: 0 };
  const unscanned: Unscanned[] = [];
  for (const root of paths) {
    const st = await lstat(resolve(opts.base, root));
    const s = await scanPaths([root], set, opts);
    const why = st.isDirectory() ? undefined : whyUnscanned(s, opts.maxFileBytes, st);
    for (const k of Object.keys(stats) as (keyof FileScanStats)[]) stats[k] += s[k];
    if (why) unscanned.push({ path: root, why });
  }
  return { findings: set.list('byLocation'), suppressed: set.suppressed, stats, unscanned };
}
