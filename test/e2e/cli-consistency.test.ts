/**
 * The CLI as a whole, through the built binary: one command table behind parsing, help and
 * completion; --json everywhere; -v / version; did-you-mean; one error prefix; hints that run as
 * printed; the state directory (XDG, env, config file) and `incidents` saying where it looked;
 * shipped runbooks by id from any folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, cli, ensureBuilt } from './cli.js';
import { COMMANDS } from '../../src/commands/spec.js';
import { DRILL_FLAGS } from '../../src/drill/session.js';
import { RUN_FLAGS } from '../../src/commands/run.js';
import { programFor, shellQuote, withProgram } from '../../src/commands/invocation.js';
import { didYouMean } from '../../src/commands/spec.js';
/** AWS's documented example key id (a placeholder by design), assembled so no key-shaped literal is committed */
const AWS_DOC_ID = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');


beforeAll(ensureBuilt);
const tmp = mkdtempSync(join(tmpdir(), 'runbook-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The first `…` command in a hint line that starts with the given program. */
function hinted(stderr: string, prog: string): string {
  const m = new RegExp('`(' + prog.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + ' [^`]+)`').exec(stderr);
  if (!m) throw new Error(`no hint with ${prog} in:\n${stderr}`);
  return m[1]!;
}

describe('the command table', () => {
  it('help lists exactly the flags each command parses (run and drill included)', () => {
    expect(Object.keys(RUN_FLAGS).sort()).toEqual(Object.keys(COMMANDS.run.flags).sort());
    expect(Object.keys(COMMANDS.drill.flags).sort()).toEqual([...Object.keys(RUN_FLAGS), ...Object.keys(DRILL_FLAGS)].sort());
    for (const [name, spec] of Object.entries(COMMANDS)) {
      const h = cli([name, '--help']);
      expect(h.code, name).toBe(0);
      for (const flag of Object.keys(spec.flags)) expect(h.stdout, `${name} --${flag}`).toMatch(new RegExp(`--${flag}\\b`));
    }
    const main = cli(['--help']).stdout;
    expect(main).toMatch(/Environment:\n {2}RUNBOOK_STATE_DIR/);
    for (const v of ['XDG_STATE_HOME', 'NO_COLOR', 'RUNBOOK_DEBUG']) expect(main).toContain(v);
    expect(cli(['run', '--help']).stdout).toContain('--verbose');
  });

  it('-v, -V, --version and `version` print the package version; --json too', () => {
    const pkg = JSON.parse(spawnSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: ROOT, encoding: 'utf8' }).stdout) as { version: string };
    for (const a of [['-v'], ['-V'], ['--version'], ['version']]) expect(cli(a).stdout).toBe(`${pkg.version}\n`);
    expect(JSON.parse(cli(['version', '--json']).stdout)).toEqual({ version: pkg.version });
  });

  it('did-you-mean for commands and flags; one "runbook CMD:" prefix on errors', () => {
    const c = cli(['valdiate']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('Did you mean `node dist/cli.js validate`?');
    const f = cli(['list', '--jsn']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('Did you mean --json?');
    const r = cli(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^runbook run: which runbook\?/);
    expect(r.stderr).not.toMatch(/runbook: runbook/);
    expect(r.stderr).not.toContain('shell-demo');
    expect(didYouMean('drll', Object.keys(COMMANDS))).toBe('drill');
    expect(didYouMean('xyzzy', Object.keys(COMMANDS))).toBeUndefined();
  });

  it('--json is accepted by every command that prints something machine-readable', () => {
    const dir = join(tmp, 'json');
    for (const args of [
      ['validate', '--json', 'runbooks/examples'],
      ['list', '--json'],
      ['incidents', '--json', '--state-dir', dir],
      ['schema', '--json'],
      ['providers', '--json'],
      ['plan', 'leaked-token-triage', '--json'],
      ['version', '--json'],
    ]) {
      const r = cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(() => JSON.parse(r.stdout), args.join(' ')).not.toThrow();
    }
  });
});

describe('hints run as printed', () => {
  it('programFor: `runbook` only when the runbook on PATH is this CLI, else node + the script, quoted', () => {
    const bin = join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    const env = { PATH: `${bin}:${process.env.PATH}` };
    expect(programFor({ env, cwd: ROOT, script: CLI })).toBe('node dist/cli.js');
    expect(programFor({ env, cwd: tmp, script: CLI })).toBe(`node ${CLI}`);
    symlinkSync(CLI, join(bin, 'runbook'));
    expect(programFor({ env, cwd: tmp, script: CLI })).toBe('runbook');
    // another runbook first on PATH: not ours, so spelled out
    expect(programFor({ env, cwd: tmp, script: join(ROOT, 'src', 'cli.ts') })).toBe(`node ${join(ROOT, 'src', 'cli.ts')}`);
    expect(programFor({ env: { ...env, npm_command: 'exec' }, cwd: tmp, script: '/home/u/.npm/_npx/ab12/node_modules/runbook/dist/cli.js' })).toBe('npx runbook');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(shellQuote('a/b-c.yaml')).toBe('a/b-c.yaml');
    expect(withProgram('Run `runbook incidents` to list; e.g. runbook plan x', 'node dist/cli.js')).toBe('Run `node dist/cli.js incidents` to list; e.g. node dist/cli.js plan x');
  });

  it('an error hint, copied from stderr into a shell, runs (from another folder too)', () => {
    const state = join(tmp, 'hint-state');
    mkdirSync(state, { recursive: true });
    for (const cwd of [ROOT, tmp]) {
      const r = cli(['report', 'no-such-incident', '--state-dir', state], { cwd });
      expect(r.code).toBe(2);
      const cmd = hinted(r.stderr, cwd === ROOT ? 'node dist/cli.js' : `node ${CLI}`);
      const again = spawnSync('sh', ['-c', cmd], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: tmp } });
      expect(again.status, `${cmd}: ${again.stderr}`).toBe(0);
      expect(again.stderr).toContain(`state directory: ${state}`);
    }
  });

  it('the resume and report commands a scripted run prints run as printed', () => {
    const state = join(tmp, 'resume-state');
    const r = cli(['run', 'leaked-token-triage', '--non-interactive', '--state-dir', state], { cwd: tmp });
    expect(r.code, r.stderr).toBe(3); // stops at its manual step
    // the line that answers the manual step is the resume command plus its flag, ready to run
    let answer = /→ When it is done: (.*)$/m.exec(r.stderr)?.[1];
    expect(answer).toMatch(new RegExp(`^node ${CLI} run leaked-token-triage --incident \\S+ --state-dir \\S+ --done \\S+`));
    const incident = /--incident (\S+)/.exec(answer!)![1]!;
    let again = spawnSync('sh', ['-c', answer!], { cwd: tmp, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: tmp } });
    // every later stop prints its own answer; each runs as printed until the incident is done
    for (let i = 0; i < 5 && again.status === 3; i++) {
      expect(again.stderr).not.toContain('new incident');
      answer = /→ (?:When it is done|Approve and resume|It took effect): (.*)$/m.exec(again.stderr)?.[1];
      expect(answer, again.stderr).toBeDefined();
      again = spawnSync('sh', ['-c', answer!], { cwd: tmp, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: tmp } });
    }
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`incident ${incident} done`));
    const report = /→ Report: (.*)/.exec(again.stderr)?.[1];
    expect(report).toBeDefined();
    expect(spawnSync('sh', ['-c', report!], { cwd: tmp, encoding: 'utf8' }).status).toBe(0);
  });
});

