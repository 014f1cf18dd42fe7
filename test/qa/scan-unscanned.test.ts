/**
 * `runbook scan` / `runbook triage` never call a file they did not read "clean": a file named on
 * the command line that is too large (a 50 MB one-line file holding a key), binary or a symlink
 * (a loop included) is an error naming it (exit 2, no stack trace); files skipped inside a folder
 * are counted on stderr. A folder with a path holding spaces is scanned as usual (exit 1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { cli, ensureBuilt } from '../e2e/cli.js';

// an AWS-shaped key id generated at test time (base32 alphabet, as AWS's are); never a real one
const KEY = 'AKIA' + Array.from({ length: 16 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[randomInt(32)]).join('');
let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'runbook-qa-scan-'));
  // 6 MB on one line, the key at its end: over the 5 MiB cap
  writeFileSync(join(dir, 'big one.txt'), 'a'.repeat(6 * 1024 * 1024) + ` ${KEY}\n`);
  writeFileSync(join(dir, 'bin.dat'), Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(` ${KEY}\n`)]));
  symlinkSync('loop-b', join(dir, 'loop-a'));
  symlinkSync('loop-a', join(dir, 'loop-b'));
  mkdirSync(join(dir, 'src dir'));
  writeFileSync(join(dir, 'src dir', 'conf.txt'), `aws_access_key_id = ${KEY}\n`);
}, 120_000);

describe('scan: files not read are never reported clean', () => {
  it.each([
    ['big one.txt', /not scanned: big one\.txt: larger than 5 MiB/],
    ['bin.dat', /not scanned: bin\.dat: binary/],
    ['loop-a', /not scanned: loop-a: a symbolic link, not followed\n.*scan the file it points to/],
  ])('%s named on the command line: exit 2 naming it', (name, message) => {
    for (const verb of ['scan', 'triage']) {
      const r = cli([verb, name], { cwd: dir });
      expect(r.code, `${verb}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).not.toContain('no credentials found');
    }
  });

  it('a folder: what was skipped is counted on stderr; findings exit 1; the value is masked', () => {
    const r = cli(['scan', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`src dir/conf.txt:1  an AWS access key id ${KEY}`);
    expect(r.stderr).toContain('not scanned: 1 file over 5 MiB, 1 binary file, 2 other entries (symbolic links, FIFOs, devices, sockets, unreadable)');
    const j = cli(['scan', '.', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(j.stdout).stats).toMatchObject({ skipped_large: 1, skipped_binary: 1, skipped_other: 2 });
  });
});
