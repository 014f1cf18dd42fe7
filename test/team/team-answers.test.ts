/**
 * The runner's side of live answers (src/core/engine/team-answers.ts) over an in-process feed
 * of journal records (the shared store's follow() feeds the same function): which answer
 * record fits which question, evidence, items, the TUI's own prompt withdrawn when the team
 * answers first, and the questions published while they are open.
 */
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/core/journal/records.js';
import type { OperatorPorts, QuestionRef } from '../../src/core/engine/ports.js';
import { teamPorts, type AnswerFeed, type Question } from '../../src/core/engine/team-answers.js';

function feed() {
  let fn: ((r: JournalRecord) => void) | undefined;
  let seq = 0;
  const holds: boolean[] = [];
  const f: AnswerFeed = {
    follow: (_after, cb) => ((fn = cb), () => (fn = undefined)),
    holdOpen: (on) => void holds.push(on),
  };
  const answer = (body: Record<string, unknown>, op = 'bob@soc') => fn?.({ seq: ++seq, ts: '2026-01-01T00:00:00.000Z', op, sum: '', ...body } as unknown as JournalRecord);
  return { f, answer, holds };
}

/** A TUI-like port: asks and waits until answered or withdrawn. */
function tuiLike() {
  const withdrawn: QuestionRef[] = [];
  const pending: Array<(v: unknown) => void> = [];
  const ask = () => new Promise<never>((resolve) => pending.push(resolve as (v: unknown) => void));
  const ports: OperatorPorts = {
    approve: ask,
    manual: ask,
    settle: ask,
    withdraw: (q) => {
      withdrawn.push(q);
      for (const p of pending.splice(0)) p({ decision: 'wait', hint: 'withdrawn', done: false });
    },
  };
  return { ports, withdrawn };
}

const manualReq = (evidence: 'none' | 'note' | 'link', item?: string) => ({ step: 'tick', ...(item ? { item } : {}), title: 'Tick', evidence: { type: evidence, required: evidence !== 'none' } });

