/**
 * Validation of format 1.1: `repeat` and `watch` are accepted with `version: 1.1`, refused with
 * a clear message in a `version: 1` runbook, and their rules are reported at the lines of the
 * file as written (inner steps are `steps[i].steps[j]`).
 */
import { describe, expect, it } from 'vitest';
import { ValidationError, type Issue } from '../../src/core/errors.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';

function issues(text: string): Issue[] {
  try {
    loadRunbookText(text, 'rb.yaml');
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return e.issues;
  }
  return [];
}

const repeat = (version = '1.1', inner = '', until = 'length(steps.find.outputs.json) == 0') => `version: ${version}
id: r
title: R
providers:
  sh: { type: shell }
steps:
  - id: eradicate
    kind: revoke
    title: Loop
    repeat: { until: "${until}", max: 3 }
    steps:
      - id: find
        kind: detect
        title: Find
        uses: sh.run
        with: { command: [echo, "[]"], json: true }
      - id: disable
        kind: revoke
        title: Disable
        uses: sh.run
        for_each: \${{ steps.find.outputs.json }}
        with: { command: [echo, "\${{ item }}"] }
${inner}
  - id: after
    kind: notify
    title: "\${{ steps.eradicate.outputs.rounds }} rounds, last found \${{ steps.find.outputs.json }}"
    uses: sh.run
    with: { command: [echo, "\${{ steps.eradicate.outputs.until_met }}"] }
`;

const watch = (version = '1.1', body = 'fail_if: result.exit_code != 0') => `version: ${version}
id: w
title: W
providers:
  sh: { type: shell }
steps:
  - id: monitor
    kind: detect
    title: Watch
    uses: sh.run
    with: { command: [echo, hi] }
    watch:
      every: 1m
      for: 30m
      ${body}
  - id: after
    kind: notify
    title: "seen \${{ steps.monitor.outputs.seen }} in \${{ steps.monitor.outputs.checks }} checks"
    uses: sh.run
    with: { command: [echo, hi] }
`;

describe('format 1.1', () => {
  it('accepts repeat and watch with version: 1.1 (outputs of the repeat, its last round and the watch are known)', () => {
    expect(issues(repeat())).toEqual([]);
    expect(issues(watch())).toEqual([]);
  });

  it('a version: 1 runbook using them is told to set version: 1.1', () => {
    const r = issues(repeat('1'));
    expect(r.map((i) => [i.line, i.message])).toEqual([[10, 'repeat: is format 1.1: set version: 1.1 at the top of the runbook']]);
    const w = issues(watch('1'));
    expect(w.map((i) => [i.line, i.message])).toEqual([[12, 'watch: is format 1.1: set version: 1.1 at the top of the runbook']]);
  });

  it('reports problems inside a round at the inner step as written', () => {
    const bad = repeat('1.1', '', 'length(steps.fnd.outputs.json) == 0').replace('with: { command: [echo, "${{ item }}"] }', 'with: { command: [echo, "${{ steps.nope.outputs.x }}"] }');
    const r = issues(bad);
    expect(r.map((i) => [i.line, i.path])).toEqual([
      [10, 'steps[0].repeat.until'],
      [22, 'steps[0].steps[1].with.command[1]'],
    ]);
    expect(r[0]!.message).toMatch(/unknown step "fnd" — did you mean "find"\?/);
  });

  it('inner steps take no needs; a repeat takes no uses; ids are unique across rounds and the runbook', () => {
    const text = repeat().replace('        title: Disable\n', '        title: Disable\n        needs: [find]\n').replace('    title: Loop\n', '    title: Loop\n    uses: sh.run\n').replace('  - id: after', '  - id: find');
    const msgs = issues(text).map((i) => `${i.path}: ${i.message}`);
    expect(msgs).toEqual(
      expect.arrayContaining([
        'steps[0].uses: a repeat step takes no uses: (its inner steps do the work)',
        'steps[0].steps[1].needs: the steps of a repeat run in order: remove needs:',
        expect.stringMatching(/^steps\[1\]\.id: duplicate step id "find"/),
      ]),
    );
  });

  it('a watch needs fail_if or until, and its expressions are checked', () => {
    expect(issues(watch('1.1', 'every_other: 1')).some((i) => i.path === 'steps[0].watch.every_other' && /unknown key/.test(i.message))).toBe(true);
    const none = issues(watch('1.1', '# nothing'));
    expect(none.map((i) => i.message)).toEqual(['a watch needs fail_if: or until: (what to look for in each check)']);
    const bad = issues(watch('1.1', 'until: item.x'));
    expect(bad.map((i) => i.path)).toEqual(['steps[0].watch.until']);
  });
});
