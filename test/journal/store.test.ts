import { describe, expect, it } from 'vitest';
import { appendFileSync, closeSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FileJournal, decodeJournal, encodeRecord, checkIncidentId } from '../../src/core/journal/store.js';
import { fold, foldRecord, inDoubtItems } from '../../src/core/journal/fold.js';
import { JournalError, LockedError, UsageError } from '../../src/core/errors.js';
import type { RecordBody } from '../../src/core/journal/records.js';

const opened: RecordBody = {
  type: 'incident.opened',
  incident: 'i1',
  mode: 'live',
  runbook: { id: 'rb', title: 'RB', severity: 'high', path: '/x.yaml', hash: 'h' },
  inputs: {},
  secrets: {},
};

/** Close the store's own descriptor of its journal file (found through /proc): its next write fails with EBADF. */
function closeFd(j: FileJournal): void {
  const fd = readdirSync('/proc/self/fd').map(Number).find((n) => {
    try {
      return readlinkSync(`/proc/self/fd/${n}`) === j.file;
    } catch {
      return false;
    }
  });
  expect(fd).toBeDefined();
  closeSync(fd!);
}

function fresh(id = 'i1') {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-journal-'));
  return { dir, j: new FileJournal(dir, id) };
}

describe('file journal', () => {
  it('appends checksummed records with sequence numbers, mode 0600', () => {
    const { j } = fresh();
    j.append(opened);
    j.append({ type: 'note', text: 'hello' });
    const recs = j.read();
    expect(recs.map((r) => [r.seq, r.type])).toEqual([
      [1, 'incident.opened'],
      [2, 'note'],
    ]);
    expect(recs[1]?.op).toMatch(/@/);
    expect(statSync(j.file).mode & 0o777).toBe(0o600);
    expect(statSync(j.dir).mode & 0o777).toBe(0o700);
  });

  it('drops a torn last line on load and truncates it before the next append', () => {
    const { dir, j } = fresh();
    j.append(opened);
    j.append({ type: 'note', text: 'one' });
    j.unlock();
    appendFileSync(j.file, '{"seq":3,"ts":"2026-01-01T00:00:00.000Z","op":"a@b","type":"no');
    const again = new FileJournal(dir, 'i1');
    expect(again.read()).toHaveLength(2);
    again.append({ type: 'note', text: 'two' });
    const recs = new FileJournal(dir, 'i1').read();
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(recs[2]).toMatchObject({ type: 'note', text: 'two' });
  });

  it('corruption before the last line is an error naming the line', () => {
    const { j } = fresh();
    j.append(opened);
    j.append({ type: 'note', text: 'one' });
    j.append({ type: 'note', text: 'two' });
    const text = readFileSync(j.file, 'utf8').replace('"one"', '"0ne"');
    writeFileSync(j.file, text);
    expect(() => j.read()).toThrow(JournalError);
    expect(() => j.read()).toThrow(/line 2: checksum mismatch/);
  });

  it('any single-byte change to a record is detected (property)', () => {
    const line = encodeRecord({ seq: 1, ts: '2026-01-01T00:00:00.000Z', op: 'u@h', type: 'note', text: 'some note text' } as never);
    fc.assert(
      fc.property(fc.nat({ max: line.length - 1 }), fc.integer({ min: 32, max: 126 }), (pos, code) => {
        const ch = String.fromCharCode(code);
        fc.pre(line[pos] !== ch);
        const bad = line.slice(0, pos) + ch + line.slice(pos + 1);
        const text = `${bad}\n${line.replace('"seq":1', '"seq":2')}\n`;
        let threw = false;
        try {
          const { records } = decodeJournal(text, 'x');
          // if the change was not detected, the record must be identical in meaning
          threw = records.length !== 2;
        } catch {
          threw = true;
        }
        expect(threw).toBe(true);
      }),
    );
  });

  it('refuses a second holder with the owner named; a lock left by a process that is gone is taken over', () => {
    const { dir, j } = fresh();
    j.lock();
    const other = new FileJournal(dir, 'i1');
    try {
      other.lock();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LockedError);
      expect((e as LockedError).owner.pid).toBe(process.pid);
      expect((e as Error).message).toContain(`pid ${process.pid}`);
    }
    j.unlock();
    // a lock left by a process that is gone
    writeFileSync(join(j.dir, 'lock'), JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), user: 'x', startedAt: 'then' }));
    const { broken } = other.lock();
    expect(broken?.pid).toBe(2 ** 22 + 7);
    other.unlock();
  });

  it('fails closed when the journal cannot be written', () => {
    const { dir } = fresh();
    writeFileSync(join(dir, 'incidents'), 'a file where a folder should be');
    const j = new FileJournal(dir, 'i1');
    expect(() => j.append(opened)).toThrow(JournalError);
    expect(() => j.append(opened)).toThrow(/nothing was called/);
  });

  it('rejects incident ids that could escape the state directory', () => {
    for (const bad of ['../x', 'a/b', '', '.hidden', 'x'.repeat(200)]) expect(() => checkIncidentId(bad)).toThrow(UsageError);
    expect(checkIncidentId('hf-2024-05-31_a.1')).toBe('hf-2024-05-31_a.1');
  });
});

