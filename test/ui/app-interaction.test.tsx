import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { begin, KEY, rec, setup, step } from './helpers.js';
import type { ApprovalRequest } from '../../src/core/engine/ports.js';

afterEach(() => cleanup());

const STEPS = [
  step('find', { kind: 'detect', title: 'Find leaked tokens' }),
  step('revoke', { kind: 'revoke', title: 'Revoke tokens', fanOut: true, confirm: true }),
  step('tell', { kind: 'manual', title: 'Tell the users', evidence: { type: 'note', required: true } }),
];
const GATE: ApprovalRequest = {
  step: 'revoke',
  title: 'Revoke tokens',
  kind: 'revoke',
  plan: ['[a] DELETE https://hf.test/api/tokens/a', '[b] DELETE https://hf.test/api/tokens/b', '[c] DELETE https://hf.test/api/tokens/c'],
  items: ['a', 'b', 'c'],
  inputs: { a: { token: 'a' }, b: { token: 'b' }, c: { token: 'c' } },
};

async function started() {
  const t = setup();
  t.emit(begin(STEPS));
  await t.until((f) => f.includes('Find leaked tokens'), 'checklist');
  return t;
}

/** started(), then GATE asked and shown; `answer` is what the gate resolves to. */
async function atGate() {
  const t = await started();
  const answer = t.ports.ports.approve(GATE);
  await t.until((f) => f.includes('Approval needed'), 'gate');
  return { t, answer };
}

describe('running steps', () => {
  it('⏎ runs the next step; a runs all remaining; s skips with a reason', async () => {
    const t = await started();
    const first = t.ports.ports.proceed!({ id: 'find', title: 'Find leaked tokens', kind: 'detect' });
    await t.until((f) => f.includes('Next step · find') && f.includes('⏎ run step'), 'proceed prompt');
    t.press(KEY.enter);
    await expect(first).resolves.toEqual({ action: 'run' });
    const second = t.ports.ports.proceed!({ id: 'revoke', title: 'Revoke tokens', kind: 'revoke' });
    await t.until((f) => f.includes('Next step · revoke'), 'second proceed');
    t.press('s');
    await t.until((f) => f.includes('Why skip revoke?'), 'reason entry');
    t.press(KEY.enter);
    await t.until((f) => f.includes('this cannot be empty'), 'empty reason refused');
    t.press('not ours', KEY.enter);
    await expect(second).resolves.toEqual({ action: 'skip', reason: 'not ours' });
    const third = t.ports.ports.proceed!({ id: 'tell', title: 'Tell the users', kind: 'manual' });
    await t.until((f) => f.includes('Next step · tell'), 'third proceed');
    t.press('a');
    await expect(third).resolves.toEqual({ action: 'run' });
    await t.until((f) => f.includes('running all'), 'auto run shown');
    // no prompt any more
    await expect(t.ports.ports.proceed!({ id: 'x', title: 'X', kind: 'notify' })).resolves.toEqual({ action: 'run' });
    t.press('p');
    await t.until((f) => f.includes('step by step'), 'paused');
    void t.ports.ports.proceed!({ id: 'y', title: 'Y', kind: 'notify' });
    await t.until((f) => f.includes('Next step · y'), 'asks again after pause');
  });

  it('⏎ pressed while a step runs says so, and the hint goes when the next question comes (not left beside it)', async () => {
    const t = await started();
    const first = t.ports.ports.proceed!({ id: 'find', title: 'Find leaked tokens', kind: 'detect' });
    await t.until((f) => f.includes('Next step · find'), 'proceed prompt');
    t.press(KEY.enter);
    await expect(first).resolves.toEqual({ action: 'run' });
    t.emit(rec({ type: 'step.started', step: 'find' }));
    t.press(KEY.enter); // a second ⏎ while find runs: nothing is asked
    await t.until((f) => f.includes('nothing to do on this step'), 'the hint');
    void t.ports.ports.proceed!({ id: 'revoke', title: 'Revoke tokens', kind: 'revoke' });
    await t.until((f) => f.includes('Next step · revoke'), 'the next question');
    expect(t.frame()).not.toContain('nothing to do on this step');
    expect(t.frame()).toContain('⏎ run step');
  });
});

