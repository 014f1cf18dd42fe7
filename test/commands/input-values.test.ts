/**
 * Issue 12/15 leftover: a usage error about an input's VALUE (not its name) left an empty
 * incident folder behind (`incidents/<id>/` and the state directory's key were made before the
 * engine typed the inputs). The built CLI now types and pattern-checks every `--input` before
 * anything is written: exit 2 (usage), the flag named with what to do, no stack trace, nothing
 * on disk. So does a missing required input of a new incident run scripted (nothing can ask).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { cli, ensureBuilt } from '../e2e/cli.js';

const root = mkdtempSync(join(tmpdir(), 'input-values-'));
beforeAll(() => ensureBuilt());
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a bad --input value', () => {
  const cases: [string, string[], RegExp][] = [
    // [what, the --input flags, what the message says]
    ['a string outside its pattern', ['source=bogus', 'repo=octo/demo'], /--input source: "bogus" does not match the pattern alerts\|scan/],
    ['a list element outside its pattern', ['actions_secrets=GOOD,no good', 'repo=octo/demo'], /--input actions_secrets: "no good" does not match the pattern/],
  ];
  it('a missing required input of a new incident run scripted (it cannot be asked): exit 2, the flags named, nothing written', () => {
    for (const incident of [[], ['--incident', 'inc-new']]) {
      const stateDir = join(root, `state-missing-${incident.length}`);
      const r = cli(['run', 'runbooks/github-token-leak.yaml', '--non-interactive', '--state-dir', stateDir, ...incident, '--input', 'source=alerts']);
      expect(r.code, r.stderr).toBe(ExitCode.usage);
      expect(r.stderr).toContain('missing required inputs: repo, owner_email');
      expect(r.stderr).toContain('→ --input repo=VALUE');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(stateDir) ? readdirSync(stateDir, { recursive: true }) : []).toEqual([]);
    }
  });
  it.each(cases)('%s: exit 2, the flag named with what to do, nothing written', (_what, flags, said) => {
    const stateDir = join(root, `state-${flags[0]!.split('=')[0]}`);
    const r = cli(['run', 'runbooks/github-token-leak.yaml', '--non-interactive', '--state-dir', stateDir, ...flags.flatMap((x) => ['--input', x])]);
    expect(r.code, r.stderr).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(said);
    expect(r.stderr).toMatch(/Give a value that matches .*: --input \w+=VALUE/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).not.toContain('new incident');
    expect(existsSync(stateDir) ? readdirSync(stateDir, { recursive: true }) : []).toEqual([]);
  });

});
