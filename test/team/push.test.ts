/**
 * `runbook push` and `runbook incidents` with the shared store (a real PostgreSQL 15): a solo
 * incident moves into the store with its records verbatim, is listed for the team, and is
 * finished from the store by other operators.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT } from '../e2e/cli.js';
import type { PgServer } from './pg-server.mjs';
import { useTeamStore } from './store.js';

let db: PgServer;
useTeamStore((server) => (db = server));

describe('the store from the config file', () => {
  it('store: and operator: in $XDG_CONFIG_HOME/runbook/config.yaml select the shared store and name the operator; a password there is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-conf-'));
    mkdirSync(join(dir, 'runbook'));
    writeFileSync(join(dir, 'runbook', 'config.yaml'), `store: ${db.url}\noperator: dave@cfg\n`);
    const env = { XDG_CONFIG_HOME: dir, PGPASSWORD: db.password };
    const r = cli(['run', join(ROOT, 'test', 'team', 'fixtures', 'team-gate.yaml'), '--incident', 'cfg', '--input', `effects=${join(dir, 'fx')}`, '--state-dir', join(dir, 'state')], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(3);
    const list = cli(['incidents', '--json'], { cwd: dir, env });
    expect(list.stdout).toContain('"id": "cfg"');
    expect(list.stderr + list.stdout).toContain('config.yaml');
    const st = cli(['status', 'cfg'], { cwd: dir, env });
    expect(st.stdout).toContain('operators: dave@cfg');
    writeFileSync(join(dir, 'runbook', 'config.yaml'), `store: ${db.url.replace('runbook@', 'runbook:s3cret-canary@')}\n`);
    const bad = cli(['incidents'], { cwd: dir, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/store in .*config\.yaml: the store URL holds a password — refused/);
    expect(bad.stderr).not.toContain('s3cret-canary');
  });
});

describe('push and incidents', () => {
  it('pushes a waiting local incident verbatim, lists it from the store, and the team finishes it there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-push-'));
    copyFileSync(join(ROOT, 'test', 'team', 'fixtures', 'team-gate.yaml'), join(dir, 'team-gate.yaml'));
    const state = join(dir, 'state');
    const fx = join(dir, 'effects');
    const pw = { PGPASSWORD: db.password };
    const runArgs = ['run', 'team-gate.yaml', '--incident', 'solo', '--state-dir', state, '--input', `effects=${fx}`, '--operator', 'alice@soc'];
    // a solo incident, on the local file journal, waiting at its four-eyes gate
    expect(cli(runArgs, { cwd: dir }).code).toBe(3);
    const localLines = readFileSync(join(state, 'incidents', 'solo', 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
    // the shared store knows nothing of it yet
    expect(cli(['incidents', '--store', db.url], { cwd: dir, env: pw }).stdout).not.toMatch(/^solo /m);

    const p = cli(['push', 'solo', '--store', db.url, '--state-dir', state], { cwd: dir, env: pw });
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain(`pushed incident solo: ${localLines.length} records`);
    // verbatim: the same lines, checksums and chain
    const { rows } = await db.db.query<{ line: string }>("SELECT line FROM runbook_records WHERE incident = 'solo' ORDER BY seq");
    expect(rows.map((r) => r.line)).toEqual(localLines);
    // gone from the local list, listed from the store
    expect(cli(['incidents', '--state-dir', state], { cwd: dir }).stdout).not.toMatch(/^solo /m);
    const list = cli(['incidents', '--store', db.url, '--json'], { cwd: dir, env: pw });
    expect(list.code, list.stderr).toBe(0);
    const incidents = (JSON.parse(list.stdout) as { incidents: Array<{ id: string; runbook: string; state: string }> }).incidents;
    expect(incidents.filter((i) => i.id === 'solo')).toEqual([expect.objectContaining({ id: 'solo', runbook: 'team-gate', state: 'waiting' })]);
    // a second push of the same id is refused
    expect(cli(['push', 'solo', '--store', db.url, '--state-dir', state], { cwd: dir, env: pw }).code).not.toBe(0);

    // two other operators approve through the store; the runner resumes from the store
    for (const op of ['bob@soc', 'carol@soc']) expect(cli(['approve', 'solo', 'gate', '--operator', op, '--store', db.url], { cwd: dir, env: pw }).code).toBe(0);
    const r = cli([...runArgs, '--store', db.url], { cwd: dir, env: pw });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(fx, 'utf8')).toBe('revoked\n');
    expect(existsSync(join(state, 'team', 'solo', 'journal.pushed.jsonl'))).toBe(true);
    const st = cli(['status', 'solo', '--store', db.url], { cwd: dir, env: pw });
    expect(st.stdout).toMatch(/journal: ok: hash chain verified through line \d+/);
    expect(st.stdout).toMatch(/operators: .*alice@soc.*bob@soc.*carol@soc|operators: .*alice@soc/);
    expect(cli(['incidents', '--store', db.url], { cwd: dir, env: pw }).stdout).toMatch(/^solo\s+live .* team-gate\s+done$/m);
  });
});
