/**
 * What newcomers still tripped on at 80×24 (issue 12): a printed command that pastes as two, the
 * incident id cut from the header, "each item" on a gate over one item, a deny of a revoke gate
 * that says nothing of what stays live, an error printed away from the last frame.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import fc from 'fast-check';
import { FakeIn, FakeOut, begin, plain, rec, setup, step } from './helpers.js';
import { commandLines, countedTitle, lineText, line, seg, shellWords, width } from '../../src/ui/text.js';
import { secondRow } from '../../src/ui/components/header.js';
import { runTui } from '../../src/ui/index.js';
import { shellQuote } from '../../src/commands/invocation.js';
import { StepFailedError } from '../../src/core/errors.js';

afterEach(() => cleanup());

const INCIDENT = 'hf-spaces-secrets-exposure-20261204-002301-x7k2';
const REPORT = `node dist/cli.js report ${INCIDENT} --state-dir 'my state'`;
const RESUME = `node dist/cli.js drill hf-spaces-secrets-exposure --incident ${INCIDENT} --state-dir 'my state'`;
const STEPS = Array.from({ length: 15 }, (_, i) => step(`s${i}`, { kind: 'detect', title: `Step number ${i}` }));

/** What a shell makes of text pasted into it: the argv of each command (bash, printing one word a line). */
function argvOf(pasted: string): string[] {
  const r = spawnSync('bash', ['-c', `args() { printf '%s\\n' "$@"; }; args ${pasted}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').slice(0, -1);
}

/** The lines of a frame from the one starting with `label` down to the first that does not continue (` \`). */
function copied(frame: string, label: string): string {
  const lines = frame.split('\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith(label));
  expect(i, frame).toBeGreaterThanOrEqual(0);
  const out = [lines[i]!.trimStart().slice(label.length).trimStart()];
  for (let j = i; lines[j]!.trimEnd().endsWith(' \\'); j++) out.push(lines[j + 1]!);
  return out.map((l) => l.trimEnd()).join('\n');
}

describe('a printed command is copyable at 80 columns', () => {
  it('the end panel: the report command, copied line by line from the frame, runs as the one command', async () => {
    const t = setup({ columns: 80, rows: 24, commands: { resume: RESUME, report: REPORT } });
    t.emit(begin(STEPS), rec({ type: 'step.started', step: 's0' }), rec({ type: 'step.finished', step: 's0', status: 'ok' }), { type: 'run.end', status: 'failed', exitCode: 1 });
    await t.until((f) => f.includes('Run failed'), 'the end panel');
    const f = t.frame();
    for (const l of f.split('\n')) expect(width(l), l).toBeLessThanOrEqual(80);
    for (const [label, cmd] of [['Report:', REPORT], ['Resume:', RESUME]] as const) {
      const pasted = copied(f, label);
      expect(pasted.split('\n').length, pasted).toBeGreaterThan(1); // it did not fit: continued, not hard-wrapped
      expect(argvOf(pasted)).toEqual(argvOf(cmd));
    }
  });

  it('commandLines: any command in any width — every line fits (but a word wider than the pane), and the lines run as the command', () => {
    const word = fc.oneof(fc.stringMatching(/^[a-z0-9./-]{1,30}$/), fc.stringMatching(/^[a-z ]{1,12}$/).map((w) => shellQuote(w)));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 12 }), fc.integer({ min: 24, max: 120 }), (words, cols) => {
        const cmd = words.join(' ');
        const lines = commandLines(line(seg('Report:  ')), cmd, cols, 9).map(lineText);
        lines.forEach((l, i) => {
          const body = (i === 0 ? l.slice('Report:  '.length) : l.trimStart()).replace(/ \\$/, '');
          expect(width(l) <= cols || shellWords(body).length === 1, `${JSON.stringify(l)} at ${cols}`).toBe(true);
        });
        for (const l of lines.slice(0, -1)) expect(l.endsWith(' \\')).toBe(true);
        // the shell reads backslash-newline as nothing: the lines are the command
        expect(lines.join('\n').slice('Report:  '.length).replace(/ \\\n */g, ' ')).toBe(cmd);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the header keeps the incident id whole', () => {
  it('at 80×24, in a drill, the whole id is on screen (the bar and the clock give way first)', async () => {
    const t = setup({ columns: 80, rows: 24, mode: 'drill' });
    t.emit(begin(STEPS, { incident: INCIDENT, mode: 'drill', runbook: { id: 'hf', title: 'Hugging Face Spaces secrets exposure — revoke, rotate, notify', severity: 'critical', path: 'x.yaml' } }));
    await t.until((f) => f.includes('Step number 0'), 'the checklist');
    const header = t.frame().split('\n').slice(0, 3).join('\n');
    expect(header).toContain(INCIDENT);
    expect(header).toContain('step by step');
  });

  it('at 80 columns the count of steps done stays before what follows the mode (· 2 skipped) — seen: "  run over · 2 skipped  <id>" and no count', () => {
    const id = 'aws-credential-compromise-20261204-0201-0476';
    const r = secondRow({ width: 79, barWidth: 6, count: '20/22', pct: '91%', how: 'run over · 2 skipped', howShort: 'run over', resumed: false, incident: id });
    expect(r).toMatchObject({ count: true, how: true, short: true, incident: id });
    // room for it all: nothing is shortened
    expect(secondRow({ width: 120, barWidth: 6, count: '20/22', pct: '91%', how: 'run over · 2 skipped', howShort: 'run over', resumed: false, incident: id })).toMatchObject({ count: true, short: false });
  });

  it('secondRow: whatever the width and id, the id is whole when it fits the row at all, and the row fits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9-]{1,70}$/), fc.integer({ min: 40, max: 200 }), fc.boolean(), (id, cols, resumed) => {
        const r = secondRow({ width: cols, barWidth: 6, count: '3/15', pct: '20%', how: 'step by step · resumed', resumed, incident: id });
        if (width(id) <= cols) expect(r.incident).toBe(id);
        const used = (r.count ? width('3/15 steps ') + (r.bar ? 7 : 0) + 3 : 0) + (r.how ? 2 + width('step by step · resumed') : 0) + (r.open ? 15 + (r.incl ? 16 : 0) : 0) + width(r.lead) + width(r.incident);
        expect(used).toBeLessThanOrEqual(Math.max(cols, width(r.lead) + 4));
      }),
      { numRuns: 300 },
    );
  });
});

describe('a gate counts its items', () => {
  it('over one item: "the one item", never "each item"; over four: "each of 4 items"', async () => {
    expect(countedTitle('Revoke the token of each item', 1)).toBe('Revoke the token of the one item');
    expect(countedTitle('Revoke the token of each item', 4)).toBe('Revoke the token of each of 4 items');
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin([step('revoke', { kind: 'revoke', title: 'Revoke the token of each item', confirm: true, fanOut: true })]));
    void t.ports.ports.approve({ step: 'revoke', title: 'Revoke the token of each item', kind: 'revoke', plan: ['[alert o/r#7] POST /revoke'], items: ['alert o/r#7'], inputs: {} });
    await t.until((f) => f.includes('Approval needed · revoke'), 'the gate');
    const panel = t.frame().split('Approval needed · revoke')[1]!;
    expect(panel).toContain('Revoke the token of the one item');
    expect(panel).not.toContain('each item');
    // the checklist too, once the step's items are listed
    t.emit(rec({ type: 'step.started', step: 'revoke' }), rec({ type: 'items', step: 'revoke', keys: ['alert o/r#7'] }));
    await t.until((f) => !f.includes('each item'), 'the checklist counted');
  });
});

describe('denying a revoke gate says what stays live', () => {
  it('the deny entry shows each credential left live, that the step is skipped for good, and how to decide later instead', async () => {
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin([step('revoke-tokens', { kind: 'revoke', title: 'Revoke the leaked Hub tokens', confirm: true, fanOut: true })]));
    const ans = t.ports.ports.approve({ step: 'revoke-tokens', title: 'Revoke the leaked Hub tokens', kind: 'revoke', plan: ['[GmYk] POST /revoke', '[FOJD] POST /revoke'], items: ['GmYk', 'FOJD'], inputs: {} });
    await t.until((f) => f.includes('Approval needed · revoke-tokens'), 'the gate');
    expect(t.frame()).not.toContain('Denying leaves live');
    t.press('d');
    await t.until((f) => f.includes('reason (optional)'), 'the deny entry');
    const f = t.frame();
    expect(f).toContain('⚠ Denying leaves live what this gate would revoke — 2 items:');
    expect(f).toMatch(/• GmYk/);
    expect(f).toMatch(/• FOJD/);
    expect(f).toContain('revoke-tokens is then skipped for good');
    expect(f).toContain('To decide later instead: esc, then q — resuming comes back to this gate.');
    // esc: back at the gate, nothing decided
    t.press('\u001b');
    await t.until((x) => !x.includes('Denying leaves live'), 'the gate again');
    t.press('d');
    await t.until((x) => x.includes('reason (optional)'), 'the deny entry again');
    t.press('\r');
    await expect(ans).resolves.toMatchObject({ decision: 'denied' });
  });
});

describe('an error after the run is on screen', () => {
  it('prints right under the last frame, which stays (nothing asked any more, its status line says why)', async () => {
    const stdin = new FakeIn();
    const stdout = new FakeOut();
    stdout.columns = 80;
    stdout.rows = 24;
    const run = runTui({
      async start(ports, observe) {
        observe(begin([step('a', { title: 'Find it' })]));
        await ports.proceed!({ id: 'a', title: 'Find it', kind: 'detect' });
        throw new StepFailedError('the journal could not be written: disk full');
      },
      note() {},
      resumeCommand: 'runbook run rb.yaml --incident inc-42',
      reportCommand: 'runbook report inc-42',
      mode: 'live',
      stdin: stdin as unknown as NodeJS.ReadStream,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: new FakeOut() as unknown as NodeJS.WriteStream,
      abort() {},
    });
    const until = async (cond: () => boolean) => {
      while (!cond()) await new Promise((r) => setTimeout(r, 5));
    };
    await until(() => stdout.text.includes('Next step · a'));
    stdin.type('\r');
    await expect(run).rejects.toThrow('disk full');
    // the last thing written is that frame: not erased after it (an erase leaves the error under blank lines, or over nothing)
    const i = stdout.chunks.findLastIndex((c) => plain(c).includes('stopped by an error (printed below)'));
    expect(i).toBeGreaterThanOrEqual(0);
    const after = stdout.chunks.slice(i + 1).join('');
    // eslint-disable-next-line no-control-regex -- the erase-line and cursor-up sequences are what is looked for
    expect(after).not.toMatch(/\u001b\[2K|\u001b\[\d*A/);
    // it ends on its status line and a newline: the error prints on the next line
    expect(plain(stdout.chunks[i]).trimEnd().split('\n').at(-1)).toContain('stopped by an error (printed below)');
    expect(stdout.chunks[i]!.endsWith('\n')).toBe(true);
  });
});
