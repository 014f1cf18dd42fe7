/**
 * validate reports every problem in one run — also the semantic problems inside a block (a
 * repeat, its inner steps, a watch) that holds a schema error of its own, each at its
 * file:line:col, and nothing about the stand-ins that got the schema errors past the schema.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError, type Issue } from '../../src/core/errors.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';

function issues(text: string): Issue[] {
  try {
    loadRunbookText(text, 'rb.yaml');
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  return [];
}

/** line:col (1-based) of `needle` (+ skip) in text; the needle must be unique */
function pos(text: string, needle: string, skip = 0): string {
  const at = text.indexOf(needle);
  if (at < 0 || text.indexOf(needle, at + 1) >= 0) throw new Error(`needle not unique: ${needle}`);
  const i = at + skip;
  const line = text.slice(0, i).split('\n').length;
  return `${line}:${i - text.lastIndexOf('\n', i - 1)}`;
}

interface Problem {
  /** the slot it fills, and the text it puts there */
  slot: string;
  text: string;
  /** where validate must report it */
  path: string;
  needle: string;
  skip?: number;
  message: RegExp;
}

/** Independent problems: schema ones and semantic ones, several in the same nested block. */
const PROBLEMS: Problem[] = [
  { slot: 'ATTEMPTS', text: '99', path: 'steps[0].retry.attempts', needle: 'attempts: 99', skip: 10, message: /at most 20/ },
  { slot: 'UNTIL', text: '${{ steps.nope.outputs.x == 1 }}', path: 'steps[1].repeat.until', needle: 'steps.nope.', message: /unknown step "nope"/ },
  { slot: 'MAX', text: '1000000', path: 'steps[1].repeat.max', needle: 'max: 1000000', skip: 5, message: /at most 100/ },
  { slot: 'EVERY', text: '0s', path: 'steps[1].repeat.every', needle: 'every: 0s\n', skip: 7, message: /longer than zero/ },
  { slot: 'COMMAND', text: '"ls -la"', path: 'steps[1].steps[0].with.command', needle: '"ls -la"', message: /expected a list, got a string — the program and each argument are elements of a list, e.g. \[git, log, --oneline\]; a shell line is \[sh, -c, "…"\]/ },
  { slot: 'EXTRA', text: 'colour: red', path: 'steps[1].steps[0].colour', needle: 'colour: red', message: /unknown key "colour"/ },
  { slot: 'KIND2', text: 'bogus', path: 'steps[1].steps[1].kind', needle: 'bogus', message: /must be one of/ },
  { slot: 'USES2', text: 'nope.run', path: 'steps[1].steps[1].uses', needle: 'nope.run', message: /provider "nope" is not declared/ },
  { slot: 'WEVERY', text: '0s', path: 'steps[2].watch.every', needle: '{ every: 0s', skip: 9, message: /longer than zero/ },
  { slot: 'FAILIF', text: '', path: 'steps[2].watch', needle: '{ every:', message: /a watch needs fail_if: or until:/ },
  { slot: 'TITLE', text: 'after ${{ steps.nope2.outputs.y }}', path: 'steps[3].title', needle: 'steps.nope2', message: /unknown step "nope2"/ },
  { slot: 'NEEDS', text: 'ghost', path: 'steps[3].needs[0]', needle: '[ghost]', skip: 1, message: /unknown step "ghost"/ },
  { slot: 'ON_FAILURE', text: 'sometimes', path: 'steps[3].on_failure', needle: 'sometimes', message: /must be one of/ },
];

/** The same slots filled correctly. */
const GOOD: Record<string, string> = {
  ATTEMPTS: '2',
  UNTIL: '${{ steps.inner.outputs.exit_code == 0 }}',
  MAX: '3',
  EVERY: '1m',
  COMMAND: '[ls, -la]',
  EXTRA: '',
  KIND2: 'detect',
  USES2: 'sh.run',
  WEVERY: '1m',
  FAILIF: ', fail_if: "${{ result.exit_code != 0 }}"',
  TITLE: 'after',
  NEEDS: 'loop',
  ON_FAILURE: 'continue',
};

