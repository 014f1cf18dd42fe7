/** Scenario files: strict schema, cross references and credential scan, all with line:col. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { loadScenarioFile, scenarioFor } from '../../src/drill/scenario/load.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';
import { buildWorld, secretValue } from '../../src/drill/world/build.js';
import { ValueMaker, worldKey } from '../../src/drill/world/values.js';

const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function issues(fn: () => unknown): { line: number; col: number; path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

const BASE = `version: 1
name: t
huggingface:
  users:
    - { name: alice, email: alice@example.com }
  tokens:
    - { id: a1, owner: alice, role: write, leaked: true }
  spaces:
    - id: alice/app
      secrets:
        HF_TOKEN: { credential: a1 }
`;

describe('loadScenarioFile', () => {
  it('loads the shipped flagship scenario', () => {
    const s = loadScenarioFile('runbooks/scenarios/hf-spaces.scenario.yaml');
    expect(s.name).toBe('hf-spaces-may-2024');
    expect(s.adversary.length).toBeGreaterThan(0);
  });

  it('reports an unknown key at its line and column', () => {
    const got = issues(() => loadScenarioFile(file('unknown.yaml', BASE + 'adversery: []\n')));
    expect(got[0]).toMatchObject({ line: 12, col: 1 });
    expect(got[0]!.message).toMatch(/adversery/);
  });

  it('reports a reference to a credential that does not exist, and a token owner nobody knows', () => {
    const text = BASE.replace('{ credential: a1 }', '{ credential: nope }').replace('owner: alice, role', 'owner: mallory, role');
    const got = issues(() => loadScenarioFile(file('refs.yaml', text)));
    expect(got.map((i) => [i.line, i.message])).toEqual([
      [7, expect.stringMatching(/owner mallory is not a known user/)],
      [11, expect.stringMatching(/no credential has the id "nope"/)],
    ]);
  });

  it('refuses a credential written into the file, without repeating it', () => {
    const token = 'hf_' + 'A1b2C3d4'.repeat(4) + 'xy';
    const got = issues(() => loadScenarioFile(file('literal.yaml', BASE + `inputs:\n  note: "${token}"\n`)));
    expect(got.some((i) => i.line === 13)).toBe(true);
    expect(JSON.stringify(got)).not.toContain(token);
  });

  it('checks adversary steps against the credential service and their targets', () => {
    const got = issues(() => loadScenarioFile(file('adv.yaml', BASE + 'adversary:\n  - { at: 1m, credential: a1, do: github.read_repo, target: x/y }\n  - { at: 2m, credential: a1, do: huggingface.read_space }\n')));
    expect(got.map((i) => i.message)).toEqual([expect.stringMatching(/needs a github credential/), expect.stringMatching(/needs a target/)]);
  });

  it('lets an input name an AWS access key id, never a token', () => {
    const got = issues(() => loadScenarioFile(file('keyid.yaml', BASE + 'inputs:\n  key: { access_key_id_of: a1 }\n')));
    expect(got[0]!.message).toMatch(/not an AWS key/);
  });
});

describe('scenarioFor', () => {
  it('takes an inline drill.world block from the runbook, with positions in the runbook', () => {
    const rb = `version: 1
id: inline
title: t
drill:
  world:
    name: inline-world
    slack:
      channels: [{ name: sec, bogus: 1 }]
steps:
  - { id: m, kind: manual, title: x }
`;
    const path = file('inline.yaml', rb);
    const loaded = loadRunbookText(rb, path);
    const got = issues(() => scenarioFor(loaded, undefined, dir));
    expect(got[0]).toMatchObject({ line: 8 });
    expect(got[0]!.message).toMatch(/bogus/);
    const ok = loadRunbookText(rb.replace(', bogus: 1', ''), path);
    expect(scenarioFor(ok, undefined, dir).scenario.name).toBe('inline-world');
  });

  it('asks for --scenario when the runbook has none', () => {
    const rb = 'version: 1\nid: none\ntitle: t\nsteps:\n  - { id: m, kind: manual, title: x }\n';
    expect(() => scenarioFor(loadRunbookText(rb, file('none.yaml', rb)), undefined, dir)).toThrow(/has no drill scenario/);
  });
});

describe('the world of a scenario', () => {
  it('makes credential values from the seed only: same seed same values, token shapes a scanner knows', () => {
    const s = loadScenarioFile('runbooks/scenarios/hf-spaces.scenario.yaml');
    const a = buildWorld(s, new ValueMaker(worldKey(1)));
    const b = buildWorld(s, new ValueMaker(worldKey(1)));
    const c = buildWorld(s, new ValueMaker(worldKey(2)));
    const v = (w: typeof a) => [...w.credentials.values()].map((x) => x.value);
    expect(v(b)).toEqual(v(a));
    expect(v(c)).not.toEqual(v(a));
    expect(a.credentials.get('alice-write')!.value).toMatch(/^hf_[A-Za-z0-9]{34}$/);
    expect(a.credentials.get('acme-org-legacy')!.value).toMatch(/^api_org_[A-Za-z0-9]{34}$/);
    expect(a.consumers.filter((x) => a.credentials.get(x.credential)!.leaked)).toHaveLength(4);
    expect(secretValue(s, a, new ValueMaker(worldKey(1)), 'replacement_token')).toBe(a.credentials.get('acme-spaces-runtime')!.value);
  });
});