describe('gates', () => {
  it('shows the plan, then y approves the whole fan-out', async () => {
    const t = await started();
    const ans = t.ports.ports.approve(GATE);
    await t.until((f) => f.includes('Approval needed · revoke'), 'gate');
    const f = t.frame();
    expect(f).toContain('This will, for 3 items:');
    // each item with the call made for it
    expect(f).toMatch(/• a\s*\n\s+→ DELETE https:\/\/hf\.test\/api\/tokens\/a/);
    expect(f).toMatch(/• c\s*\n\s+→ DELETE https:\/\/hf\.test\/api\/tokens\/c/);
    expect(f).toMatch(/y approve all\s+i pick items…\s+d deny…/);
    expect(f).toMatch(/◆ waiting\s+revoke/);
    t.press('y');
    await expect(ans).resolves.toEqual({ decision: 'approved', items: ['a', 'b', 'c'], via: 'tui' });
    await t.until((f2) => !f2.includes('Approval needed'), 'gate gone');
  });

  it('d denies with a reason', async () => {
    const { t, answer: ans } = await atGate();
    t.press('d');
    await t.until((f) => f.includes('Deny revoke — reason (optional)'), 'reason');
    t.press('false positive', KEY.enter);
    await expect(ans).resolves.toEqual({ decision: 'denied', reason: 'false positive', via: 'tui' });
  });

  it('i approves item by item', async () => {
    const { t, answer: ans } = await atGate();
    t.press('i');
    await t.until((f) => f.includes('Approve which items? 0 of 3 selected'), 'picker');
    t.press(KEY.enter);
    await t.until((f) => f.includes('select at least one item'), 'empty selection refused');
    t.press(KEY.down, KEY.space, KEY.down, KEY.space, KEY.up, KEY.space);
    await t.until((f) => f.includes('1 of 3 selected'), 'one selected');
    expect(t.frame()).toMatch(/\[x\] c/);
    t.press(KEY.enter);
    await expect(ans).resolves.toEqual({ decision: 'approved', items: ['c'], via: 'tui' });
  });

  it('esc leaves the picker without deciding', async () => {
    const { t, answer: ans } = await atGate();
    t.press('i');
    await t.until((f) => f.includes('Approve which items?'), 'picker');
    t.press(KEY.esc);
    await t.until((f) => f.includes('This will, for 3 items:'), 'back to the plan');
    t.press('y');
    await expect(ans).resolves.toMatchObject({ decision: 'approved', items: ['a', 'b', 'c'] });
  });
});

