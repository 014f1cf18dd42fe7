/**
 * The incident lock: liveness judged (same host: pid + start time; other host: lease), a dead
 * owner's lock taken without a flag, a live owner's never, an unreadable lock judged by its age,
 * and atomic acquisition among processes racing for the same incident.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileJournal } from '../../src/core/journal/store.js';
import { HEARTBEAT_MS, LEASE_MS, judge, procStartOf, bootId } from '../../src/core/journal/lock.js';
import { JournalError, LockedError } from '../../src/core/errors.js';
import { diskFull } from '../../src/commands/run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function fresh(id = 'i1') {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-lock-'));
  const j = new FileJournal(dir, id);
  mkdirSync(j.dir, { recursive: true, mode: 0o700 });
  return { dir, j };
}
const writeLock = (j: FileJournal, v: unknown, ageMs = 0) => {
  writeFileSync(j.lockFile, typeof v === 'string' ? v : JSON.stringify(v));
  const t = new Date(Date.now() - ageMs);
  utimesSync(j.lockFile, t, t);
};
const me = () => ({ version: 2, token: 'x', pid: process.pid, host: hostname(), user: 'u', startedAt: 'then', procStart: procStartOf('self'), bootId: bootId(), leaseMs: LEASE_MS });

describe('judging the owner of a lock', () => {
  it('same host: alive only when the pid runs and is the same process', () => {
    expect(judge(me(), 0).live).toBe('alive');
    expect(judge({ ...me(), procStart: '1' }, 0)).toMatchObject({ live: 'dead', why: `pid ${process.pid} is now another process (its start time differs from the lock's)` });
    expect(judge({ ...me(), pid: 2 ** 22 + 7 }, 0)).toMatchObject({ live: 'dead', why: `pid ${2 ** 22 + 7} is not running` });
    expect(judge({ ...me(), bootId: 'another-boot' }, 0).live).toBe('dead');
    // a lock of the older format (no start time): the lease decides whether a running pid is its owner
    const old = { pid: process.pid, host: hostname(), user: 'u', startedAt: 'then' };
    expect(judge(old, 1000).live).toBe('alive');
    expect(judge(old, LEASE_MS + 1000).live).toBe('unknown');
  });

  it('another host: a lease — fresh is alive, expired is unknown (never dead without --break-lock)', () => {
    const other = { ...me(), host: 'elsewhere.example' };
    expect(judge(other, 5_000)).toMatchObject({ live: 'alive', why: 'elsewhere.example refreshed its lease 5 s ago (lease 30 s)' });
    expect(judge(other, LEASE_MS + 40_000)).toMatchObject({ live: 'unknown', why: 'the lease of elsewhere.example expired 40 s ago (not refreshed for 70 s)' });
  });

  it('an unreadable lock is judged by its age', () => {
    expect(judge(undefined, 1000).live).toBe('unknown');
    expect(judge(undefined, LEASE_MS + 1000).live).toBe('dead');
  });
});

describe('taking the lock', () => {
  it('refuses a live owner, even with --break-lock, naming it', () => {
    const { dir, j } = fresh();
    j.lock();
    const other = new FileJournal(dir, 'i1');
    for (const breakLock of [false, true]) {
      try {
        other.lock({ breakLock });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(LockedError);
        expect((e as LockedError).owner.pid).toBe(process.pid);
        expect((e as LockedError).nextSteps.join(' ')).toMatch(/never broken/);
      }
    }
    j.unlock();
    expect(other.lock().broken).toBeUndefined();
    other.unlock();
  });

  it('takes a dead owner\'s lock without a flag, saying why (pid gone; pid reused by another process)', () => {
    const { dir, j } = fresh();
    writeLock(j, { ...me(), pid: 2 ** 22 + 7 });
    expect(j.lock().broken).toMatchObject({ pid: 2 ** 22 + 7, why: `pid ${2 ** 22 + 7} is not running` });
    j.unlock();
    const k = new FileJournal(dir, 'i1');
    writeLock(k, { ...me(), procStart: '1' });
    expect(k.lock().broken).toMatchObject({ pid: process.pid, why: expect.stringMatching(/now another process/) });
    expect(k.lock().broken?.pid).toBe(process.pid); // re-entrant: the same holder
    k.unlock();
    k.unlock();
  });

  it('another host: a fresh lease is never broken; an expired one only with --break-lock', () => {
    const { j } = fresh();
    writeLock(j, { ...me(), host: 'elsewhere.example' }, 1000);
    expect(() => j.lock({ breakLock: true })).toThrow(LockedError);
    writeLock(j, { ...me(), host: 'elsewhere.example' }, LEASE_MS + 60_000);
    expect(() => j.lock()).toThrow(/locked by pid/);
    try {
      j.lock();
    } catch (e) {
      expect((e as LockedError).nextSteps.join(' ')).toMatch(/lease of elsewhere.example expired .* --break-lock/);
    }
    expect(j.lock({ breakLock: true }).broken).toMatchObject({ host: 'elsewhere.example', forced: true });
    j.unlock();
  });

  it('an empty or garbage lock: refused while recent, taken once older than the lease', () => {
    const { j } = fresh();
    writeLock(j, '', 1000);
    expect(() => j.lock()).toThrow(LockedError);
    writeLock(j, 'garbage{', LEASE_MS + 5000);
    expect(j.lock().broken).toMatchObject({ pid: 0, why: expect.stringMatching(/empty or unreadable and untouched/) });
    expect(JSON.parse(readFileSync(j.lockFile, 'utf8'))).toMatchObject({ pid: process.pid, version: 2 });
    j.unlock();
  });

  it('the new holder sweeps temp files that killed processes left, and only those', () => {
    const { j } = fresh();
    const dead = 2 ** 22 + 7;
    const junk = [`lock.${dead}.0123456789abcdef.tmp`, `journal.jsonl.${dead}.tmp`, `journal.head.${dead}.tmp`];
    const keep = [`lock.${process.ppid}.0123456789abcdef.tmp`, 'notes.txt'];
    for (const f of [...junk, ...keep]) writeFileSync(join(j.dir, f), 'x');
    j.lock();
    expect(readdirSync(j.dir).sort()).toEqual([...keep, 'lock'].sort());
    j.unlock();
  });

  it('a lock that is a symbolic link is refused', async () => {
    const { j } = fresh();
    const { symlinkSync } = await import('node:fs');
    symlinkSync(join(j.dir, 'elsewhere'), j.lockFile);
    writeFileSync(join(j.dir, 'elsewhere'), JSON.stringify({ ...me(), pid: 2 ** 22 + 7 }));
    expect(() => j.lock()).toThrow(JournalError);
    expect(() => j.lock()).toThrow(/symbolic link/);
  });
});

describe('the lease', () => {
  it('the holder refreshes its lock every heartbeat, and notices when another process took it', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const { j } = fresh();
      j.lock();
      const old = new Date(Date.now() - 60_000);
      utimesSync(j.lockFile, old, old);
      vi.advanceTimersByTime(HEARTBEAT_MS);
      expect(Math.abs(statSync(j.lockFile).mtimeMs - Date.now())).toBeLessThan(2000);
      const lost: string[] = [];
      j.onLockLost = (why) => lost.push(why);
      writeFileSync(j.lockFile, JSON.stringify({ ...me(), token: 'someone-else' }));
      vi.advanceTimersByTime(HEARTBEAT_MS);
      expect(lost).toEqual([expect.stringContaining('is no longer this process')]);
      j.unlock();
      // not ours: left in place
      expect(JSON.parse(readFileSync(j.lockFile, 'utf8'))).toMatchObject({ token: 'someone-else' });
    } finally {
      vi.useRealTimers();
    }
  });
});

/** Processes that all try to take the same lock at the same moment; each prints won/refused and holds on. */
async function race(n: number, stateDir: string): Promise<string[]> {
  const go = join(stateDir, 'go');
  const script = `
    const { existsSync } = await import('node:fs');
    const { FileJournal } = await import(${JSON.stringify(join(ROOT, 'src/core/journal/store.ts'))});
    const j = new FileJournal(${JSON.stringify(stateDir)}, 'race');
    console.log('ready');
    while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 2));
    try { j.lock(); console.log('won'); } catch (e) { console.log(e.constructor.name); }
    setInterval(() => {}, 1000);`;
  const outs: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(c);
    outs.push('');
    c.stdout!.on('data', (d) => (outs[i] += d));
  }
  const until = async (cond: () => boolean) => {
    const end = Date.now() + 60_000;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out: ${JSON.stringify(outs)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until(() => outs.every((o) => o.includes('ready')));
  writeFileSync(go, '');
  await until(() => outs.every((o) => o.split('\n').length > 2));
  return outs.map((o) => o.split('\n')[1]!);
}

describe('processes racing for one lock', () => {
  it('on a new incident exactly one wins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-race-'));
    const got = await race(5, dir);
    expect(got.filter((x) => x === 'won')).toHaveLength(1);
    expect(got.filter((x) => x === 'LockedError')).toHaveLength(4);
  }, 90_000);

  it("taking over a dead owner's lock, exactly one wins", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-race-'));
    const j = new FileJournal(dir, 'race');
    mkdirSync(j.dir, { recursive: true });
    writeLock(j, { ...me(), pid: 2 ** 22 + 7 });
    const got = await race(5, dir);
    expect(got.filter((x) => x === 'won')).toHaveLength(1);
    expect(got.filter((x) => x === 'LockedError')).toHaveLength(4);
  }, 90_000);
});

describe('disk full', () => {
  it('ENOSPC becomes a clear error naming the path (exit 1); other errors pass through', () => {
    const e = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/s/incidents/x/drill/workspace/a' });
    const mapped = diskFull(e, '/s/incidents/x') as JournalError;
    expect(mapped).toBeInstanceOf(JournalError);
    expect(mapped.exitCode).toBe(1);
    expect(mapped.message).toBe('disk full writing /s/incidents/x/drill/workspace/a: free space and re-run the same command');
    const other = new Error('boom');
    expect(diskFull(other, '/s')).toBe(other);
  });
});
