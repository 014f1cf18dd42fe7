/**
 * Starts `moto_server -H 127.0.0.1 -p PORT` on a free loopback port for a test file, waits
 * until it answers (by watching its startup line, then a reset), resets it between tests
 * (POST /moto-api/reset) and stops it. child_process is fine here: tests only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  endpoint: string;
  port: number;
  /** POST to a /moto-api/ path; resolves with the body text */
  api(path: string, body?: string): Promise<string>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const MOTO_MISSING = 'moto_server is not on PATH: install it with `pip install "moto[server]"` (CI must have it; locally the moto half is skipped only when CI is unset)';

/** Is moto_server on PATH and runnable? */
export function motoAvailable(): boolean {
  const r = spawnSync('moto_server', ['-h'], { stdio: 'ignore', timeout: 20_000 });
  return !r.error && r.status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** Resolves when moto prints its "Running on" line; rejects with its output if it exits or takes too long. */
function ready(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => done(new Error(`moto_server did not start within ${timeoutMs} ms:\n${out.slice(-2000)}`)), timeoutMs);
    const onData = (b: Buffer) => {
      out += b.toString('utf8');
      if (out.includes(`127.0.0.1:${port}`)) done();
    };
    const onExit = (code: number | null) => done(new Error(`moto_server exited (code ${code}) before it was ready:\n${out.slice(-2000)}`));
    const onError = (e: NodeJS.ErrnoException) => done(new Error(e.code === 'ENOENT' ? MOTO_MISSING : `moto_server failed to start: ${e.message}`));
    function done(err?: Error) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      // keep draining its output so it never blocks on a full pipe
      child.stdout?.resume();
      child.stderr?.resume();
      if (err) reject(err);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export async function startMoto(opts: { timeoutMs?: number } = {}): Promise<Moto> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    try {
      await ready(child, port, opts.timeoutMs ?? 30_000);
    } catch (e) {
      lastError = e;
      if (child.pid && child.exitCode === null) killGroup(child.pid, 'SIGKILL');
      if (e instanceof Error && e.message === MOTO_MISSING) throw e;
      continue; // e.g. the port was taken between freePort() and bind
    }
    const endpoint = `http://127.0.0.1:${port}`;
    const api = async (path: string, body?: string) => {
      const res = await fetch(`${endpoint}/moto-api/${path}`, { method: 'POST', body });
      const text = await res.text();
      if (!res.ok) throw new Error(`moto-api/${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
      return text;
    };
    await api('reset');
    return {
      endpoint,
      port,
      api,
      reset: async () => void (await api('reset')),
      stop: async () => {
        if (!child.pid || child.exitCode !== null) return;
        const gone = exited(child);
        const pid = child.pid;
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      },
    };
  }
  throw lastError;
}
