/**
 * Create a folder and its missing parents — one level at a time. Node's own
 * `mkdirSync(dir, { recursive: true })` never returns when a parent refuses a new entry with
 * ENOENT although it exists (e.g. `--state-dir /proc/x` on Linux: it spins at 100% CPU and
 * ignores SIGTERM). Here each missing level is made with a plain mkdir, so such a path fails
 * with that mkdir's error (ENOENT, EACCES, EROFS…) for the caller to word.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const errCode = (e: unknown) => (e as NodeJS.ErrnoException).code;

export function mkdirTree(dir: string, mode = 0o700): void {
  const missing: string[] = [];
  for (let d = resolve(dir); ; ) {
    try {
      statSync(d);
      break; // there (a file in the way makes the mkdir below fail with EEXIST/ENOTDIR)
    } catch (e) {
      if (errCode(e) !== 'ENOENT') throw e;
    }
    missing.push(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode });
    } catch (e) {
      // made meanwhile by another process: fine, as long as it is a folder
      if (errCode(e) !== 'EEXIST' || !statSync(d).isDirectory()) throw e;
    }
  }
  if (missing.length === 0 && !statSync(resolve(dir)).isDirectory()) mkdirSync(resolve(dir), { mode }); // throws EEXIST, as mkdir -p does
}
