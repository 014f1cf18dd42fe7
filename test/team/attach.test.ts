/**
 * `runbook attach` against a real PostgreSQL 15: an attached operator sees every record of a
 * running incident (LISTEN/NOTIFY) exactly once and in order, and an answer typed into attach
 * becomes a journal record naming that operator, written beside the running runner.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cli, cliAsync, ROOT, until } from '../e2e/cli.js';
import type { PgServer } from './pg-server.mjs';
import { useTeamStore } from './store.js';

let db: PgServer;
useTeamStore((server) => (db = server));

describe('runbook attach', () => {
  it('shows each record of a running incident once, in order, and writes an answer typed into it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-attach-'));
    copyFileSync(join(ROOT, 'test', 'team', 'fixtures', 'team-effect.yaml'), join(dir, 'team-effect.yaml'));
    const go = join(dir, 'go');
    const env = { ...db.env };
    const runner = cliAsync(['run', 'team-effect.yaml', '--incident', 'att', '--state-dir', join(dir, 'state'), '--input', `go=${go}`, '--input', `effects=${join(dir, 'fx')}`, '--operator', 'alice@soc'], { cwd: dir, env });
    // attach once the incident exists (attaching to an id the store does not know is an error)
    const end = Date.now() + 60_000;
    while ((await db.db.query("SELECT 1 FROM runbook_records WHERE incident = 'att' AND type = 'intent'")).rowCount === 0) {
      if (Date.now() > end) throw new Error(`the runner did not start: ${runner.out().stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    let seen = '';
    const attach = spawn(process.execPath, [CLI, 'attach', 'att', '--operator', 'bob@soc'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let attachErr = '';
    attach.stdout.on('data', (d) => (seen += d));
    attach.stderr.on('data', (d) => (attachErr += d));
    const attachDone = new Promise<number | null>((resolve) => attach.on('close', (code) => resolve(code)));
    try {
      await until(() => /alice@soc intent effect/.test(seen), 60_000, 'attach to show the runner\'s intent');
      attach.stdin.write('note taking notes from the war room\n');
      await until(() => /bob@soc note taking notes from the war room/.test(seen), 30_000, 'the note typed into attach');
      writeFileSync(go, '');
      writeFileSync(`${go}.2`, '');
      const r = await runner.done;
      expect(attachErr).toContain('attached to incident att');
      expect(r.code, r.stderr).toBe(0);
      expect(await attachDone).toBe(0);
    } finally {
      attach.kill('SIGKILL');
    }
    const { rows } = await db.db.query<{ seq: number; op: string; generation: number | null; type: string }>("SELECT seq::int, op, generation::int, type FROM runbook_records WHERE incident = 'att' ORDER BY seq");
    const printed = [...seen.matchAll(/^#(\d+) /gm)].map((m) => Number(m[1]));
    expect(printed).toEqual(rows.map((x) => x.seq));
    expect(rows.find((x) => x.type === 'note' && x.op === 'bob@soc')?.generation).toBeNull();
    expect(seen).toMatch(/alice@soc run\.stopped done$/m);
    expect(cli(['status', 'att'], { cwd: dir, env }).stdout).toMatch(/journal: ok/);
  }, 120_000);

  it('text mode prints each question the runner waits on once, saying how to answer it; the answer typed lets the runner go on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-attach-q-'));
    copyFileSync(join(ROOT, 'test', 'team', 'fixtures', 'team-live.yaml'), join(dir, 'team-live.yaml'));
    const env = { ...db.env };
    const runner = cliAsync(['run', 'team-live.yaml', '--incident', 'attq', '--state-dir', join(dir, 'state'), '--input', `effects=${join(dir, 'fx')}`, '--operator', 'alice@soc', '--wait-for-answers', '3m'], { cwd: dir, env });
    await until(() => /waiting up to 3m00s for an answer from the team/.test(runner.out().stderr), 60_000, 'the runner to wait at its gate');
    let seen = '';
    const attach = spawn(process.execPath, [CLI, 'attach', 'attq', '--operator', 'bob@soc'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    attach.stdout.on('data', (d) => (seen += d));
    try {
      await until(() => /^\? gate: approval needed — A side effect behind an ordinary gate; answer: approve gate \| deny gate \[REASON\]$/m.test(seen), 60_000, 'attach to print the open gate');
      attach.stdin.write('approve gate\n');
      await until(() => /^\? tick: manual step — Check the audit log by hand; answer: done tick NOTE$/m.test(seen), 60_000, 'attach to print the manual step next');
      attach.stdin.write('done tick no use after 11:02\n');
      const r = await runner.done;
      expect(r.code, r.stderr).toBe(0);
    } finally {
      attach.kill('SIGKILL');
    }
    // each question once, though the view is published again with every change
    expect(seen.match(/^\? gate:/gm)).toHaveLength(1);
    expect(seen.match(/^\? tick:/gm)).toHaveLength(1);
  }, 120_000);
});
