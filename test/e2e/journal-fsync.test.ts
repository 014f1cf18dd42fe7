/**
 * Issue 15 item 3: the journal's fsyncs run off the event loop. A run's intents and outcomes
 * are fsynced on libuv's threadpool (JournalStore.appendDeferred), never by the main thread —
 * traced with strace on the built CLI (each fsync names its thread and file).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, ensureBuilt } from './cli.js';
import { FileJournal } from '../../src/core/journal/store.js';
import { fold } from '../../src/core/journal/fold.js';
import { cliWorkspace } from '../engine/helpers.js';

beforeAll(ensureBuilt);
const hasStrace = spawnSync('strace', ['-V']).status === 0;

describe('journal fsyncs off the event loop', () => {
  it.skipIf(!hasStrace)('a fan-out run fsyncs its journal only on threadpool threads, and every record reaches the disk in order', () => {
    const { dir } = cliWorkspace('fsync', 'group-commit.yaml');
    const trace = join(dir, 'trace');
    const r = spawnSync('strace', ['-f', '-y', '-qq', '-o', trace, '-e', 'trace=execve,fsync,fdatasync', process.execPath, CLI, 'run', 'group-commit.yaml', '--incident', 'inc', '--state-dir', join(dir, 'state'), '--input', `effects=${join(dir, 'effects.log')}`, '--yes', '--done', 'confirm=called the owner'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(trace, 'utf8').split('\n');
    const main = /^(\d+)\s+execve\(/.exec(lines[0] ?? '')?.[1];
    expect(main, lines[0]).toBeDefined();
    const syncs = lines.map((l) => /^(\d+)\s+f(?:data)?sync\(\d+<([^>]*)>\)/.exec(l)).filter((m) => m !== null && m[2]!.endsWith('/journal.jsonl'));
    // every intent and outcome of the run was fsynced, none by the thread that runs JavaScript
    expect(syncs.length).toBeGreaterThan(0);
    expect(syncs.filter((m) => m![1] === main)).toEqual([]);
    const j = new FileJournal(join(dir, 'state'), 'inc');
    expect(j.check().state).toBe('ok');
    expect(Object.values(fold(j.read())!.steps.revoke!.items).map((i) => i.status)).toEqual(['ok', 'ok', 'ok']);
    expect(readFileSync(join(dir, 'effects.log'), 'utf8').split('\n').filter(Boolean).sort()).toEqual(['a', 'b', 'c', 'notified']);
  });
});
