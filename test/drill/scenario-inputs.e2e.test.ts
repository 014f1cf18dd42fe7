/**
 * `runbook drill` (BUILT cli) with a scenario input the runbook does not declare: the problem is
 * the scenario's, shown at its file:line:col with exit code 2, before any world starts or any
 * incident opens — never "--input X: this runbook has no input" when no --input was given.
 */
import { mkdtempSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from '../e2e/cli.js';

beforeAll(() => ensureBuilt());

describe('runbook drill: scenario inputs', () => {
  it('an input the runbook lacks is a positioned scenario problem, and nothing starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-inputs-'));
    writeFileSync(
      join(dir, 'rb.yaml'),
      'version: 1\nid: rb-extra\ntitle: t\ninputs:\n  user_name: { type: string, required: true }\ndrill:\n  scenario: s.scenario.yaml\nsteps:\n  - { id: m, kind: manual, title: "x ${{ inputs.user_name }}" }\n',
    );
    writeFileSync(join(dir, 's.scenario.yaml'), 'version: 1\nname: s\ninputs:\n  user_name: ci\n  access_key_id: { access_key_id_of: k1 }\naws:\n  users:\n    - name: ci\n      keys:\n        - { id: k1, leaked: true }\n');
    const state = join(dir, 'state');
    const r = cli(['drill', join(dir, 'rb.yaml'), '--yes', '--speed', '0', '--state-dir', state]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 's.scenario.yaml')}:5:3`);
    expect(r.stderr).toContain('scenario input "access_key_id" is not an input of runbook rb-extra (its inputs: user_name)');
    expect(r.stderr).not.toContain('--input access_key_id');
    expect(r.stderr).not.toMatch(/drill: simulators/);
    // no incident was opened: no journal anywhere
    const opened = existsSync(join(state, 'incidents')) ? readdirSync(join(state, 'incidents')).filter((id) => existsSync(join(state, 'incidents', id, 'journal.jsonl'))) : [];
    expect(opened).toEqual([]);
  });
});
