/**
 * What validate says about the 1.1 checks (the corpus pins positions and codes; this pins the
 * words): every problem in one run, result.<field> with "did you mean" and the declared fields,
 * with-values of the wrong type, and a for_each over a step that may be skipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError, type Issue } from '../../src/core/errors.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';
import { testRegistry } from './helpers/providers.js';

const dir = join(import.meta.dirname, 'fixtures', 'invalid');
function issues(file: string): Issue[] {
  try {
    loadRunbookText(readFileSync(join(dir, file), 'utf8'), file, { registry: testRegistry() });
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  throw new Error('accepted');
}
const message = (list: Issue[], path: string) => list.find((i) => i.path === path)?.message;

describe('validate, format 1.1', () => {
  it('an unknown key does not hide the problems after it', () => {
    const list = issues('every-problem.yaml');
    expect(list.map((i) => i.code)).toEqual(['unknown-key', 'unknown-step', 'schema', 'unknown-key', 'schema', 'reference']);
  });

  it('result.<field> is checked against the declared output, with "did you mean" and the fields', () => {
    const list = issues('result-field-unknown.yaml');
    expect(message(list, 'steps[0].outputs.ids')).toBe('result has no field "idz" — did you mean "ids"? (t.lookup returns: found, ids, users)');
    expect(message(list, 'steps[1].outputs.bad')).toBe('result has no field "total" (a for_each step returns: items, keys, count)');
    expect(message(list, 'steps[1].verify.expect')).toContain('result has no field "revokd" (t.lookup returns: found, ids, users)');
    expect(message(list, 'steps[1].verify.with.user')).toBe('result has no field "revoked_id" — did you mean "revoked"? (t.revoke returns: revoked)');
  });

  it('a where() condition reads only fields the listed elements declare', () => {
    const list = issues('result-field-unknown.yaml');
    expect(message(list, 'steps[3].for_each')).toBe(
      'where() condition: the elements of steps.find2.outputs.users have no field "stauts" — did you mean "status"? (fields: name, status)',
    );
    expect(message(list, 'steps[0].outputs.active')).toBe('where() condition: the elements of result.users have no field "nmae" (fields: name, status)');
    // this.name and item.name are not element-field reads by bare name: not flagged
    expect(list.filter((i) => i.message.includes('"name"'))).toEqual([]);
  });

  it('a with value whose type is known must be a type the field takes', () => {
    const list = issues('expr-kinds.yaml');
    expect(message(list, 'steps[1].with.to')).toBe('t.notify takes a list here (string[]), but this expression gives text');
    expect(message(list, 'steps[8].with.to[1]')).toBe('t.notify takes text here (string), but this expression gives a number');
    // split() gives a list, and text mixed with a boolean is text: both fine
    expect(list.filter((i) => i.path.startsWith('steps[2]'))).toEqual([]);
  });

  it('a for_each over a step that may be skipped says how to guard it; guarded ones pass', () => {
    const list = issues('expr-kinds.yaml');
    expect(message(list, 'steps[3].for_each')).toBe(
      'step "find" may be skipped (if: inputs.n > 0), and then steps.find.outputs.ids is null, not a list; write for_each: ${{ steps.find.outputs.ids || [] }}, or give this step an if: that checks it',
    );
    expect(list.filter((i) => i.path.startsWith('steps[4]') || i.path.startsWith('steps[5]'))).toEqual([]);
  });
});
