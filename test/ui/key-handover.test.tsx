/**
 * A key pressed at any moment is acted on or visibly ignored — never half-applied (issue 12, the
 * CI flake of test/e2e/newcomer.tui.test.ts: ⏎ on the drill's first question started the drill
 * clock but not the step).
 *
 * The cause: Ink enables raw mode in an effect that runs after the frame is written. The loading
 * screen read no keys (the terminal stayed cooked), so a ⏎ pressed as the run's first frame landed
 * was turned into a line feed by the terminal (ICRNL) and read once raw mode came on: a key that
 * started the clock and matched no binding, silently.
 *
 * `TtyIn` below models what a terminal's line discipline does with typed bytes (cooked: ⏎ → line
 * feed, held until a line ends; raw: as typed), so the moment can be hit exactly: the key is
 * typed from inside the write of the frame that first shows the question.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import drill from '../../src/commands/drill.js';
import { ROOT } from '../e2e/cli.js';
import { FakeIn, KEY, fakeDrill, plain, setup, step, begin, terminal, waitFor } from './helpers.js';
import { LOADING_KEY_HINT } from '../../src/ui/index.js';

/** A terminal's input as a program sees it: raw or cooked (ICANON + ICRNL), bytes held until read. */
class TtyIn extends FakeIn {
  /** bytes the program can read */
  #ready = '';
  /** cooked: the line being typed (readable once it ends) */
  #line = '';
  constructor() {
    super();
    // a reader that starts listening finds what was typed before
    this.on('newListener', (ev) => {
      if (ev === 'readable') setImmediate(() => this.#notify());
    });
  }
  override setRawMode(on: boolean) {
    super.setRawMode(on);
    // leaving canonical mode: the unfinished line becomes readable as it is
    if (on && this.#line) {
      this.#ready += this.#line;
      this.#line = '';
    }
    return this;
  }
  override read = () => {
    const d = this.#ready;
    this.#ready = '';
    return d === '' ? null : d;
  };
  /** the operator types `k` (delivered to the program later, as a real terminal's bytes are) */
  override type(k: string) {
    if (this.raw) this.#ready += k;
    else {
      for (const c of k.replace(/\r/g, '\n')) {
        this.#line += c;
        if (c === '\n') {
          this.#ready += this.#line;
          this.#line = '';
        }
      }
    }
    setImmediate(() => this.#notify());
  }
  #notify() {
    if (this.#ready !== '' && this.listenerCount('readable') > 0) this.emit('readable');
  }
}

const tty = (cwd: string) => terminal(cwd, { stdin: new TtyIn(), columns: 80, rows: 24 });

const RUNBOOK = join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml');
const records = (state: string, incident: string) =>
  existsSync(join(state, 'incidents', incident, 'journal.jsonl'))
    ? readFileSync(join(state, 'incidents', incident, 'journal.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; step?: string })
    : [];

describe('a key at the hand-over from the loading screen to the run (the real drill, a modelled terminal)', () => {
  it('⏎ typed as the first question is drawn runs that step (the clock and the step start together)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'key-handover-'));
    const state = join(dir, 'state');
    const { stdin, stdout, ctx } = tty(dir);
    let rawAtFrame: boolean | undefined;
    stdout.onWrite = (s) => {
      if (rawAtFrame !== undefined || !plain(s).includes('Next step · find-spaces')) return;
      // inside the write of that frame: before anything after it in the same commit has run
      rawAtFrame = stdin.raw;
      stdin.type(KEY.enter);
    };
    const done = drill([RUNBOOK, '--state-dir', state, '--incident', 'handover'], ctx);
    await waitFor(() => rawAtFrame !== undefined, () => stdout.text.slice(-3000), 60_000);
    expect(rawAtFrame, 'the terminal was raw when the question was drawn').toBe(true);
    await waitFor(() => records(state, 'handover').some((r) => r.type === 'step.started' && r.step === 'find-spaces'), () => `find-spaces to start; screen:\n${stdout.text.slice(-2500)}`, 60_000);
    await waitFor(() => stdout.text.includes('Next step · find-secrets'), () => stdout.text.slice(-2500), 60_000);
    stdin.type('q');
    await waitFor(() => stdout.text.includes('y quit'), () => stdout.text.slice(-2000), 30_000);
    stdin.type('y');
    await expect(done).resolves.toBe(130);
  }, 120_000);

  it('a key typed on the loading screen is ignored and said so: no step runs, the drill clock does not start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'key-loading-'));
    const state = join(dir, 'state');
    const { stdin, stdout, ctx } = tty(dir);
    let typed = false;
    stdout.onWrite = (s) => {
      if (typed || !plain(s).includes('loading ')) return;
      typed = true;
      stdin.type(KEY.enter);
    };
    const done = drill([RUNBOOK, '--state-dir', state, '--incident', 'loading'], ctx);
    // said on the loading screen, and still on the run's status line until the next key
    await waitFor(() => plain(stdout.chunks.filter((c) => plain(c).includes('Next step · find-spaces')).at(-1)).includes(LOADING_KEY_HINT.slice(0, 40)), () => stdout.text.slice(-3000), 60_000);
    // the question still asked, the clock still waiting for a key that acts
    const last = plain(stdout.chunks.filter((c) => /drill( clock)? \d:\d\d:\d\d ×/.test(plain(c))).at(-1));
    expect(last).toMatch(/drill( clock)? 0:00:00 ×0\.25 — starts with your first key/);
    expect(records(state, 'loading').some((r) => r.type === 'step.started')).toBe(false);
    stdin.type('q');
    await waitFor(() => stdout.text.includes('y quit'), () => stdout.text.slice(-2000), 30_000);
    stdin.type('y');
    await expect(done).resolves.toBe(130);
    expect(records(state, 'loading').some((r) => r.type === 'step.started')).toBe(false);
  }, 120_000);
});

describe('the drill clock starts only with a key that acts', () => {
  const first = async () => {
    const d = fakeDrill({ at: 60_000, what: 'read space acme-ml/support-bot with alice-write' }, 0);
    const t = setup({ drill: d, columns: 80, rows: 24, mode: 'drill' });
    t.emit(begin([step('find-spaces')], { mode: 'drill' }));
    const answered = t.ports.ports.proceed!({ id: 'find-spaces', title: 'List the Spaces', kind: 'detect' });
    await t.until((f) => f.includes('Next step · find-spaces'), 'the first question');
    return { t, d, answered };
  };

  it('a key bound to nothing (a function key, an arrow the screen does not use, a letter) leaves it standing and says so', async () => {
    for (const k of ['\u001bOP', '\u001b[D', 'z']) {
      const { t, d } = await first();
      t.press(k);
      await t.until((f) => f.includes('does nothing here'), `the hint for ${JSON.stringify(k)}`);
      expect(d.running(), JSON.stringify(k)).toBe(false);
      expect(t.frame()).toContain('Next step · find-spaces');
      t.ui.unmount();
    }
  });

  it('a line feed (what a cooked terminal sends for ⏎) runs the step, and starts the clock with it', async () => {
    const { t, d, answered } = await first();
    t.press('\n');
    await expect(answered).resolves.toEqual({ action: 'run' });
    expect(d.running()).toBe(true);
    t.ui.unmount();
  });
});
