/**
 * The attach screen (`runbook attach` on a terminal) offers only the keys that work there: the
 * runner decides how its run goes on, so "a run all", "p pause", "s skip…", "v re-verify" and
 * "l decide later" are neither in the footer nor in help — and pressing them writes nothing.
 * The same screen without attach (the runner's own) still offers them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { createAttachPorts } from '../../src/ui/attach/ports.js';
import type { RecordBody } from '../../src/core/journal/records.js';
import { begin, KEY, rec, setup, step } from '../ui/helpers.js';

afterEach(() => cleanup());

const footer = (f: string) => f.split('\n').at(-1) ?? '';

function screen(attached: boolean) {
  const t = setup({ columns: 80, rows: 24, commands: { resume: attached ? 'runbook attach inc-42 --operator bob@soc' : 'runbook run rb.yaml --incident inc-42', report: 'runbook report inc-42' } });
  const write = vi.fn<(b: RecordBody) => void>();
  const ports = createAttachPorts(t.store, write, () => undefined);
  if (attached) t.store.setState({ attached: true });
  t.emit(
    begin([step('gate', { kind: 'revoke', title: 'Revoke the token', confirm: true }), step('tick', { kind: 'manual', title: 'Check the audit log', evidence: { type: 'none', required: false } }), step('fix', { kind: 'revoke', title: 'Rotate it' })]),
    rec({ type: 'run.started', mode: 'live', runbook: { id: 'rb', version: 1, path: 'rb.yaml', sha256: 'x' }, inputs: {} } as unknown as RecordBody),
  );
  t.store.setState({ begun: true, phase: 'running' });
  return { t, write, ports };
}

describe('attach screen keys', () => {
  it('a gate: footer offers approve / deny / note, never run all; a and p write nothing', async () => {
    const { t, write, ports } = screen(true);
    ports.setQuestions([{ kind: 'approval', step: 'gate', req: { step: 'gate', title: 'Revoke the token', kind: 'revoke', plan: ['revoke it'], items: ['-'], inputs: {} } }]);
    await t.until((f) => footer(f).includes('y approve'), 'the gate');
    const foot = footer(t.frame());
    expect(foot).not.toMatch(/run all|pause/);
    expect(foot).toContain('d deny…');
    t.press('a', 'p');
    await new Promise((r) => setTimeout(r, 50));
    expect(t.store.getState().ui.autoRun).toBe(false);
    t.press('?');
    await t.until((f) => f.includes('── Help'), 'help');
    const help: string[] = [];
    for (let i = 0; i < 10; i++) {
      const f = t.frame();
      help.push(f);
      if (!f.includes('↓ more')) break;
      t.press(KEY.down);
      await t.until((x) => x !== f, 'the next help page');
    }
    const all = help.join('\n').replace(/\s+/g, ' ');
    expect(all).toContain('the runner (another terminal) runs the steps');
    expect(all).not.toMatch(/run all remaining steps|stop running all|a runs them all|decide later|read it back from the provider/);
    expect(write).not.toHaveBeenCalled();
  });

  it('a manual step and an item in doubt: no skip, re-verify or decide later on offer', async () => {
    const { t, write, ports } = screen(true);
    ports.setQuestions([{ kind: 'manual', step: 'tick', req: { step: 'tick', title: 'Check the audit log', evidence: { type: 'none', required: false } } }]);
    await t.until((f) => footer(f).includes('⏎ done'), 'the manual step');
    expect(footer(t.frame())).not.toMatch(/skip|run all/);
    t.press('s');
    ports.setQuestions([{ kind: 'doubt', step: 'fix', req: { step: 'fix', item: '-', action: 'rotate', reason: 'timeout' } }]);
    await t.until((f) => footer(f).includes('m mark done'), 'the item in doubt');
    const foot = footer(t.frame());
    expect(foot).toContain('r redo');
    expect(foot).not.toMatch(/re-verify|decide later/);
    expect(t.frame()).not.toContain('decide later');
    t.press('v', 'l', 'a');
    await new Promise((r) => setTimeout(r, 50));
    // nothing happened: the question is still asked, nothing runs all, nothing was written
    expect(t.store.getState().prompts).toHaveLength(1);
    expect(t.store.getState().ui.autoRun).toBe(false);
    expect(write).not.toHaveBeenCalled();
  });

  it('q: leaving says the runner goes on and shows the command that attaches again (never an empty "resume with:")', async () => {
    const { t } = screen(true);
    t.press('q');
    await t.until((f) => f.includes('Leave?'), 'the leave question');
    expect(t.frame()).toContain('Leave? The runner goes on without you; nothing is lost.');
    expect(t.frame()).toContain('attach again: runbook attach inc-42 --operator bob@soc');
    expect(t.frame()).not.toContain('resume with');
  });

  it("the runner's own screen still offers run all", async () => {
    const { t } = screen(false);
    t.store.setState({ prompts: [{ id: 1, kind: 'approval', step: 'gate', req: { step: 'gate', title: 'Revoke the token', kind: 'revoke', plan: ['revoke it'], items: ['-'], inputs: {} } }] });
    await t.until((f) => footer(f).includes('a run all'), 'run all on the runner screen');
  });
});
