/**
 * The one door for child processes (the only module that imports execa).
 * - argv arrays only, never a shell string;
 * - `extendEnv: false`: the child gets an allow-list of the parent's env plus what the caller
 *   passes (secrets reach children through env or stdin, never argv);
 * - a timeout and an AbortSignal, both of which kill the whole process group (SIGTERM, then
 *   SIGKILL after a grace period);
 * - output delivered line by line to a caller-supplied sink (already redacted by the caller's
 *   logger) and collected, capped, for the result.
 */
import { execa } from 'execa';
import { Secret } from './secrets/secret.js';
import { RunbookError, ExitCode } from './errors.js';

/** Parent env variables a child may see (everything else must be passed explicitly). */
export const ENV_ALLOW_LIST = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL', 'TERM'];

export interface ExecOptions {
  cwd?: string;
  /** extra env; Secret values are revealed only into the child's environment */
  env?: Record<string, string | Secret>;
  /** stdin for the child */
  input?: string | Secret;
  timeoutMs?: number;
  /** time between SIGTERM and SIGKILL of the process group */
  graceMs?: number;
  signal?: AbortSignal;
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** cap on collected output per stream (default 1 MiB); the sink still sees every line */
  maxBuffer?: number;
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
}

/** A process that could not be started, timed out or was aborted. Names the command (argv0), never its arguments. */
export class ExecError extends RunbookError {
  readonly argv0: string;
  readonly reason: 'spawn' | 'timeout' | 'aborted';
  constructor(argv0: string, reason: 'spawn' | 'timeout' | 'aborted', detail: string) {
    super(`${argv0}: ${detail}`, ExitCode.failed, {
      nextSteps: reason === 'spawn' ? [`Check that ${argv0} is installed and on PATH.`] : [],
    });
    this.argv0 = argv0;
    this.reason = reason;
  }
}

export async function exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (!file) throw new ExecError('(empty)', 'spawn', 'empty command');
  const env: Record<string, string> = {};
  for (const k of ENV_ALLOW_LIST) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) env[k] = v instanceof Secret ? v.reveal() : v;
  const started = performance.now();
  const maxBuffer = opts.maxBuffer ?? 1024 * 1024;
  const collected = { stdout: '', stderr: '' };
  const grace = opts.graceMs ?? 2000;
  const child = execa(file, args, {
    cwd: opts.cwd,
    env,
    extendEnv: false,
    input: opts.input instanceof Secret ? opts.input.reveal() : opts.input,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    buffer: false,
    reject: false,
    detached: true, // own process group, so we can kill the whole tree
    cleanup: true,
    windowsHide: true,
  });
  const pid = child.pid;
  const killGroup = (sig: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  };
  let timedOut = false;
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    killGroup('SIGTERM');
    killTimer = setTimeout(() => killGroup('SIGKILL'), grace);
    killTimer.unref();
  };
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        stop();
      }, opts.timeoutMs)
    : undefined;
  const onAbort = () => {
    aborted = true;
    stop();
  };
  if (opts.signal) {
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  const pump = async (stream: 'stdout' | 'stderr') => {
    const src = child[stream];
    if (!src) return;
    let pending = '';
    for await (const chunk of src) {
      pending += chunk.toString();
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i).replace(/\r$/, '');
        pending = pending.slice(i + 1);
        emit(stream, line);
      }
    }
    if (pending) emit(stream, pending);
  };
  const emit = (stream: 'stdout' | 'stderr', line: string) => {
    if (collected[stream].length < maxBuffer) collected[stream] += line + '\n';
    opts.onLine?.(stream, line);
  };
  try {
    const [res] = await Promise.all([child, pump('stdout'), pump('stderr')]);
    if (res.failed && res.exitCode === undefined && !res.isTerminated && !timedOut && !aborted) {
      throw new ExecError(file, 'spawn', res.code === 'ENOENT' ? 'command not found' : `could not start (${res.code ?? 'error'})`);
    }
    // the leader is gone; make sure no member of its group outlives it
    if (timedOut || aborted) killGroup('SIGKILL');
    return {
      argv0: file,
      exitCode: res.exitCode ?? null,
      signal: res.signal ?? null,
      stdout: collected.stdout,
      stderr: collected.stderr,
      timedOut,
      aborted,
      durationMs: performance.now() - started,
    };
  } finally {
    if (timer) clearTimeout(timer);
    if (killTimer && !timedOut && !aborted) clearTimeout(killTimer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
