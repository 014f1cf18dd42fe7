/**
 * The incident lock: one process at a time runs an incident.
 *
 *   <incident>/lock   {"version":2,"token","pid","host","user","startedAt","procStart","bootId","pidNs","leaseMs"}
 *
 * Taking it is atomic: the owner's record is written to a private temp file, fsynced, then
 * hard-linked to `lock` (link fails if `lock` exists), so `lock` is never seen half-written and
 * two processes can never both create it.
 *
 * When `lock` exists, its owner is judged, never trusted:
 * - same host (same hostname and pid namespace): alive only if the pid runs AND is the same
 *   process — its start time (/proc/<pid>/stat field 22, clock ticks since boot) equals the one
 *   recorded at acquisition, and the machine has not rebooted since (boot id). A pid that is gone
 *   or now belongs to another process is a dead owner: the lock is taken over without a flag.
 * - another host: a lease. The owner refreshes the lock's mtime every HEARTBEAT_MS; a lock not
 *   refreshed for LEASE_MS has an expired lease. A fresh lease is a live owner.
 * - an empty, unreadable or garbage lock file (no runbook writes one: acquisition is atomic) is
 *   judged by its age: untouched for longer than the lease, nobody holds it.
 *
 * A live owner's lock is never broken, not even with --break-lock. --break-lock only takes a lock
 * whose owner cannot be proven alive or dead (another host's expired lease, a running pid whose
 * start time cannot be read). A take-over is serialised by `lock.breaking` (created with O_EXCL)
 * so that two processes that judged the same dead lock cannot both replace it.
 */
