/**
 * Files that are not files: a FIFO, /dev/zero, /dev/null named where a runbook, a scenario,
 * a secret or a file to scan is expected.
 * - `validate FIFO`, `list FIFO` and `drill --scenario FIFO` blocked in open() for ever — the main thread
 *   never reached its SIGTERM handler, so `timeout` could not stop them (kill -9 only);
 * - `drill --scenario /dev/zero` read until V8 aborted (std::bad_alloc, a core dump);
 * - `scan FIFO` / `scan /dev/zero` said "no credentials found in 0 files", exit 0;
 * - a `from: file` secret whose path is a FIFO, and `scan --from gitleaks FIFO`, waited for a writer.
 * Each is now exit 2 naming the path and what it is, at once, no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../e2e/cli.js';
import { FileNotReadError, readRegularFile } from '../../src/core/read-file.js';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'runbook-qa-files-'));
  spawnSync('mkfifo', [join(dir, 'fifo.yaml')]);
  mkdirSync(join(dir, 'tree'));
  spawnSync('mkfifo', [join(dir, 'tree', 'pipe')]);
  writeFileSync(join(dir, 'tree', 'a.txt'), 'nothing here\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The built CLI, killed with SIGKILL after 20 s (a process blocked in open() ignores SIGTERM). */
function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' },
    input: '',
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
  });
  const out = r.stdout + r.stderr;
  expect(r.signal, `hung or crashed: ${out}`).toBeNull();
  expect(out).not.toMatch(/\n\s+at [\w.<>]+ \(|bad_alloc/);
  return { code: r.status, out };
}

describe('a FIFO or device where a file is expected', () => {
  it.each([
    [['validate', 'fifo.yaml'], /fifo\.yaml +not a regular file \(a FIFO\), not read: give the runbook's YAML file/],
    [['validate', '/dev/zero'], /\/dev\/zero +not a regular file \(a device\)/],
    [['list', 'fifo.yaml', '/dev/zero'], /list: fifo\.yaml is invalid \(1 problem\); run: .* validate fifo\.yaml\n.*\/dev\/zero is invalid/],
    [['drill', 'slack-token-leak', '--yes', '--scenario', 'fifo.yaml', '--state-dir', 'st'], /scenario file .*fifo\.yaml: not a regular file \(a FIFO\), not read\n.*--scenario FILE/],
    [['drill', 'slack-token-leak', '--yes', '--scenario', '/dev/zero', '--state-dir', 'st'], /scenario file \/dev\/zero: not a regular file \(a device\)/],
    [['scan', 'fifo.yaml'], /not scanned: fifo\.yaml: not a regular file \(a FIFO\), not read\n.*copy what it holds into a file/],
    [['scan', '/dev/zero'], /not scanned: \/dev\/zero: not a regular file \(a device\)/],
    [['scan', '/dev/null'], /not scanned: \/dev\/null: not a regular file \(a device\)/],
    [['scan', '--from', 'gitleaks', 'fifo.yaml'], /the gitleaks report fifo\.yaml: not a regular file \(a FIFO\), not read/],
  ])('%j: exit 2 at once, naming it', (args, message) => {
    const r = run(args);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(message);
    expect(r.out).not.toContain('no credentials found');
  });

  it('a folder holding a FIFO: scanned, the FIFO counted as not read, never opened', () => {
    const r = run(['scan', 'tree']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('not scanned: 1 other entry (symbolic links, FIFOs, devices, sockets, unreadable)');
    expect(r.out).toContain('no credentials found in 1 file');
  });

  it('a plugin path that is a FIFO: exit 2 naming it (import() waited on it for ever)', () => {
    writeFileSync(join(dir, 'pl.yaml'), 'version: 1\nid: pl\ntitle: t\nplugins: [./fifo.yaml]\nsteps:\n  - id: m\n    kind: manual\n    title: t\n');
    const r = run(['validate', 'pl.yaml']);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(/cannot load provider plugin \.\/fifo\.yaml: .*fifo\.yaml is not a regular file \(a FIFO\)/);
  });

  it('a from: file secret that is a FIFO: exit 2 naming it, not a wait for a writer', () => {
    writeFileSync(
      join(dir, 'sec.yaml'),
      'version: 1\nid: sec\ntitle: t\nsecrets:\n  tok: {from: file, path: ./fifo.yaml}\nproviders:\n  sh: {type: shell}\nsteps:\n  - id: a\n    kind: detect\n    title: t\n    uses: sh.run\n    with:\n      command: ["true"]\n      env: {T: "${{ secrets.tok }}"}\n',
    );
    const r = run(['run', 'sec.yaml', '--yes', '--state-dir', 'st']);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(/secret "tok": .*fifo\.yaml is not a regular file \(a FIFO\)/);
  });
});

describe('readRegularFile', () => {
  it('reads a regular file whole, refuses one over the cap and a device', () => {
    const f = join(dir, 'r.txt');
    writeFileSync(f, 'x'.repeat(100_000));
    expect(readRegularFile(f, 100_000)).toHaveLength(100_000);
    appendFileSync(f, 'y');
    expect(() => readRegularFile(f, 100_000)).toThrow(FileNotReadError);
    expect(() => readRegularFile('/dev/zero', 10)).toThrow(/not a regular file \(a device\)/);
    expect(() => readRegularFile(dir, 10)).toThrow(/not a regular file \(a folder\)/);
  });
});
