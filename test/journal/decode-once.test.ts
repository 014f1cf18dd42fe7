/**
 * A journal is decoded once per command (at 10,000 items a decode is ~100 MiB and seconds):
 * `runbook status` folds the state and makes the tamper check from one read of the file (it used
 * to read and decode it for each), and a resume — open()'s tamper check, the checklist's read, the
 * engine's read, all under the incident's lock — shares one decode until the run writes.
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { Writable, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fanOutWatchYaml, listTokens, probe, read, runWatch, testClock, workspace } from '../engine/helpers.js';
import { FileJournal } from '../../src/core/journal/store.js';
import { journalDecodes } from '../../src/core/journal/codec.js';
import { fold } from '../../src/core/journal/fold.js';
import status from '../../src/commands/status.js';
import { Redactor } from '../../src/core/secrets/redactor.js';

const N = 40;
const world = () =>
  probe({
    list: listTokens(N),
    look: read({ input: z.strictObject({ key: z.string() }), output: z.object({ live: z.boolean() }), run: async () => ({ live: false }) }),
  });
const yaml = fanOutWatchYaml({ id: 'decode-once', for: '3m' });

/** An incident of N items whose 4-check watch was cut short after its 2nd check (a run left to resume). */
async function incident() {
  const w = workspace();
  const ctl = new AbortController();
  const { result } = await runWatch({ yaml, w, providers: [world()], clock: testClock(ctl, 2), ctl });
  expect(result.status).toBe('interrupted');
  return w;
}

/** `runbook status ARGS` in this process: what it printed and how many journals it decoded. */
async function runStatus(cwd: string, argv: string[]): Promise<{ text: string; decodes: number }> {
  let text = '';
  const stdout = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  const before = journalDecodes.count;
  const code = await status(argv, { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd, redactor: new Redactor(), signal: new AbortController().signal });
  expect(code).toBe(0);
  return { text, decodes: journalDecodes.count - before };
}

describe('runbook status', () => {
  it('shows the state and the tamper check of one decode: the same as the state folded and the check made apart', async () => {
    const w = await incident();
    const journal = new FileJournal(w.stateDir, 'inc-1');
    const state = fold(journal.read())!;
    const check = journal.check();
    expect(check).toMatchObject({ state: 'ok', records: journal.read().length });

    const json = await runStatus(w.dir, ['inc-1', '--state-dir', w.stateDir, '--json']);
    expect(json.decodes).toBe(1);
    expect(JSON.parse(json.text)).toEqual(JSON.parse(JSON.stringify({ ...state, journalCheck: check })));

    const text = await runStatus(w.dir, ['inc-1', '--state-dir', w.stateDir, '--all']);
    expect(text.decodes).toBe(1);
    expect(text.text).toContain(`  journal: ${check.detail}\n`);
    expect(text.text).toContain(`opened ${state.openedAt}, last record ${state.updatedAt}`);
    expect(text.text).toContain(`  state: interrupted`);
    expect(text.text).toContain('  ✓ find     ok');
    expect(text.text).toContain('  ■ monitor  stopped');
    expect(text.text).toContain(`      watch: 2 checks of ${N} items, 1m00s of 3m00s watched\n`);
    expect(text.text).toContain(`→ Resume: runbook run runbook.yaml --incident inc-1 --state-dir ${w.stateDir}\n`);
  });

  it('a journal cut off mid-line: status reports the same records and check as before, from one decode', async () => {
    const w = await incident();
    const journal = new FileJournal(w.stateDir, 'inc-1');
    appendFileSync(journal.file, '{"seq":9999,"type":"no'); // a torn last line: dropped, not an error
    const check = journal.check();
    const state = fold(journal.read())!;
    const json = await runStatus(w.dir, ['inc-1', '--state-dir', w.stateDir, '--json']);
    expect(json.decodes).toBe(1);
    expect(JSON.parse(json.text)).toEqual(JSON.parse(JSON.stringify({ ...state, journalCheck: check })));
  });
});

describe('a resume', () => {
  it('decodes the journal once: the run reads it under its lock and its first write opens it from that decode', async () => {
    const w = await incident();
    const before = journalDecodes.count;
    const ctl = new AbortController();
    const { result } = await runWatch({ yaml, w, providers: [world()], clock: testClock(ctl), ctl });
    expect(journalDecodes.count - before).toBe(1);
    expect(result.status, result.detail).toBe('done');
    expect(result.state?.steps.monitor?.outputs).toMatchObject({ checks: 5, watched_ms: 180_000 });
    // the journal written from the shared decode chains on: its tamper check holds
    expect(new FileJournal(w.stateDir, 'inc-1').check()).toMatchObject({ state: 'ok' });
  });

  it('open, then the reads (the checklist, the engine) share open()\'s decode until a record is written', async () => {
    const w = await incident();
    const fresh = new FileJournal(w.stateDir, 'inc-1').read();
    const j = new FileJournal(w.stateDir, 'inc-1');
    j.lock();
    try {
      const before = journalDecodes.count;
      expect(j.open()).toEqual([]);
      expect(j.read()).toEqual(fresh);
      expect(j.read()).toEqual(fresh);
      expect(journalDecodes.count - before).toBe(1);
      const note = j.append({ type: 'note', text: 'resumed' });
      // written since: read again from the file, the new record in it
      expect(j.read()).toEqual([...fresh, { ...note, sum: expect.any(String) }]);
      expect(journalDecodes.count - before).toBe(2);
    } finally {
      j.unlock();
    }
  });

  it('a torn last line is warned of as before (by each read until open cuts it off), and the kept decode is the file as cut', async () => {
    const w = await incident();
    const fresh = new FileJournal(w.stateDir, 'inc-1').read();
    const j = new FileJournal(w.stateDir, 'inc-1');
    const good = statSync(j.file).size;
    appendFileSync(j.file, '{"seq":9999,"type":"note","te');
    j.lock();
    try {
      const before = journalDecodes.count;
      expect(j.read()).toEqual(fresh);
      expect(j.warnings).toHaveLength(1);
      const warned = j.open();
      expect(warned).toEqual([expect.stringContaining('dropped a torn last line')]);
      expect(j.warnings).toHaveLength(2);
      expect(statSync(j.file).size).toBe(good); // cut off
      expect(j.read()).toEqual(fresh);
      expect(j.warnings).toHaveLength(2); // the file as cut has no torn line
      expect(journalDecodes.count - before).toBe(1);
    } finally {
      j.unlock();
    }
  });

  it('a journal that changed size under the lock (a writer that ignored it) is decoded again, not served from what was kept', async () => {
    const w = await incident();
    const j = new FileJournal(w.stateDir, 'inc-1');
    j.lock();
    try {
      j.open();
      const n = j.read().length;
      const other = new FileJournal(w.stateDir, 'inc-1');
      const rec = other.append({ type: 'note', text: 'written beside the lock' });
      const before = journalDecodes.count;
      const now = j.read();
      expect(journalDecodes.count - before).toBe(1);
      expect(now).toHaveLength(n + 1);
      expect(now.at(-1)).toMatchObject({ type: 'note', text: 'written beside the lock', seq: rec.seq });
      expect(readFileSync(j.file, 'utf8').trim().split('\n')).toHaveLength(n + 1);
    } finally {
      j.unlock();
    }
  });
});
