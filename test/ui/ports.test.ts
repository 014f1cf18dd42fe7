import { describe, expect, it } from 'vitest';
import { createRunStore, setUi } from '../../src/ui/store.js';
import { createTuiPorts } from '../../src/ui/ports.js';
import type { ApprovalRequest } from '../../src/core/engine/ports.js';

const approval: ApprovalRequest = { step: 'revoke', title: 'Revoke', kind: 'revoke', plan: ['DELETE /tokens/a'], items: ['a', 'b'], inputs: { a: {}, b: {} } };

describe('TUI operator ports', () => {
  it('puts each request in the store as a prompt and resolves it by its answer, in order', async () => {
    const store = createRunStore();
    const t = createTuiPorts(store);
    const first = t.ports.approve(approval);
    const second = t.ports.manual({ step: 'call', title: 'Call legal', evidence: { type: 'note', required: true } });
    const prompts = store.getState().prompts;
    expect(prompts.map((p) => p.kind)).toEqual(['approval', 'manual']);
    const [a, m] = prompts;
    // the wrong kind or an unknown id is ignored
    expect(t.answer(m!.id, 'approval', { decision: 'approved', via: 'x' })).toBe(false);
    expect(t.answer(999, 'manual', { done: true, via: 'x' })).toBe(false);
    expect(t.answer(a!.id, 'approval', { decision: 'approved', items: ['a'], via: 'tui' })).toBe(true);
    await expect(first).resolves.toEqual({ decision: 'approved', items: ['a'], via: 'tui' });
    expect(store.getState().prompts.map((p) => p.kind)).toEqual(['manual']);
    // answering twice is a no-op
    expect(t.answer(a!.id, 'approval', { decision: 'denied', via: 'tui' })).toBe(false);
    t.answer(m!.id, 'manual', { done: true, note: 'called', via: 'tui' });
    await expect(second).resolves.toMatchObject({ done: true, note: 'called' });
    expect(store.getState().prompts).toEqual([]);
  });

  it('proceeds without asking once the operator chose "run all"', async () => {
    const store = createRunStore();
    const t = createTuiPorts(store);
    const p = t.ports.proceed!({ id: 's1', title: 'S1', kind: 'detect' });
    expect(store.getState().prompts[0]?.kind).toBe('proceed');
    setUi(store, { autoRun: true });
    await expect(t.ports.proceed!({ id: 's2', title: 'S2', kind: 'detect' })).resolves.toEqual({ action: 'run' });
    expect(store.getState().prompts).toHaveLength(1);
    t.answer(store.getState().prompts[0]!.id, 'proceed', { action: 'run' });
    await expect(p).resolves.toEqual({ action: 'run' });
  });

  it('on quit answers everything pending (and later) with decisions that stop the run without deciding', async () => {
    const store = createRunStore();
    const t = createTuiPorts(store);
    const a = t.ports.approve(approval);
    const m = t.ports.manual({ step: 'm', title: 'M', evidence: { type: 'none', required: false } });
    const d = t.ports.settle({ step: 'r', item: 'x', action: 'hf.revoke', reason: 'no read-back' });
    const f = t.ports.onFailure!({ id: 'f', title: 'F' }, { message: 'boom', items: ['-'] });
    const p = t.ports.proceed!({ id: 'p', title: 'P', kind: 'notify' });
    const i = t.ports.askInput!({ name: 'user', type: 'string', secret: false });
    t.close('the operator quit');
    expect(t.closed).toBe(true);
    await expect(a).resolves.toEqual({ decision: 'wait', hint: 'the operator quit' });
    await expect(m).resolves.toEqual({ done: false, hint: 'the operator quit' });
    await expect(d).resolves.toEqual({ decision: 'wait', hint: 'the operator quit' });
    await expect(f).resolves.toBe('stop');
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await expect(i).rejects.toMatchObject({ name: 'AbortError' });
    expect(store.getState().prompts).toEqual([]);
    await expect(t.ports.approve(approval)).resolves.toMatchObject({ decision: 'wait' });
    await expect(t.ports.promptSecret!('token?')).rejects.toMatchObject({ name: 'AbortError' });
    expect(store.getState().prompts).toEqual([]);
  });
});

describe('prompt order', () => {
  it('flushes what led to a question before the question shows', async () => {
    const { createObserver } = await import('../../src/ui/store.js');
    const store = createRunStore();
    const obs = createObserver(store, { intervalMs: 60_000 });
    const t = createTuiPorts(store, { beforeAsk: () => obs.flush() });
    obs.observe({ type: 'record', record: { type: 'step.finished', step: 'revoke', status: 'ok', seq: 1, ts: new Date().toISOString(), op: 'o' } });
    void t.ports.proceed!({ id: 'rotate', title: 'Rotate', kind: 'rotate' });
    expect(store.getState().steps.get('revoke')?.status).toBe('ok');
    expect(store.getState().prompts[0]?.kind).toBe('proceed');
  });
});

describe('a repeat\'s round step asked about before the checklist knows it', () => {
  it('joins the checklist under its repeat step with its kind and title, so the step asked about is the one selected', async () => {
    const { createObserver } = await import('../../src/ui/store/observer.js');
    const { selectedStep } = await import('../../src/ui/status.js');
    const store = createRunStore();
    const obs = createObserver(store, { intervalMs: 10_000 });
    const info = (id: string, kind: 'detect' | 'revoke' | 'manual') => ({ id, kind, title: `Title of ${id}`, needs: [], confirm: false, fanOut: false, evidence: { type: 'none' as const, required: false } });
    obs.observe({ type: 'run.begin', incident: 'i', mode: 'drill', dryRun: false, runbook: { id: 'rb', title: 'T', severity: 'high', path: 'rb.yaml' }, steps: [info('scope', 'detect'), info('eradicate', 'revoke'), info('report', 'manual')], resumed: false, openedAt: new Date(0).toISOString() });
    obs.flush();
    const t = createTuiPorts(store);
    void t.ports.proceed!({ id: 'eradicate#1.disable', title: "Deactivate the attacker's keys", kind: 'revoke', uses: 'aws.deactivateKey', confirm: true });
    const s = store.getState();
    expect(s.stepOrder).toEqual(['scope', 'eradicate', 'eradicate#1.disable', 'report']);
    // what it uses and that ⏎ opens its gate (not "manual: ⏎ opens it, you do it")
    expect(s.steps.get('eradicate#1.disable')?.info).toMatchObject({ kind: 'revoke', title: "Deactivate the attacker's keys", uses: 'aws.deactivateKey', confirm: true });
    expect(selectedStep(s)).toBe('eradicate#1.disable');
  });
});
