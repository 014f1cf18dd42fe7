/**
 * Where responders already work: `validate --format github|sarif` (SARIF checked against the
 * SARIF 2.1.0 JSON Schema), the GitHub Action's script, the pre-commit hook (with the pre-commit
 * tool when it is installed, else by its documented contract), shell completions (bash run for
 * real; zsh and fish syntax-checked when installed), and the JSON Schema's $id for editors.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, cli, ensureBuilt } from './cli.js';
import { COMMANDS } from '../../src/commands/spec.js';

beforeAll(ensureBuilt);
const tmp = mkdtempSync(join(tmpdir(), 'runbook-ci-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const invalid = 'test/runbook/fixtures/invalid/bad-enum.yaml';
const valid = 'runbooks/examples/leaked-token-triage.yaml';
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
/** pre-commit ≥ 3.8 installs node hooks that have a `prepare` script (pre-commit/pre-commit#3259); older ones read its output as the tarball name. */
function preCommitWithLifecycleScripts(): boolean {
  const v = /(\d+)\.(\d+)/.exec(spawnSync('pre-commit', ['--version'], { encoding: 'utf8' }).stdout ?? '');
  return !!v && (Number(v[1]) > 3 || (Number(v[1]) === 3 && Number(v[2]) >= 8));
}

describe('validate for CI', () => {
  it('--format github: one ::error annotation per problem, with file, line and column', () => {
    const r = cli(['validate', '--format', 'github', invalid, valid]);
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^::error file=test\/runbook\/fixtures\/invalid\/bad-enum\.yaml,line=\d+,col=\d+,title=runbook [a-z-]+::\S/);
    expect(r.stderr).toContain('1 of 2 runbooks valid');
    expect(cli(['validate', '--format', 'github', valid]).code).toBe(0);
  });

  it('--format sarif: a SARIF 2.1.0 log that the official schema accepts, with a result per problem', () => {
    const schemaFile = join(createRequire(import.meta.url).resolve('@microsoft/jest-sarif/package.json'), '..', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
    const ajv = new (AjvDraft04 as unknown as typeof import('ajv').Ajv)({ strict: false, validateFormats: false, allErrors: true, unicodeRegExp: false });
    const check = ajv.compile(schema);
    const r = cli(['validate', '--format', 'sarif', invalid, valid]);
    expect(r.code).toBe(2);
    const log = JSON.parse(r.stdout);
    expect(check(log), ajv.errorsText(check.errors)).toBe(true);
    const json = JSON.parse(cli(['validate', '--json', invalid]).stdout) as { files: { issues: { line: number; col: number; code: string }[] }[] };
    const issues = json.files[0]!.issues;
    expect(log.runs[0].results).toHaveLength(issues.length);
    expect(log.runs[0].results[0]).toMatchObject({
      ruleId: issues[0]!.code,
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: invalid }, region: { startLine: issues[0]!.line, startColumn: issues[0]!.col } } }],
    });
    expect(log.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toContain(issues[0]!.code);
    // a clean run is a valid log with no results; a broken log is refused by the schema (the check can fail)
    const clean = JSON.parse(cli(['validate', '--format', 'sarif', valid]).stdout);
    expect(check(clean)).toBe(true);
    expect(clean.runs[0].results).toEqual([]);
    expect(check({ ...clean, version: '2.0.0' })).toBe(false);
  });

  it('--json and --format sarif together are a usage error', () => {
    const r = cli(['validate', '--json', '--format', 'sarif', valid]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('contradict');
  });
});

describe('the GitHub Action', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { runs: { using: string; steps: { run: string; env?: Record<string, string> }[] }; inputs: Record<string, unknown> };
  const script = join(ROOT, 'scripts', 'action.sh');
  const run = (env: Record<string, string>) => {
    const out = join(tmp, `out-${Math.random().toString(36).slice(2)}`);
    const summary = `${out}.md`;
    const r = spawnSync('bash', [script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: tmp, RUNBOOK: `node ${CLI}`, GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: summary, ...env },
    });
    const read = (f: string) => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return '';
      }
    };
    return { ...r, output: read(out), summary: read(summary) };
  };

  it('is a composite action whose step runs scripts/action.sh with the inputs as INPUT_* variables', () => {
    expect(action.runs.using).toBe('composite');
    const step = action.runs.steps.find((s) => s.run.includes('scripts/action.sh'))!;
    expect(step).toBeDefined();
    for (const input of ['command', 'paths', 'format', 'sarif-file', 'args']) expect(step.env?.[`INPUT_${input.toUpperCase().replace(/-/g, '_')}`]).toBe(`\${{ inputs.${input} }}`);
    for (const input of Object.keys(action.inputs)) expect(['command', 'paths', 'format', 'sarif-file', 'args', 'version']).toContain(input);
  });

  it('annotates problems, fails the step with exit 2, and says so in outputs and the summary', () => {
    const bad = run({ INPUT_PATHS: `${invalid}\n${valid}` });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toMatch(/^::error file=test\/runbook\/fixtures\/invalid\/bad-enum\.yaml,line=/m);
    expect(bad.output).toContain('exit-code=2');
    expect(bad.summary).toContain('problems found');
    const good = run({ INPUT_PATHS: 'runbooks' });
    expect(good.status, good.stderr).toBe(0);
    expect(good.output).toContain('exit-code=0');
  });

  it('format sarif writes the file and names it in the outputs', () => {
    const file = join(tmp, 'action.sarif');
    const r = run({ INPUT_PATHS: valid, INPUT_FORMAT: 'sarif', INPUT_SARIF_FILE: file });
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe('2.1.0');
    expect(r.output).toContain(`sarif-file=${file}`);
  });

  it('refuses an unknown command with an annotation', () => {
    const r = run({ INPUT_COMMAND: 'deploy' });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('::error title=runbook action::command must be validate or scan');
  });
});

