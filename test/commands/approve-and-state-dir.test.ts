/**
 * `runbook approve` and `--state-dir`, in-process (the real commands, a real journal on disk):
 * approve refuses a step id the incident's runbook does not have (as `run --approve` does) and
 * shows an id as typed (escapes visible); its hint for a missing incident carries the state flag;
 * an empty `--state-dir` and a file given as one are refused naming the flag.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import approve from '../../src/commands/approve.js';
import status from '../../src/commands/status.js';
import type { CommandContext } from '../../src/commands/context.js';
import { ExitCode, RunbookError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/secrets/redactor.js';
import { FixedJournal } from '../report/writer.js';
import { tempDir } from '../report/harness.js';
import { FakeOut } from '../ui/helpers.js';
import { rejection } from '../helpers/rejection.js';

const t = tempDir('approve-state-');
afterAll(() => t.cleanup());

function ctx(): CommandContext & { out: FakeOut; errOut: FakeOut } {
  const out = new FakeOut();
  const errOut = new FakeOut();
  return {
    out,
    errOut,
    stdout: out as unknown as NodeJS.WriteStream,
    stderr: errOut as unknown as NodeJS.WriteStream,
    stdin: process.stdin,
    env: { HOME: t.dir, NO_COLOR: '1' },
    cwd: t.dir,
    redactor: new Redactor(),
    signal: new AbortController().signal,
    script: 'runbook',
  };
}

const refusal = (p: Promise<number>) => rejection(p, RunbookError);

const state = join(t.dir, 'state');
const j = new FixedJournal(state, 'inc-a', new Date(Date.now() - 60_000).toISOString());
j.open('live', { id: 'rb', title: 'T', severity: 'high', path: 'nowhere.yaml' })
  .add({ type: 'step.started', step: 'find-keys' })
  .add({ type: 'step.finished', step: 'find-keys', status: 'ok' })
  .add({ type: 'step.started', step: 'revoke-keys' });
const journal = j.write();

describe('runbook approve', () => {
  it('refuses a step id the incident has not got (exit 2), naming its steps, and writes nothing', async () => {
    const before = readFileSync(journal, 'utf8');
    const e = await refusal(approve(['inc-a', 'zzz', '--state-dir', state], ctx()));
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(e.message).toContain('has no step "zzz"');
    expect(e.nextSteps.join(' ')).toContain('find-keys, revoke-keys');
    expect(readFileSync(journal, 'utf8')).toBe(before);
  });

  it('approves a step it has', async () => {
    const c = ctx();
    expect(await approve(['inc-a', 'revoke-keys', '--state-dir', state], c)).toBe(0);
    expect(readFileSync(journal, 'utf8')).toContain('"approval"');
    expect(c.errOut.text).toContain(`status inc-a --state-dir ${state}`);
  });

  it('an id with an escape sequence is quoted as typed, the escape visible', async () => {
    const e = await refusal(approve(['inc-a', 'r4\u001b[2J', '--state-dir', state], ctx()));
    expect(e.message).toContain('"r4\\u001b[2J" is not a step id');
  });

  it('a missing incident: the hint lists the incidents of the same --state-dir', async () => {
    const e = await refusal(approve(['inc-none', 'x', '--state-dir', state], ctx()));
    expect(e.nextSteps.join(' ')).toContain(`incidents --state-dir ${state}`);
  });
});

describe('--state-dir', () => {
  it('empty: refused (exit 2) naming the flag, never the default directory', async () => {
    const e = await refusal(status(['inc-a', '--state-dir', ''], ctx()));
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(e.message).toContain('--state-dir is empty');
    expect(existsSync(join(t.dir, '.local'))).toBe(false);
  });

  it('a file: "is a file, not a folder", not EEXIST', async () => {
    mkdirSync(join(t.dir, 'files'), { recursive: true });
    const file = join(t.dir, 'files', 'plain');
    writeFileSync(file, 'x');
    const e = await refusal(approve(['inc-a', 'revoke-keys', '--state-dir', file], ctx()));
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(e.message).toContain('is a file, not a folder');
    expect(e.message).not.toContain('EEXIST');
  });
});

describe('runbook run with a bad --input', () => {
  it('exit 2 before the incident exists: no empty incident folder is left', async () => {
    const { default: run } = await import('../../src/commands/run.js');
    const { ROOT } = await import('../e2e/cli.js');
    const s = join(t.dir, 'run-state');
    const c = ctx();
    const e = await refusal(run([join(ROOT, 'runbooks/examples/leaked-token-triage.yaml'), '--input', 'nope=1', '--state-dir', s, '--incident', 'inc-bad'], { ...c, stdin: { isTTY: false } as unknown as NodeJS.ReadStream }));
    expect(e.exitCode).toBe(ExitCode.usage);
    expect(e.message).toContain('--input nope');
    expect(existsSync(join(s, 'incidents', 'inc-bad'))).toBe(false);
  });
});
