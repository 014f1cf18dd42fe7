/**
 * Issue 11, items 10 and 11: runbook-supplied regular expressions never backtrack (RE2), and
 * durations longer than a timer can wait are refused at validate with file:line:col.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRunbookText } from '../../src/core/runbook/load.js';
import { compilePattern } from '../../src/core/runbook/pattern.js';
import { resolveInputs } from '../../src/core/engine/inputs.js';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { issues } from './helpers/issues.js';
import { testRegistry } from './helpers/providers.js';

const withInput = (input: string) => `version: 1
id: t
title: T
inputs:
${input}
steps:
  - id: a
    kind: manual
    title: Do it
`;

const withTimeout = (t: string) => `version: 1
id: t
title: T
providers:
  sh: { type: shell }
steps:
  - id: a
    kind: detect
    title: Look
    uses: sh.run
    timeout: ${t}
    with:
      command: [echo, hi]
`;

describe('durations past the timer limit', () => {
  it.each(['600h', '2147484', '2147483648ms'])('refuses timeout: %s at its line and column', (t) => {
    const found = issues(withTimeout(t));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ line: 11, col: 14, path: 'steps[0].timeout' });
    expect(found[0]!.message).toMatch(/too long: a timer waits at most 2147483647 ms/);
  });

  it.each(['0s', '0ms', '0.0m'])('refuses a zero timeout: %s (as 0 always was; a zero watch interval would poll in a busy loop)', (t) => {
    const found = issues(withTimeout(t));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ line: 11, col: 14, path: 'steps[0].timeout' });
    expect(found[0]!.message).toMatch(/longer than zero|positive|greater than/);
  });

  it.each(['596h', '2147483', '2147483647ms', '30s'])('accepts timeout: %s', (t) => {
    expect(issues(withTimeout(t))).toEqual([]);
  });
});

describe('runbook patterns (RE2: no backtracking)', () => {
  it('a catastrophic pattern matches in linear time', () => {
    const p = compilePattern('(a+)+$');
    // with a backtracking engine this one call takes longer than the age of the universe
    expect(p.test('a'.repeat(100_000) + '!')).toBe(false);
    expect(p.test('aaaa')).toBe(true);
  });

  it('the whole value must match', () => {
    const p = compilePattern('[a-z]+|[0-9]+');
    expect(['abc', '123'].map(p.test)).toEqual([true, true]);
    expect(['abc1', '', 'x y'].map(p.test)).toEqual([false, false, false]);
  });

  it('refuses lookaround and backreferences with a clear error at file:line:col', () => {
    const found = issues(withInput('  v:\n    pattern: "(?=a)a"\n  w:\n    pattern: "(a)\\\\1"'));
    expect(found.map((i) => [i.line, i.col, i.path])).toEqual([
      [6, 14, 'inputs.v.pattern'],
      [8, 14, 'inputs.w.pattern'],
    ]);
    for (const i of found) expect(i.message).toMatch(/not a valid regular expression: .*RE2 dialect, which never backtracks/);
  });

  it('checks a default against the pattern (RE2)', () => {
    const found = issues(withInput('  v:\n    pattern: "(a+)+$"\n    default: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"'));
    expect(found.map((i) => [i.line, i.path, i.message])).toEqual([[7, 'inputs.v.default', 'default does not match pattern']]);
  });

  it('checks --input values against the pattern (RE2)', async () => {
    const lr = loadRunbookText(withInput('  v:\n    pattern: "(a+)+$"\n    required: true'), 'rb.yaml', { registry: testRegistry() });
    await expect(resolveInputs(lr.runbook.inputs, { v: 'a'.repeat(5000) + '!' }, {})).rejects.toThrow(/does not match the pattern/);
    await expect(resolveInputs(lr.runbook.inputs, { v: 'aaa' }, {})).resolves.toMatchObject({ v: 'aaa' });
  });
});

describe('the built cli', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('validate answers at once for a ReDoS pattern (was 90–110 s, deaf to SIGTERM)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redos-'));
    const file = join(dir, 'redos.yaml');
    writeFileSync(file, withInput(`  v:\n    pattern: "(a+)+$"\n    default: "${'a'.repeat(40)}!"`));
    const r = cli(['validate', file], { timeout: 20_000 });
    expect(r.signal, 'validate was still running after 20 s').toBeNull();
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${file}:7:14  inputs.v.default: default does not match pattern`);
  }, 30_000);
});
