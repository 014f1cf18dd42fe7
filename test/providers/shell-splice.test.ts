/**
 * Issue 11 item 3 — shell splice. `command: [sh, -c, "echo ${{ inputs.v }}"]` used to validate
 * clean, and `--input 'v=$(touch X)'` ran. Validate now refuses a template inside code handed to
 * an interpreter, at file:line:col, showing the safe form; and a corpus of hostile payloads,
 * passed the safe way (env, positional arguments), runs nothing — with real child processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/core/exec.js';
import { interpreted } from '../../src/core/runbook/shell-splice.js';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { issues } from '../runbook/helpers/issues.js';

const runbook = (withBody: string) => `version: 1
id: splice
title: Splice
inputs:
  v: { type: string, required: true }
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

describe('validate refuses a template inside interpreter code', () => {
  const T = '"${{ inputs.v }}"';
  const refused: [string, string, number][] = [
    // [with body, field path, index of the code element]
    [`      command: [sh, -c, "echo \${{ inputs.v }}"]`, 'command', 2],
    [`      command: [bash, -euc, "echo \${{ inputs.v }}"]`, 'command', 2],
    [`      command: [bash, -o, pipefail, -c, "echo \${{ inputs.v }}"]`, 'command', 4],
    [`      command: [dash, -c, "echo \${{ inputs.v }}"]`, 'command', 2],
    [`      command: [zsh, -c, "echo \${{ inputs.v }}"]`, 'command', 2],
    [`      command: [ksh, -c, "echo \${{ inputs.v }}"]`, 'command', 2],
    [`      command: [fish, -c, "echo \${{ inputs.v }}"]`, 'command', 2],
    [`      command: [/bin/sh, -c, "echo \${{ inputs.v }}"]`, 'command', 2],
    [`      command: [env, -i, "A=1", sh, -c, "echo \${{ inputs.v }}"]`, 'command', 5],
    [`      command: [/usr/bin/env, bash, -c, "echo \${{ inputs.v }}"]`, 'command', 3],
    [`      command: [busybox, sh, -c, "echo \${{ inputs.v }}"]`, 'command', 3],
    [`      command: [sudo, -u, nobody, bash, -c, "echo \${{ inputs.v }}"]`, 'command', 5],
    [`      command: [timeout, "5", sh, -c, "echo \${{ inputs.v }}"]`, 'command', 4],
    [`      command: [kubectl, exec, pod, --, sh, -c, "echo \${{ inputs.v }}"]`, 'command', 6],
    [`      command: [python3, -c, "print('\${{ inputs.v }}')"]`, 'command', 2],
    [`      command: [/usr/bin/python3.11, -u, -c, "print('\${{ inputs.v }}')"]`, 'command', 3],
    [`      command: [node, -e, "console.log('\${{ inputs.v }}')"]`, 'command', 2],
    [`      command: [node, -p, "'\${{ inputs.v }}'"]`, 'command', 2],
    [`      command: [node, "--eval=console.log('\${{ inputs.v }}')"]`, 'command', 1],
    [`      command: [perl, -ne, "print '\${{ inputs.v }}'"]`, 'command', 2],
    [`      command: [ruby, -e, "puts '\${{ inputs.v }}'"]`, 'command', 2],
    [`      command: [pwsh, -NoProfile, -Command, Write-Output, "\${{ inputs.v }}"]`, 'command', 4],
    [`      command: [pwsh, -c, "Write-Output '\${{ inputs.v }}'"]`, 'command', 2],
    [`      command: [awk, "BEGIN { print \\"\${{ inputs.v }}\\" }"]`, 'command', 1],
    [`      command: [ssh, -p, "22", host, "echo \${{ inputs.v }}"]`, 'command', 4],
    [`      command: [env, -S, "sh -c \${{ inputs.v }}"]`, 'command', 2],
    [`      command: [sh, -c, 'echo ok']\n      verify_command: [bash, -c, "test -e \${{ inputs.v }}"]`, 'verify_command', 2],
  ];
  it.each(refused)('%s', (body, field, index) => {
    const found = issues(runbook(body));
    expect(found.map((i) => [i.path, i.code])).toEqual([[`steps[0].with.${field}[${index}]`, 'shell-splice']]);
    const line = body.split('\n').findIndex((l) => l.includes('${{')) + 14;
    expect(found[0]!.line).toBe(line);
    expect(found[0]!.col).toBeGreaterThan(7);
    if (!/ssh|-S/.test(body)) expect(found[0]!.message).toContain(`env: { V: ${T} }`);
  });

  it('shows the safe form for sh: the value in env: and "$V" in the script', () => {
    const [i] = issues(runbook(`      command: [sh, -c, "echo \${{ inputs.v }}"]`));
    expect(i!.message).toBe(
      'a ${{ }} template in the script of `sh -c` is spliced into code: a value such as $(…), `…`, ; or a quote would run as a command. ' +
        'Pass the value in env: and read it by name in the script — env: { V: "${{ inputs.v }}" } and "$V" in the script',
    );
    const [p] = issues(runbook(`      command: [python3, -c, "print('\${{ inputs.v }}')"]`));
    expect(p!.message).toContain('os.environ["V"] in the script');
  });

  it('refuses a template on the stdin of an interpreter that reads its program there', () => {
    for (const cmd of ['[sh]', '[bash, -s]', '[python3, "-"]', '[node]', '[perl]']) {
      const found = issues(runbook(`      command: ${cmd}\n      stdin: "echo \${{ inputs.v }}"`));
      expect(found.map((i) => [i.path, i.line])).toEqual([['steps[0].with.stdin', 15]]);
    }
  });

  const accepted = [
    `      command: [sh, -c, 'printf %s "$V"']\n      env: { V: "\${{ inputs.v }}" }`,
    `      command: [sh, -c, 'printf %s "$1"', sh, "\${{ inputs.v }}"]`,
    `      command: [node, -e, "process.stdout.write(process.argv[1])", "\${{ inputs.v }}"]`,
    `      command: [python3, script.py, "\${{ inputs.v }}"]`,
    `      command: [bash, ./run.sh, "\${{ inputs.v }}"]`,
    `      command: [echo, "\${{ inputs.v }}"]`,
    `      command: [awk, -v, "x=\${{ inputs.v }}", "BEGIN { print x }"]`,
    `      command: [wc, -c]\n      stdin: "\${{ inputs.v }}"`,
    `      command: [python3, script.py]\n      stdin: "\${{ inputs.v }}"`,
  ];
  it.each(accepted)('accepts %s', (body) => {
    expect(issues(runbook(body))).toEqual([]);
  });

  it('finds code arguments through wrappers', () => {
    expect(interpreted(['docker', 'exec', 'c', 'bash', '-lc', 'x']).code.map((c) => [c.index, c.via])).toEqual([[5, 'bash -lc']]);
    expect(interpreted(['perl', '-i.bak', '-pe', 's/a/b/', 'f']).code.map((c) => c.index)).toEqual([3]);
    expect(interpreted(['perl', '-Mstrict', '-e', 'x']).code.map((c) => c.index)).toEqual([3]);
    expect(interpreted(['perl', '-pi', '-e', 's/a/b/', 'f']).code.map((c) => c.index)).toEqual([3]);
    expect(interpreted(['node', '-r', 'ts-node/register', '-e', 'x']).code.map((c) => c.index)).toEqual([4]);
    expect(interpreted(['su', '-', 'ops', '-c', 'x']).code.map((c) => c.index)).toEqual([4]);
    expect(interpreted(['python3', '-m', 'http.server', '-c', 'x']).code).toEqual([]);
    expect(interpreted(['sh', 'script.sh', '-c', 'x']).code).toEqual([]);
    expect(interpreted(['sh']).stdin).toEqual({ via: 'sh', lang: 'sh' });
  });
});

/**
 * Hostile values: every kind of shell, Python, JS and Perl metacharacter. Each tries to create
 * a marker file (named by the test) — none may.
 */