describe('fold', () => {
  it('an intent without an outcome is in doubt; an outcome settles it', () => {
    const { j } = fresh();
    j.append(opened);
    j.append({ type: 'step.started', step: 's' });
    j.append({ type: 'items', step: 's', keys: ['a', 'b'] });
    j.append({ type: 'intent', step: 's', item: 'a', action: 'x.y', attempt: 1, key: 'i1/s/a', input: {}, idempotent: false });
    j.append({ type: 'outcome', step: 's', item: 'a', status: 'ok', attempt: 1 });
    j.append({ type: 'intent', step: 's', item: 'b', action: 'x.y', attempt: 1, key: 'i1/s/b', input: {}, idempotent: false });
    const s = fold(j.read())!;
    expect(s.steps.s?.items.a?.status).toBe('ok');
    expect(s.steps.s?.items.b?.status).toBe('in-doubt');
    expect(inDoubtItems(s).map((x) => x.item.key)).toEqual(['b']);
    j.append({ type: 'settled', step: 's', item: 'b', decision: 'done', via: 'test' });
    expect(fold(j.read())!.steps.s?.items.b?.status).toBe('ok');
  });
});

describe('tamper evidence (hash chain + head)', () => {
  it('any record rewritten with a recomputed checksum, or any run of last lines removed, fails the check (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 8 }), fc.nat(), fc.string({ minLength: 1, maxLength: 10 }), fc.boolean(), (texts, pick, extra, removeTail) => {
        const { j } = fresh();
        j.append(opened);
        for (const t of texts) j.append({ type: 'note', text: t });
        j.unlock();
        expect(j.check().state).toBe('ok');
        const lines = readFileSync(j.file, 'utf8').split('\n').filter(Boolean);
        const k = pick % lines.length;
        if (removeTail) {
          writeFileSync(j.file, lines.slice(0, k).join('\n') + (k ? '\n' : ''));
          if (k === 0) return; // an empty file: refused on its own (see below)
        } else {
          const r = JSON.parse(lines[k]!) as Record<string, unknown>;
          delete r.sum;
          r.text = `${String(r.text ?? '')}${extra}`;
          lines[k] = encodeRecord(r as never);
          writeFileSync(j.file, lines.join('\n') + '\n');
        }
        const c = new FileJournal(j.stateDir, 'i1').check();
        expect(c.state).toBe('broken');
        expect(() => new FileJournal(j.stateDir, 'i1').append({ type: 'note', text: 'x' })).toThrow(/tamper check/);
      }),
      { numRuns: 60 },
    );
  });

  it('an empty journal is refused on read and append, never treated as new', () => {
    const { j } = fresh();
    j.append(opened);
    j.unlock();
    writeFileSync(j.file, '');
    expect(() => j.read()).toThrow(/is empty/);
    expect(() => new FileJournal(j.stateDir, 'i1').append(opened)).toThrow(/is empty/);
  });

  it('a torn tail is named in the warnings (line, record type, bytes)', () => {
    const { dir, j } = fresh();
    j.append(opened);
    j.unlock();
    const torn = '{"seq":2,"ts":"x","op":"a@b","type":"intent","step":"s';
    appendFileSync(j.file, torn);
    const again = new FileJournal(dir, 'i1');
    expect(again.open()).toEqual([expect.stringContaining(`dropped a torn last line — line 2 (an intent record, ${torn.length} bytes)`)]);
    expect(again.read()).toHaveLength(1);
    again.unlock();
  });
});

