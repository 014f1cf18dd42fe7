/**
 * Scripted runs and `status` as a first-time responder reads them (issue 12, item 8), through
 * the built CLI: a manual step's instructions are printed and carried by its `waiting` event;
 * lines of parallel steps carry their step; `status` lists every step (those not started too),
 * shows a waiting manual step as waiting, never says "interrupted — interrupted", and ends with
 * a resume command that runs as printed (a drill's --scenario included).
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuilt, ROOT } from './cli.js';

beforeAll(ensureBuilt);

const RUNBOOK = `version: 1
id: parallel-manual
title: Parallel steps and a manual step
providers: { sh: { type: shell } }
steps:
  - id: find
    kind: detect
    title: Find the token
    uses: sh.run
    with: { command: [node, -e, "console.log(JSON.stringify({owner: 'alice'}))"], json: true, idempotent: true }
  - id: left
    kind: notify
    title: Tell the left team
    needs: [find]
    uses: sh.run
    with: { command: [node, -e, "setTimeout(() => console.log('left-done'), 150)"] }
  - id: right
    kind: notify
    title: Tell the right team
    needs: [find]
    uses: sh.run
    with: { command: [node, -e, "setTimeout(() => console.log('right-done'), 150)"] }
  - id: tell
    kind: manual
    title: Call \${{ steps.find.outputs.json.owner }}
    needs: [left, right]
    instructions: |
      Phone **\${{ steps.find.outputs.json.owner }}** and ask them to rotate.
    evidence: link
  - id: after
    kind: detect
    title: Check again
    uses: sh.run
    with: { command: [node, -e, "0"] }
`;

function ws() {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-scripted-status-'));
  writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
  return dir;
}

describe('scripted mode says what to do', () => {
  it('prints a manual step’s instructions (rendered) and labels the lines of parallel steps', () => {
    const dir = ws();
    const r = cli(['run', 'rb.yaml', '--incident', 'p1', '--state-dir', 'state'], { cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('manual step: Call alice');
    expect(r.stderr).toContain('Phone alice and ask them to rotate.');
    expect(r.stderr).toContain('evidence: a link (required)');
    // left and right run together: their output lines say which step they belong to
    expect(r.stderr).toMatch(/\[left\] │ left-done/);
    expect(r.stderr).toMatch(/\[right\] │ right-done/);
  });

  it('--json: the waiting event of a manual step carries its title, instructions and evidence', () => {
    const dir = ws();
    const r = cli(['run', 'rb.yaml', '--incident', 'p2', '--state-dir', 'state', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    const waiting = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.type === 'waiting');
    expect(waiting).toMatchObject({ step: 'tell', on: 'manual', title: 'Call alice', evidence: { type: 'link', required: true } });
    expect(waiting?.instructions).toContain('Phone **alice** and ask them to rotate.');
  });

  it('a ticket id as evidence (--done tell=SEC-42) finishes the run', () => {
    const dir = ws();
    expect(cli(['run', 'rb.yaml', '--incident', 'p3', '--state-dir', 'state'], { cwd: dir }).code).toBe(3);
    const r = cli(['run', 'rb.yaml', '--incident', 'p3', '--state-dir', 'state', '--done', 'tell=SEC-42'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('runbook status', () => {
  it('lists every step, shows the waiting manual step as waiting, and ends with the resume command', () => {
    const dir = ws();
    cli(['run', 'rb.yaml', '--incident', 's1', '--state-dir', 'state'], { cwd: dir });
    const r = cli(['status', 's1', '--state-dir', 'state'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/◆ tell\s+waiting\s+Call alice {2}— manual step tell is waiting/);
    expect(r.stdout).not.toMatch(/tell\s+running/);
    expect(r.stdout).not.toContain('0/0 ok');
    // not started yet, listed from the runbook
    expect(r.stdout).toMatch(/· after\s+pending\s+Check again/);
    expect(r.stdout).toMatch(/→ Resume: \S+ \S*cli\.js run rb\.yaml --incident s1 --state-dir state$/m);
  });

  it('an interrupted drill: no "interrupted — interrupted", and the resume command names the scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-status-drill-'));
    const scenario = join(ROOT, 'runbooks/scenarios/hf-spaces.scenario.yaml');
    const rb = join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml');
    const first = cli(['drill', rb, '--incident', 'd1', '--state-dir', 'state', '--scenario', scenario, '--speed', '600'], { cwd: dir });
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toContain(`--scenario ${scenario}`);
    const r = cli(['status', 'd1', '--state-dir', 'state'], { cwd: dir });
    expect(r.stdout).not.toMatch(/interrupted — interrupted/);
    const resume = /→ Resume: (.* drill .*)$/m.exec(r.stdout)?.[1];
    // the shipped runbook by its id; its own scenario is the default, so no --scenario is needed
    expect(resume).toMatch(/ drill hf-spaces-secrets-exposure --incident d1 --state-dir state$/);
    // the printed command runs as printed, through a shell
    const again = spawnSync('sh', ['-c', `${resume!} --yes`], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
    expect(again.status, again.stderr).toBe(0);
  }, 180_000);

  it('a shipped drill started by id: status resumes it by id (no path into the package) and fills pending titles with the inputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-status-shipped-'));
    const first = cli(['drill', 'slack-token-leak', '--incident', 's1', '--state-dir', 'state', '--speed', '600'], { cwd: dir });
    expect(first.code, first.stderr).toBe(3);
    const r = cli(['status', 's1', '--state-dir', 'state'], { cwd: dir });
    expect(r.stdout).toMatch(/→ Resume: \S+ \S*cli\.js drill slack-token-leak --incident s1 --state-dir state$/m);
    expect(r.stdout).not.toContain('../');
    expect(r.stdout).not.toContain('${{');
    expect(r.stdout).toMatch(/notify-security\s+pending\s+Post the summary to #security-incidents/);
  }, 120_000);
});