function payloads(marker: string): string[] {
  const m = marker;
  return [
    `$(touch ${m})`, // command substitution
    `\`touch ${m}\``, // backticks
    `; touch ${m}`, // sequence
    `| touch ${m}`, // pipe
    `&& touch ${m}`, // and
    `|| touch ${m}`, // or
    `& touch ${m}`, // background
    `\ntouch ${m}`, // newline
    `\rtouch ${m}`, // carriage return
    `'; touch ${m}; '`, // single-quote break-out
    `"; touch ${m}; "`, // double-quote break-out
    `$(touch ${m})"'\``, // mixed quotes
    `\\"; touch ${m}; #`, // escaped quote
    `> ${m}`, // redirection
    `>> ${m}`, // append
    `< /etc/passwd > ${m}`, // both
    `*`, // glob
    `/*/*`, // deep glob
    `{a,b}`, // brace expansion
    `~root`, // tilde
    `$HOME \${PATH} $((1+1))`, // parameter and arithmetic expansion
    `$'\\x3btouch ${m}'`, // ANSI-C quoting
    `-c touch ${m}`, // option injection
    `--help`, // option
    `' + require("fs").writeFileSync("${m}", "") + '`, // JS break-out
    `'); open("${m}", "w"); print('`, // Python break-out
    `\${system("touch ${m}")}`, // Perl/awk
    `#{\`touch ${m}\`}`, // Ruby interpolation
    `<(touch ${m})`, // process substitution
    `%0a touch ${m} %00`, // encoded separators
    `😀 ünïcødé \u202e txt.exe`, // unicode and a bidi override
  ];
}

