/**
 * The one atomic file write: a fresh temp file beside the target (created with the final mode,
 * so it is never readable by others, even briefly), written, fsynced, renamed over the target,
 * and the folder fsynced so the rename survives a power cut. A crash leaves the old file or the
 * new one, never a torn one.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already renamed */
    }
    throw e;
  }
  fsyncDir(dirname(file));
}

/** fsync a folder so a rename or a new entry in it survives a power cut; a no-op where folders cannot be fsynced. */
export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some filesystems (and platforms) do not support directory fsync: the rename itself is done */
  }
}
