/**
 * What a first-time responder found confusing driving the flagship drill at 80×24, as component
 * tests: the waiting count said once; the quit keys said once; Ctrl-U / Ctrl-W edit the entry as
 * in a shell; a manual step's evidence line stays in view and the footer offers PgDn when its
 * instructions are cut; before the drill clock starts nothing of the attacker has happened.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { begin, fakeDrill, KEY, rec, setup, step } from './helpers.js';
import { lastNote, noteLine } from '../../src/ui/components/status-bar.js';
import type { DrillView } from '../../src/ui/context.js';

afterEach(() => cleanup());

const count = (f: string, s: string) => f.split(s).length - 1;

const STEPS = [
  step('verify', { kind: 'detect', title: 'Check which tokens are live', uses: 'hf.verifyToken' }),
  step('revoke', { kind: 'revoke', title: 'Revoke the leaked tokens', uses: 'hf.revokeToken', confirm: true, fanOut: true, needs: ['verify'] }),
  step('owners', { kind: 'detect', title: 'Work out whom to tell', uses: 'sh.run', needs: ['verify'] }),
  step('ticket', { kind: 'manual', title: 'Record the ticket', evidence: { type: 'link', required: true } }),
];

const CTRL_U = '\u0015';
const CTRL_W = '\u0017';

async function at80x24(drill?: DrillView) {
  const t = setup({ columns: 80, rows: 24, drill });
  t.emit(begin(STEPS), rec({ type: 'step.started', step: 'verify', kind: 'detect', title: 'Check' }), rec({ type: 'step.finished', step: 'verify', status: 'ok' }));
  return t;
}

describe('how many things wait: said once', () => {
  it('two steps ready together: listed as "Also ready now", with no other count on the screen', async () => {
    const t = await at80x24();
    void t.ports.ports.proceed!({ id: 'revoke', title: 'Revoke the leaked tokens', kind: 'revoke' });
    void t.ports.ports.proceed!({ id: 'owners', title: 'Work out whom to tell', kind: 'detect' });
    await t.until((f) => f.includes('Also ready now (1)'), 'the ready list');
    const f = t.frame();
    expect(f).not.toContain('more waiting');
    expect(f).not.toContain('waiting for you after this one');
  });

  it('what the pane does not list (a gate of another step) is counted once, on the status line', async () => {
    const t = await at80x24();
    void t.ports.ports.proceed!({ id: 'owners', title: 'Work out whom to tell', kind: 'detect' });
    void t.ports.ports.approve({ step: 'revoke', title: 'Revoke', kind: 'revoke', plan: ['[k5RB] POST /api/credentials/revoke'], items: ['k5RB'], inputs: { k5RB: {} } });
    await t.until((f) => f.includes('Next step · owners'), 'the proceed prompt');
    const f = t.frame();
    expect(f).not.toContain('Also ready now');
    expect(f).toContain('1 more thing waiting for you after this one');
    expect(f).not.toContain('more waiting');
  });
});

describe('the quit question', () => {
  it('says its keys once', async () => {
    const t = await at80x24();
    void t.ports.ports.proceed!({ id: 'owners', title: 'Work out whom to tell', kind: 'detect' });
    await t.until((f) => f.includes('Next step · owners'), 'the prompt');
    t.press('q');
    await t.until((f) => f.includes('Quit now?'), 'the quit question');
    const f = t.frame();
    expect(count(f, 'y quit')).toBe(1);
    expect(count(f, 'n stay')).toBe(1);
    t.press('y');
    await t.until(() => t.quit.mock.calls.length === 1, 'quit');
  });
});

describe('the text entry edits as a shell does', () => {
  async function linkEntry() {
    const t = await at80x24();
    const ans = t.ports.ports.manual({ step: 'ticket', title: 'Record the ticket', evidence: { type: 'link', required: true } });
    await t.until((f) => f.includes('Manual step · ticket'), 'the manual step');
    t.press(KEY.enter);
    await t.until((f) => f.includes('Link to the evidence'), 'the link entry');
    return { t, ans };
  }

  it('Ctrl-U clears the line, also when it comes in one chunk with what was typed', async () => {
    const { t, ans } = await linkEntry();
    t.press(`not a link${CTRL_U}`);
    await t.until((f) => !f.includes('not a link'), 'cleared');
    t.press('https://tickets.example/SEC-1', KEY.enter);
    await expect(ans).resolves.toMatchObject({ done: true, link: 'https://tickets.example/SEC-1' });
  });

  it('Ctrl-W deletes the word before the cursor', async () => {
    const { t, ans } = await linkEntry();
    t.press('SEC-42 oops');
    await t.until((f) => f.includes('› SEC-42 oops'), 'typed');
    t.press(CTRL_W);
    await t.until((f) => !f.includes('oops'), 'word gone');
    t.press(`x y${CTRL_W}${CTRL_W}`, KEY.enter);
    await expect(ans).resolves.toMatchObject({ done: true, link: 'SEC-42' });
  });
});

describe('a manual step with long instructions at 80×24', () => {
  const instructions = Array.from({ length: 14 }, (_, i) => `${i + 1}. Step number ${i + 1} of what to do by hand.`).join('\n');

  it('keeps what to type in view and offers PgDn on the footer while the instructions are cut', async () => {
    const t = await at80x24();
    void t.ports.ports.manual({ step: 'ticket', title: 'Record the ticket', instructions, evidence: { type: 'link', required: true, prompt: "Record the ticket's link" } });
    await t.until((f) => f.includes('Manual step · ticket'), 'the manual step');
    let f = t.frame();
    expect(f).toContain("Evidence: a link (required) — Record the ticket's link");
    expect(f).toMatch(/more lines? \(PgDn\)/);
    const footer = f.trimEnd().split('\n').at(-1) ?? '';
    expect(footer).toContain('PgDn more');
    expect(footer).toContain('q quit');
    // to the end: the evidence line is still there, PgDn no longer offered
    for (let i = 0; i < 16; i++) t.press(KEY.pgdn);
    await t.until((x) => x.includes('(end — PgUp)'), 'the end of the instructions');
    f = t.frame();
    expect(f).toContain("Evidence: a link (required) — Record the ticket's link");
    expect(f).toContain('14. Step number 14');
    expect(f.trimEnd().split('\n').at(-1)).not.toContain('PgDn more');
  });

  it('short instructions: no PgDn offered', async () => {
    const t = await at80x24();
    void t.ports.ports.manual({ step: 'ticket', title: 'Record the ticket', instructions: 'Open a ticket.', evidence: { type: 'link', required: true } });
    await t.until((f) => f.includes('Evidence: a link (required)'), 'the manual step');
    expect(t.frame()).not.toContain('PgDn');
  });
});

describe('before the drill clock starts', () => {
  const ATTACK = 'drill: adversary aws.create_key with ci-deployer-key at 0s — succeeded: created access key AKIAEXAMPLE';

  it('shows nothing of the attacker as having happened (its next move is in the header); once it runs, its notes show', async () => {
    const drill = fakeDrill({ at: 480_000, what: 'assume role deploy with ci-deployer-key' }, 0);
    const t = await at80x24(drill);
    t.emit(rec({ type: 'note', text: ATTACK }));
    await t.until((f) => f.includes('starts with your first key'), 'the drill line');
    expect(t.frame()).not.toContain('last note');
    expect(t.frame()).not.toContain('adversary');
    t.press('j'); // the first key starts the clock
    await t.until(() => drill.running(), 'the clock running');
    t.emit(rec({ type: 'note', text: 'paged security lead' }), rec({ type: 'note', text: ATTACK }));
    await t.until((f) => f.includes('last note: attacker aws.create_key — succeeded: created access key'), 'the attacker note once the clock runs, its outcome in view');
  });

  it("lastNote: the responder's own notes show before the clock starts; the attacker's do not", () => {
    const notes = [{ text: 'paged security lead' }, { text: 'drill: adversary aws.create_key with k at 0s — succeeded: x' }];
    expect(lastNote(notes, false)).toBe('paged security lead');
    expect(lastNote(notes, true)).toMatch(/^drill: adversary/);
    expect(lastNote(notes.slice(1), false)).toBeUndefined();
  });
});

describe('the steps ready now, below the fold', () => {
  it('a pane cut below hides its "Also ready now" list: the status line counts them', async () => {
    const t = await at80x24();
    const instructions = Array.from({ length: 14 }, (_, i) => `${i + 1}. Line ${i + 1} of what the step does.`).join('\n');
    void t.ports.ports.proceed!({ id: 'owners', title: 'Work out whom to tell', kind: 'detect', instructions });
    void t.ports.ports.proceed!({ id: 'revoke', title: 'Revoke the leaked tokens', kind: 'revoke' });
    await t.until((f) => f.includes('Next step · owners') && f.includes('PgDn more'), 'the cut prompt');
    expect(t.frame()).not.toContain('Also ready now');
    expect(t.frame()).toContain('1 more thing waiting for you after this one');
    for (let i = 0; i < 20; i++) t.press(KEY.pgdn);
    await t.until((f) => f.includes('Also ready now (1)'), 'the list in view');
    expect(t.frame()).not.toContain('waiting for you after this one');
  });
});

describe('asking to quit costs no drill time', () => {
  it('q then n leaves the drill clock standing; the next key starts it', async () => {
    let on = false;
    const drill: DrillView = { speed: 0.25, now: () => (on ? 1 : 0), running: () => on, start: () => (on = true), pause: () => (on = false), next: () => undefined, attackerLive: () => 0 };
    const t = await at80x24(drill);
    void t.ports.ports.proceed!({ id: 'owners', title: 'Work out whom to tell', kind: 'detect' });
    await t.until((f) => f.includes('Next step · owners'), 'the prompt');
    t.press('q');
    await t.until((f) => f.includes('Quit now?'), 'the quit question');
    t.press('n');
    await t.until((f) => !f.includes('Quit now?'), 'back');
    expect(drill.running()).toBe(false);
    t.press('j');
    await t.until(() => drill.running(), 'the clock running');
  });
});

describe('an attacker note on the status line', () => {
  it('keeps what it did, on what, and its outcome (not the credential and the drill second, which cut the outcome at 80 columns)', () => {
    expect(noteLine('drill: adversary huggingface.read_space with acme-org-legacy on acme-ml/support-bot at 1800s — blocked: acme-org-legacy is dead: the attempt failed')).toBe(
      'attacker huggingface.read_space on acme-ml/support-bot — blocked: acme-org-legacy is dead: the attempt failed',
    );
    expect(noteLine('paged security lead')).toBe('paged security lead');
  });
});

describe("a step's detail cut below at 80×24", () => {
  it('offers PgDn on the footer while the detail pane is cut, not once scrolled to its end', async () => {
    const instructions = Array.from({ length: 30 }, (_, i) => `${i + 1}. Line ${i + 1} of what this step does.`).join('\n');
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin([step('review', { kind: 'manual', title: 'Review what else the token reached', instructions })]));
    await t.until((f) => /more lines? \(PgDn\)/.test(f), 'the cut detail');
    expect(t.frame().trimEnd().split('\n').at(-1)).toContain('PgDn more');
    for (let i = 0; i < 40; i++) t.press(KEY.pgdn);
    await t.until((f) => f.includes('30. Line 30'), 'the end of the detail');
    await t.until((f) => !(f.trimEnd().split('\n').at(-1) ?? '').includes('PgDn more'), 'the footer without PgDn');
  });

  it('a short detail: no PgDn offered', async () => {
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin([step('review', { kind: 'manual', title: 'Review', instructions: 'Look once.' })]));
    await t.until((f) => f.includes('Look once.'), 'the detail');
    expect(t.frame()).not.toContain('PgDn');
  });
});

describe('"Also ready now" says what each ready step asks of you', () => {
  it('a gated step is marked (gated), a manual one (by hand), others nothing', async () => {
    const t = await at80x24();
    void t.ports.ports.proceed!({ id: 'owners', title: 'Work out whom to tell', kind: 'detect' });
    void t.ports.ports.proceed!({ id: 'revoke', title: 'Revoke the leaked tokens', kind: 'revoke' });
    void t.ports.ports.proceed!({ id: 'ticket', title: 'Record the ticket', kind: 'manual' });
    await t.until((f) => f.includes('Also ready now (2)'), 'the ready list');
    const f = t.frame();
    expect(f).toMatch(/revoke\s+Revoke the leaked tokens\s+\(gated\)/);
    expect(f).toMatch(/ticket\s+Record the ticket\s+\(by hand\)/);
  });
});