describe('a payload corpus passed the safe way runs nothing (real child processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'splice-'));
  const marker = join(dir, 'PWNED');
  const list = payloads(marker);
  const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
  // each reads the value from env V and prints it back unchanged
  const forms: [string, string[]][] = [
    ['sh', ['sh', '-c', 'printf %s "$V"']],
    ['bash', ['bash', '-c', 'printf %s "$V"']],
    ['dash', ['dash', '-c', 'printf %s "$V"']],
    ['sh positional', ['sh', '-c', 'printf %s "$1"', 'sh', '\0ARG']],
    ['python3', ['python3', '-c', 'import os,sys; sys.stdout.write(os.environ["V"])']],
    ['node', [process.execPath, '-e', 'process.stdout.write(process.env.V)']],
    ['perl', ['perl', '-e', 'print $ENV{V}']],
    ['awk', ['awk', 'BEGIN { printf "%s", ENVIRON["V"] }']],
  ];

  it('has at least 26 kinds of payload', () => expect(list.length).toBeGreaterThanOrEqual(26));

  it.each(forms.filter(([, argv]) => has(argv[0]!)))('%s', async (_name, argv) => {
    for (const v of list) {
      const res = await exec(
        argv.map((a) => (a === '\0ARG' ? v : a)),
        { env: { V: v }, cwd: dir, timeoutMs: 10_000 },
      );
      expect(res.exitCode, v).toBe(0);
      expect(res.stdout, v).toBe(v + '\n'); // exec ends the last line
    }
    expect(existsSync(marker)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});

describe('the built cli', () => {
  beforeAll(() => ensureBuilt(), 120_000);
  const dir = mkdtempSync(join(tmpdir(), 'splice-cli-'));
  const marker = join(dir, 'PWNED');

  it('run refuses the spliced runbook for every payload, and nothing executes', () => {
    const file = join(dir, 'unsafe.yaml');
    writeFileSync(file, runbook(`      command: [sh, -c, "echo \${{ inputs.v }}"]`));
    for (const v of payloads(marker).slice(0, 12)) {
      const r = cli(['run', file, '--yes', '--state-dir', join(dir, 'state'), '--input', `v=${v}`], { timeout: 30_000 });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stdout + r.stderr).toContain(`${file}:14:`);
    }
    expect(existsSync(marker)).toBe(false);
  }, 120_000);

  it('the safe form runs and hands each payload over intact', () => {
    const file = join(dir, 'safe.yaml');
    writeFileSync(file, runbook(`      command: [sh, -c, 'printf %s "$V"']\n      env: { V: "\${{ inputs.v }}" }\n    outputs:\n      out: result.stdout`));
    for (const v of [`$(touch ${marker})`, `; touch ${marker}`, `'; touch ${marker}; '`, `\`touch ${marker}\``]) {
      const r = cli(['run', file, '--yes', '--json', '--state-dir', join(dir, 'state'), '--input', `v=${v}`], { timeout: 30_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(JSON.stringify(v).slice(1, -1));
    }
    expect(existsSync(marker)).toBe(false);
  }, 120_000);
});
