import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { exec, ExecError, ENV_ALLOW_LIST } from '../../src/core/exec.js';
import { Secret } from '../../src/core/secrets/secret.js';
import { MASK, Redactor } from '../../src/core/secrets/redactor.js';

const NODE = process.execPath;
const canary = () => 'cn_' + randomBytes(18).toString('hex');

/** true while the process exists and is not a zombie */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits (polling, bounded) until kill(pid, 0) reports ESRCH: killed orphans are reaped by PID 1. */
async function reaped(pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
    }
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A child that ignores SIGTERM (but says so) and forks a grandchild that does the same. */
const STUBBORN = `
const { spawn } = require('node:child_process');
process.on('SIGTERM', () => console.log('child got SIGTERM'));
spawn(process.execPath, ['-e', "process.on('SIGTERM', () => console.log('grandchild got SIGTERM')); console.log('grandchild ' + process.pid); setInterval(() => {}, 1000);"], { stdio: ['ignore', 'inherit', 'inherit'] });
console.log('child ' + process.pid);
setInterval(() => {}, 1000);
`;

function pidsFrom(lines: string[]): { child?: number; grandchild?: number } {
  const get = (who: string) => {
    const l = lines.find((x) => x.startsWith(who + ' '));
    return l ? Number(l.split(' ')[1]) : undefined;
  };
  return { child: get('child'), grandchild: get('grandchild') };
}