describe('manual steps, failures, doubt', () => {
  it('ticks a manual step off with a note', async () => {
    const t = await started();
    const ans = t.ports.ports.manual({ step: 'tell', title: 'Tell the users', instructions: 'Email **every** affected user.', evidence: { type: 'note', required: true, prompt: 'Who did you tell?' } });
    await t.until((f) => f.includes('Manual step · tell'), 'manual prompt');
    expect(t.frame()).toContain('Email every affected user.');
    expect(t.frame()).toContain('Evidence: a note (required) — Who did you tell?');
    t.press(KEY.enter);
    await t.until((f) => f.includes('› ') && f.includes('Who did you tell?'), 'evidence entry');
    t.press(KEY.enter);
    await t.until((f) => f.includes('this cannot be empty'), 'required');
    t.press('emailed 12 users', KEY.backspace, KEY.backspace, 'rs', KEY.enter);
    await expect(ans).resolves.toEqual({ done: true, note: 'emailed 12 users', via: 'tui' });
  });

  it('asks for a link where the runbook wants one, and skips with a reason', async () => {
    const t = await started();
    const ans = t.ports.ports.manual({ step: 'tell', title: 'Tell', evidence: { type: 'link', required: true } });
    await t.until((f) => f.includes('Manual step'), 'prompt');
    t.press('t');
    await t.until((f) => f.includes('Link to the evidence'), 'link entry');
    t.press('not a link', KEY.enter);
    await t.until((f) => f.includes('a link is a URL (https://…) or a ticket id (SEC-42)'), 'link refused');
    t.press(KEY.esc);
    await t.until((f) => !f.includes('Link to the evidence'), 'entry closed');
    t.press('s');
    await t.until((f) => f.includes('Why skip tell?'), 'skip entry');
    t.press('handled by support', KEY.enter);
    await expect(ans).resolves.toEqual({ done: false, skip: { reason: 'handled by support' } });
  });

  it('a failed step: r retries, c continues, x stops', async () => {
    const t = await started();
    for (const [key, want] of [['r', 'retry'], ['c', 'continue'], ['x', 'stop']] as const) {
      const ans = t.ports.ports.onFailure!({ id: 'find', title: 'Find' }, { message: 'scanner exited with code 2', items: ['-'] });
      await t.until((f) => f.includes('Step failed · find') && f.includes('scanner exited with code 2'), 'failure prompt');
      t.press(key);
      await expect(ans).resolves.toBe(want);
      await t.until((f) => !f.includes('Step failed'), 'answered');
    }
  });

  it('settles an in-doubt item: m done, r redo, v re-verify, l later', async () => {
    const t = await started();
    for (const [key, want] of [['m', { decision: 'done', via: 'tui' }], ['r', { decision: 'redo', via: 'tui' }], ['v', { decision: 'verify' }], ['l', { decision: 'wait', hint: 'left in doubt by the operator' }]] as const) {
      const ans = t.ports.ports.settle({ step: 'revoke', item: 'b', action: 'hf.revokeToken', reason: 'verify returned unknown' });
      await t.until((f) => f.includes('In doubt · revoke / b') && f.includes('verify returned unknown'), 'doubt prompt');
      t.press(key);
      await expect(ans).resolves.toEqual(want);
      await t.until((f) => !f.includes('In doubt ·'), 'answered');
    }
  });
});

