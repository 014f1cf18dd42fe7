/**
 * What a first-time responder runs into (issue 12), as component tests: ⏎ acts on the step
 * shown; steps ready together are shown together and `a` runs them all; a gated step's gate
 * follows its ⏎; resume goes back to where it was; the drill clock starts on the first key and
 * stands still in help; keys and text fit 80×24; two backspaces in one chunk both apply.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import stringWidth from 'string-width';
import { begin, fakeDrill, KEY, oneItem, openEvidence, priorRun, rec, setup, step } from './helpers.js';
import { createRunStore, setUi } from '../../src/ui/store.js';
import { createTuiPorts } from '../../src/ui/ports.js';
import { drillLine } from '../../src/ui/components/header.js';
import { activePrompt } from '../../src/ui/status.js';
import type { DrillView } from '../../src/ui/context.js';

afterEach(() => cleanup());

const STEPS = [
  step('verify', { kind: 'detect', title: 'Check which tokens are live', uses: 'hf.verifyToken' }),
  step('page', { kind: 'notify', title: 'Page on-call', uses: 'pd.trigger', needs: ['verify'] }),
  step('revoke', { kind: 'revoke', title: 'Revoke the leaked tokens', uses: 'hf.revokeToken', confirm: true, fanOut: true, needs: ['verify'] }),
  step('owners', { kind: 'detect', title: 'Work out whom to tell', uses: 'sh.run', needs: ['verify'] }),
  step('tell', { kind: 'manual', title: 'Tell the owners', needs: ['owners'], evidence: { type: 'link', required: true } }),
];

async function threeReady(o: Parameters<typeof setup>[0] = {}) {
  const t = setup(o);
  t.emit(begin(STEPS), rec({ type: 'step.started', step: 'verify', kind: 'detect', title: 'Check' }), rec({ type: 'step.finished', step: 'verify', status: 'ok' }));
  const page = t.ports.ports.proceed!({ id: 'page', title: 'Page on-call', kind: 'notify' });
  const revoke = t.ports.ports.proceed!({ id: 'revoke', title: 'Revoke the leaked tokens', kind: 'revoke' });
  const owners = t.ports.ports.proceed!({ id: 'owners', title: 'Work out whom to tell', kind: 'detect' });
  await t.until((f) => f.includes('Next step · page'), 'first of the ready steps');
  return { t, page, revoke, owners };
}

const settled = async (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]);

describe('⏎ acts on what is selected', () => {
  it('lists the steps ready together; ↓ selects one and ⏎ runs that one, not the first', async () => {
    const { t, page, revoke } = await threeReady();
    const f = t.frame();
    expect(f).toContain('Also ready now (2)');
    expect(f).toMatch(/• revoke\s+Revoke the leaked tokens\s+\(gated\)/);
    t.press(KEY.down); // page → revoke
    await t.until((x) => x.includes('Next step · revoke'), 'revoke shown');
    t.press(KEY.enter);
    await expect(revoke).resolves.toEqual({ action: 'run' });
    expect(await settled(page)).toBe(false);
    // its gate comes (after the plan is made) and is the one shown — page is still asked first in the queue
    void t.ports.ports.approve({ step: 'revoke', title: 'Revoke', kind: 'revoke', plan: ['[k5RB] POST /api/credentials/revoke'], items: ['k5RB'], inputs: { k5RB: {} } });
    await t.until((x) => x.includes('Approval needed · revoke'), 'the gate of the step ⏎ ran');
    expect(t.frame()).toMatch(/y approve\s+d deny…/);
  });

  it('a selected step that asks nothing: ⏎ does nothing, the footer offers no ⏎, and the status line says where to go', async () => {
    const { t, page, revoke, owners } = await threeReady();
    t.press(KEY.up); // verify: done, asks nothing
    await t.until((f) => f.includes('Step verify'), 'detail of verify');
    expect(t.frame()).not.toContain('⏎ run step');
    expect(t.frame()).toContain('3 things waiting for you on other steps — f goes to the next');
    t.press(KEY.enter);
    for (const p of [page, revoke, owners]) expect(await settled(p)).toBe(false);
    t.press('f');
    await t.until((f) => f.includes('Next step · page'), 'back to what is asked');
  });

  it('a (run all) answers every step ready now, not only the first', async () => {
    const { t, page, revoke, owners } = await threeReady();
    t.press('a');
    await Promise.all([page, revoke, owners]);
    await t.until((f) => f.includes('running all'), 'mode shown');
    await expect(t.ports.ports.proceed!({ id: 'tell', title: 'Tell', kind: 'manual' })).resolves.toEqual({ action: 'run' });
  });

  it('a at a gate switches to running all: the steps waiting behind it run without ⏎', async () => {
    const { t, page, owners } = await threeReady();
    t.press(KEY.down, KEY.enter);
    void t.ports.ports.approve({ step: 'revoke', title: 'Revoke', kind: 'revoke', plan: [], items: ['a', 'b'], inputs: {} });
    await t.until((f) => f.includes('Approval needed · revoke'), 'gate');
    t.press('a');
    await Promise.all([page, owners]);
    expect(t.store.getState().prompts.map((p) => p.kind)).toEqual(['approval']);
  });
});

describe('the gate says what will be done to what', () => {
  it('each item: owner, role, last 4 and where it was found, from earlier steps; the call under it', async () => {
    const t = setup({ columns: 100, rows: 40 });
    const secret = (fp: string, last4: string) => ({ $secret: `scan finding ${fp}`, fingerprint: fp, last4 });
    t.emit(
      begin(STEPS),
      rec({ type: 'step.started', step: 'verify', kind: 'detect', title: 'Check' }),
      rec({ type: 'items', step: 'verify', keys: ['FOJD'] }),
      rec({ type: 'intent', step: 'verify', item: 'FOJD', attempt: 1, key: 'k', idempotent: true, action: 'hf.verifyToken', input: { token: secret('aa11', 'FOJD') } }),
      rec({ type: 'outcome', step: 'verify', item: 'FOJD', status: 'ok', attempt: 1, output: { live: true, name: 'alice', type: 'user', role: 'write', token_name: 'laptop' } }),
      rec({ type: 'step.finished', step: 'verify', status: 'ok', outputs: { findings: [{ file: '/tmp/x/space-secrets/acme-ml/support-bot/HF_TOKEN', line: 1, token: secret('aa11', 'FOJD') }] } }),
    );
    const ans = t.ports.ports.approve({ step: 'revoke', title: 'Revoke', kind: 'revoke', plan: ['[FOJD] POST https://hf.test/api/credentials/revoke', '[GmYk] POST https://hf.test/api/credentials/revoke'], items: ['FOJD', 'GmYk'], inputs: { FOJD: { token: secret('aa11', 'FOJD') }, GmYk: { token: secret('bb22', 'GmYk') } } });
    await t.until((f) => f.includes('Approval needed · revoke'), 'gate');
    const f = t.frame();
    expect(f).toMatch(/• FOJD {2}alice \(user\) · role write · token laptop · …FOJD · found in\s+…\/space-secrets\/acme-ml\/support-bot\/HF_TOKEN:1/);
    expect(f).toMatch(/→ POST https:\/\/hf\.test\/api\/credentials\/revoke/);
    t.press('i');
    await t.until((x) => x.includes('Approve which items?'), 'picker');
    expect(t.frame()).toContain('[ ] FOJD  alice (user) · role write');
    expect(t.frame()).toContain('[ ] GmYk  …GmYk');
    expect(t.frame()).not.toContain('{"token"');
    t.press(KEY.space, KEY.enter);
    await expect(ans).resolves.toMatchObject({ decision: 'approved', items: ['FOJD'] });
  });
});

describe('resume returns to the same place', () => {
  const prior = priorRun('live', { verify: oneItem('ok', 1), revoke: { status: 'running', startedAt: new Date().toISOString(), itemOrder: [], items: {} } });

  it('a step started before the quit is not asked again: its gate comes straight back', async () => {
    const store = createRunStore({ seed: prior });
    const ports = createTuiPorts(store);
    void ports.ports.proceed!({ id: 'page', title: 'Page', kind: 'notify' });
    await expect(ports.ports.proceed!({ id: 'revoke', title: 'Revoke', kind: 'revoke' })).resolves.toEqual({ action: 'run' });
    // the screen stays with it: when its gate comes it is what is shown, before the step asked earlier
    void ports.ports.approve({ step: 'revoke', title: 'Revoke', kind: 'revoke', plan: [], items: ['-'], inputs: {} });
    expect(activePrompt(store.getState())).toMatchObject({ kind: 'approval', step: 'revoke' });
    // a step that never started is asked as before
    void ports.ports.proceed!({ id: 'owners', title: 'Owners', kind: 'detect' });
    expect(store.getState().prompts.map((p) => p.step)).toEqual(['page', 'revoke', 'owners']);
  });
});

describe('the drill clock', () => {
  it('starts with the first key, stands still while help is open, and the header shows it and the attacker', async () => {
    const drill = fakeDrill({ at: 60_000, what: 'read space acme-ml/support-bot with alice-write' }, 1);
    const { t, page } = await threeReady({ drill, columns: 120, rows: 40 });
    expect(t.frame()).toContain('drill clock 0:00:00 ×0.25 — starts with your first key · attacker at 0:01:00: read space acme-ml/support-bot');
    expect(drill.running()).toBe(false);
    t.press('?');
    await t.until((f) => f.includes('Keys that apply now'), 'help');
    expect(drill.running()).toBe(false); // reading help first costs nothing
    t.press(KEY.esc);
    await t.until((f) => f.includes('Next step · page'), 'help closed');
    expect(drill.running()).toBe(true);
    t.press('?');
    await t.until((f) => f.includes('paused (help)'), 'paused in help');
    expect(drill.running()).toBe(false);
    t.press(KEY.esc);
    await t.until((f) => !f.includes('paused (help)'), 'help closed again');
    t.press(KEY.enter);
    await page;
    expect(drill.running()).toBe(true);
  });

  it('the drill line keeps the attacker’s move at 80 columns', () => {
    const d = { speed: 0.25, now: () => 15_000, running: () => true, next: () => ({ at: 60_000, what: 'read space acme-ml/support-bot with alice-write' }) };
    const l = drillLine(d, 'running', false, 79);
    expect(stringWidth(l.text)).toBeLessThanOrEqual(79);
    expect(l.text).toContain('acme-ml/support-bot');
  });
});

describe('readability', () => {
  it('80×24 keeps ? help and q quit in the footer, even at a fan-out gate', async () => {
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin(STEPS));
    void t.ports.ports.approve({ step: 'revoke', title: 'Revoke', kind: 'revoke', plan: [], items: ['a', 'b'], inputs: {} });
    await t.until((f) => f.includes('Approval needed'), 'gate');
    const footer = t.frame().trimEnd().split('\n').at(-1)!;
    expect(footer).toContain('? help');
    expect(footer).toContain('q quit');
    expect(footer).toContain('y approve all');
  });

  it('CJK and emoji lay out by display width: no line wider than the terminal, nothing lost in the middle', async () => {
    const title = '漏洩したトークンを失効させる 🔑🚨 そして所有者に連絡する 秘密鍵の交換 完了';
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin([step('cjk', { kind: 'manual', title, instructions: `${title} ${title}` })]));
    void t.ports.ports.manual({ step: 'cjk', title, instructions: `**注意** ${title} ${title}`, evidence: { type: 'none', required: false } });
    await t.until((f) => f.includes('Manual step · cjk'), 'manual prompt');
    const f = t.frame();
    for (const l of f.split('\n')) expect(stringWidth(l), l).toBeLessThanOrEqual(80);
    // the wrapped instructions keep every character, in order
    const body = f.slice(f.indexOf('Manual step · cjk'));
    const joined = body.replace(/[\s─]/g, '');
    expect(joined).toContain(`注意${title}${title}`.replace(/\s/g, ''));
  });

  it('two backspaces that arrive together both apply', async () => {
    const t = setup();
    const { answer: ans } = await openEvidence(t, STEPS, { step: 'tell', title: 'Tell', evidence: { type: 'note', required: true } }, 'Note: what was done');
    t.press('mailed bobxx');
    await t.until((f) => f.includes('mailed bobxx'), 'typed');
    t.press('\u007f\u007f');
    await t.until((f) => f.includes('› mailed bob ') || /› mailed bob\s*$/m.test(f), 'both backspaces');
    t.press(KEY.enter);
    await expect(ans).resolves.toEqual({ done: true, note: 'mailed bob', via: 'tui' });
  });

  it('⏎ that submits a note does not also run the step asked after it (one key, one action)', async () => {
    const t = setup();
    t.emit(begin(STEPS));
    const tick = t.ports.ports.manual({ step: 'tell', title: 'Tell', evidence: { type: 'note', required: true } });
    const next = t.ports.ports.proceed!({ id: 'owners', title: 'Owners', kind: 'detect' });
    await t.until((f) => f.includes('Manual step'), 'prompt');
    t.press(KEY.enter);
    await t.until((f) => f.includes('Note: what was done'), 'entry');
    t.press('told alice');
    await t.until((f) => f.includes('told alice'), 'typed');
    t.press(KEY.enter);
    await expect(tick).resolves.toMatchObject({ done: true, note: 'told alice' });
    await t.until((f) => f.includes('Next step · owners'), 'the next question shown');
    expect(await settled(next)).toBe(false);
    // typed text and ⏎ in one chunk (tmux send-keys, a paste): the letters are not keys of the main screen either
    const tick2 = t.ports.ports.manual({ step: 'tell', title: 'Tell', evidence: { type: 'note', required: true } });
    t.press(KEY.down, KEY.down, KEY.down);
    await t.until((f) => f.includes('Manual step · tell'), 'manual shown');
    t.press(KEY.enter);
    await t.until((f) => f.includes('Note: what was done'), 'entry again');
    t.press('a skip\r');
    await expect(tick2).resolves.toMatchObject({ note: 'a skip' });
    expect(await settled(next)).toBe(false);
    expect(t.store.getState().ui.autoRun).toBe(false);
  });

  it('a ticket id is evidence the TUI takes, as --done does', async () => {
    const t = setup();
    const { answer: ans } = await openEvidence(t, STEPS, { step: 'tell', title: 'Tell', evidence: { type: 'link', required: true } }, 'Link to the evidence');
    t.press('SEC-42', KEY.enter);
    await expect(ans).resolves.toEqual({ done: true, link: 'SEC-42', via: 'tui' });
  });

  it('help says ↓ more except on its last page', async () => {
    const t = setup({ columns: 80, rows: 16 });
    t.emit(begin(STEPS));
    t.press('?');
    await t.until((f) => f.includes('↓ more'), 'first page');
    for (let i = 0; i < 20; i++) t.press(KEY.down);
    await t.until((f) => f.includes('↑ back · esc closes'), 'last page');
    expect(t.frame()).not.toContain('↓ more');
  });

  it('the Next step preview of a manual step shows no stale blanks, and raw ${{ }} reads as what it waits for', async () => {
    const t = setup();
    t.emit(begin([step('page', { kind: 'notify', title: 'Page ${{ steps.owners.outputs.json.owners }}', uses: 'pd.trigger' }), step('tell', { kind: 'manual', title: 'Tell', instructions: 'The tokens of **${{ steps.owners.outputs.json.owners }}** were revoked.' })]));
    void t.ports.ports.proceed!({ id: 'page', title: 'Page ${{ steps.owners.outputs.json.owners }}', kind: 'notify' });
    await t.until((f) => f.includes('Next step · page'), 'preview');
    expect(t.frame()).toContain('Page (known after owners)');
    expect(t.frame()).not.toContain('${{');
    t.press(KEY.enter);
    // the engine renders a ready step's text with what is known then
    void t.ports.ports.proceed!({ id: 'tell', title: 'Tell', kind: 'manual', instructions: 'The tokens of **alice** were revoked.' });
    await t.until((f) => f.includes('Next step · tell'), 'manual preview');
    expect(t.frame()).not.toContain('****');
    expect(t.frame()).toContain('The tokens of alice were revoked.');
  });
});

describe('the end panel', () => {
  it('does not say every step finished when one was skipped, and names a live attacker-made credential', async () => {
    const drill: DrillView = { speed: 1, now: () => 0, running: () => false, start() {}, pause() {}, next: () => undefined, attackerLive: () => 1 };
    const t = setup({ drill });
    t.emit(
      begin(STEPS.slice(0, 2)),
      rec({ type: 'step.started', step: 'verify', kind: 'detect', title: 'Check' }),
      rec({ type: 'step.finished', step: 'verify', status: 'ok' }),
      rec({ type: 'step.started', step: 'page', kind: 'notify', title: 'Page' }),
      rec({ type: 'step.finished', step: 'page', status: 'skipped', reason: 'no pager' }),
      { type: 'run.end', status: 'done', exitCode: 0 },
    );
    setUi(t.store, { follow: true });
    await t.until((f) => f.includes('Run over'), 'end panel');
    const f = t.frame();
    expect(f).not.toContain('every step finished');
    expect(f).toContain('Run done — 1 step skipped, the others finished');
    expect(f).toContain('1 attacker-made credential still live');
  });
});
