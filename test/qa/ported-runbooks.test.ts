/**
 * Public incident-response runbooks written by others, ported to our format
 * (runbooks/examples/): AWS's IRP-STSTokenAbuse playbook, PagerDuty's "Security Incident"
 * checklist, GitHub Docs' "Remediating a leaked secret in your repository" and the Hugging Face
 * Hub's guidance for a leaked User Access Token. Each validates, plans, and drills to the end against the simulated world through
 * the built CLI, unattended; the drill's world shows what the runbook did there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from '../e2e/cli.js';

const STS = 'runbooks/examples/aws-sts-token-abuse.yaml';
const PD = 'runbooks/examples/security-incident-pagerduty.yaml';
const GH = 'runbooks/examples/github-remediate-leaked-secret.yaml';
const HF = 'runbooks/examples/hf-user-access-token-leak.yaml';
let state: string;
beforeAll(() => {
  ensureBuilt();
  state = mkdtempSync(join(tmpdir(), 'runbook-qa-ported-'));
});
afterAll(() => rmSync(state, { recursive: true, force: true }));

describe('ported public runbooks', () => {
  it('validate, and plan with only their required inputs', () => {
    const v = cli(['validate', STS, PD]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const p1 = cli(['plan', STS, '--input', 'role_names=deploy']);
    expect(p1.code, p1.stderr).toBe(0);
    expect(p1.stdout).toContain('revoke-sessions  [revoke, needs approval]');
    // a field that reads incident.opened_at is shown as written: a plan has no incident yet (it was dropped)
    expect(p1.stdout).toContain('"since":"${{ inputs.compromised_since || incident.opened_at }}"');
    const p2 = cli(['plan', PD, '--input', 'summary=odd traffic']);
    expect(p2.code, p2.stderr).toBe(0);
    expect(p2.stdout).toContain('page-ic  [notify]');
  });

  it('STS token abuse: the watch sees the attacker assume the role again after containment, and the roles are denied everything', () => {
    const r = cli(['drill', STS, '--yes', '--incident', 'sts', '--state-dir', state], { timeout: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/watch-use.*until \(result\.succeeded > 0\) seen/s);
    const s = cli(['status', 'sts', '--state-dir', state, '--json']);
    const steps = (JSON.parse(s.stdout) as { steps: Record<string, { status: string }> }).steps;
    expect(steps['deny-roles']?.status).toBe('ok');
    expect(steps['revoke-sessions']?.status).toBe('ok');
    // the report's timeline shows the title with the inputs filled in, not the raw expression
    const rep = cli(['report', 'sts', '--state-dir', state]);
    expect(rep.stdout).toContain('step started: Part 2.2: CloudTrail — what the sessions of deploy did');
    expect(rep.stdout).not.toContain('${{ join(inputs.role_names');
  }, 180_000);

  it('PagerDuty security incident: paged once, acknowledged, resolved; the scorecard does not call a world without leaks "not reached"', () => {
    const r = cli(['drill', PD, '--incident', 'pd', '--state-dir', state], { timeout: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('PagerDuty trigger accepted (dedup_key pd/page-ic)');
    expect(r.stderr).toContain('PagerDuty resolve accepted (dedup_key pd/page-ic)');
    expect(r.stderr).toMatch(/time to detect +no leaked credential in this scenario/);
    expect(r.stderr).toMatch(/time to contain +no leaked credential in this scenario/);
    expect(r.stderr).not.toMatch(/duplicates|repeated effects/);
  }, 180_000);

  it('GitHub Docs remediation: validates, plans, and drills to done — the owner told before the revoke, the live token revoked once, both alerts closed', () => {
    const v = cli(['validate', GH, HF]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const p = cli(['plan', GH, '--input', 'repo=acme/api', '--input', 'owner_email=dana@acme.test']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain('revoke  [revoke, needs approval]');
    const r = cli(['drill', GH, '--yes', '--incident', 'gh', '--state-dir', state], { timeout: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    // GitHub's order: the owner is mailed before the token is reported for revocation
    expect(r.stderr.indexOf('▶ tell-owner')).toBeLessThan(r.stderr.indexOf('▶ revoke '));
    expect(r.stderr.match(/GitHub accepted 1 credential\(s\) for revocation/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/✓ close-alerts ok/);
    expect(r.stderr).toMatch(/time to contain +\S+ +\(2\/2 leaked credentials dead in the world\)/);
    expect(r.stderr).not.toMatch(/duplicates|repeated effects/);
  }, 180_000);

  it('Hugging Face token leak: invalidated, the Space gets the fine-grained token and restarts; the scorecard does not call a runbook without notifications "not reached"', () => {
    const r = cli(['drill', HF, '--yes', '--incident', 'hf', '--state-dir', state], { timeout: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/time to contain +\S+ +\(1\/1 leaked credentials dead in the world\)/);
    expect(r.stderr).toMatch(/time to rotate +\S+ +\(1\/1 places that held a leaked value rotated and reloaded\)/);
    expect(r.stderr).toContain('time to notify   none sent, and the scenario expects none');
    expect(r.stderr).toMatch(/huggingface\.read_space with alice-write: blocked/);
    const s = cli(['status', 'hf', '--state-dir', state, '--json']);
    const steps = (JSON.parse(s.stdout) as { steps: Record<string, { status: string }> }).steps;
    expect(Object.values(steps).map((x) => x.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  }, 180_000);
});
