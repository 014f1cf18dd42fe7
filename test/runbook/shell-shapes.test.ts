/**
 * Shell steps that reach a shell through a SECOND interpreter: `git -c core.sshCommand=…`,
 * `sed '…/e'` (GNU sed runs the pattern space), `ssh -o ProxyCommand=…`, `watch '…'`,
 * `flock F -c …`, `tar --to-command=…`, `parallel '…' ::: …`, `npx -c …` — and the interpreter
 * shapes reached through wrappers (`xargs … sh -c`, `find … -exec sh -c`, `env … sh -c`,
 * `bash -c`, `awk 'system(…)'`). A `${{ }}` anywhere in such an element is refused at
 * file:line:col with the safe form (the value in env:, read by name, quoted); that safe form
 * validates clean. Property-tested over payload text, expressions and wrappers; the CLI prints
 * file:line:col.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { issues } from './helpers/issues.js';

const runbook = (withBody: string) => `version: 1
id: shapes
title: Shapes
inputs:
  v: { type: string, required: true }
  user_name: { type: string, default: x }
providers:
  sh: { type: shell }
steps:
  - id: a
    kind: detect
    title: Run
    uses: sh.run
    with:
${withBody}
`;
/** the line of `command:` in runbook() */
const COMMAND_LINE = 15;

/**
 * A shape: the argv with code `c` in it, where `c` sits, and the safe form (the value read from
 * the environment variable V by the language that reads the element).
 */
interface Shape {
  name: string;
  argv: (c: string) => string[];
  /** how the element reads $V when it is passed the safe way */
  read: string;
  /** the safe form's argv, when it is not argv(read) */
  safe?: string[];
}
const SH = '"$V"';
const SHAPES: Shape[] = [
  { name: 'git -c core.sshCommand', argv: (c) => ['git', '-c', `core.sshCommand=ssh -i ${c}`, 'fetch', 'origin'], read: SH },
  { name: 'git -c alias', argv: (c) => ['git', '-c', `alias.leak=!${c}`, 'leak'], read: SH },
  { name: 'git submodule foreach', argv: (c) => ['git', 'submodule', 'foreach', '--recursive', c], read: SH },
  { name: 'git rebase --exec', argv: (c) => ['git', 'rebase', '--exec', c, 'main'], read: SH },
  { name: 'sed …/e', argv: (c) => ['sed', `s/^/${c}/e`, 'file.txt'], read: '$ENV{V}', safe: ['perl', '-pe', 's/^/$ENV{V}/', 'file.txt'] },
  { name: 'sed -n -e', argv: (c) => ['sed', '-n', '-e', `/x/{s//${c}/;p}`], read: '$ENV{V}', safe: ['perl', '-ne', 'print if s/x/$ENV{V}/'] },
  { name: 'sed -i', argv: (c) => ['sed', '-i.bak', `s/a/${c}/`, 'f'], read: '$ENV{V}', safe: ['perl', '-pi.bak', '-e', 's/a/$ENV{V}/', 'f'] },
  { name: 'ssh -o ProxyCommand', argv: (c) => ['ssh', '-o', `ProxyCommand=${c}`, 'host', 'uptime'], read: SH },
  { name: 'scp -oProxyCommand', argv: (c) => ['scp', `-oProxyCommand=${c}`, 'a', 'host:b'], read: SH },
  { name: 'watch', argv: (c) => ['watch', '-n', '5', c], read: SH },
  { name: 'flock -c', argv: (c) => ['flock', '/tmp/lock', '-c', c], read: SH },
  { name: 'script -c', argv: (c) => ['script', '-q', '-c', c, '/dev/null'], read: SH },
  { name: 'tar --to-command', argv: (c) => ['tar', '-xf', 'a.tar', `--to-command=${c}`], read: SH },
  { name: 'parallel', argv: (c) => ['parallel', c, ':::', 'a', 'b'], read: SH },
  { name: 'npx -c', argv: (c) => ['npx', '-c', c], read: SH },
  { name: 'bash -c', argv: (c) => ['bash', '-c', c], read: SH },
  { name: 'awk system()', argv: (c) => ['awk', `BEGIN { system("${c}") }`], read: 'ENVIRON["V"]', safe: ['awk', 'BEGIN { system("echo \\"$V\\"") }'] },
];
/** wrappers around the shape: `xargs … sh -c`, `find … -exec sh -c … ;`, `env … sh -c` */
const WRAPPERS: [string[], string[]][] = [
  [[], []],
  [['xargs', '-0', '-I{}'], []],
  [['find', '.', '-name', '*.env', '-exec'], [';']],
  [['env', 'A=1'], []],
  [['sudo', '-u', 'ops'], []],
  [['timeout', '30'], []],
];
const EXPRS = ['${{ inputs.v }}', '${{inputs.user_name}}', "${{ inputs.v || 'x' }}", '${{ toJSON(inputs.v) }}'];
/** text around the template: anything but another template or a leading option dash */
const text = fc.string({ maxLength: 12 }).map((s) => s.replace(/[${}\n\r]/g, ''));

