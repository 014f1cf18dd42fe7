/**
 * Four-eyes gates and operators through the shared store (a real PostgreSQL 15): the runner's
 * own approval does not count, approvals by other operators (runbook approve) do, the count is
 * enforced, and the report names every operator.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT } from '../e2e/cli.js';
import type { PgServer } from './pg-server.mjs';
import { useTeamStore } from './store.js';

let db: PgServer;
useTeamStore((server) => (db = server));

function ws() {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-4eyes-'));
  copyFileSync(join(ROOT, 'test', 'team', 'fixtures', 'team-gate.yaml'), join(dir, 'team-gate.yaml'));
  return { dir, state: join(dir, 'state'), fx: join(dir, 'effects') };
}

describe('a four-eyes gate', () => {
  it("refuses its own runner's approval, counts distinct other operators up to the count, and the report names them", () => {
    const w = ws();
    const env = db.env;
    const run = (...more: string[]) => cli(['run', 'team-gate.yaml', '--incident', 'fe', '--state-dir', w.state, '--input', `effects=${w.fx}`, '--operator', 'alice@soc', ...more], { cwd: w.dir, env });
    const approve = (op: string) => cli(['approve', 'fe', 'gate', '--operator', op, '--state-dir', w.state], { cwd: w.dir, env });
    const revoked = () => (existsSync(w.fx) ? readFileSync(w.fx, 'utf8').split('\n').filter(Boolean).length : 0);

    // the runner approves its own gate: not enough
    const r1 = run('--approve', 'gate');
    expect(r1.code, r1.stderr).toBe(3);
    expect(r1.stderr).toContain('step gate is a four-eyes gate: it needs 2 more approvals by an operator other than alice@soc');
    expect(r1.stderr).toMatch(/approves it with: .* approve fe gate/);
    // the answering hint is whole: it carries the --state-dir the run was given, so it runs as printed
    expect(r1.stderr).toMatch(/→ Another operator approves: .* approve fe gate --state-dir \S+\n\s+→ Then resume: .* run team-gate\.yaml --incident fe --state-dir/);
    expect(revoked()).toBe(0);
    // alice approving through the store counts no more than her flag did
    const a = approve('alice@soc');
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toContain("does not count the runner's own approval");
    // bob, twice: one distinct approver
    expect(approve('bob@soc').code).toBe(0);
    expect(approve('bob@soc').code).toBe(0);
    const r2 = run('--yes');
    expect(r2.code, r2.stderr).toBe(3);
    expect(r2.stderr).toContain('needs 1 more approval by an operator other than alice@soc (approved so far by bob@soc)');
    expect(revoked()).toBe(0);
    // carol: the second distinct approver — the gate opens
    expect(approve('carol@soc').code).toBe(0);
    const r3 = run();
    expect(r3.code, r3.stderr).toBe(0);
    expect(revoked()).toBe(1);
    const report = cli(['report', 'fe', '--state-dir', w.state], { cwd: w.dir, env });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('four-eyes gate gate: approved by bob@soc, carol@soc (runner alice@soc; 2 required)');
    expect(report.stdout).toMatch(/approved by carol@soc via runbook approve/);
    expect(report.stdout).toContain('alice@soc');
  });

  it('a deny by another operator skips the step', () => {
    const w = ws();
    const env = db.env;
    expect(cli(['run', 'team-gate.yaml', '--incident', 'fe-deny', '--state-dir', w.state, '--input', `effects=${w.fx}`], { cwd: w.dir, env }).code).toBe(3);
    const d = cli(['approve', 'fe-deny', 'gate', '--deny', '--reason', 'wrong token', '--operator', 'lead@soc'], { cwd: w.dir, env });
    expect(d.code, d.stderr).toBe(0);
    const r = cli(['run', 'team-gate.yaml', '--incident', 'fe-deny', '--state-dir', w.state, '--input', `effects=${w.fx}`], { cwd: w.dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/gate.*skipped|skipped/);
    expect(existsSync(w.fx)).toBe(false);
  });
});
