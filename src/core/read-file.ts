/**
 * Reading a file a user named (a runbook, a scenario): only a regular file, and only up to a
 * size. A FIFO made to look like a runbook blocked `open()` for ever (the main thread never
 * got back to its SIGTERM handler, so even `timeout` could not stop it); `/dev/zero` reports
 * size 0 and was read until the process ran out of memory. The file is opened without waiting
 * (O_NONBLOCK: a FIFO opens at once) and judged by fstat on that descriptor before a byte is read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Why a named file was not read: not a regular file, or larger than the cap. */
export class FileNotReadError extends Error {
  readonly code: 'ENOTREG' | 'EFBIG';
  constructor(code: 'ENOTREG' | 'EFBIG', message: string) {
    super(message);
    this.code = code;
  }
}

/** "a FIFO", "a device", "a socket" — what a path that is not a regular file is. */
export function specialKind(st: Stats): string {
  return st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a folder' : 'a device';
}

/**
 * The UTF-8 text of a regular file of at most `max` bytes. Throws FileNotReadError (ENOTREG:
 * a FIFO, device or socket; EFBIG: over `max`, also when it grows while read) or the open's
 * own error (ENOENT, EACCES, EISDIR …).
 */
export function readRegularFile(path: string, max: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileNotReadError('ENOTREG', `not a regular file (${specialKind(st)}), not read`);
    if (st.size > max) throw new FileNotReadError('EFBIG', `file is ${st.size} bytes; the limit is ${max} bytes`);
    const parts: Buffer[] = [];
    let n = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.max(Math.min(st.size - n, max + 1 - n), 64 * 1024));
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      parts.push(buf.subarray(0, got));
      n += got;
      if (n > max) throw new FileNotReadError('EFBIG', `file grew past the limit of ${max} bytes while it was read`);
    }
    return Buffer.concat(parts, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