describe('the state directory', () => {
  const env = (extra: Record<string, string>) => ({ HOME: join(tmp, 'home'), ...extra });

  it('defaults to $XDG_STATE_HOME/runbook, else ~/.local/state/runbook — never the working folder', () => {
    const xdg = join(tmp, 'xdg');
    const a = cli(['incidents'], { cwd: tmp, env: env({ XDG_STATE_HOME: xdg }) });
    expect(a.stderr).toContain(`state directory: ${join(xdg, 'runbook')} (the default: $XDG_STATE_HOME/runbook`);
    const b = spawnSync(process.execPath, [CLI, 'incidents'], { cwd: tmp, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: join(tmp, 'home') } });
    expect(b.stderr).toContain(`state directory: ${join(tmp, 'home', '.local', 'state', 'runbook')} (the default: ~/.local/state/runbook`);
    // a drill run without --state-dir writes there, not into ./.runbook
    const d = cli(['drill', 'slack-token-leak', '--yes'], { cwd: tmp, env: env({ XDG_STATE_HOME: xdg }), timeout: 120_000 });
    expect(d.code, d.stderr).toBe(0);
    expect(existsSync(join(tmp, '.runbook'))).toBe(false);
    expect(readdirSync(join(xdg, 'runbook', 'incidents'))).toHaveLength(1);
    expect(cli(['incidents'], { cwd: tmp, env: env({ XDG_STATE_HOME: xdg }) }).stdout).toMatch(/^slack-token-leak-\S+ +drill /);
  });

  it('RUNBOOK_STATE_DIR, then state_dir in the config file; --state-dir wins; a bad config names the file', () => {
    const conf = join(tmp, 'conf');
    mkdirSync(join(conf, 'runbook'), { recursive: true });
    writeFileSync(join(conf, 'runbook', 'config.yaml'), 'state_dir: ~/incidents\n');
    const e = env({ XDG_CONFIG_HOME: conf });
    expect(cli(['incidents'], { cwd: tmp, env: e }).stderr).toContain(`state directory: ${join(tmp, 'home', 'incidents')} (set by state_dir in ${join(conf, 'runbook', 'config.yaml')})`);
    expect(cli(['incidents'], { cwd: tmp, env: { ...e, RUNBOOK_STATE_DIR: '/tmp/x-env' } }).stderr).toContain('state directory: /tmp/x-env (set by $RUNBOOK_STATE_DIR)');
    expect(cli(['incidents', '--state-dir', 'here'], { cwd: tmp, env: { ...e, RUNBOOK_STATE_DIR: '/tmp/x-env' } }).stderr).toContain(`state directory: ${join(tmp, 'here')} (set by --state-dir)`);
    const j = JSON.parse(cli(['incidents', '--json'], { cwd: tmp, env: e }).stdout);
    expect(j).toMatchObject({ stateDir: join(tmp, 'home', 'incidents'), source: 'config', incidents: [] });
    writeFileSync(join(conf, 'runbook', 'config.yaml'), 'statedir: x\n');
    const bad = cli(['incidents'], { cwd: tmp, env: e });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${join(conf, 'runbook', 'config.yaml')}: unknown key "statedir"`);
    // broken YAML: the position, and what the config file holds (not the runbook format's docs)
    writeFileSync(join(conf, 'runbook', 'config.yaml'), 'state_dir: [unclosed\n');
    const yaml = cli(['incidents'], { cwd: tmp, env: e });
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toContain(`${join(conf, 'runbook', 'config.yaml')}:2:1`);
    expect(yaml.stderr).toContain('it is a mapping of state_dir, store, operator');
    expect(yaml.stderr).not.toContain('runbook-format.md');
  });
});

describe('shipped runbooks from any folder', () => {
  it('list shows them outside the repository, and run/plan take their id', () => {
    const l = cli(['list'], { cwd: tmp });
    expect(l.code, l.stderr).toBe(0);
    for (const id of ['aws-access-key-exposure', 'hf-spaces-secrets-exposure', 'github-token-leak', 'slack-token-leak', 'leaked-token-triage']) expect(l.stdout).toMatch(new RegExp(`^${id} `, 'm'));
    expect(cli(['plan', 'aws-access-key-exposure', '--input', 'user_name=u', '--input', `access_key_id=${AWS_DOC_ID}`, '--input', 'secret_id=s', '--input', 'owner_email=a@b.c'], { cwd: tmp }).stderr).not.toContain('no runbook file');
    const missing = cli(['run', 'no-such-runbook'], { cwd: tmp });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no runbook file no-such-runbook, and no shipped runbook with that id');
  });
});