const TEMPLATE = `version: 1.1
id: nested
title: nested
providers:
  sh: { type: shell }
steps:
  - id: first
    kind: detect
    title: first
    uses: sh.run
    with: { command: [echo, hi] }
    retry: { attempts: ATTEMPTS }
  - id: loop
    kind: detect
    title: loop
    repeat:
      until: UNTIL
      max: MAX
      every: EVERY
    steps:
      - id: inner
        kind: detect
        title: inner
        uses: sh.run
        with: { command: COMMAND }
        EXTRA
      - id: inner2
        kind: KIND2
        title: inner2
        uses: USES2
        with: { command: [echo] }
  - id: watcher
    kind: detect
    title: watcher
    uses: sh.run
    with: { command: [echo] }
    watch: { every: WEVERY, for: 5m FAILIF }
  - id: after
    kind: manual
    title: TITLE
    needs: [NEEDS]
    on_failure: ON_FAILURE
`;

function build(chosen: readonly Problem[]): string {
  let text = TEMPLATE;
  for (const slot of Object.keys(GOOD).sort((a, b) => b.length - a.length)) {
    const p = chosen.find((x) => x.slot === slot);
    text = text.replace(new RegExp(`\\b${slot}\\b`), p ? p.text : GOOD[slot]!);
  }
  return text;
}

const found = (list: Issue[]) => list.map((i) => `${i.path} ${i.line}:${i.col}`).sort();
const wanted = (text: string, chosen: readonly Problem[]) => chosen.map((p) => `${p.path} ${pos(text, p.needle, p.skip)}`).sort();

describe('validate reports every problem in one run, nested blocks too', () => {
  it('the template filled correctly is valid', () => {
    expect(issues(build([]))).toEqual([]);
  });

  it('a schema error in a repeat does not hide the unknown step in until, the string command, the missing fail_if', () => {
    const chosen = PROBLEMS.filter((p) => ['MAX', 'UNTIL', 'COMMAND', 'FAILIF'].includes(p.slot));
    const text = build(chosen);
    const list = issues(text);
    expect(found(list)).toEqual(wanted(text, chosen));
    for (const p of chosen) expect(list.find((i) => i.path === p.path)?.message).toMatch(p.message);
  });

  it('a schema error in a watch does not hide its missing fail_if; one in an inner step does not hide its neighbour\'s', () => {
    const chosen = PROBLEMS.filter((p) => ['WEVERY', 'FAILIF', 'KIND2', 'USES2', 'EXTRA', 'COMMAND'].includes(p.slot));
    const text = build(chosen);
    expect(found(issues(text))).toEqual(wanted(text, chosen));
  });

  it('any set of independent problems: each reported once, at its file:line:col, and nothing else', () => {
    fc.assert(
      fc.property(fc.subarray(PROBLEMS, { minLength: 1 }), (chosen) => {
        const text = build(chosen);
        const list = issues(text);
        expect(found(list)).toEqual(wanted(text, chosen));
        for (const p of chosen) expect(list.find((i) => i.path === p.path)?.message).toMatch(p.message);
      }),
      { numRuns: 150 },
    );
  });

  it('a step the schema refuses whole (no kind, no title) still lets the other steps be checked', () => {
    const text = `version: 1
id: x
title: x
providers: { sh: { type: shell } }
steps:
  - id: a
    uses: sh.run
    with: { command: [echo] }
  - id: b
    kind: manual
    title: \${{ steps.zzz.outputs.note }}
`;
    const list = issues(text);
    expect(found(list)).toEqual(['steps[0].kind 6:5', 'steps[0].title 6:5', `steps[1].title ${pos(text, 'steps.zzz')}`].sort());
    expect(list.map((i) => i.message).sort()).toEqual(['missing required field "kind"', 'missing required field "title"', 'unknown step "zzz" (steps: a, b)']);
  });
});