describe('exec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exec-test-'));
  const leaked = 'RUNBOOK_EXEC_TEST_LEAK';
  process.env[leaked] = 'parent-only';
  afterAll(() => {
    delete process.env[leaked];
  });

  it('passes argv literally: shell syntax in an argument runs nothing', async () => {
    const marker = join(dir, 'pwned');
    const evil = [`$(touch ${marker})`, `; touch ${marker}`, '`id`', "' \" | & > <"];
    const res = await exec([NODE, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...evil]);
    expect(res.exitCode).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual(evil);
    expect(existsSync(marker)).toBe(false);
  });

  it('gives the child only the allow-list plus declared env (extendEnv: false)', async () => {
    const secret = new Secret(canary(), 'secrets.t');
    const res = await exec([NODE, '-e', 'console.log(JSON.stringify(process.env))'], { env: { DECLARED: 'yes', TOKEN: secret } });
    const env = JSON.parse(res.stdout) as Record<string, string>;
    expect(env[leaked]).toBeUndefined();
    expect(env.DECLARED).toBe('yes');
    expect(env.TOKEN).toBe(secret.reveal());
    expect(env.PATH).toBe(process.env.PATH);
    const allowed = new Set([...ENV_ALLOW_LIST, 'DECLARED', 'TOKEN']);
    expect(Object.keys(env).filter((k) => !allowed.has(k))).toEqual([]);
  });

  it('returns a non-zero exit as a result, with both streams', async () => {
    const res = await exec([NODE, '-e', 'console.log("out"); console.error("err"); process.exit(3)']);
    expect(res).toMatchObject({ exitCode: 3, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false, aborted: false });
    expect(res.pid).toBeGreaterThan(0);
  });

  it('a spawn failure is an ExecError naming argv0 and never the arguments', async () => {
    const arg = canary();
    const err = await exec(['runbook-no-such-command-xyz', '--token', arg]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).reason).toBe('spawn');
    expect((err as ExecError).message).toContain('runbook-no-such-command-xyz');
    expect((err as ExecError).message).toContain('not found');
    const all = JSON.stringify(err) + String((err as Error).stack) + (err as Error).message + JSON.stringify((err as ExecError).nextSteps);
    expect(all).not.toContain(arg);
  });

  it('names a missing working directory', async () => {
    const err = await exec([NODE, '-e', '1'], { cwd: join(dir, 'nope') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect((err as Error).message).toContain('working directory not found');
  });

  it('refuses a NUL byte in an env value without echoing the value', async () => {
    const v = canary();
    const err = await exec([NODE, '-e', '1'], { env: { X: v + '\0' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect((err as Error).message).toContain('X');
    expect((err as Error).message).not.toContain(v);
  });

  it('streams lines to onLine in order, strips CRLF, keeps a last partial line', async () => {
    const lines: string[] = [];
    const res = await exec([NODE, '-e', 'process.stdout.write("a\\r\\nb\\n"); process.stderr.write("e1\\n"); process.stdout.write("tail")'], {
      onLine: (s, l) => lines.push(`${s}:${l}`),
    });
    expect(lines.filter((l) => l.startsWith('stdout'))).toEqual(['stdout:a', 'stdout:b', 'stdout:tail']);
    expect(lines).toContain('stderr:e1');
    expect(res.stdout).toBe('a\nb\ntail\n');
  });

  it('keeps multi-byte characters intact across chunks', async () => {
    const res = await exec([NODE, '-e', 'const b = Buffer.from("é€😀\\n"); process.stdout.write(b.subarray(0, 3)); setTimeout(() => process.stdout.write(b.subarray(3)), 50)']);
    expect(res.stdout).toBe('é€😀\n');
  });

  it('caps collected output but shows every line to the sink, and survives a throwing sink', async () => {
    let seen = 0;
    const res = await exec([NODE, '-e', 'for (let i = 0; i < 2000; i++) console.log("line " + i)'], {
      maxBuffer: 1000,
      onLine: () => {
        seen++;
        if (seen === 5) throw new Error('observer broke');
      },
    });
    expect(seen).toBe(2000);
    expect(res.stdout.length).toBeLessThanOrEqual(1000);
    expect(res.stdout.startsWith('line 0\n')).toBe(true);
    expect(res.truncated).toBe(true);
  });

  it('splits a line longer than maxLine into flagged pieces; stdout stays faithful', async () => {
    const pieces: [number, boolean][] = [];
    const res = await exec([NODE, '-e', 'process.stdout.write("x".repeat(2500) + "\\nnext\\n")'], { maxLine: 1000, onLine: (_s, l, partial) => pieces.push([l.length, partial === true]) });
    expect(pieces).toEqual([
      [1000, true],
      [1000, true],
      [500, false],
      [4, false],
    ]);
    expect(res.stdout).toBe('x'.repeat(2500) + '\nnext\n');
  });

  it('a secret cut between two pieces of a long line is still masked through Redactor.lineSink', async () => {
    const secret = canary();
    const r = new Redactor();
    r.add(secret);
    const shown: string[] = [];
    const sink = r.lineSink((l) => shown.push(l), { maxLine: 4000, maxShape: 64 });
    // the secret straddles the 1000-character boundary of exec's pieces
    const script = `process.stdout.write("a".repeat(990) + process.env.S + "b".repeat(3000) + "\\nend\\n")`;
    await exec([NODE, '-e', script], { env: { S: secret }, maxLine: 1000, onLine: (_s, l, partial) => sink.line(l, partial) });
    sink.flush();
    const all = shown.join('\n');
    expect(all).not.toContain(secret);
    expect(all).toContain(MASK);
    expect(shown.at(-1)).toBe('end');
    expect(all.replace(MASK, '')).toBe('a'.repeat(990) + 'b'.repeat(3000) + '\nend');
  });

  it('feeds stdin from input (a Secret is revealed only to the child)', async () => {
    const secret = new Secret(canary(), 'secrets.in');
    const res = await exec([NODE, '-e', 'process.stdin.pipe(process.stdout)'], { input: secret });
    expect(res.stdout).toBe(secret.reveal() + '\n');
  });

  it('closes stdin when there is no input, so a child never waits on it', async () => {
    const res = await exec([NODE, '-e', 'let n = 0; process.stdin.on("data", (d) => n += d.length).on("end", () => console.log("eof " + n))'], { timeoutMs: 10_000 });
    expect(res.stdout).toBe('eof 0\n');
    expect(res.timedOut).toBe(false);
  });

  it('timeout: a child ignoring SIGTERM and its grandchild are gone within timeout + grace', async () => {
    const lines: string[] = [];
    const timeoutMs = 1500;
    const graceMs = 500;
    const t0 = performance.now();
    const res = await exec([NODE, '-e', STUBBORN], { timeoutMs, graceMs, onLine: (_s, l) => lines.push(l) });
    const elapsed = performance.now() - t0;
    const { child, grandchild } = pidsFrom(lines);
    expect(child).toBe(res.pid);
    expect(grandchild).toBeGreaterThan(0);
    expect(res.timedOut).toBe(true);
    expect(res.signal).toBe('SIGKILL');
    // both got SIGTERM first (the whole group), ignored it, and were killed after the grace period
    expect(lines).toContain('child got SIGTERM');
    expect(lines).toContain('grandchild got SIGTERM');
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs + graceMs - 50);
    expect(elapsed).toBeLessThan(timeoutMs + graceMs + 1500);
    expect(running(child!)).toBe(false);
    expect(running(grandchild!)).toBe(false);
    expect(await reaped(child!, 100)).toBe(true);
    // the orphaned grandchild is reaped by PID 1, which may take a moment in a container
    expect(await reaped(grandchild!, 10_000)).toBe(true);
  });

  it('abort: the AbortSignal kills the whole group, SIGTERM then SIGKILL after grace', async () => {
    const lines: string[] = [];
    const ac = new AbortController();
    const graceMs = 300;
    let abortedAt = 0;
    const res = await exec([NODE, '-e', STUBBORN], {
      graceMs,
      signal: ac.signal,
      onLine: (_s, l) => {
        lines.push(l);
        if (pidsFrom(lines).grandchild && pidsFrom(lines).child && !abortedAt) {
          abortedAt = performance.now();
          ac.abort();
        }
      },
    });
    const after = performance.now() - abortedAt;
    const { child, grandchild } = pidsFrom(lines);
    expect(res.aborted).toBe(true);
    expect(res.timedOut).toBe(false);
    expect(after).toBeGreaterThanOrEqual(graceMs - 50);
    expect(after).toBeLessThan(graceMs + 1500);
    expect(running(child!)).toBe(false);
    expect(running(grandchild!)).toBe(false);
    expect(await reaped(grandchild!, 10_000)).toBe(true);
  });

  it('a child that honours SIGTERM ends without waiting for the grace period', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const res = await exec([NODE, '-e', 'console.log("up"); setInterval(() => {}, 1000)'], {
      graceMs: 5000,
      signal: ac.signal,
      onLine: () => ac.abort(),
    });
    expect(res.aborted).toBe(true);
    expect(res.signal).toBe('SIGTERM');
    expect(performance.now() - t0).toBeLessThan(4000);
  });

  it('an already-aborted signal starts nothing', async () => {
    const marker = join(dir, 'started');
    const res = await exec([NODE, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], { signal: AbortSignal.abort() });
    expect(res.aborted).toBe(true);
    expect(res.pid).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  });

  it('a leftover that holds our pipes after the leader exits is terminated with the group', async () => {
    const lines: string[] = [];
    const script = `
      const { spawn } = require('node:child_process');
      const gc = spawn(process.execPath, ['-e', "console.log('leftover ' + process.pid); setInterval(() => {}, 1000)"], { stdio: ['ignore', 'inherit', 'inherit'] });
      setTimeout(() => process.exit(0), 300);`;
    const t0 = performance.now();
    const res = await exec([NODE, '-e', script], { graceMs: 300, onLine: (_s, l) => lines.push(l) });
    expect(res.exitCode).toBe(0);
    expect(performance.now() - t0).toBeLessThan(5000);
    const pid = Number(lines.find((l) => l.startsWith('leftover '))?.split(' ')[1]);
    expect(pid).toBeGreaterThan(0);
    expect(running(pid)).toBe(false);
  });

  it('a secret passed in env appears in the child environment, never in /proc/<pid>/cmdline', async () => {
    const secret = new Secret(canary(), 'secrets.proc');
    const ac = new AbortController();
    let cmdline = '';
    let environ = '';
    await exec([NODE, '-e', 'console.log(process.pid); setInterval(() => {}, 1000)', '--', 'plain-arg'], {
      env: { API_TOKEN: secret },
      signal: ac.signal,
      graceMs: 200,
      onLine: (stream, line) => {
        if (stream !== 'stdout') return;
        const pid = Number(line);
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        ac.abort();
      },
    });
    // the probe works: it reads the child's real argv and env
    expect(cmdline).toContain('plain-arg');
    expect(environ).toContain(`API_TOKEN=${secret.reveal()}`);
    expect(cmdline).not.toContain(secret.reveal());
  });
});
