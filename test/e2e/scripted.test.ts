/** Scripted mode end to end through the built CLI: exit codes, --json, lock, SIGINT, canaries. */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { cli, cliAsync, ensureBuilt, until } from './cli.js';
import { cliWorkspace } from '../engine/helpers.js';

beforeAll(ensureBuilt);

const ws = () => cliWorkspace('e2e', 'crash.yaml');

const alnum = (n: number) => {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(n), (b) => abc[b % abc.length]).join('');
};

const slowYaml = `version: 1
id: slow
title: Slow step
providers: { sh: { type: shell } }
steps:
  - id: wait
    kind: detect
    title: Wait a long time
    uses: sh.run
    with:
      # a child that ignores SIGTERM and forks a grandchild that ignores it too
      command: [node, -e, "process.on('SIGTERM',()=>{}); require('child_process').spawn(process.execPath,['-e','process.on(\\"SIGTERM\\",()=>{});console.log(process.pid);setInterval(()=>{},1000)'],{stdio:'inherit'}); setInterval(()=>{},1000)"]
`;

describe('runbook run (scripted)', () => {
  it('prints the new incident id, progress on stderr, and exits 3 at a gate naming the flag', () => {
    const w = ws();
    const r = cli(['run', 'crash.yaml', '--state-dir', w.state, '--input', `effects=${w.effects}`], { cwd: w.dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/new incident crash-test-\d{8}-\d{4}-[0-9a-f]{4}/);
    expect(r.stderr).toContain('▶ detect');
    expect(r.stderr).toContain('--approve revoke');
    expect(r.stderr).toMatch(/→ Approve and resume: node \S+\/dist\/cli\.js run crash\.yaml --incident crash-test-\S+ .*--approve revoke$/m);
  });

  it('--json writes one parseable event per line to stdout', () => {
    const w = ws();
    const r = cli(['run', 'crash.yaml', '--incident', 'j1', '--state-dir', w.state, '--input', `effects=${w.effects}`, '--yes', '--done', 'confirm=ok', '--json'], { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { v: number; type: string; record?: { type: string } });
    expect(events.every((e) => e.v === 1)).toBe(true);
    expect(events[0]?.type).toBe('record');
    expect(events.some((e) => e.type === 'run.begin')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'run.end', status: 'done', exitCode: 0 });
    expect(events.filter((e) => e.record?.type === 'outcome')).toHaveLength(5);
  });

  it('status and incidents show the checklist', () => {
    const w = ws();
    cli(['run', 'crash.yaml', '--incident', 's1', '--state-dir', w.state, '--input', `effects=${w.effects}`, '--approve', 'revoke'], { cwd: w.dir });
    const s = cli(['status', 's1', '--state-dir', w.state]);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/✓ revoke\s+ok\s+3\/3 ok/);
    expect(s.stdout).toMatch(/· confirm|confirm/);
    const j = JSON.parse(cli(['status', 's1', '--state-dir', w.state, '--json']).stdout);
    expect(j.steps.revoke.status).toBe('ok');
    const list = cli(['incidents', '--state-dir', w.state]);
    expect(list.stdout).toMatch(/^s1\s+live/m);
    expect(cli(['status', 'nope', '--state-dir', w.state]).code).toBe(2);
  });

  it('a second process on the same incident is refused with exit 4 naming the owner', async () => {
    const w = ws();
    // a step that ends by itself: the first run is killed with -9 below, which leaves its child running
    writeFileSync(join(w.dir, 'slow.yaml'), slowYaml.replace(/command: \[node, -e, .*\]\n/, 'command: [node, -e, "setTimeout(() => {}, 15000)"]\n'));
    const first = cliAsync(['run', 'slow.yaml', '--incident', 'L', '--state-dir', w.state], { cwd: w.dir });
    await until(() => first.out().stderr.includes('▶ wait'), 20_000, 'first run to start its step');
    const second = cli(['run', 'slow.yaml', '--incident', 'L', '--state-dir', w.state], { cwd: w.dir });
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(`locked by pid ${first.child.pid}`);
    first.child.kill('SIGKILL');
    await first.done;
    // its owner is provably gone: the same command takes the lock over (no --break-lock) and says so
    const stale = cli(['run', 'slow.yaml', '--incident', 'L', '--state-dir', w.state], { cwd: w.dir, timeout: 20_000 });
    expect(stale.stderr).toContain(`held by pid ${first.child.pid}`);
    expect(stale.stderr).toContain(`which is gone: pid ${first.child.pid} is not running`);
    // the killed step had no outcome and no read-back: in doubt, the operator settles it
    expect(stale.code, stale.stderr).toBe(3);
    expect(stale.stderr).toContain('--settle');
  });

  it('SIGINT stops scheduling, kills the step\'s whole process group, journals it and exits 130', async () => {
    const w = ws();
    writeFileSync(join(w.dir, 'slow.yaml'), slowYaml);
    const run = cliAsync(['run', 'slow.yaml', '--incident', 'I', '--state-dir', w.state, '--verbose'], { cwd: w.dir });
    await until(() => /│ \d+/.test(run.out().stderr), 20_000, 'the grandchild to print its pid');
    const grandchild = Number(/│ (\d+)/.exec(run.out().stderr)![1]);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted; state is kept');
    const alive = () => {
      try {
        process.kill(grandchild, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until(() => !alive(), 10_000, 'the grandchild to be gone');
    const journal = readFileSync(join(w.state, 'incidents', 'I', 'journal.jsonl'), 'utf8');
    expect(journal).toContain('"type":"run.stopped","reason":"interrupted"');
  });
});

describe('secret canaries through the CLI', () => {
  it('a secret from env never appears in stdout, stderr, --json or the journal — raw or encoded — on success and failure paths', () => {
    const w = ws();
    const canaries = {
      hf: 'hf_' + alnum(34),
      multi: `-----BEGIN KEY-----\n${alnum(40)}\n${alnum(40)}\n-----END KEY-----`,
      plain: alnum(24),
    };
    const yaml = `version: 1
id: canary
title: Canary
secrets:
  hf: { from: env, env: CANARY_HF }
  multi: { from: env, env: CANARY_MULTI }
  plain: { from: file, path: plain.txt }
providers: { sh: { type: shell } }
steps:
  - id: leak-ok
    kind: detect
    title: Echo the secrets in every encoding it can think of
    uses: sh.run
    with:
      command: [node, -e, "for (const k of ['A','B','C']) { const v = process.env[k]; console.log(v); console.error(v); console.log(Buffer.from(v).toString('base64')); console.log(Buffer.from(v).toString('hex')); console.log(encodeURIComponent(v)); console.log(JSON.stringify({v})); }"]
      env: { A: "\${{ secrets.hf }}", B: "\${{ secrets.multi }}", C: "\${{ secrets.plain }}" }
  - id: leak-fail
    kind: detect
    title: Fail with the secret in the output
    uses: sh.run
    on_failure: continue
    with:
      command: [node, -e, "console.error('bad token ' + process.env.A); process.exit(3)"]
      env: { A: "\${{ secrets.hf }}" }
`;
    writeFileSync(join(w.dir, 'canary.yaml'), yaml);
    writeFileSync(join(w.dir, 'plain.txt'), canaries.plain + '\n', { mode: 0o600 });
    const env = { CANARY_HF: canaries.hf, CANARY_MULTI: canaries.multi };
    const text = cli(['run', 'canary.yaml', '--incident', 'c1', '--state-dir', w.state, '--verbose'], { cwd: w.dir, env });
    const json = cli(['run', 'canary.yaml', '--incident', 'c2', '--state-dir', w.state, '--json'], { cwd: w.dir, env });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('exited with code 3');
    const journals = ['c1', 'c2'].map((id) => readFileSync(join(w.state, 'incidents', id, 'journal.jsonl'), 'utf8')).join('\n');
    const haystack = [text.stdout, text.stderr, json.stdout, json.stderr, journals].join('\n');
    expect(haystack).toContain('***');
    for (const v of Object.values(canaries)) {
      const forms = [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('hex'), encodeURIComponent(v), JSON.stringify(v).slice(1, -1), ...v.split('\n').filter((l) => l.length > 12)];
      for (const f of forms) expect(haystack.includes(f), `leaked a form of a canary: ${f.slice(0, 6)}…`).toBe(false);
    }
    // journal files are private
    for (const id of ['c1', 'c2']) expect(readdirSync(join(w.state, 'incidents', id))).toContain('journal.jsonl');
    expect(existsSync(join(w.state, 'fingerprint.key'))).toBe(true);
  });
});