describe('teamPorts', () => {
  it('settles an item in doubt with the settlement for that step AND item, naming who answered, and withdraws the TUI prompt', async () => {
    const { f, answer } = feed();
    const tui = tuiLike();
    const asked: Question[][] = [];
    const p = teamPorts(tui.ports, f, { after: 0, signal: new AbortController().signal, interactive: true, asking: (q) => asked.push(q) });
    const got = p.settle({ step: 'revoke', item: 'tok-2', action: 'hf.revoke', reason: 'timeout' });
    answer({ type: 'settled', step: 'revoke', item: 'tok-1', decision: 'redo', via: 'runbook attach' });
    answer({ type: 'settled', step: 'other', item: 'tok-2', decision: 'redo', via: 'runbook attach' });
    answer({ type: 'settled', step: 'revoke', item: 'tok-2', decision: 'done', via: 'runbook attach' }, 'carol@soc');
    expect(await got).toEqual({ decision: 'done', via: 'answer #3 by carol@soc (runbook attach)' });
    expect(tui.withdrawn).toEqual([{ kind: 'doubt', step: 'revoke', item: 'tok-2' }]);
    // published while open, then gone
    expect(asked[0]).toEqual([{ kind: 'doubt', step: 'revoke', req: expect.objectContaining({ item: 'tok-2' }) }]);
    expect(asked.at(-1)).toEqual([]);
  });

  it('a manual answer without the evidence the step requires is not taken; one with it is, once', async () => {
    const { f, answer } = feed();
    const tui = tuiLike();
    const p = teamPorts(tui.ports, f, { after: 0, signal: new AbortController().signal, interactive: true });
    const got = p.manual(manualReq('link'));
    answer({ type: 'manual', step: 'tick', note: 'did it', via: 'runbook attach' });
    answer({ type: 'manual', step: 'tick', link: 'SEC-42', via: 'runbook attach' });
    expect(await got).toEqual({ done: true, link: 'SEC-42', via: 'answer #2 by bob@soc (runbook attach)' });
    // an answer already used does not answer the next question (the one without a link still can: this one needs none)
    expect(await p.manual(manualReq('none'))).toMatchObject({ done: true, note: 'did it', via: 'answer #1 by bob@soc (runbook attach)' });
    const again = p.manual(manualReq('none'));
    answer({ type: 'manual', step: 'tick', via: 'runbook attach' });
    expect(await again).toMatchObject({ done: true, via: 'answer #3 by bob@soc (runbook attach)' });
  });

  it('an answer given before the question is asked counts; a per-item question takes only its item', async () => {
    const { f, answer } = feed();
    const p = teamPorts(tuiLike().ports, f, { after: 0, signal: new AbortController().signal, interactive: true });
    answer({ type: 'approval', step: 'gate', decision: 'denied', reason: 'wrong token', via: 'runbook approve' }, 'lead@soc');
    answer({ type: 'manual', step: 'tick', item: 'b', note: 'b done', via: 'runbook attach' });
    expect(await p.approve({ step: 'gate', title: 'Gate', kind: 'revoke', plan: [], items: ['-'], inputs: {} })).toEqual({ decision: 'denied', reason: 'wrong token', via: 'answer #1 by lead@soc (runbook approve)' });
    const a = p.manual(manualReq('note', 'a'));
    answer({ type: 'manual', step: 'tick', item: 'a', note: 'a done', via: 'runbook attach' });
    expect(await a).toMatchObject({ done: true, note: 'a done' });
  });

  it('scripted: without a wait it stops at once (the flag hint); with one it waits and keeps the process alive meanwhile', async () => {
    const { f, answer, holds } = feed();
    const scripted: OperatorPorts = { approve: async () => ({ decision: 'wait', hint: 'use --approve gate' }), manual: async () => ({ done: false }), settle: async () => ({ decision: 'wait', hint: 'h' }) };
    const req = { step: 'gate', title: 'Gate', kind: 'revoke' as const, plan: [], items: ['-'], inputs: {} };
    const now = teamPorts(scripted, f, { after: 0, signal: new AbortController().signal, interactive: false });
    expect(await now.approve(req)).toEqual({ decision: 'wait', hint: 'use --approve gate' });
    expect(now.answered).toBeUndefined();
    const waits: Array<string | undefined> = [];
    const later = teamPorts(scripted, f, { after: 0, signal: new AbortController().signal, interactive: false, waitMs: 60_000, onWait: (h) => waits.push(h) });
    const got = later.approve(req);
    await new Promise((r) => setImmediate(r));
    expect(waits).toEqual(['use --approve gate']);
    answer({ type: 'approval', step: 'gate', decision: 'approved', via: 'runbook approve' });
    expect(await got).toMatchObject({ decision: 'approved' });
    expect(holds).toContain(true);
    expect(holds.at(-1)).toBe(false);
  });

  it('step by step: a next step the runner\'s own operator has not started is published (and how the runner goes on)', async () => {
    const { f } = feed();
    const asked: Array<[Question[], string]> = [];
    let start!: () => void;
    const inner: OperatorPorts = { ...tuiLike().ports, proceed: () => new Promise((r) => (start = () => r({ action: 'run' }))) };
    const p = teamPorts(inner, f, { after: 0, signal: new AbortController().signal, interactive: true, asking: (q, runs) => asked.push([q, runs]) });
    const req = { id: 'look', title: 'Look first', kind: 'detect' as const };
    const got = p.proceed!(req);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(asked).toEqual([[[{ kind: 'proceed', step: 'look', req }], 'step']]);
    start();
    expect(await got).toEqual({ action: 'run' });
    expect(asked.at(-1)).toEqual([[], 'step']);
  });

  it('running all (the answer comes at once): nothing is published as asked, and the runner is said to run all', async () => {
    const { f } = feed();
    const asked: Array<[Question[], string]> = [];
    const inner: OperatorPorts = { ...tuiLike().ports, proceed: async () => ({ action: 'run' }) };
    const p = teamPorts(inner, f, { after: 0, signal: new AbortController().signal, interactive: true, asking: (q, runs) => asked.push([q, runs]) });
    expect(await p.proceed!({ id: 'look', title: 'Look first', kind: 'detect' })).toEqual({ action: 'run' });
    expect(await p.proceed!({ id: 'gate', title: 'Gate', kind: 'detect' })).toEqual({ action: 'run' });
    expect(asked).toEqual([[[], 'all']]);
    // scripted (no proceed port): it runs all
    const scripted: Array<string> = [];
    const s = teamPorts({ approve: inner.approve, manual: inner.manual, settle: inner.settle }, f, { after: 0, signal: new AbortController().signal, interactive: false, asking: (_q, runs) => scripted.push(runs) });
    expect(s.proceed).toBeUndefined();
    void s.approve({ step: 'gate', title: 'Gate', kind: 'detect', plan: [], items: ['-'], inputs: {} });
    expect(scripted).toEqual(['all']);
  });
});

describe('what attach shows of questions only the runner answers', () => {
  it('the attach screen waits on the step the runner has not started; text mode says how to answer each question', async () => {
    const { runnerWaiting } = await import('../../src/ui/attach/ports.js');
    const { questionLines } = await import('../../src/commands/attach.js');
    const qs: Question[] = [
      { kind: 'proceed', step: 'look', req: { id: 'look', title: 'Look first', kind: 'detect' } },
      { kind: 'approval', step: 'revoke', req: { step: 'revoke', title: 'Revoke the tokens', kind: 'revoke', plan: [], items: ['tok-1', 'tok-2'], inputs: {} } },
      { kind: 'manual', step: 'tick', req: { step: 'tick', item: 'a', title: 'Tick', evidence: { type: 'link', required: true } } },
    ];
    expect(runnerWaiting(qs, 'alice@soc')).toEqual({ step: 'look', on: 'proceed', hint: 'alice@soc starts it (step by step): next step "Look first"' });
    expect(runnerWaiting(qs.slice(1), 'alice@soc')).toBeUndefined();
    expect([...questionLines({ asking: qs, operator: 'alice@soc' }).values()]).toEqual([
      '… look: alice@soc starts it (step by step): next step "Look first"',
      '? revoke: approval needed — Revoke the tokens (2 items: tok-1, tok-2); answer: approve revoke | deny revoke [REASON]',
      '? tick/a: manual step — Tick; answer: done tick/a LINK',
    ]);
    expect(questionLines(null).size).toBe(0);
  });
});
