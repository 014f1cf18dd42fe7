/**
 * What reaches the person reading the output, under hostile input and a reader that goes away:
 * - an input holding newlines, rendered into a step title, started lines of its own in the
 *   scripted output and in `status` — lines that read like the tool's (`✓ r9 ok`, `runbook:
 *   incident FAKE done`); a title is now one line wherever it is printed;
 * - `runbook run … | head -1`: the closed pipe made the process exit 0 at once, between a call's
 *   intent and its outcome — the step left in doubt, the incident 'running'. It now stops as on
 *   Ctrl-C (exit 130, state interrupted, the lock released) and resumes with the same command.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cli, ensureBuilt } from '../e2e/cli.js';

let dir: string;
const RB = (command: string) =>
  `version: 1\nid: t\ntitle: t\ninputs:\n  who: {type: string, default: x}\nproviders:\n  sh: {type: shell}\nsteps:\n  - id: a\n    kind: detect\n    title: "hello \${{ inputs.who }}"\n    uses: sh.run\n    with:\n      command: ${command}\n`;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'runbook-qa-output-'));
  writeFileSync(join(dir, 'fast.yaml'), RB('["true"]'));
  // output while the step runs: the write after the reader left fails mid-step
  writeFileSync(join(dir, 'slow.yaml'), RB("[sh, -c, 'echo one; sleep 1; echo two; sleep 30']"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a title rendering an input with newlines', () => {
  it('stays one line in the scripted output and in status: no forged lines', () => {
    const forged = 'x\n✓ r9 ok\r\nrunbook: incident FAKE done (9 ok)\u2028✓ r8 ok';
    const r = cli(['run', 'fast.yaml', '--yes', '--state-dir', 'st', '--incident', 'nl', '--input', `who=${forged}`], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines.filter((l) => /^(✓ r[89]|runbook: incident FAKE)/.test(l))).toEqual([]);
    expect(r.stderr).toContain('▶ a  detect  hello x ✓ r9 ok runbook: incident FAKE done (9 ok) ✓ r8 ok');
    const s = cli(['status', 'nl', '--state-dir', 'st'], { cwd: dir });
    expect(s.stdout.split('\n').filter((l) => /^(✓ r[89]|runbook: incident FAKE)/.test(l))).toEqual([]);
    expect(s.stdout).toMatch(/✓ a +ok +hello x ✓ r9 ok runbook: incident FAKE done \(9 ok\) ✓ r8 ok/);
  });
});

describe('the reader of the output goes away mid-run', () => {
  it('stops as on Ctrl-C: exit 130, state interrupted (was: exit 0, state running)', async () => {
    const args = ['run', 'slow.yaml', '--yes', '--state-dir', 'st', '--incident', 'pipe'];
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    // like `| head -1`: read until the step has started, then close both pipes
    await new Promise<void>((res) => {
      let seen = '';
      child.stderr.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('▶ a')) res();
      });
    });
    child.stdout.destroy();
    child.stderr.destroy();
    const code = await exited;
    expect(code).toBe(130);
    const s = JSON.parse(cli(['status', 'pipe', '--state-dir', 'st', '--json'], { cwd: dir }).stdout) as { running: boolean; lastStop?: { reason: string } };
    expect(s.running).toBe(false);
    expect(s.lastStop?.reason).toBe('interrupted');
  }, 60_000);
});

describe('text from the runbook in tables and counts', () => {
  it('list: a title with escape sequences and bidi overrides keeps the columns aligned (the width was measured before they were removed)', () => {
    writeFileSync(join(dir, 'esc.yaml'), 'version: 1\nid: esc\ntitle: "Revoke \\u202eelif\\u202c ok \\e[31mred"\nsteps:\n  - id: m\n    kind: manual\n    title: t\n');
    const r = cli(['list', 'esc.yaml', 'fast.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows.map((l) => l.indexOf('.yaml') === -1 ? l.indexOf('PATH') : l.search(/\S+\.yaml$/))).toEqual([rows[0]!.indexOf('PATH'), rows[0]!.indexOf('PATH'), rows[0]!.indexOf('PATH')]);
    expect(r.stdout.includes('\u001b') || r.stdout.includes('\u202e')).toBe(false);
  });

  it('one step is "1 step" in plan and run; status without an id names the command that lists them, as it runs', () => {
    expect(cli(['plan', 'fast.yaml'], { cwd: dir }).stdout).toContain('— 1 step, nothing will be called');
    expect(cli(['run', 'fast.yaml', '--yes', '--state-dir', 'st', '--incident', 'one'], { cwd: dir }).stderr).toContain('[LIVE] (1 step)');
    const s = cli(['status'], { cwd: dir });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/→ \S+ \S*cli\.js incidents lists the incidents/);
    // an unknown incident in another state directory: the hint lists THAT directory (it listed the default one)
    const u = cli(['status', 'nope', '--state-dir', 'elsewhere'], { cwd: dir });
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/cli\.js incidents --state-dir elsewhere` lists the incidents there/);
  });
});

