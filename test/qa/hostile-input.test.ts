/**
 * Hostile input through the built CLI: each gives a clear error with its position or flag,
 * exit code 2, no stack trace, nothing acted on by the terminal.
 * - a runbook whose ids hold escape sequences: the code frame SHOWS them (␛), the message reads
 *   as a sentence (it said "must be use letters…");
 * - a state directory under /proc: it hung for ever (Node's recursive mkdir spins on ENOENT
 *   there, ignoring SIGTERM) — now exit 2 naming the folder;
 * - alias bombs, huge and deeply nested documents, __proto__ keys: refused with positions.
 */
import { existsSync, mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { mkdirTree } from '../../src/core/mkdir.js';
import { patternMessage } from '../../src/core/runbook/zod-issues.js';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'runbook-qa-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at [\w.<>]+ \(/);

describe('hostile runbooks', () => {
  it('escape sequences in ids: shown in the frame as symbols, never sent raw; the message is a sentence', () => {
    const f = write('ansi.yaml', 'version: 1\nid: "evil\u001b[2J"\ntitle: t\nsteps:\n  - id: "s\u001b]0;pwned\u0007x"\n    kind: manual\n    title: t\n');
    const r = cli(['validate', f]);
    expect(r.code).toBe(2);
    const out = r.stdout + r.stderr;
    expect(out).toContain('ansi.yaml:2:5  id: use letters, digits');
    expect(out).not.toContain('must be use');
    expect(out).toContain('id: "evil␛[2J"');
    expect(out).toContain('id: "s␛]0;pwned␇x"');
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u0007');
    noStack(out);
  });

  it('pattern messages read as one sentence whichever way the schema wrote them', () => {
    expect(patternMessage('an HTTP header name')).toBe('must be an HTTP header name');
    expect(patternMessage('must be an AWS region such as us-east-1')).toBe('must be an AWS region such as us-east-1');
    expect(patternMessage('a ref cannot start with "-"')).toBe('a ref cannot start with "-"');
    expect(patternMessage('Invalid string: must match pattern /^x$/')).toBe('must match pattern /^x$/');
  });

  it.each([
    ['bomb.yaml', 'a: &a [1,2,3]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\n', /bomb\.yaml:2:8 .*aliases \(\*a\) are not allowed/],
    ['deep.yaml', 'a: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n', /deep\.yaml:1:\d+ +the document is nested too deeply/],
    ['proto.yaml', 'version: 1\nid: x\ntitle: t\n__proto__: {polluted: 1}\nsteps: []\n', /proto\.yaml:4:1 +__proto__: the key "__proto__" is not allowed/],
    ['huge.yaml', 'version: 1\nid: x\ntitle: ' + 'a'.repeat(5 * 1024 * 1024) + '\n', /huge\.yaml +file is \d+ bytes; the limit is 4194304 bytes/],
  ])('%s: exit 2 with its position', (name, text, message) => {
    const r = cli(['validate', write(name, text)]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    noStack(r.stdout + r.stderr);
  });
});

describe('a state directory that cannot be made', () => {
  it.skipIf(platform() !== 'linux' || !existsSync('/proc/self'))('under /proc: exit 2 naming it at once (it used to spin for ever)', () => {
    const r = cli(['run', 'runbooks/examples/leaked-token-triage.yaml', '--yes', '--state-dir', '/proc/runbook-qa/state'], { timeout: 30_000 });
    expect(r.signal, 'the CLI hung and was killed').toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot create the state directory /proc/runbook-qa/state: ENOENT');
    noStack(r.stderr);
  });

  it('mkdirTree makes every missing level, accepts an existing folder, and refuses a file in the way', () => {
    const deep = join(dir, 'a', 'b', 'c');
    mkdirTree(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect((statSync(join(dir, 'a')).mode & 0o777).toString(8)).toBe('700');
    mkdirTree(deep);
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => mkdirTree(join(dir, 'file'))).toThrow(/EEXIST/);
    expect(() => mkdirTree(join(dir, 'file', 'sub'))).toThrow(/ENOTDIR/);
    mkdirSync(join(dir, 'x'));
    expect(() => mkdirTree('/proc/runbook-qa/x')).toThrow(/ENOENT/);
  });
});