const flow = (argv: string[]) => `[${argv.map((x) => JSON.stringify(x)).join(', ')}]`;

describe('a template that reaches a shell through a second interpreter', () => {
  it('is refused at the element, whatever the expression, the text around it and the wrapper; the env form is not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SHAPES), fc.constantFrom(...WRAPPERS), fc.constantFrom(...EXPRS), text, text, (shape, [pre, post], expr, before, after) => {
        const code = `echo ${before}${expr}${after}`;
        const argv = [...pre, ...shape.argv(code), ...post];
        const at = argv.indexOf(argv.find((x) => x.includes(expr))!);
        const found = issues(runbook(`      command: ${flow(argv)}`));
        expect(found.map((i) => [i.path, i.code, i.line]), `${shape.name}: ${flow(argv)}`).toEqual([[`steps[0].with.command[${at}]`, 'shell-splice', COMMAND_LINE]]);
        expect(found[0]!.col).toBeGreaterThan('      command: ['.length);
        expect(found[0]!.message).toMatch(/Pass the value in env:/);
        expect(found[0]!.message).toContain(`${JSON.stringify(expr)} }`);

        const safeArgv = [...pre, ...(shape.safe ?? shape.argv(`echo ${before.replace(/\\/g, '')}${shape.read}`)), ...post];
        const safe = issues(runbook(`      command: ${flow(safeArgv)}\n      env: { V: ${JSON.stringify(expr)} }`));
        expect(safe, `${shape.name} (safe): ${flow(safeArgv)}`).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('says what runs the value, and what to do', () => {
    const [git] = issues(runbook(`      command: [git, -c, "core.sshCommand=ssh -i \${{ inputs.v }}", fetch]`));
    expect(git!.message).toBe(
      'a ${{ }} template in `git -c core.sshCommand` is spliced into code (git runs this value with a shell): a value such as $(…), `…`, ; or a quote would run as a command. ' +
        'Pass the value in env: and read it by name, quoted, in that value — env: { V: "${{ inputs.v }}" } and "$V" where the template was',
    );
    const [sed] = issues(runbook(`      command: [sed, "s/x/\${{ inputs.user_name }}/", f]`));
    expect(sed!.message).toContain("GNU sed's `e` command and `/e` flag run a shell");
    expect(sed!.message).toContain(`env: { USER_NAME: "\${{ inputs.user_name }}" } and command: [perl, -pe, 's/OLD/$ENV{USER_NAME}/g']`);
  });

  it('leaves data alone: values git, sed and ssh read as data, and -c keys that run nothing', () => {
    for (const argv of [
      '[git, -C, "${{ inputs.v }}", log, -n, "20"]',
      '[git, -c, "user.name=${{ inputs.v }}", commit, -m, "${{ inputs.v }}"]',
      '[git, --config-env=core.sshCommand=V, fetch]',
      '[sed, -f, script.sed, "${{ inputs.v }}"]',
      '[sed, -e, "s/a/b/", "${{ inputs.v }}"]',
      '[ssh, -o, "User=${{ inputs.v }}", host, uptime]',
      '[ssh, -i, "${{ inputs.v }}", host, uptime]',
      '[tar, -xf, "${{ inputs.v }}"]',
      '[watch, -x, ls, "${{ inputs.v }}"]',
      '[parallel, echo, ":::", "${{ inputs.v }}"]',
    ]) expect(issues(runbook(`      command: ${argv}`)), argv).toEqual([]);
  });
});

describe('runbook validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shell-shapes-'));
  beforeAll(() => ensureBuilt());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names file:line:col of the element and the env form; exit 2', () => {
    const file = join(dir, 'rb.yaml');
    writeFileSync(file, runbook(`      command: [git, -c, "core.sshCommand=\${{ inputs.v }}", fetch]`));
    const r = cli(['validate', file]);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`rb\\.yaml:${COMMAND_LINE}:\\d+`));
    expect(r.stdout + r.stderr).toContain('env: { V: "${{ inputs.v }}" } and "$V"');
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });
});
