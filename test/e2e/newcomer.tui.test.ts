/**
 * A first-time responder in the flagship drill, driving only by what the screen shows at each
 * moment (issue 12): the built CLI in tmux at the default TUI speed. Step by step at 80×24 and
 * running all at 120×40 both reach containment with no dead end; ⏎ acts on the step shown (⏎ on
 * the gated step opens that step's gate); the footer always offers `? help` and `q quit`; the
 * attacker's first move comes after containment even for a reader who spends 15 s on every
 * screen; quitting at a gate while running all and resuming with the printed command comes back
 * to that gate, still running all, without a key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt } from './cli.js';
import { Tmux, asked, footer, hasTmux } from './tmux.js';
import { journal, scorecard } from '../drill/helpers.js';

const RUNBOOK = join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml');
/** the flagship scenario: the attacker's first move at drill 1m; the TUI's default speed */
const FIRST_ATTACK_MS = 60_000;
const TUI_SPEED = 0.25;
/** how long a careful newcomer reads each screen */
const READ_MS = 15_000;
/** no screen may stay without something to do for longer than this (a dead end) */
const DEAD_END_MS = 20_000;

const t = new Tmux();

interface Drive {
  /** keys that answered something (screens read), up to and including the approval of revoke-tokens */
  screensToContain: number;
  /** the steps ⏎ was pressed on, in order */
  ran: string[];
  last: string;
}

/** Answer whatever the screen asks until the run is over; prefer the revoke when several steps are ready. */
async function drive(name: string, opts: { stepByStep: boolean }): Promise<Drive> {
  const ran: string[] = [];
  let screens = 0;
  let contained: number | undefined;
  let notes = 0;
  let since = Date.now();
  let prev = '';
  for (;;) {
    const s = t.screen(name);
    if (s !== prev) since = Date.now();
    prev = s;
    if (s.includes('Run over')) return { screensToContain: contained ?? Infinity, ran, last: s };
    if (Date.now() - since > DEAD_END_MS) throw new Error(`dead end: nothing changed for ${DEAD_END_MS} ms and nothing recognisable is asked; screen:\n${s}`);
    if (/^› /m.test(s) && s.includes('Note: what was done')) {
      // the evidence entry is open
      t.type(name, `told the owners ${++notes}`);
      t.keys(name, 'Enter');
      await t.until(name, (x) => !x.includes('Note: what was done'), 'the note taken');
      continue;
    }
    const a = asked(s);
    if (!a) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const keysLine = footer(s);
    expect(keysLine, s).toContain('? help');
    expect(keysLine, s).toContain('q quit');
    if (a.what === 'Next step') {
      expect(opts.stepByStep, `running all never asks ⏎ before a step:\n${s}`).toBe(true);
      if (a.step !== 'revoke-tokens' && contained === undefined && /• revoke-tokens/.test(s)) {
        // the revoke is ready with others: select it (the panel follows the selection)
        t.keys(name, 'Down');
        await t.until(name, (x) => asked(x)?.step !== a.step, 'the selection to move');
        continue;
      }
      expect(keysLine).toContain('⏎ run step');
      t.keys(name, 'Enter');
      screens++;
      ran.push(a.step);
      // ⏎ acted on the step shown: a gated or manual step's own question comes next
      const own = a.step === 'revoke-tokens' || a.step === 'rotate-secrets' ? 'Approval needed' : a.step === 'fine-grained' || a.step === 'review-other' ? 'Manual step' : undefined;
      if (own) {
        // the next question shown is this step's own (its plan is made first: the screen waits on the step meanwhile)
        const next = await t.until(name, (x) => asked(x) !== undefined && !(asked(x)!.what === 'Next step' && asked(x)!.step === a.step), `⏎ on ${a.step} to act`);
        expect(asked(next), next).toEqual({ what: own, step: a.step });
      } else await t.until(name, (x) => !(asked(x)?.what === 'Next step' && asked(x)?.step === a.step), `⏎ on ${a.step} to act`);
      continue;
    }
    if (a.what === 'Approval needed') {
      expect(s).toMatch(/This will/);
      if (a.step === 'revoke-tokens') {
        // every item says which credential: owner, role, last 4, where it was found
        expect(s).toMatch(/• \S{4} {2}\S+ \((user|org)\) · role (read|write)/);
        expect(s).toContain('found in');
      }
      t.keys(name, 'y');
      screens++;
      if (a.step === 'revoke-tokens') contained = screens;
      await t.until(name, (x) => asked(x)?.step !== a.step || asked(x)?.what !== 'Approval needed', 'the approval to be taken');
      continue;
    }
    if (a.what === 'Manual step') {
      expect(keysLine).toMatch(/⏎ done \+ note…/);
      t.keys(name, 'Enter');
      screens++;
      await t.until(name, (x) => x.includes('Note: what was done'), 'the evidence entry');
      continue;
    }
    throw new Error(`unexpected question ${a.what}:\n${s}`);
  }
}

