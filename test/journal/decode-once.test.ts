/**
 * A journal is decoded once per command (at 10,000 items a decode is ~100 MiB and seconds):
 * `runbook status` folds the state and makes the tamper check from one read of the file (it used
 * to read and decode it for each), and a resume decodes it once under the incident's lock — the
 * command opens it (the tamper check) and passes those records down: to a drill's checks, the
 * checklist and the engine (EngineOptions.journal, used while FileJournal.holdsOnly says nothing was written since). No decode is kept under the store: a read after a write, or
 * after a writer beside the lock, decodes the file again.
 */
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fanOutWatchYaml, listTokens, probe, read, runWatch, testClock, workspace } from '../engine/helpers.js';
import { FileJournal } from '../../src/core/journal/store.js';
import { journalDecodes } from '../../src/core/journal/codec.js';
import { fold } from '../../src/core/journal/fold.js';
import status from '../../src/commands/status.js';
import run from '../../src/commands/run.js';
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
  it('decodes the journal once: the run reads it under its lock and that read opens it for writing', async () => {
    const w = await incident();
    const before = journalDecodes.count;
    const ctl = new AbortController();
    const { result } = await runWatch({ yaml, w, providers: [world()], clock: testClock(ctl), ctl });
    expect(journalDecodes.count - before).toBe(1);
    expect(result.status, result.detail).toBe('done');
    expect(result.state?.steps.monitor?.outputs).toMatchObject({ checks: 5, watched_ms: 180_000 });
    // the journal written after that one decode chains on: its tamper check holds
    expect(new FileJournal(w.stateDir, 'inc-1').check()).toMatchObject({ state: 'ok' });
  });

  it('`runbook run --incident` (a resume) decodes the journal once: the command opens it and passes the records to the engine', async () => {
    const w = workspace();
    const file = join(w.dir, 'rb.yaml');
    writeFileSync(
      file,
      `version: 1
id: decode-once-run
title: Decode once
providers:
  sh: { type: shell }
steps:
  - id: look
    kind: detect
    title: Look
    uses: sh.run
    with:
      command: [echo, hi]
  - id: call
    kind: manual
    title: Call the owner
    needs: [look]
    instructions: Call them.
`,
    );
    const once = async () => {
      const before = journalDecodes.count;
      const ctx = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: { HOME: w.dir, NO_COLOR: '1' }, cwd: w.dir, redactor: new Redactor(), signal: new AbortController().signal, script: 'runbook' };
      const code = await run([file, '--non-interactive', '--state-dir', w.stateDir, '--incident', 'inc-run'], ctx as never);
      return { code, decodes: journalDecodes.count - before };
    };
    expect(await once()).toEqual({ code: 3, decodes: 0 }); // new: nothing to decode; waits on the manual step
    expect(await once()).toEqual({ code: 3, decodes: 1 }); // resumed: one decode
    const records = new FileJournal(w.stateDir, 'inc-run').read();
    expect(records.filter((r) => r.type === 'run.started').map((r) => (r as { resumed: boolean }).resumed)).toEqual([false, true]);
    expect(new FileJournal(w.stateDir, 'inc-run').check()).toMatchObject({ state: 'ok' });
  });

  it('openRead: one decode; its records hold the journal until anything is written (holdsOnly)', async () => {
    const w = await incident();
    const fresh = new FileJournal(w.stateDir, 'inc-1').read();
    const j = new FileJournal(w.stateDir, 'inc-1');
    j.lock();
    try {
      const before = journalDecodes.count;
      const { warnings, records } = j.openRead();
      expect(warnings).toEqual([]);
      expect(records).toEqual(fresh);
      expect(j.holdsOnly(records)).toBe(true); // the engine may start from them: no decode
      expect(journalDecodes.count - before).toBe(1);
      j.append({ type: 'note', text: 'resumed' });
      // written since: the records are not the journal any more
      expect(j.holdsOnly(records)).toBe(false);
      expect(j.read()).toHaveLength(fresh.length + 1);
    } finally {
      j.unlock();
    }
  });

  it('a torn last line: the lock holder\'s first read opens the journal from its decode, warns once and cuts it off', async () => {
    const w = await incident();
    const fresh = new FileJournal(w.stateDir, 'inc-1').read();
    const j = new FileJournal(w.stateDir, 'inc-1');
    const good = statSync(j.file).size;
    appendFileSync(j.file, '{"seq":9999,"type":"note","te');
    j.lock();
    try {
      const before = journalDecodes.count;
      expect(j.read()).toEqual(fresh);
      expect(j.warnings).toEqual([expect.stringContaining('dropped a torn last line')]);
      expect(statSync(j.file).size).toBe(good); // cut off
      expect(j.open()).toEqual([]); // open already: nothing more to say, nothing decoded
      expect(journalDecodes.count - before).toBe(1);
      expect(j.read()).toEqual(fresh);
      expect(j.warnings).toHaveLength(1); // the file as cut has no torn line
    } finally {
      j.unlock();
    }
  });

  it('records read at the open do not hold the journal once the file changed beside the lock (a writer that ignored it)', async () => {
    const w = await incident();
    const j = new FileJournal(w.stateDir, 'inc-1');
    j.lock();
    try {
      const { records } = j.openRead();
      const n = records.length;
      expect(j.holdsOnly(records)).toBe(true);
      const other = new FileJournal(w.stateDir, 'inc-1');
      const rec = other.append({ type: 'note', text: 'written beside the lock' });
      expect(j.holdsOnly(records)).toBe(false);
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
