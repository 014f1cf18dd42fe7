/**
 * The one door for child processes (the only module that imports execa).
 * - argv arrays only, never a shell string;
 * - `extendEnv: false`: the child gets an allow-list of the parent's env plus what the caller
 *   passes (secrets reach children through env or stdin, never argv);
 * - every child leads its own process group. A timeout or an AbortSignal kills the whole group
 *   (SIGTERM, then SIGKILL after a grace period; once the leader is gone after a kill, the rest
 *   of the group gets SIGKILL at once). When the leader exits on its own, whatever it left
 *   behind in its group is terminated the same way — a step owns its processes, and a leftover
 *   holding our pipes would otherwise keep the step from finishing. A child that left the group
 *   (`setsid`) is found too: by parentage and by holding our pipes (proc-tree.ts), and signalled
 *   with the group; after the last kill the pipes are read for a moment, then closed, so a
 *   timeout ends the step on time whatever the children do;
 * - an argument or environment larger than execve takes is refused before anything starts
 *   (E2BIG), with a hint to pass large values on stdin or in a file;
 * - output delivered line by line to a caller-supplied sink (already redacted by the caller's
 *   logger; over-long lines in flagged pieces) and collected, capped, for the result;
 * - a non-zero exit is a result, not an error; an ExecError (naming argv0, never the
 *   arguments) means the process could not be started.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Secret } from './secrets/secret.js';
import { RunbookError, ExitCode } from './errors.js';
import { childStdio, leftovers, signalFound, type Found } from './proc-tree.js';

/** after the last kill, how long output still in the pipes is read before they are closed */
const DRAIN_MS = 250;
/** after the leader exits on its own, how long its pipes may stay open before their holders are ended */
const STUCK_MS = 200;

/** execa (~130 modules) is imported on the first exec, not with every command that reaches this module (bench/README.md). */
let execaModule: Promise<typeof import('execa')> | undefined;
const loadExeca = () => (execaModule ??= import('execa'));

/** Parent env variables a child may see (everything else must be passed explicitly). */
export const ENV_ALLOW_LIST = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL', 'TERM'];

export interface ExecOptions {
  cwd?: string;
  /** extra env; Secret values are revealed only into the child's environment */
  env?: Record<string, string | Secret>;
  /** stdin for the child (otherwise stdin is closed: a child never waits on our terminal) */
  input?: string | Secret;
  timeoutMs?: number;
  /** time between SIGTERM and SIGKILL of the process group (default 2000 ms) */
  graceMs?: number;
  signal?: AbortSignal;
  /**
   * each line of output, without its line ending; a throwing sink is ignored. A line longer
   * than `maxLine` arrives in pieces: every piece but the last has `partial: true` — feed them
   * to `Redactor.lineSink` (or join them) so a secret cut between two pieces is still masked.
   */
  onLine?: (stream: 'stdout' | 'stderr', line: string, partial?: boolean) => void;
  /** cap on collected output per stream, in characters (default 1 MiB); the sink still sees every line */
  maxBuffer?: number;
  /** a line longer than this (characters) is delivered in pieces (default 64 KiB) */
  maxLine?: number;
}

export interface ExecResult {
  argv0: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** process id of the leader (also the process group id); undefined when it never started */
  pid?: number;
  /** output beyond `maxBuffer` was dropped from `stdout`/`stderr` */
  truncated?: boolean;
}

/** A process that could not be started. Names the command (argv0), never its arguments. */
export class ExecError extends RunbookError {
  readonly argv0: string;
  readonly reason: 'spawn' | 'timeout' | 'aborted';
  constructor(argv0: string, reason: 'spawn' | 'timeout' | 'aborted', detail: string, nextSteps?: string[]) {
    super(`${argv0}: ${detail}`, ExitCode.failed, {
      nextSteps: nextSteps ?? (reason === 'spawn' ? [`Check that ${argv0} is installed and on PATH.`] : []),
    });
    this.argv0 = argv0;
    this.reason = reason;
  }
}

/** Process groups still running, killed if this process exits first. */
const liveGroups = new Set<number>();
let exitHook = false;
function track(pid: number): void {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const g of liveGroups) signalGroup(g, 'SIGKILL');
    });
  }
  liveGroups.add(pid);
}