describe('deferred appends (the engine: fsync off the event loop, issue 15 item 3)', () => {
  const intent = (item: string): RecordBody => ({ type: 'intent', step: 's', item, action: 'p.revoke', attempt: 1, key: `k-${item}`, input: {}, idempotent: false });
  const headSeq = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { seq: number }).seq;

  it('writes in order by the end of the turn, in one write; the head names a record only once the fsync that covers it returned', async () => {
    const { dir, j } = fresh();
    j.append(opened);
    const a = j.appendDeferred([intent('a'), intent('b')]);
    // numbered now (the next record follows them), in the file by the end of this turn, durable later
    expect(a.records.map((r) => r.seq)).toEqual([2, 3]);
    // this process reads them at once (a read writes what is deferred first)
    expect(j.read().map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(new FileJournal(dir, 'i1').read().map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(headSeq(j.headFile)).toBe(1);
    // written while that fsync runs: they wait for the next one
    const b = j.appendDeferred([{ type: 'outcome', step: 's', item: 'a', status: 'ok', attempt: 1 }]);
    // the head never names a record before an fsync covered it; it names the last durable one once that turn is over
    const order: string[] = [];
    const seen: number[] = [];
    await Promise.all([a.durable.then(() => (order.push('a'), seen.push(headSeq(j.headFile)))), b.durable.then(() => (order.push('b'), seen.push(headSeq(j.headFile))))]);
    expect(order).toEqual(['a', 'b']);
    expect(seen[0]).toBeLessThanOrEqual(3);
    expect(seen[1]).toBeLessThanOrEqual(4);
    await new Promise((r) => setImmediate(r));
    expect(headSeq(j.headFile)).toBe(4);
    expect(new FileJournal(dir, 'i1').check().state).toBe('ok');
    j.unlock();
  });

  it('records not yet durable when the store is unlocked are made durable by unlock (the fd is closed after the running fsync)', async () => {
    const { dir, j } = fresh();
    j.appendDeferred([opened, intent('a')]);
    const pending = j.appendDeferred([intent('b')]).durable;
    j.unlock();
    expect(headSeq(j.headFile)).toBe(3);
    await pending;
    // the store opens again and goes on after the running fsync returned
    j.append({ type: 'note', text: 'after' });
    const again = j.appendDeferred([intent('c')]);
    await again.durable;
    j.unlock();
    expect(new FileJournal(dir, 'i1').read().map((r) => r.type)).toEqual(['incident.opened', 'intent', 'intent', 'note', 'intent']);
    expect(new FileJournal(dir, 'i1').check().state).toBe('ok');
  });

  it('what one turn defers is one write at its end; another process sees it then', async () => {
    const { dir, j } = fresh();
    j.append(opened);
    const size = () => statSync(j.file).size;
    const before = size();
    j.appendDeferred([{ type: 'step.started', step: 's', kind: 'revoke', title: 'S' }]);
    j.appendDeferred([intent('a')]);
    expect(size()).toBe(before);
    expect(new FileJournal(dir, 'i1').read().map((r) => r.seq)).toEqual([1]);
    await new Promise((r) => setImmediate(r));
    expect(new FileJournal(dir, 'i1').read().map((r) => r.type)).toEqual(['incident.opened', 'step.started', 'intent']);
    // a write that is not deferred follows them in the file
    j.append({ type: 'note', text: 'n' });
    j.appendDeferred([intent('b')]);
    j.append({ type: 'note', text: 'm' });
    expect(new FileJournal(dir, 'i1').read().map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new FileJournal(dir, 'i1').check().state).toBe('ok');
    j.unlock();
  });

  it('a deferred write that fails fails its waiters and every later append; nothing counts as durable', async () => {
    const { j } = fresh();
    j.append(opened);
    const d = j.appendDeferred([intent('a')]);
    // the file is gone from under the store (its fd is closed): the write at the end of the turn fails
    closeFd(j);
    await expect(d.durable).rejects.toBeInstanceOf(JournalError);
    expect(() => j.appendDeferred([intent('b')])).toThrow(JournalError);
  });

  it('records that need no fsync are durable at once', async () => {
    const { j } = fresh();
    j.append(opened);
    const r = j.appendDeferred([{ type: 'step.started', step: 's', kind: 'revoke', title: 'S' }]);
    await r.durable;
    expect(r.records[0]?.seq).toBe(2);
    j.unlock();
  });
});

describe('follow: every record written through the store, once, in order (the engine folds them instead of keeping them)', () => {
  const intent = (item: string): RecordBody => ({ type: 'intent', step: 's', item, action: 'p.revoke', attempt: 1, key: `k-${item}`, input: {}, idempotent: false });

  it('tells of records from append, appendBatch and appendDeferred (the first record creating the file included); a fold of them is the fold of the file', async () => {
    const { dir, j } = fresh();
    const told: number[] = [];
    let state: ReturnType<typeof fold>;
    const stop = j.follow((recs) => {
      for (const r of recs) {
        told.push(r.seq);
        state = foldRecord(state, r);
      }
    });
    const d = j.appendDeferred([opened, intent('a')]);
    j.appendBatch([intent('b'), intent('c')]);
    j.append({ type: 'outcome', step: 's', item: 'a', status: 'ok', attempt: 1 });
    await j.appendDeferred([{ type: 'outcome', step: 's', item: 'b', status: 'failed', attempt: 1 }]).durable;
    await d.durable;
    expect(told).toEqual([1, 2, 3, 4, 5, 6]);
    expect(state).toEqual(fold(new FileJournal(dir, 'i1').read()));
    stop();
    j.append({ type: 'note', text: 'after' });
    expect(told).toHaveLength(6);
    j.unlock();
  });
});
