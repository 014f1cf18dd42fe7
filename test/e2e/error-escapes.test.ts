/**
 * Issue 11 item 11: text from outside reaches the terminal without escape sequences — also in
 * the CLI's own error lines (an unknown command, a usage error naming a typed value), not only
 * in the reporters and the TUI. Built CLI, real stderr.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './cli.js';

const OSC_TITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J';

beforeAll(() => ensureBuilt(), 120_000);

describe('error lines carry no escape sequences', () => {
  it('an unknown command typed with escapes', () => {
    const r = cli([`valdiate${OSC_TITLE}${CLEAR}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command');
    expect(r.stderr).not.toContain('\u001b');
  });

  it('a usage error that quotes the value given', () => {
    const r = cli(['status', `nope${OSC_TITLE}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).not.toContain('\u0007');
  });
});
