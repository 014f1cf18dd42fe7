/**
 * At 80×24 the commands on the end panel and in the quit question are whole (issue 12): a
 * resume command cut after its runbook would start a new incident when copied. The end panel's
 * detail gives way instead.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { begin, rec, setup, step } from './helpers.js';

afterEach(() => cleanup());

const RESUME = 'node /work/wt/some/long/checkout/dist/cli.js drill hf-spaces-secrets-exposure --incident hf-spaces-secrets-exposure-20261203-1408-3c86 --state-dir /tmp/some/state/dir';
const REPORT = 'node /work/wt/some/long/checkout/dist/cli.js report hf-spaces-secrets-exposure-20261203-1408-3c86 --state-dir /tmp/some/state/dir';
const joined = (frame: string) => frame.replace(/ \\\n\s*/g, ' ').replace(/\s+/g, ' ');
const STEPS = Array.from({ length: 15 }, (_, i) => step(`s${i}`, { kind: 'detect', title: `Step number ${i}` }));

describe('commands at 80×24', () => {
  it('the end panel of a stopped run keeps the whole resume command; the long detail gives way', async () => {
    const t = setup({ columns: 80, rows: 24, commands: { resume: RESUME, report: REPORT } });
    const detail = 'interrupted — So far: Drill scorecard (drill time): detect not reached · contain not reached (1/4 leaked credentials dead) · rotate not reached · notify not reached — the attacker got nothing done. '.repeat(3);
    t.emit(begin(STEPS), rec({ type: 'step.started', step: 's0' }), rec({ type: 'step.finished', step: 's0', status: 'ok' }), { type: 'run.end', status: 'interrupted', exitCode: 130, detail });
    await t.until((f) => f.includes('Run stopped'), 'the end panel');
    const f = joined(t.frame());
    expect(f).toContain(`Resume: ${RESUME}`);
    expect(f).toContain(`Report: ${REPORT}`);
    expect(f).toContain('exit code 130');
  });

  it('the quit question shows the whole resume command', async () => {
    const t = setup({ columns: 80, rows: 24, commands: { resume: RESUME, report: REPORT } });
    t.emit(begin(STEPS));
    await t.until((f) => f.includes('Step number 0'), 'the checklist');
    t.press('q');
    await t.until((f) => f.includes('Quit now?'), 'the quit question');
    expect(joined(t.frame())).toContain(`resume with: ${RESUME}`);
  });
});
