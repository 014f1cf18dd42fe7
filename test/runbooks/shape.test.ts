/**
 * The shipped incident runbooks (GitHub, AWS, Slack) as documents: valid (through the built
 * cli), documented in their header (every input, secret and provider type named there), and
 * shaped for a responder at 3 a.m. — approval gates on revoke and rotate, evidence on manual
 * steps, a simulated responder time for drills, and a final verification that fails when a
 * leaked credential is alive.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../e2e/cli.js';
import { loadRunbook } from '../../src/core/runbook/load.js';
import { loadScenarioFile } from '../../src/drill/scenario/load.js';
import { runbookPath, scenarioPath } from './helpers.js';

const SHIPPED = ['github-token-leak', 'aws-access-key-exposure', 'slack-token-leak', 'aws-credential-compromise'] as const;
/** rotate steps that may skip their own gate, with the reason the runbook gives */
const UNGATED = new Set(['aws-access-key-exposure/store-new-key']);

/** The comment block at the top of the file (up to the first line that is not a comment). */
function header(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((l) => !l.startsWith('#'));
  return lines.slice(0, end).join('\n');
}

describe('shipped runbooks: validation', () => {
  it('validates all of them through the built cli, as JSON, with no problem', () => {
    const r = cli(['validate', ...SHIPPED.map(runbookPath), '--format', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { files: { file: string; valid: boolean; issues: unknown[] }[] };
    expect(out.files).toHaveLength(SHIPPED.length);
    for (const f of out.files) expect(f, f.file).toMatchObject({ valid: true, issues: [] });
  });

  it('validates the runbooks folder (scenario files beside them are skipped, not judged)', () => {
    const r = cli(['validate', 'runbooks/']);
    for (const name of SHIPPED) expect(r.stdout).toContain(`✓ runbooks/${name}.yaml`);
    expect(r.stdout).not.toMatch(/scenario\.yaml:\d+/);
  });
});

describe.each(SHIPPED)('%s', (name) => {
  const text = readFileSync(runbookPath(name), 'utf8');

  it('starts with the schema modeline and documents what it needs in its header', async () => {
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/runbook.schema.json');
    const head = header(text);
    expect(head).toMatch(/^# When:/m);
    expect(head).toMatch(/^# What it does/m);
    expect(head).toMatch(/^# What it needs:/m);
    const { runbook } = await loadRunbook(runbookPath(name));
    for (const input of Object.keys(runbook.inputs)) expect(head, `input ${input} is not documented in the header`).toContain(input);
    for (const secret of Object.keys(runbook.secrets)) expect(head, `secret ${secret} is not documented in the header`).toContain(secret);
    for (const p of Object.values(runbook.providers)) expect(head, `provider ${p.type} is not documented in the header`).toContain(p.type);
  });

  it('gates every revoke and rotate, asks evidence and a drill time on manual steps, and ends with a verification', async () => {
    const { runbook } = await loadRunbook(runbookPath(name));
    // a repeat's own step only holds its rounds: its inner steps carry the gates
    const all = runbook.steps.flatMap((s) => ((s as { steps?: typeof runbook.steps }).steps ? ((s as { steps?: typeof runbook.steps }).steps ?? []) : [s]));
    for (const s of all) {
      if ((s.kind === 'revoke' || s.kind === 'rotate') && !UNGATED.has(`${name}/${s.id}`)) {
        expect(s.confirm, `${s.id} must keep its approval gate`).not.toBe(false);
        expect(s.instructions, `${s.id} must tell the approver what approving does`).toBeTruthy();
      }
      if (s.kind === 'manual') {
        expect(s.evidence, `${s.id} must ask for evidence`).toBeDefined();
        expect(s.instructions, `${s.id} needs instructions`).toBeTruthy();
        expect(s.drill?.takes, `${s.id} needs drill.takes so drills can finish unattended`).toBeDefined();
      }
      if (s.kind === 'notify') expect(s.on_failure, `${s.id}: a failed notification must not stop the run`).toBe('continue');
    }
    // the final verification: a last detect step that verifies the credential is dead, or (format
    // 1.1) a watch after the last revoke that fails when the credentials are used again
    const last = runbook.steps.at(-1)!;
    const lastRevoke = runbook.steps.findLastIndex((s) => s.kind === 'revoke');
    const finalWatch = runbook.steps.slice(lastRevoke + 1).find((s) => (s as { watch?: { fail_if?: string } }).watch?.fail_if);
    if (finalWatch) expect((finalWatch as { watch: { for: string } }).watch.for, 'the final watch must watch for a while').toMatch(/m|h/);
    else {
      expect(last.kind).toBe('detect');
      expect(last.verify, 'the final step must verify').toMatchObject({ expect: expect.stringMatching(/live == false|state == 'dead'/), within: expect.anything() });
    }
    for (const id of UNGATED) if (id.startsWith(`${name}/`)) expect(runbook.steps.find((s) => `${name}/${s.id}` === id)?.description).toMatch(/approv/i);
  });

  it('has a drill scenario that loads, seeds leaked credentials and expects the notifications', async () => {
    const { runbook } = await loadRunbook(runbookPath(name));
    expect(runbook.drill?.scenario).toBe(`scenarios/${name}.scenario.yaml`);
    const s = loadScenarioFile(scenarioPath(name));
    const leaked = [...(s.github?.tokens ?? []), ...(s.slack?.tokens ?? []), ...(s.aws?.users.flatMap((u) => u.keys) ?? [])].filter((t) => t.leaked);
    expect(leaked.length).toBeGreaterThan(0);
    expect(s.expect.slack_channels.length).toBeGreaterThan(0);
    if (Object.values(runbook.providers).some((p) => p.type === 'email')) expect(s.expect.email?.length).toBeGreaterThan(0);
    // every runbook secret is mapped to a world credential or a generated value
    for (const secret of Object.keys(runbook.secrets)) expect(Object.keys(s.secrets), `secret ${secret} has no drill mapping`).toContain(secret);
  });
});
