/**
 * A journal's first record: written whole to a temp file (and its head to another), fsynced,
 * then linked into place — the head first — so an incident's journal is never seen empty or
 * half-written. The store (store.ts) fsyncs the folder and opens the file after.
 */
import { closeSync, constants, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { JournalError } from '../errors.js';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

function unlinkQuietly(f: string): void {
  try {
    unlinkSync(f);
  } catch {
    /* not there */
  }
}

export function createWhole(file: string, headFile: string, location: string, buf: Buffer, head: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const headTmp = `${headFile}.${process.pid}.tmp`;
  // left by a killed process with our pid: we hold the lock
  unlinkQuietly(tmp);
  unlinkQuietly(headTmp);
  const excl = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;
  try {
    const hfd = openSync(headTmp, excl, 0o600);
    try {
      writeSync(hfd, head);
    } finally {
      closeSync(hfd);
    }
    const fd = openSync(tmp, excl, 0o600);
    try {
      writeSync(fd, buf);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(headTmp, headFile);
    linkSync(tmp, file);
  } catch (e) {
    unlinkQuietly(tmp);
    unlinkQuietly(headTmp);
    if ((e as NodeJS.ErrnoException)?.code === 'EEXIST') throw new JournalError(`journal ${location} appeared while this run was creating it — nothing was called`, { nextSteps: ['Another program writes this incident without its lock. Run the same command again to resume it.'] });
    throw e;
  }
  unlinkSync(tmp);
}
