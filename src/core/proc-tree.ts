/**
 * Finding the processes a child left behind, for exec.ts (Linux /proc; elsewhere nothing is
 * found and exec falls back to the process group and to closing its pipes).
 *
 * A child can leave its process group (`setsid`, `setpgid`) and so escape a group kill; if it
 * also keeps our stdout pipe open, the step would wait for it. Two ways to find such a process:
 * - by parentage: every process whose ppid chain leads to the leader (while the chain holds:
 *   once an intermediate parent exits, its children are re-parented to init or a subreaper);
 * - by what it holds: every process with a file descriptor on the child's stdout or stderr,
 *   whatever its parentage (that is exactly what keeps us waiting).
 * Each found process is remembered with its start time, so a pid the kernel reuses later is
 * never signalled by mistake.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Found {
  pid: number;
  /** start time in clock ticks since boot (field 22 of /proc/<pid>/stat) */
  start: string;
}

const HAS_PROC = process.platform === 'linux';

function stat(pid: number): { ppid: number; start: string; zombie: boolean } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // rest[0] = state (field 3), rest[1] = ppid (field 4), rest[19] = starttime (field 22)
    return { ppid: Number(rest[1]), start: rest[19] ?? '', zombie: rest[0] === 'Z' };
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  if (!HAS_PROC) return [];
  try {
    return readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .filter((p) => p !== process.pid);
  } catch {
    return [];
  }
}

/**
 * What a just-started child's stdout and stderr are (`socket:[123]`, `pipe:[456]`): node's
 * stdio pipes are socket pairs, whose two ends have different inodes, so the child's own end is
 * read from its /proc entry (right after spawn, while it surely runs).
 */
export function childStdio(pid: number | undefined): string[] {
  if (!HAS_PROC || pid === undefined) return [];
  const out: string[] = [];
  // (a command as short as `true` is often gone already: its ENOENT without a stack trace, which was most of the cost)
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const fd of [1, 2]) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (/^(?:socket|pipe):\[\d+\]$/.test(link)) out.push(link);
      } catch {
        /* already gone */
      }
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
  return out;
}

/** Every live process descending from `root` by parentage, and every one holding one of `links` (see childStdio). */
export function leftovers(root: number, links: readonly string[]): Found[] {
  const all = pids();
  if (all.length === 0) return [];
  const info = new Map<number, { ppid: number; start: string; zombie: boolean }>();
  for (const p of all) {
    const s = stat(p);
    if (s) info.set(p, s);
  }
  const found = new Set<number>();
  // descendants (breadth first over a ppid → children index)
  const kids = new Map<number, number[]>();
  for (const [p, s] of info) {
    const list = kids.get(s.ppid);
    if (list) list.push(p);
    else kids.set(s.ppid, [p]);
  }
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const k of kids.get(queue[i]!) ?? []) {
      if (found.has(k) || k === root) continue;
      found.add(k);
      queue.push(k);
    }
  }
  // holders of our pipes
  if (links.length) {
    const want = new Set(links);
    for (const p of info.keys()) {
      if (found.has(p)) continue;
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${p}/fd`);
      } catch {
        continue; // gone, or not ours to look at
      }
      for (const fd of fds) {
        try {
          if (want.has(readlinkSync(`/proc/${p}/fd/${fd}`))) {
            found.add(p);
            break;
          }
        } catch {
          /* closed meanwhile */
        }
      }
    }
  }
  return [...found].flatMap((pid) => {
    const s = info.get(pid)!;
    return s.zombie ? [] : [{ pid, start: s.start }];
  });
}

/** Signal a process found earlier, only if it is still the same process (same start time). */
export function signalFound(f: Found, sig: NodeJS.Signals): boolean {
  const s = stat(f.pid);
  if (!s || s.start !== f.start || s.zombie) return false;
  try {
    process.kill(f.pid, sig);
    return true;
  } catch {
    return false;
  }
}
