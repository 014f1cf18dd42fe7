/**
 * Loads a CommonJS script through a V8 code cache: the cache holds the bytecode of every function
 * the script compiled before the cache was written, so a process that finds a matching cache does
 * not parse or compile that code again (Node 20 has no such cache for ES modules — Node 22's
 * module.enableCompileCache is the same idea). scripts/build.mjs writes the runner's cache after
 * a warm-up run to the flagship drill's first frame (bench/README.md has the figures).
 *
 * V8 checks a cache against its own version, its flags and the source's length, and refuses one
 * that does not match (`rejected`): the script is then compiled as usual, and a new cache is
 * written when the process exits — next to the script, under a name that carries the build and
 * the Node version, so a cache never meets another build's code. Writing is best-effort (a
 * read-only install keeps working, uncached). RUNBOOK_CODE_CACHE=off skips the cache entirely;
 * `write` rewrites it at exit (the build's warm-up).
 */
import { readFileSync, writeFileSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAscii } from 'node:buffer';
import { dirname } from 'node:path';
import vm from 'node:vm';

export type CacheState = 'used' | 'rejected' | 'missing' | 'off';

export interface Loaded {
  exports: unknown;
  state: CacheState;
}

/**
 * The script is a function expression, written so by scripts/build.mjs (finishRunner): the
 * wrapper Node gives a CommonJS module, plus `__runbookImport` — the script's own import() calls
 * go to the loader's, since Node 20 drops a script's import() callback for functions read from
 * a code cache. (Wrapping it here would copy the whole source once more on every start.)
 */
const WRAPPER = '(function (exports, require, module, __filename, __dirname, __runbookImport) {';

/** `file` compiled (with `cacheFile` when V8 accepts it), not yet run. */
function compileCached(file: string, cacheFile: string, mode = process.env.RUNBOOK_CODE_CACHE): { script: vm.Script; state: CacheState } {
  // the build writes the runner as ASCII (scripts/build.mjs finishRunner): read as Latin-1, its
  // bytes become the one-byte string as they are (~2× faster than decoding UTF-8 here)
  const bytes = readFileSync(file);
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  let cachedData: Buffer | undefined;
  if (mode !== 'off') {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  if (!source.startsWith(WRAPPER)) throw new Error(`${file} is not a runner script (it must start with ${WRAPPER}): rebuild with npm run build`);
  const script = new vm.Script(source, { filename: file, cachedData });
  const state: CacheState = mode === 'off' ? 'off' : cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  return { script, state };
}

/**
 * `file` run as a CommonJS module through its code cache: its exports, and what became of the
 * cache. `beforeWrite` runs just before the cache is written at exit: V8 stamps the cache with
 * its flags of that moment, so flags the script changed at run time must be back to what a new
 * process has (V8 refuses a cache whose stamp differs).
 */
export function requireCached(file: string, cacheFile: string, o: { importModule: (specifier: string) => Promise<unknown>; mode?: string; beforeWrite?: (exports: unknown) => void }): Loaded {
  const mode = o.mode ?? process.env.RUNBOOK_CODE_CACHE;
  const { script, state } = compileCached(file, cacheFile, mode);
  const module = { exports: {} as unknown };
  if (state === 'missing' || state === 'rejected' || (mode === 'write' && state === 'used')) {
    // at exit the cache also holds what compiled lazily on the way (the TUI, the command)
    process.once('exit', () => {
      o.beforeWrite?.(module.exports);
      writeCache(script, cacheFile);
    });
  }
  const run = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: { exports: unknown }, f: string, d: string, i: (s: string) => Promise<unknown>) => void;
  run(module.exports, createRequire(file), module, file, dirname(file), o.importModule);
  return { exports: module.exports, state };
}

/** the cache of `script` into `cacheFile`, whole or not at all (a rename); nothing when it cannot be written */
function writeCache(script: vm.Script, cacheFile: string): boolean {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}