import { closeSync, constants, fstatSync, readdirSync, fsyncSync, linkSync, lstatSync, lutimesSync, openSync, readFileSync, readlinkSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { JournalError, LockedError, type LockOwner } from '../errors.js';
import { fsyncDir } from '../atomic-write.js';

/** A lock not refreshed for this long has an expired lease (another host; unreadable lock files). */
export const LEASE_MS = 30_000;
/** How often the owner refreshes its lock (mtime). */
export const HEARTBEAT_MS = 10_000;
/** A `lock.breaking` file older than this is left over from a process killed while taking over. */
const BREAKING_STALE_MS = 5_000;

export interface LockRecord extends LockOwner {
  version: 2;
  /** random: tells this owner's lock from a later one with the same pid */
  token: string;
  /** /proc/<pid>/stat field 22 of the owner, when readable */
  procStart?: string;
  bootId?: string;
  pidNs?: string;
  leaseMs: number;
}

/** The owner of a lock that was taken over, and why it was judged gone. */
export type TakenLock = LockOwner & { why: string; forced?: boolean };

export type Liveness = 'alive' | 'dead' | 'unknown';
export interface Verdict {
  live: Liveness;
  why: string;
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readSmall(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Start time of a process in clock ticks since boot (/proc/<pid>/stat field 22), if readable. */
export function procStartOf(pid: number | 'self'): string | undefined {
  const stat = readSmall(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // field 2 (comm) is in parentheses and may hold spaces: count from the last ')'
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const v = rest[19]; // fields 3… → index 0 is field 3, so field 22 is index 19
  return v && /^\d+$/.test(v) ? v : undefined;
}

export function bootId(): string | undefined {
  return readSmall('/proc/sys/kernel/random/boot_id')?.trim() || undefined;
}

function pidNs(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

export function ownRecord(user: string): LockRecord {
  return {
    version: 2,
    token: randomBytes(8).toString('hex'),
    pid: process.pid,
    host: hostname(),
    user,
    startedAt: new Date().toISOString(),
    procStart: procStartOf('self'),
    bootId: bootId(),
    pidNs: pidNs(),
    leaseMs: LEASE_MS,
  };
}

export function parseLock(text: string | undefined): LockRecord | LockOwner | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as LockRecord;
    if (v && typeof v === 'object' && Number.isInteger(v.pid) && v.pid > 0 && typeof v.host === 'string') return v;
  } catch {
    /* garbage */
  }
  return undefined;
}

const secs = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

/** Is the owner of a lock alive? `ageMs`: time since the lock file was last written or refreshed. */
export function judge(owner: LockRecord | LockOwner | undefined, ageMs: number, now = { host: hostname(), bootId: bootId(), pidNs: pidNs() }): Verdict {
  if (!owner) {
    return ageMs > LEASE_MS
      ? { live: 'dead', why: `the lock file is empty or unreadable and untouched for ${secs(ageMs)} (longer than the ${secs(LEASE_MS)} lease): no runbook process holds it` }
      : { live: 'unknown', why: `the lock file is empty or unreadable and was written ${secs(ageMs)} ago` };
  }
  const rec = owner as Partial<LockRecord>;
  const lease = rec.leaseMs && rec.leaseMs > 0 ? rec.leaseMs : LEASE_MS;
  const sameHost = owner.host === now.host && (!rec.pidNs || !now.pidNs || rec.pidNs === now.pidNs);
  if (sameHost) {
    if (rec.bootId && now.bootId && rec.bootId !== now.bootId) return { live: 'dead', why: `this machine restarted since pid ${owner.pid} took the lock` };
    if (!isPidAlive(owner.pid)) return { live: 'dead', why: `pid ${owner.pid} is not running` };
    const start = procStartOf(owner.pid);
    if (rec.procStart && start) {
      return rec.procStart === start
        ? { live: 'alive', why: `pid ${owner.pid} is running (the same process: its start time matches)` }
        : { live: 'dead', why: `pid ${owner.pid} is now another process (its start time differs from the lock's)` };
    }
    return ageMs <= lease
      ? { live: 'alive', why: `pid ${owner.pid} is running and refreshed the lock ${secs(ageMs)} ago` }
      : { live: 'unknown', why: `pid ${owner.pid} is running but has not refreshed the lock for ${secs(ageMs)} (it may be another process)` };
  }
  return ageMs <= lease
    ? { live: 'alive', why: `${owner.host} refreshed its lease ${secs(ageMs)} ago (lease ${secs(lease)})` }
    : { live: 'unknown', why: `the lease of ${owner.host} expired ${secs(ageMs - lease)} ago (not refreshed for ${secs(ageMs)})` };
}

function ownerOf(o: LockRecord | LockOwner | undefined): LockOwner {
  return o ? { pid: o.pid, host: o.host, user: o.user ?? 'unknown', startedAt: o.startedAt ?? 'unknown' } : { pid: 0, host: 'unknown', user: 'unknown', startedAt: 'unknown' };
}

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Write `text` to a new file (O_EXCL, no symlink), fsynced. */
function writeNew(path: string, text: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    try {
      unlinkSync(path);
    } catch {
      /* gone */
    }
    throw e;
  } finally {
    closeSync(fd);
  }
}

interface Seen {
  owner: LockRecord | LockOwner | undefined;
  ino: number;
  ageMs: number;
}

function look(path: string): Seen | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
  } catch (e) {
    if (errCode(e) === 'ENOENT') return undefined;
    if (errCode(e) === 'ELOOP') throw new JournalError(`the lock ${path} is a symbolic link: runbook does not follow links in its state directory`, { nextSteps: ['Remove the link (it was not made by runbook), then run the same command again.'] });
    throw e;
  }
  try {
    const st = fstatSync(fd);
    const buf = Buffer.alloc(Math.min(st.size, 4096));
    const n = buf.length ? readSync(fd, buf, 0, buf.length, 0) : 0;
    return { owner: parseLock(buf.subarray(0, n).toString('utf8')), ino: st.ino, ageMs: Date.now() - st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/**
 * Run `fn` holding `<lock>.breaking`. Returns false when another process is taking the lock over
 * right now (it did not finish within a couple of seconds).
 */
function withBreaking(path: string, me: LockRecord, fn: () => void): boolean {
  const guard = `${path}.breaking`;
  for (let i = 0; i < 100; i++) {
    try {
      writeNew(guard, JSON.stringify(me));
    } catch (e) {
      if (errCode(e) !== 'EEXIST') throw e;
      const seen = look(guard);
      if (seen && (seen.ageMs > BREAKING_STALE_MS || judge(seen.owner, seen.ageMs).live === 'dead')) {
        // left by a process killed while taking over: remove exactly that file
        try {
          if (lstatSync(guard).ino === seen.ino) unlinkSync(guard);
        } catch {
          /* gone already */
        }
      } else sleepSync(20);
      continue;
    }
    try {
      fn();
    } finally {
      try {
        unlinkSync(guard);
      } catch {
        /* gone */
      }
    }
    return true;
  }
  return false;
}

export interface Acquired {
  record: LockRecord;
  taken?: TakenLock;
}

/** Take the lock at `path` (see the top of this file). Throws LockedError when it must not be taken. */
export function acquire(path: string, incident: string, user: string, breakLock: boolean): Acquired {
  const me = ownRecord(user);
  const tmp = `${path}.${process.pid}.${me.token}.tmp`;
  try {
    writeNew(tmp, JSON.stringify(me));
  } catch (e) {
    if (errCode(e) === 'ENOSPC' || errCode(e) === 'EDQUOT') throw new JournalError(`disk full writing ${path}: free space and re-run the same command`, { nextSteps: ['Nothing was called. Free disk space (or use another --state-dir), then run the same command again.'] });
    throw new JournalError(`cannot create the lock ${path}: ${errCode(e) ?? (e as Error).message}`, { nextSteps: ['Check that the state directory is writable.'] });
  }
  let taken: TakenLock | undefined;
  try {
    for (let tries = 0; tries < 20; tries++) {
      try {
        linkSync(tmp, path);
        return { record: me, taken };
      } catch (e) {
        if (errCode(e) !== 'EEXIST') throw new JournalError(`cannot create the lock ${path}: ${diskWords(e, path)}`, { nextSteps: ['Check that the state directory is writable.'] });
      }
      const seen = look(path);
      if (!seen) continue; // released in between: try again
      const v = judge(seen.owner, seen.ageMs);
      const owner = ownerOf(seen.owner);
      if (v.live === 'alive') {
        throw new LockedError(incident, owner, {
          nextSteps: [
            `Its owner is alive: ${v.why}. A live owner's lock is never broken (not even with --break-lock).`,
            owner.host === hostname() ? `Wait for that run to finish, or stop it (kill ${owner.pid}: it stops cleanly and releases the lock), then run the same command again.` : `Wait for that run to finish, or stop it on ${owner.host}, then run the same command again.`,
          ],
        });
      }
      if (v.live === 'unknown' && !breakLock) {
        throw new LockedError(incident, owner, {
          nextSteps: [`runbook cannot tell whether its owner is alive: ${v.why}.`, `If that process is gone (check ${owner.host === hostname() ? `pid ${owner.pid}` : `on ${owner.host}`}), take the lock with --break-lock.`],
        });
      }
      let changed = false;
      const ok = withBreaking(path, me, () => {
        // replace exactly the lock that was judged, nothing that appeared since
        let ino: number | undefined;
        try {
          ino = lstatSync(path).ino;
        } catch {
          ino = undefined;
        }
        if (ino !== seen.ino) {
          changed = true;
          return;
        }
        unlinkSync(path);
      });
      if (!ok) throw new LockedError(incident, owner, { nextSteps: ['Another process is taking over this lock right now; run the same command again in a moment.'] });
      if (!changed) taken = { ...owner, why: v.why, ...(v.live === 'unknown' ? { forced: true } : {}) };
    }
    throw new JournalError(`could not take the lock ${path}: it kept changing`, { nextSteps: ['Another process is starting this incident; run the same command again in a moment.'] });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* gone */
    }
  }
}

/** Is the lock at `path` still the one this owner made? */
export function stillOurs(path: string, token: string): boolean {
  try {
    const o = parseLock(readFileSync(path, 'utf8')) as LockRecord | undefined;
    return o?.token === token;
  } catch {
    return false;
  }
}

/** Refresh the lease (the lock's mtime). */
export function heartbeat(path: string): void {
  const now = new Date();
  lutimesSync(path, now, now);
}

/** Remove the lock if it is still ours. */
export function release(path: string, token: string): void {
  if (stillOurs(path, token)) {
    try {
      unlinkSync(path);
    } catch {
      /* gone */
    }
  }
}

/** An errno in words for messages: disk full gets its own. */
export function diskWords(e: unknown, path: string): string {
  const code = errCode(e);
  if (code === 'ENOSPC' || code === 'EDQUOT') return `disk full writing ${path}`;
  return code ?? (e as Error)?.message ?? String(e);
}

/** What a failed write of the journal at `location` tells the operator (nothing was called). */
export function writeError(location: string, e: unknown): JournalError {
  if (e instanceof JournalError) return e;
  const full = errCode(e) === 'ENOSPC' || errCode(e) === 'EDQUOT';
  return new JournalError(full ? `${diskWords(e, location)}: free space and re-run the same command — nothing was called` : `cannot write the journal ${location}: ${errCode(e) ?? (e as Error).message} — nothing was called`, {
    nextSteps: [full ? 'Free disk space, then run the same command again to resume.' : 'Fix permissions, then run the same command again to resume.'],
  });
}

/** Temp files that processes killed mid-write left in the incident folder (the lock holder sweeps them). */
const TEMP_RE = /^(?:lock\.(\d+)\.[0-9a-f]+\.tmp|journal\.(?:jsonl|head)\.(\d+)\.tmp)$/;

export function sweepTemps(dir: string): void {
  try {
    for (const name of readdirSync(dir)) {
      const m = TEMP_RE.exec(name);
      const pid = Number(m?.[1] ?? m?.[2]);
      if (m && pid !== process.pid && !isPidAlive(pid)) unlinkSync(join(dir, name));
    }
  } catch {
    /* best effort */
  }
}

/**
 * A lock this process holds: taken (the folder fsynced, temp files of a dead writer swept), kept
 * fresh by a heartbeat (onLost when another process took it meanwhile), and released at
 * release() or, after a second Ctrl-C, as the process exits.
 */
export class HeldLock {
  readonly record: LockRecord;
  /** the owner of a lock taken over (a process that was gone) */
  readonly taken: TakenLock | undefined;
  readonly #file: string;
  readonly #beat: NodeJS.Timeout;
  readonly #onExit: () => void;

  constructor(file: string, dir: string, incident: string, user: string, breakLock: boolean, onLost: (why: string) => void) {
    const { record, taken } = acquire(file, incident, user, breakLock);
    fsyncDir(dir);
    sweepTemps(dir);
    this.#file = file;
    this.record = record;
    this.taken = taken;
    this.#beat = setInterval(() => {
      if (!stillOurs(file, record.token)) {
        clearInterval(this.#beat);
        onLost(`the lock ${file} is no longer this process's (another process took it)`);
        return;
      }
      try {
        heartbeat(file);
      } catch {
        /* the next beat tries again */
      }
    }, HEARTBEAT_MS);
    this.#beat.unref();
    // a second Ctrl-C exits at once: the lock goes with the process
    this.#onExit = () => release(file, record.token);
    process.on('exit', this.#onExit);
  }

  release(): void {
    clearInterval(this.#beat);
    process.off('exit', this.#onExit);
    release(this.#file, this.record.token);
  }
}
