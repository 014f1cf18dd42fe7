/** Scenario files: strict schema, cross references and credential scan, all with line:col. */
import { describe, expect, it } from 'vitest';
import { checkDrillInputs, drillInputs, loadScenarioFile, scenarioFor } from '../../src/drill/scenario/load.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';
import { buildWorld, secretValue } from '../../src/drill/world/build.js';
import { ValueMaker, worldKey } from '../../src/drill/world/values.js';
import { fileWriter, issuesOf, issuesOfAsync } from './helpers.js';

const file = fileWriter('scenario');
const dir = file.dir;

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
    const got = issuesOf(() => loadScenarioFile(file('unknown.yaml', BASE + 'adversery: []\n')));
    expect(got[0]).toMatchObject({ line: 12, col: 1 });
    expect(got[0]!.message).toMatch(/adversery/);
  });

  it('reports a reference to a credential that does not exist, and a token owner nobody knows', () => {
    const text = BASE.replace('{ credential: a1 }', '{ credential: nope }').replace('owner: alice, role', 'owner: mallory, role');
    const got = issuesOf(() => loadScenarioFile(file('refs.yaml', text)));
    expect(got.map((i) => [i.line, i.message])).toEqual([
      [7, expect.stringMatching(/owner mallory is not a known user/)],
      [11, expect.stringMatching(/no credential has the id "nope"/)],
    ]);
  });

  it('refuses a credential written into the file, without repeating it', () => {
    const token = 'hf_' + 'A1b2C3d4'.repeat(4) + 'xy';
    const got = issuesOf(() => loadScenarioFile(file('literal.yaml', BASE + `inputs:\n  note: "${token}"\n`)));
    expect(got.some((i) => i.line === 13)).toBe(true);
    expect(JSON.stringify(got)).not.toContain(token);
  });

  it('checks adversary steps against the credential service and their targets', () => {
    const got = issuesOf(() => loadScenarioFile(file('adv.yaml', BASE + 'adversary:\n  - { at: 1m, credential: a1, do: github.read_repo, target: x/y }\n  - { at: 2m, credential: a1, do: huggingface.read_space }\n')));
    expect(got.map((i) => i.message)).toEqual([expect.stringMatching(/needs a github credential/), expect.stringMatching(/needs a target/)]);
  });

  it('lets an input name an AWS access key id, never a token', () => {
    const got = issuesOf(() => loadScenarioFile(file('keyid.yaml', BASE + 'inputs:\n  key: { access_key_id_of: a1 }\n')));
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
    const got = issuesOf(() => scenarioFor(loaded, undefined, dir));
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

const AWS = `version: 1
name: aws
aws:
  users:
    - name: ci
      keys:
        - { id: k1, leaked: true }
        - { id: k2 }
`;

describe('scenario inputs (issue 13, item 9)', () => {
  it('takes a list of { access_key_id_of } like a bare one, checks each reference, and gives the ids as a JSON list', () => {
    const s = loadScenarioFile(file('list.yaml', AWS + 'inputs:\n  keys: [{ access_key_id_of: k1 }, { access_key_id_of: k2 }, literal]\n  one: { access_key_id_of: k1 }\n'));
    const ids: Record<string, string> = { k1: 'AKIA1', k2: 'AKIA2' };
    const inputs = drillInputs(s, undefined, {}, '/ws', (id) => ids[id]);
    expect(JSON.parse(inputs.keys!)).toEqual(['AKIA1', 'AKIA2', 'literal']);
    expect(inputs.one).toBe('AKIA1');
    const got = issuesOf(() => loadScenarioFile(file('list-bad.yaml', AWS + 'inputs:\n  keys:\n    - { access_key_id_of: k1 }\n    - { access_key_id_of: nope }\n')));
    expect(got.map((i) => [i.line, i.message])).toEqual([[12, expect.stringMatching(/no credential has the id "nope"/)]]);
  });

  it('{workspace} inside a list element is expanded before the list is written as JSON', () => {
    const s = loadScenarioFile(file('ws.yaml', AWS + 'inputs:\n  files: ["{workspace}/a", "b"]\n'));
    expect(JSON.parse(drillInputs(s, undefined, {}, '/tmp/w "x"', () => undefined).files!)).toEqual(['/tmp/w "x"/a', 'b']);
  });

  it('last_used: every error names its keys (date, service, region) and shows an example', () => {
    const key = (lu: string) => AWS.replace('{ id: k1, leaked: true }', `{ id: k1, leaked: true, last_used: ${lu} }`);
    const asString = issuesOf(() => loadScenarioFile(file('lu1.yaml', key('"2024-05-30T23:41:07Z"'))));
    expect(asString).toHaveLength(1);
    expect(asString[0]!.line).toBe(7);
    expect(asString[0]!.message).toMatch(/last_used is a mapping of date \(.*\), service \(.*\), region \(.*\), such as \{ date: "2024-05-30T23:41:07Z", service: s3, region: eu-west-1 \}/);
    const missing = issuesOf(() => loadScenarioFile(file('lu2.yaml', key('{ date: "2024-05-30T23:41:07Z", service: s3 }'))));
    expect(missing.map((i) => i.message)).toEqual([expect.stringMatching(/last_used needs "region" \(its keys: date .*service .*region/)]);
    const unknown = issuesOf(() => loadScenarioFile(file('lu3.yaml', key('{ when: "2024-05-30T23:41:07Z", service: s3, region: us-east-1 }'))));
    expect(unknown.map((i) => i.message).sort()).toEqual([expect.stringMatching(/last_used needs "date"/), expect.stringMatching(/unknown key "when" in last_used \(allowed: date .*service .*region/)]);
    const badDate = issuesOf(() => loadScenarioFile(file('lu4.yaml', key('{ date: yesterday, service: s3, region: us-east-1 }'))));
    expect(badDate[0]!.message).toMatch(/date must be an ISO 8601 time with a zone, e\.g\. 2024-05-30T23:41:07Z/);
    expect(loadScenarioFile(file('lu5.yaml', key('{ date: "2024-05-30T23:41:07Z", service: s3, region: eu-west-1 }'))).aws!.users[0]!.keys[0]!.last_used).toEqual({ date: '2024-05-30T23:41:07Z', service: 's3', region: 'eu-west-1' });
  });

  const runbook = (inputs: string, drill: string) => `version: 1
id: rb
title: t
inputs:
${inputs}
drill:
${drill}
steps:
  - { id: m, kind: manual, title: x }
`;

  it('a scenario input the runbook lacks is a problem of the scenario file at the key, not a bad --input', async () => {
    const sc = file('extra.scenario.yaml', AWS + 'inputs:\n  user_name: ci\n  acess_key: { access_key_id_of: k1 }\n');
    const rb = runbook('  user_name: { type: string }\n  access_key: { type: string }', '  scenario: extra.scenario.yaml');
    const loaded = loadRunbookText(rb, file('extra.yaml', rb));
    const s = scenarioFor(loaded, undefined, dir);
    const got = await issuesOfAsync(() => checkDrillInputs(loaded, s, {}, '/ws', () => 'AKIA1'));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ file: sc, line: 11, col: 3 });
    expect(got[0]!.message).toBe('scenario input "acess_key" is not an input of runbook rb — did you mean "access_key"? — remove it, or declare it under the runbook\'s inputs:');
    expect(got[0]!.message).not.toContain('--input');
    // an --input of the same name answers for it
    await expect(checkDrillInputs(loaded, s, { acess_key: 'x' }, '/ws', () => 'AKIA1')).resolves.toBeUndefined();
  });

  it('a scenario value its input type refuses is the scenario\'s problem; an inline world and drill.inputs are checked in the runbook', async () => {
    const rb = runbook('  count: { type: number }\n  keys: { type: list }', '  inputs: { nope: 1 }\n  world:\n    name: w\n    inputs: { count: many, keys: [a, b] }');
    const path = file('inline-inputs.yaml', rb);
    const loaded = loadRunbookText(rb, path);
    const got = await issuesOfAsync(() => checkDrillInputs(loaded, scenarioFor(loaded, undefined, dir), {}, '/ws', () => undefined));
    expect(got.map((i) => [i.file, i.line, i.message])).toEqual([[path, 11, expect.stringMatching(/^scenario input "count": "many" is not a number \(the runbook's input count is a number\)$/)]]);
    const ok = loadRunbookText(rb.replace('count: many', 'count: 3'), path);
    const drillGot = await issuesOfAsync(() => checkDrillInputs(ok, scenarioFor(ok, undefined, dir), {}, '/ws', () => undefined));
    expect(drillGot.map((i) => [i.line, i.message])).toEqual([[8, expect.stringMatching(/^drill input "nope" is not an input of runbook rb \(its inputs: count, keys\)/)]]);
  });
});