describe('inputs, notes, help, quit', () => {
  it('asks for inputs (checked against the pattern) and secrets (never echoed)', async () => {
    const t = setup();
    const user = t.ports.ports.askInput!({ name: 'user', type: 'string', pattern: '^[a-z]+$', prompt: 'Which HF user leaked the token?', secret: false });
    await t.until((f) => f.includes('Input needed · user') && f.includes('Which HF user leaked the token?'), 'input prompt');
    expect(t.frame()).toMatch(/⏎ submit\s+Ctrl-C quit/); // q types a q here; the way out is shown
    t.press('Bad User', KEY.enter);
    await t.until((f) => f.includes('user must match ^[a-z]+$'), 'pattern error');
    t.press('\u0015', 'alice', KEY.enter); // Ctrl-U clears
    await expect(user).resolves.toBe('alice');
    const secretValue = 'hf_' + Math.random().toString(36).slice(2, 12);
    const sec = t.ports.ports.promptSecret!('HF admin token');
    await t.until((f) => f.includes('Secret needed'), 'secret prompt');
    t.press(secretValue);
    await t.until((f) => f.includes('•'.repeat(secretValue.length)), 'masked echo');
    expect(t.ui.frames.join('')).not.toContain(secretValue);
    t.press(KEY.enter);
    await expect(sec).resolves.toBe(secretValue);
  });

  it('n adds a timeline note; esc cancels one', async () => {
    const t = await started();
    t.press('n');
    await t.until((f) => f.includes('Timeline note'), 'note entry');
    t.press('paged security lead', KEY.enter);
    await t.until(() => t.note.mock.calls.length === 1, 'note sent');
    expect(t.note).toHaveBeenCalledWith('paged security lead');
    t.press('n');
    await t.until((f) => f.includes('Timeline note'), 'note entry again');
    t.press('never mind', KEY.esc);
    await t.until((f) => !f.includes('Timeline note'), 'closed');
    expect(t.note).toHaveBeenCalledTimes(1);
    t.emit(rec({ type: 'note', text: 'paged security lead' }));
    await t.until((f) => f.includes('last note: paged security lead'), 'note shown');
  });

  it('? shows the keys that apply now', async () => {
    const { t } = await atGate();
    t.press('?');
    await t.until((f) => f.includes('Keys that apply now'), 'help');
    const f = t.frame();
    const now = f.slice(f.indexOf('Keys that apply now'), f.indexOf('Other keys') > 0 ? f.indexOf('Other keys') : undefined);
    expect(now).toContain('approve the gate');
    expect(now).not.toContain('run the step shown');
    t.press('y'); // not an approval while the help is open
    t.press(KEY.esc);
    await t.until((f2) => f2.includes('This will, for 3 items:'), 'help closed');
    expect(t.store.getState().prompts).toHaveLength(1);
  });

  it('q asks, shows the resume command, and quits on y; Ctrl-C quits at once', async () => {
    const t = await started();
    t.press('q');
    await t.until((f) => f.includes('Quit now?') && f.includes('resume with: runbook run rb.yaml --incident inc-42'), 'confirm');
    t.press('n');
    await t.until((f) => !f.includes('Quit now?'), 'stayed');
    expect(t.quit).not.toHaveBeenCalled();
    t.press('q', 'y');
    await t.until(() => t.quit.mock.calls.length === 1, 'quit');
    expect(t.quit).toHaveBeenLastCalledWith(false);
    t.press(KEY.ctrlC);
    await t.until(() => t.quit.mock.calls.length === 2, 'ctrl-c');
    t.press(KEY.ctrlC);
    await t.until(() => t.quit.mock.calls.length === 3, 'ctrl-c twice');
    expect(t.quit).toHaveBeenLastCalledWith(true);
  });

  it('when the run is over: how it ended, the report command, and ⏎ leaves', async () => {
    const t = await started();
    t.emit(rec({ type: 'step.started', step: 'find' }), rec({ type: 'step.finished', step: 'find', status: 'failed', reason: 'scanner crashed' }), { type: 'run.end', status: 'failed', exitCode: 1, detail: 'find: scanner crashed' });
    await t.until((f) => f.includes('Run failed'), 'end panel');
    const f = t.frame();
    expect(f).toContain('find: scanner crashed');
    expect(f).toContain('Report:  runbook report inc-42');
    expect(f).toContain('Resume:  runbook run rb.yaml --incident inc-42');
    expect(f).toContain('exit code 1');
    expect(f).toMatch(/✗ failed\s+detect/);
    t.press(KEY.enter);
    await t.until(() => t.exit.mock.calls.length === 1, 'exit');
  });
});

describe('keys that arrive together', () => {
  it('takes several keys of one chunk one by one, and text + Enter as typed then submitted', async () => {
    const t = await started();
    t.press('jj');
    await t.until((f) => f.includes('Step tell'), 'moved two steps');
    t.press('kf');
    await t.until((f) => f.includes('Step find'), 'moved back, then follow');
    t.press('n');
    await t.until((f) => f.includes('Timeline note'), 'note entry');
    t.press('scoped the blast radius\r');
    await t.until(() => t.note.mock.calls.length === 1, 'note sent');
    expect(t.note).toHaveBeenCalledWith('scoped the blast radius');
    const ans = t.ports.ports.approve(GATE);
    await t.until((f) => f.includes('Approval needed'), 'gate');
    t.press('i');
    await t.until((f) => f.includes('Approve which items?'), 'picker');
    t.press('j j ');
    await t.until((f) => f.includes('2 of 3 selected'), 'two toggled in one chunk');
    t.press(KEY.enter);
    await expect(ans).resolves.toMatchObject({ items: ['b', 'c'] });
  });
});