describe.skipIf(!hasTmux)('a first-time responder in the flagship drill (tmux)', () => {
  beforeAll(ensureBuilt);
  afterAll(() => t.kill());

  it('step by step at 80×24: ⏎ acts on the step shown, the gate follows its ⏎, containment before the attacker’s first move', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newcomer-'));
    t.start('steps', dir, `node ${CLI} drill ${RUNBOOK} --state-dir state --incident newcomer-steps`, 80, 24);
    const first = await t.until('steps', (s) => asked(s)?.step === 'find-spaces', 'the first frame', 60_000);
    expect(first).toContain('[DRILL]');
    expect(first).toMatch(/drill( clock)? 0:00:00 ×0\.25 — starts with your first key · attacker( at)? 0:01:00/);
    const d = await drive('steps', { stepByStep: true });
    // the order of ⏎ is the order steps started in: each ⏎ ran the step shown
    const started = journal(join(dir, 'state'))
      .filter((r) => r.type === 'step.started')
      .map((r) => r.step as string);
    expect(started, `started: ${started.join(" ")}\n⏎ on:    ${d.ran.join(" ")}`).toEqual(d.ran);
    expect(d.last).toContain('Run done');
    t.keys('steps', 'q');
    await t.until('steps', (s) => s.includes('EXIT=0'), 'the exit');
    const sc = scorecard(join(dir, 'state'))!;
    expect(sc.leaked_dead).toBe(sc.leaked);
    expect(sc.adversary_succeeded, 'the attacker got nothing done').toBe(0);
    // a reader who spends READ_MS on every screen up to the revoke's approval still contains first
    expect(d.screensToContain * READ_MS * TUI_SPEED).toBeLessThan(FIRST_ATTACK_MS);
  }, 240_000);

  it('step by step at 80×24: quit at the revoke gate, resume with the printed command — back at that gate, still step by step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newcomer-'));
    t.start('gate', dir, `node ${CLI} drill ${RUNBOOK} --state-dir state --incident newcomer-gate`, 80, 24);
    for (;;) {
      const s = await t.until('gate', (x) => asked(x) !== undefined, 'a question', 60_000);
      const a = asked(s)!;
      if (a.what === 'Approval needed') break;
      if (a.step !== 'revoke-tokens' && /• revoke-tokens/.test(s)) {
        t.keys('gate', 'Down');
        await t.until('gate', (x) => asked(x)?.step !== a.step, 'the selection to move');
        continue;
      }
      t.keys('gate', 'Enter');
      await t.until('gate', (x) => !(asked(x)?.what === 'Next step' && asked(x)?.step === a.step), `⏎ on ${a.step}`);
    }
    t.keys('gate', 'q');
    await t.until('gate', (x) => x.includes('Quit now?'), 'the quit question');
    t.keys('gate', 'y');
    await t.until('gate', (x) => x.includes('EXIT='), 'the exit');
    const resume = /→ Resume: (.* drill .*)$/m.exec(t.history('gate'))?.[1];
    expect(resume).toBeDefined();
    t.start('gate2', dir, resume!, 80, 24); // as printed
    const s = await t.until('gate2', (x) => asked(x)?.what === 'Approval needed', 'the gate again, without a key', 60_000);
    expect(asked(s)).toEqual({ what: 'Approval needed', step: 'revoke-tokens' });
    expect(s).toContain('step by step');
    expect(s).toMatch(/paused — your next key starts it/);
  }, 240_000);

  it('⏎ pressed as soon as the drill starts (the loading screen up) is acted on or said to do nothing — never half-applied', async () => {
    // the CI flake: a ⏎ read while the terminal was still cooked (a line feed) started the drill clock but not the step
    const dir = mkdtempSync(join(tmpdir(), 'newcomer-'));
    t.start('early', dir, `node ${CLI} drill ${RUNBOOK} --state-dir state --incident newcomer-early`, 80, 24);
    await t.until('early', (s) => s.includes('[DRILL]'), 'the first line', 60_000);
    t.keys('early', 'Enter');
    const clockRuns = (s: string) => !/drill( clock)? \d:\d\d:\d\d ×0\.25 — starts with your first key/.test(s);
    const s = await t.until('early', (x) => asked(x) !== undefined && (x.includes('a key while loading does nothing') || clockRuns(x)), 'the key acted on or said to do nothing', 60_000);
    const started = () => journal(join(dir, 'state')).some((r) => r.type === 'step.started' && r.step === 'find-spaces');
    if (clockRuns(s)) {
      // acted on: the step it ran started with the clock
      await t.until('early', (x) => started() || asked(x)?.step === 'find-secrets', 'find-spaces to start with the clock', 30_000);
      expect(started(), s).toBe(true);
    } else {
      expect(started(), s).toBe(false);
      expect(asked(s)).toEqual({ what: 'Next step', step: 'find-spaces' });
    }
    t.keys('early', 'q');
    await t.until('early', (x) => x.includes('Quit now?'), 'the quit question');
    t.keys('early', 'y');
    await t.until('early', (x) => x.includes('EXIT='), 'the exit');
  }, 240_000);

  it('running all at 120×40: quit at the gate, resume with the printed command — back at that gate, still running all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newcomer-'));
    t.start('all', dir, `node ${CLI} drill ${RUNBOOK} --state-dir state --incident newcomer-all`, 120, 40);
    await t.until('all', (s) => asked(s)?.step === 'find-spaces', 'the first frame', 60_000);
    t.keys('all', 'a');
    let s = await t.until('all', (x) => asked(x)?.what === 'Approval needed', 'the first gate', 60_000);
    const gate = asked(s)!.step;
    expect(s).toContain('running all');
    // the title is not cut at 120 columns
    expect(s).toContain('Hugging Face Spaces secrets exposure — revoke, rotate, notify  CRITICAL');
    t.keys('all', 'q');
    await t.until('all', (x) => x.includes('Quit now?'), 'the quit question');
    t.keys('all', 'y');
    await t.until('all', (x) => x.includes('EXIT='), 'the exit');
    const resume = /→ Resume: (.* drill .*)$/m.exec(t.history('all'))?.[1];
    expect(resume).toBeDefined();
    t.start('again', dir, resume!, 120, 40); // as printed
    s = await t.until('again', (x) => asked(x) !== undefined, 'the resumed frame', 60_000);
    expect(asked(s)).toEqual({ what: 'Approval needed', step: gate });
    expect(s).toContain('running all');
    const d = await drive('again', { stepByStep: false });
    expect(d.last).toContain('Run done');
    t.keys('again', 'q');
    s = await t.until('again', (x) => x.includes('EXIT=0'), 'the exit');
    const sc = scorecard(join(dir, 'state'))!;
    expect(sc.leaked_dead).toBe(sc.leaked);
  }, 240_000);
});