function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  // (no stack trace for the ESRCH error: it is expected after every command — `kill -0` of a
  // group that exited — and capturing a stack was most of this call's cost)
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false; // ESRCH: nobody left in the group
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * What execve(2) takes on Linux: one argument or one NAME=value string of at most 128 KiB
 * (MAX_ARG_STRLEN, counting its NUL), and all of them together within ARG_MAX (a quarter of the
 * stack limit: 2 MiB by default; a little is kept back for the kernel's own strings).
 */
export const MAX_ARG_BYTES = 128 * 1024;
export const MAX_ARGS_TOTAL_BYTES = 2 * 1024 * 1024 - 16 * 1024;
const LARGE_VALUES = 'Pass large values on stdin (shell provider: stdin:) or in a file, not in argv or env.';

function size(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

function tooBig(file: string, what: string): ExecError {
  return new ExecError(file, 'spawn', `${what} (E2BIG); nothing was started`, [LARGE_VALUES]);
}

function checkArgs(file: string, argv: readonly unknown[], env: Record<string, string>): void {
  let total = 0;
  argv.forEach((a, i) => {
    if (typeof a !== 'string') throw new ExecError(file, 'spawn', `argument ${i} is not a string`);
    if (a.includes('\0')) throw new ExecError(file, 'spawn', `argument ${i} contains a NUL byte`);
    const n = Buffer.byteLength(a) + 1;
    if (n > MAX_ARG_BYTES) throw tooBig(file, `argument ${i} is ${size(n)}; the system refuses a single argument over ${size(MAX_ARG_BYTES)}`);
    total += n + 8;
  });
  for (const [k, v] of Object.entries(env)) {
    if (!/^[^=\0]+$/.test(k)) throw new ExecError(file, 'spawn', `invalid environment variable name ${JSON.stringify(k.replace(/\0/g, ''))}`);
    if (v.includes('\0')) throw new ExecError(file, 'spawn', `environment variable ${k} contains a NUL byte`);
    const n = Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
    if (n > MAX_ARG_BYTES) throw tooBig(file, `environment variable ${k} is ${size(n)}; the system refuses a single variable over ${size(MAX_ARG_BYTES)}`);
    total += n + 8;
  }
  if (total > MAX_ARGS_TOTAL_BYTES) throw tooBig(file, `the arguments and environment add up to ${size(total)}; the system takes at most about ${size(MAX_ARGS_TOTAL_BYTES)}`);
}

async function spawnFailure(file: string, code: string | undefined, cwd: string | undefined): Promise<ExecError> {
  if (cwd !== undefined && code === 'ENOENT') {
    const dir = await stat(cwd).catch(() => null);
    if (!dir?.isDirectory()) return new ExecError(file, 'spawn', `working directory not found: ${cwd}`);
  }
  if (code === 'ENOENT') return new ExecError(file, 'spawn', 'command not found');
  if (code === 'EACCES') return new ExecError(file, 'spawn', 'permission denied (not executable?)');
  if (code === 'E2BIG') return tooBig(file, 'the arguments and environment are larger than this system takes');
  return new ExecError(file, 'spawn', `could not start (${code ?? 'error'})`);
}

export async function exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const file = argv[0];
  if (typeof file !== 'string' || file === '') throw new ExecError('(empty)', 'spawn', 'empty command');
  const args = argv.slice(1);
  const env: Record<string, string> = {};
  for (const k of ENV_ALLOW_LIST) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) env[k] = v instanceof Secret ? v.reveal() : String(v);
  checkArgs(file, argv, env);
  const input = opts.input instanceof Secret ? opts.input.reveal() : opts.input;

  const started = performance.now();
  const result = (over: Partial<ExecResult>): ExecResult => ({
    argv0: file,
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    timedOut: false,
    aborted: false,
    durationMs: performance.now() - started,
    ...over,
  });
  if (opts.signal?.aborted) return result({ aborted: true });

  const maxBuffer = opts.maxBuffer ?? 1024 * 1024;
  const maxLine = opts.maxLine ?? 64 * 1024;
  const grace = opts.graceMs ?? 2000;
  const collected = { stdout: '', stderr: '' };
  let truncated = false;

  const { execa } = await loadExeca();
  if (opts.signal?.aborted) return result({ aborted: true });
  const child = execa(file, args, {
    cwd: opts.cwd,
    env,
    extendEnv: false,
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    buffer: false,
    reject: false,
    detached: true, // own process group, so we can kill the whole tree
    cleanup: false, // (ignored for detached children; see liveGroups)
    windowsHide: true,
  });
  const pid = child.pid;
  if (pid !== undefined) track(pid);
  // the child's ends of our pipes: whoever holds one of them keeps the step waiting (see proc-tree.ts)
  const inodes = childStdio(pid);
  const escaped = new Map<number, Found>();
  let ended = 0; // output streams that have ended
  const streams = [child.stdout, child.stderr].filter((st): st is NonNullable<typeof st> => st !== null && st !== undefined);

  let timedOut = false;
  let aborted = false;
  let leaderGone = false;
  let killTimer: NodeJS.Timeout | undefined;
  let stuckTimer: NodeJS.Timeout | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  /** signal the group, every descendant and every holder of our pipes found now or before */
  const sweep = (sig: NodeJS.Signals) => {
    if (pid === undefined) return;
    signalGroup(pid, sig);
    for (const f of leftovers(pid, inodes)) if (!escaped.has(f.pid)) escaped.set(f.pid, f);
    for (const f of escaped.values()) if (!signalFound(f, sig)) escaped.delete(f.pid);
  };
  /** after the last kill: read what is left in the pipes for a moment, then stop waiting on them */
  const release = () => {
    if (drainTimer || ended >= streams.length) return;
    drainTimer = setTimeout(() => {
      for (const st of streams) st.destroy();
    }, DRAIN_MS);
    drainTimer.unref();
  };
  const terminate = () => {
    if (pid === undefined || killTimer) return;
    sweep('SIGTERM');
    killTimer = setTimeout(() => {
      sweep('SIGKILL');
      liveGroups.delete(pid);
      if (leaderGone) release();
    }, grace);
  };
  for (const st of streams) st.once('close', () => ended++);
  child.once('exit', () => {
    leaderGone = true;
    if (pid === undefined) return;
    // after a timeout or abort: no more grace for what is left; otherwise: leftovers get SIGTERM, then SIGKILL
    if (timedOut || aborted) {
      sweep('SIGKILL');
      release();
    } else if (signalGroup(pid, 0)) terminate();
    else if (ended < streams.length) {
      // the leader is gone but our pipes are still open: someone outside the group holds them
      stuckTimer = setTimeout(() => {
        if (ended < streams.length) terminate();
      }, STUCK_MS);
    }
  });

  const timer =
    opts.timeoutMs !== undefined && opts.timeoutMs > 0
      ? setTimeout(() => {
          if (leaderGone) return;
          timedOut = true;
          terminate();
        }, opts.timeoutMs)
      : undefined;
  const onAbort = () => {
    if (leaderGone) return;
    aborted = true;
    terminate();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const emit = (stream: 'stdout' | 'stderr', line: string, partial = false) => {
    const text = partial ? line : line + '\n';
    const room = maxBuffer - collected[stream].length;
    if (room >= text.length) collected[stream] += text;
    else {
      if (room > 0) collected[stream] += text.slice(0, room);
      truncated = true;
    }
    try {
      if (partial) opts.onLine?.(stream, line, true);
      else opts.onLine?.(stream, line);
    } catch {
      /* a broken observer never stops a step */
    }
  };
  // (stream events, not `for await`: an async iterator per stream per command cost more than the rest of the door)
  const pump = (stream: 'stdout' | 'stderr') =>
    new Promise<void>((done) => {
      const src = child[stream] as Readable | null;
      if (!src) return done();
      src.setEncoding('utf8');
      let pending = '';
      let over = false;
      const finish = () => {
        if (over) return;
        over = true;
        src.off('data', onData);
        if (pending) emit(stream, pending.replace(/\r$/, ''));
        done();
      };
      const onData = (chunk: string) => {
        pending += chunk;
        for (;;) {
          const i = pending.indexOf('\n');
          if (i >= 0 && i <= maxLine) {
            emit(stream, pending.slice(0, i).replace(/\r$/, ''));
            pending = pending.slice(i + 1);
          } else if (pending.length > maxLine) {
            emit(stream, pending.slice(0, maxLine), true);
            pending = pending.slice(maxLine);
          } else break;
        }
      };
      src.on('data', onData);
      // the end of the output, or the stream broke (the process was killed): keep what we have
      src.once('end', finish);
      src.once('close', finish);
      src.once('error', finish);
    });

  try {
    const [res] = await Promise.all([child, pump('stdout'), pump('stderr')]);
    if (pid === undefined || (res.failed && res.exitCode === undefined && res.signal === undefined && !timedOut && !aborted)) {
      throw await spawnFailure(file, res.code, opts.cwd);
    }
    // the leader is gone; after a kill, make sure no member of its group (or escapee) outlives it
    if (timedOut || aborted) sweep('SIGKILL');
    return result({
      exitCode: res.exitCode ?? null,
      signal: res.signal ?? null,
      stdout: collected.stdout,
      stderr: collected.stderr,
      timedOut,
      aborted,
      pid,
      ...(truncated ? { truncated } : {}),
    });
  } finally {
    if (timer) clearTimeout(timer);
    if (stuckTimer) clearTimeout(stuckTimer);
    if (drainTimer) clearTimeout(drainTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    if (pid !== undefined) {
      if (killTimer && signalGroup(pid, 0)) {
        // leftovers are still on their way out: the pending SIGKILL (or the exit hook) finishes them
        killTimer.unref();
      } else {
        if (killTimer) clearTimeout(killTimer);
        liveGroups.delete(pid);
      }
    }
  }
}