describe('the pre-commit hook', () => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; language: string; files: string }[];
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };

  it('by its contract: a node hook whose entry is this package\'s bin, given the matching staged files', () => {
    const hook = hooks.find((h) => h.id === 'runbook-validate')!;
    expect(hook.language).toBe('node');
    const [bin, ...args] = hook.entry.split(' ');
    expect(Object.keys(pkg.bin)).toContain(bin);
    // pre-commit installs the repository as an npm package: `prepare` builds dist/ for the bin
    expect(pkg.scripts.prepare).toContain('build');
    const files = ['runbooks/aws-access-key-exposure.yaml', 'runbooks/scenarios/hf-spaces.scenario.yaml', 'team/ir/leak.runbook.yaml', 'docs/x.yaml', 'runbooks/examples/leaked-token-triage.yaml'];
    const re = new RegExp(hook.files);
    expect(files.filter((f) => re.test(f))).toEqual(['runbooks/aws-access-key-exposure.yaml', 'team/ir/leak.runbook.yaml']);
    const r = cli([...args, 'runbooks/aws-access-key-exposure.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(cli([...args, invalid]).code).toBe(2);
  });

  it.skipIf(!has('pre-commit') || !preCommitWithLifecycleScripts())('with the pre-commit tool (3.8 or later): try-repo on a repository with a bad runbook fails, a good one passes', () => {
    const repo = join(tmp, 'precommit');
    mkdirSync(join(repo, 'runbooks'), { recursive: true });
    const git = (...a: string[]) => spawnSync('git', a, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });
    git('init', '-q');
    copyFileSync(join(ROOT, valid), join(repo, 'runbooks', 'triage.yaml'));
    git('add', '.');
    // pre-commit installs the hook repository with npm: point it at a packed copy of this one
    const env = { ...process.env, PRE_COMMIT_HOME: join(tmp, 'pre-commit-home'), npm_config_audit: 'false', npm_config_fund: 'false' };
    const good = spawnSync('pre-commit', ['try-repo', ROOT, 'runbook-validate', '--all-files'], { cwd: repo, encoding: 'utf8', env, timeout: 300_000 });
    expect(good.status, good.stdout + good.stderr).toBe(0);
    writeFileSync(join(repo, 'runbooks', 'bad.yaml'), readFileSync(join(ROOT, invalid), 'utf8'));
    git('add', '.');
    const bad = spawnSync('pre-commit', ['try-repo', ROOT, 'runbook-validate', '--all-files'], { cwd: repo, encoding: 'utf8', env, timeout: 300_000 });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/runbooks\/bad\.yaml:\d+:\d+/);
  }, 600_000);
});

describe('shell completion', () => {
  const script = (shell: string) => {
    const r = cli(['completion', shell]);
    expect(r.code, r.stderr).toBe(0);
    const f = join(tmp, `completion.${shell}`);
    writeFileSync(f, r.stdout);
    return f;
  };
  /** What bash completes for the words typed so far (the last one being completed). */
  const bashComplete = (words: string[]) => {
    const f = script('bash');
    const arr = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync('bash', ['-c', `source ${f}; COMP_WORDS=(${arr}); COMP_CWORD=${words.length - 1}; _runbook; printf '%s\\n' "\${COMPREPLY[@]}"`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: `${join(tmp, 'bin')}:${process.env.PATH}`, HOME: tmp },
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean);
  };

  it('bash: commands, flags, flag values and shipped runbook ids', () => {
    expect(spawnSync('bash', ['-n', script('bash')]).status).toBe(0);
    expect(bashComplete(['runbook', 'val'])).toEqual(['validate']);
    expect(bashComplete(['runbook', ''])).toEqual(expect.arrayContaining(Object.keys(COMMANDS)));
    expect(bashComplete(['runbook', 'validate', '--fo'])).toEqual(['--format']);
    expect(bashComplete(['runbook', 'validate', '--format', 's'])).toEqual(['sarif']);
    expect(bashComplete(['runbook', 'drill', 'aws'])).toContain('aws-access-key-exposure');
    expect(bashComplete(['runbook', 'run', '--state'])).toEqual(['--state-dir']);
    expect(bashComplete(['runbook', 'completion', 'f'])).toEqual(['fish']);
  });

  it.skipIf(!has('zsh'))('zsh: the script parses', () => {
    const r = spawnSync('zsh', ['-n', script('zsh')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it.skipIf(!has('fish'))('fish: the script parses and completes commands and flags', () => {
    const f = script('fish');
    expect(spawnSync('fish', ['--no-execute', f], { encoding: 'utf8' }).status).toBe(0);
    const r = spawnSync('fish', ['-c', `source ${f}; complete -C 'runbook val'; complete -C 'runbook validate --fo'`], { encoding: 'utf8', env: { ...process.env, HOME: tmp } });
    expect(r.stdout).toMatch(/^validate\t/m);
    expect(r.stdout).toMatch(/^--format\t/m);
  });

  it('an unknown shell is a usage error with a did-you-mean', () => {
    const r = cli(['completion', 'bsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Did you mean `runbook completion bash`?'.replace('runbook', 'node dist/cli.js'));
  });
});

describe('the JSON Schema for editors', () => {
  it('has an $id (the URL editors fetch) and ships in the package', () => {
    const s = JSON.parse(readFileSync(join(ROOT, 'schema', 'runbook.schema.json'), 'utf8'));
    expect(s.$id).toBe('https://unpkg.com/runbook/schema/runbook.schema.json');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schema/');
    expect(readFileSync(join(ROOT, 'docs', 'runbook-format.md'), 'utf8')).toContain(`"${s.$id}"`);
  });
});
