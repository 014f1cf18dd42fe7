/**
 * Text on stdout goes through neutralise() like stderr does: a runbook title carrying escape
 * sequences (window title, clear screen, cursor up, OSC 8 links), C1 controls and bidi overrides
 * is printed inert by `list`, `plan` and `status`. Machine output (--json) keeps the exact value,
 * with DEL, C1 and bidi controls written as \u escapes (jsonForTerminal).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './cli.js';

beforeAll(ensureBuilt);

const RUNBOOK = String.raw`version: 1
id: esc
title: "Leak \e]0;pwned\a\e[2J \x9b31mred \u202Eevil\u202C \e]8;;https://x.invalid\e\\link\e]8;;\e\\ done"
providers: { sh: { type: shell } }
steps:
  - id: one
    kind: detect
    title: "Step \e[31mred\e[0m \x9d0;t\x9c \u2066iso\u2069"
    uses: sh.run
    with: { command: [node, -e, "0"], idempotent: true }
  - id: two
    kind: manual
    title: "Then \e[1A up"
`;
const TITLE = 'Leak \u001b]0;pwned\u0007\u001b[2J \u009b31mred \u202eevil\u202c \u001b]8;;https://x.invalid\u001b\\link\u001b]8;;\u001b\\ done';
const STEP_TITLE = 'Step \u001b[31mred\u001b[0m \u009d0;t\u009c \u2066iso\u2069';

// ESC and the other C0 controls but tab and newline, DEL, C1, bidi embeddings/overrides/isolates
// eslint-disable-next-line no-control-regex
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function setup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stdout-esc-'));
  mkdirSync(join(dir, 'runbooks'));
  writeFileSync(join(dir, 'runbooks', 'esc.yaml'), RUNBOOK);
  return dir;
}

function inert(stdout: string): void {
  expect(stdout).not.toMatch(ACTIVE);
  expect(stdout).not.toContain('pwned\n'); // the window title's text stays, its sequence is gone
}

describe('stdout text is neutralised; JSON keeps the value, escaped', () => {
  it('list, plan and status print the title inert', () => {
    const dir = setup();
    const list = cli(['list', 'runbooks'], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    inert(list.stdout);
    expect(list.stdout).toMatch(/esc\s+high\s+2\s+Leak /);

    const plan = cli(['plan', 'runbooks/esc.yaml'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    inert(plan.stdout);
    expect(plan.stdout).toContain('plan: Leak  red evil link done (esc)');
    expect(plan.stdout).toContain('1. one  [detect]  Step red  iso');
    expect(plan.stdout).toContain('2. two  [manual]  Then  up');

    const run = cli(['run', 'runbooks/esc.yaml', '--yes', '--state-dir', 'st', '--incident', 'e1'], { cwd: dir });
    expect(run.stderr).toContain('manual step two is waiting');
    const status = cli(['status', 'e1', '--state-dir', 'st'], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    inert(status.stdout);
    expect(status.stdout).toContain('incident e1 — Leak  red evil link done [LIVE]');
    expect(status.stdout).toMatch(/✓ one\s+ok\s+Step red {2}iso/);
    expect(status.stdout).toMatch(/◆ two\s+waiting\s+Then {2}up/);
  });

  it('--json output holds the exact title, its C1 and bidi controls as \\u escapes', () => {
    const dir = setup();
    const list = cli(['list', 'runbooks', '--json'], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    inert(list.stdout);
    expect(list.stdout).toContain('\\u009b31mred \\u202eevil\\u202c');
    expect((JSON.parse(list.stdout) as { title: string }[])[0]!.title).toBe(TITLE);

    const plan = cli(['plan', 'runbooks/esc.yaml', '--json'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    inert(plan.stdout);
    const p = JSON.parse(plan.stdout) as { title: string; steps: { title: string }[] };
    expect(p.title).toBe(TITLE);
    expect(p.steps[0]!.title).toBe(STEP_TITLE);

    cli(['run', 'runbooks/esc.yaml', '--yes', '--state-dir', 'st', '--incident', 'e2'], { cwd: dir });
    const status = cli(['status', 'e2', '--state-dir', 'st', '--json'], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    inert(status.stdout);
    expect((JSON.parse(status.stdout) as { runbook: { title: string } }).runbook.title).toBe(TITLE);
  });
});
