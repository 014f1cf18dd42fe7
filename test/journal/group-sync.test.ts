/**
 * The file store's group commit (src/core/journal/group-sync.ts) against a real file: an fsync
 * starts once the turn that wrote its records is over, covering all that turn wrote; records
 * written while an fsync runs get the next fsync (a second in flight, not after the first
 * reports back); durability is reported in seq order, whatever order the fsyncs finish in; the
 * head is written only for a record an fsync covered; nothing counts as durable after a failed
 * fsync; the fd is closed after the last fsync.
 * The fsyncs are real; the test only holds their callbacks back to choose the order they land.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fs, { closeSync, fstatSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupSync, type Written } from '../../src/core/journal/group-sync.js';
import { JournalError } from '../../src/core/errors.js';

const realFsync = fs.fsync;
/** fsyncs started, each done for real; `land(i)` hands its result to the caller */
let started: { fd: number; land: () => void }[] = [];

function holdFsyncs(): void {
  started = [];
  (fs as { fsync: unknown }).fsync = (fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
    let result: NodeJS.ErrnoException | null | undefined;
    let landed = false;
    const entry = { fd, land: () => (result === undefined ? (landed = true) : cb(result)) };
    realFsync(fd, (e) => {
      result = e;
      if (landed) cb(e);
    });
    started.push(entry);
  };
  syncBuiltinESMExports();
}

afterEach(() => {
  fs.fsync = realFsync;
  syncBuiltinESMExports();
});

/** the end of this turn: an fsync wanted in it has started */
const turn = () => new Promise((r) => setImmediate(r));

function journal() {
  const fd = openSync(join(mkdtempSync(join(tmpdir(), 'runbook-gsync-')), 'j'), 'a');
  const w: Written = { fd, seq: 0, last: '' };
  /** what the head named, in order */
  const durable: number[] = [];
  const sync = new GroupSync(
    () => ({ ...w }),
    (seq) => durable.push(seq),
    (e) => new JournalError(`fsync failed: ${String(e)}`),
  );
  const write = () => {
    w.seq++;
    w.last = `h${w.seq}`;
    writeSync(fd, `${w.seq}\n`);
    return w.seq;
  };
  return { fd, w, sync, durable, write };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('GroupSync', () => {
  it('what one turn writes shares one fsync, started when the turn is over', async () => {
    holdFsyncs();
    const j = journal();
    const a = j.sync.wait(j.write());
    j.write();
    const b = j.sync.wait(j.write());
    // nothing yet: the rest of the turn may write more
    expect(started).toHaveLength(0);
    await turn();
    expect(started).toHaveLength(1);
    started[0]!.land();
    await Promise.all([a, b]);
    await turn();
    expect(started).toHaveLength(1);
    expect(j.durable).toEqual([3]);
    expect(j.sync.pending).toBe(false);
  });

  it('a record written while an fsync runs gets its own fsync in the next turn; waiters go on in seq order', async () => {
    holdFsyncs();
    const j = journal();
    const order: number[] = [];
    const a = j.sync.wait(j.write()).then(() => order.push(1));
    await turn();
    expect(started).toHaveLength(1);
    j.write();
    const b = j.sync.wait(j.write()).then(() => order.push(3));
    await turn();
    // the second is started before the first reports back (one thread each)
    expect(started).toHaveLength(2);
    // a third waits to share the next: two at most in flight
    const c = j.sync.wait(j.write()).then(() => order.push(4));
    await turn();
    expect(started).toHaveLength(2);
    // the second lands first: it covers records 1–3 (written before it started)
    started[1]!.land();
    await b;
    expect(order).toEqual([1, 3]);
    await tick();
    // the head names record 3 once the next fsync (for record 4) has started
    expect(j.durable).toEqual([3]);
    expect(started).toHaveLength(3);
    // the first landing late changes nothing
    started[0]!.land();
    started[2]!.land();
    await Promise.all([a, c]);
    await tick();
    expect(order).toEqual([1, 3, 4]);
    expect(j.durable).toEqual([3, 4]);
    expect(j.sync.pending).toBe(false);
  });

  it('no second fsync while the running one covers every waiter', async () => {
    holdFsyncs();
    const j = journal();
    const seq = j.write();
    const a = j.sync.wait(seq);
    await turn();
    const b = j.sync.wait(seq);
    await turn();
    expect(started).toHaveLength(1);
    started[0]!.land();
    await Promise.all([a, b]);
    await tick();
    expect(started).toHaveLength(1);
    expect(j.durable).toEqual([1]);
  });

  it('the head never goes back: a record the store made durable itself is not undone by an fsync that covered less', async () => {
    holdFsyncs();
    const j = journal();
    const a = j.sync.wait(j.write());
    await turn();
    j.write();
    j.sync.synced(j.w.seq, j.w.last); // the store fsynced record 2 itself
    started[0]!.land();
    await a;
    await tick();
    expect(j.durable).toEqual([2]);
  });

  it('closing while fsyncs run closes the fd after the last of them, never before', async () => {
    holdFsyncs();
    const j = journal();
    void j.sync.wait(j.write());
    await turn();
    void j.sync.wait(j.write());
    await turn();
    expect(started).toHaveLength(2);
    j.sync.synced(j.w.seq, j.w.last); // what the store's unlock does: made durable by its own fsync
    expect(j.sync.pending).toBe(false);
    j.sync.close(j.fd);
    started[0]!.land();
    await tick();
    expect(() => fstatSync(j.fd)).not.toThrow();
    started[1]!.land();
    await tick();
    expect(() => fstatSync(j.fd)).toThrow(/EBADF/);
  });

  it('after a failed fsync every waiter fails and nothing later counts as durable', async () => {
    const j = journal();
    const seq = j.write();
    closeSync(j.fd); // the fsync fails: EBADF
    await expect(j.sync.wait(seq)).rejects.toBeInstanceOf(JournalError);
    expect(j.sync.failed).toBeInstanceOf(JournalError);
    expect(j.durable).toEqual([]);
  });
});
