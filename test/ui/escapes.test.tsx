/**
 * Issue 11 item 11 — raw terminal escape sequences from inputs and child output are neutralised
 * in text mode and in the TUI, by one function in core (src/core/terminal-text.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { cleanup } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsonForTerminal, neutralise } from '../../src/core/terminal-text.js';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { begin, rec, setup, step } from './helpers.js';

afterEach(() => cleanup());

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Sequences a hostile value or child may print, each with what must not survive of it. */
const HOSTILE: [string, string][] = [
  ['\u001b[31mred\u001b[0m', '[31m'],
  ['\u001b[2J\u001b[H', '[2J'],
  ['\u001b]0;PWNED-TITLE\u0007', 'PWNED-TITLE'],
  ['\u001b]52;c;cm0gLXJmIH4=\u0007', 'cm0gLXJmIH4='],
  ['\u001b]8;;https://evil.test\u001b\\click\u001b]8;;\u001b\\', 'evil.test'],
  ['\u001bP+q544e\u001b\\', '544e'],
  ['\u009b31m', '31m'],
  ['\u009d0;C1-TITLE\u009c', 'C1-TITLE'],
  ['safe\rFAKE', '\r'],
  ['abc\u0008\u0008\u0008', '\u0008'],
  ['\u0007bell', '\u0007'],
  ['\u202egnp.exe', '\u202e'],
  ['\u001bc', '\u001b'],
];

describe('neutralise', () => {
  it.each(HOSTILE)('%j', (text, gone) => {
    const out = neutralise(text);
    expect(out).not.toMatch(RAW);
    expect(out).not.toContain(gone);
  });

  it('keeps ordinary text, tabs, newlines and unicode as they are', () => {
    const s = 'ünïcødé 😀\ttab\nline 2 — ok [31m not an escape';
    expect(neutralise(s)).toBe(s);
  });

  it('property: nothing a terminal acts on survives, and a second pass changes nothing', () => {
    const piece = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom(...HOSTILE.map(([t]) => t), '\u001b', '\u001b[', '\u001b]', '\u009b', '\u001bP'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (parts) => {
        const out = neutralise(parts.join(''));
        expect(out).not.toMatch(RAW);
        expect(neutralise(out)).toBe(out);
      }),
      { numRuns: 1000 },
    );
  });

  it('JSON for a terminal: the same value, with C1 and bidi controls as \\u escapes', () => {
    const json = JSON.stringify({ t: '\u009b31m \u202e x\u2028' });
    const out = jsonForTerminal(json);
    expect(out).not.toMatch(RAW);
    expect(JSON.parse(out)).toEqual(JSON.parse(json));
  });
});

describe('the TUI', () => {
  it('shows hostile step titles and log lines without their escape sequences', async () => {
    const t = setup();
    const title = 'Check \u001b]0;PWNED-TITLE\u0007\u001b[2Jtoken \u202eevil';
    t.emit(begin([step('a', { kind: 'detect', title })]), rec({ type: 'step.started', step: 'a' }));
    t.emit({ type: 'log', step: 'a', item: '-', stream: 'stdout', text: 'out \u001b]52;c;cm0gLXJmIH4=\u0007\u009b2Jdone\rFAKE', ts: Date.now() } as never);
    await t.until((f) => f.includes('Check') && f.includes('done'), 'title and log line');
    const raw = t.ui.lastFrame() ?? '';
    for (const gone of ['PWNED-TITLE', 'cm0gLXJmIH4=', '\u0007', '\u009b', '\u202e', '\r', '[2J']) expect(raw).not.toContain(gone);
    expect(t.frame()).toContain('Check token evil');
  });
});

describe('scripted text mode (built cli)', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('neutralises escapes from an input (in a title and a log) and from child output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-'));
    const file = join(dir, 'rb.yaml');
    writeFileSync(
      file,
      `version: 1
id: esc
title: Escapes
inputs:
  v: { type: string }
providers:
  sh: { type: shell }
steps:
  - id: a
    kind: detect
    title: "Check \${{ inputs.v }}"
    uses: sh.run
    with:
      command: [sh, -c, 'printf "%s\\n" "$V"; printf "\\033]52;c;cm0gLXJmIH4=\\007\\033[2J\\033]0;CHILD-TITLE\\007child done\\n"']
      env: { V: "\${{ inputs.v }}" }
`,
    );
    const v = 'in\u001b]0;INPUT-TITLE\u0007\u001b[31mred\u009b2J\u202eput';
    const r = cli(['run', file, '--yes', '--state-dir', join(dir, 'state'), '--input', `v=${v}`], { timeout: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('child done');
    expect(r.stderr).toContain('Check inredput');
    expect(r.stderr).not.toMatch(RAW);
    for (const gone of ['INPUT-TITLE', 'CHILD-TITLE', 'cm0gLXJmIH4=']) expect(r.stderr).not.toContain(gone);

    const j = cli(['run', file, '--yes', '--json', '--state-dir', join(dir, 'state2'), '--input', `v=${v}`], { timeout: 30_000 });
    expect(j.code, j.stderr).toBe(0);
    expect(j.stdout).not.toMatch(RAW);
    expect(j.stdout.split('\n').filter(Boolean).every((l) => JSON.parse(l))).toBe(true);
  }, 60_000);
});
