/**
 * Commands that hand one of their arguments to a shell (or to another interpreter) although they
 * are not interpreters themselves — the "second interpreter" shapes of a shell step's argv:
 *
 *   git -c core.sshCommand=… / -c alias.x=!… / submodule foreach … / rebase --exec …
 *   sed 's/a/b/e'   (GNU sed: the `e` command and the `/e` flag run a shell; `w` writes files)
 *   ssh|scp|sftp -o ProxyCommand=…      watch '…'      script -c …      flock F -c …
 *   tar --to-command=… / -I … / --checkpoint-action=exec=…      parallel '…' ::: …
 *   npx -c … / npm exec -c …
 *
 * A `${{ }}` template in such an element is spliced into code, as in the script of `sh -c`.
 * Each entry says which elements are code; ./shell-splice.ts looks every argv position up here
 * (after the interpreters of its own table), and ./splice-check.ts reports them. Documented in
 * docs/runbook-format.md ("Shell safety").
 */
import type { Lang, Scan } from './shell-splice.js';

export interface Shape {
  /** the language of the code (what reads the value by name: a shell, unless sed) */
  lang: Lang;
  scan: Scan;
  /** what runs that element, for the message (`git runs this value with a shell`) */
  says: string;
}

/** git settings whose value is a command git runs with a shell (or that load such settings). */
const GIT_COMMAND_KEYS =
  /^(core\.(sshcommand|pager|editor|fsmonitor|askpass|gitproxy|hookspath)|credential\.(.+\.)?helper|diff\.external|(diff|merge|filter|mergetool|difftool)\..+\.(command|textconv|driver|clean|smudge|process|cmd)|alias\..+|sequence\.editor|gpg\.(.+\.)?program|pager\..+|uploadpack\.packobjectshook|remote\..+\.(uploadpack|receivepack|vcs)|sendemail\.(smtpserver|tocmd|cccmd)|include\.path|includeif\..+\.path|protocol\..*allow)$/i;

/** git subcommand options whose value is run by a shell. */
const GIT_COMMAND_OPTIONS = /^(--exec|-x|--upload-pack|-u|--receive-pack|--(env|tree|index|parent|msg|commit|tag-name)-filter|--setup)$/;

const hasTemplate = (s: string) => s.includes('${{');

/** `git [-c key=value]… subcommand …`: -c values that run, a template that names the key, the subcommand's command options. */
const git: Scan = (a, at) => {
  const code: number[] = [];
  let i = at + 1;
  for (; i < a.length; i++) {
    const x = a[i]!;
    if (x === '-c' && i + 1 < a.length) {
      const kv = a[++i]!;
      const key = kv.split('=')[0]!;
      if (hasTemplate(key) || GIT_COMMAND_KEYS.test(key)) code.push(i);
      continue;
    }
    if (x === '-C' || x === '--git-dir' || x === '--work-tree' || x === '--namespace' || x === '--exec-path') {
      i++;
      continue;
    }
    if (x.startsWith('-')) continue;
    break;
  }
  const sub = a[i];
  if (sub === 'submodule' && a.slice(i + 1).includes('foreach')) {
    // git submodule foreach [--recursive] [--quiet] <command>…: the command is eval'd by a shell
    const f = a.indexOf('foreach', i + 1);
    for (let k = f + 1; k < a.length; k++) if (!/^--(recursive|quiet)$/.test(a[k]!)) code.push(k);
    return { code };
  }
  for (let k = i + 1; k < a.length; k++) {
    const x = a[k]!;
    if (x === '--') break;
    const eq = x.indexOf('=');
    if (x.startsWith('--') && eq > 0 && GIT_COMMAND_OPTIONS.test(x.slice(0, eq))) code.push(k);
    else if (GIT_COMMAND_OPTIONS.test(x) && k + 1 < a.length) code.push(++k);
    else if (x.startsWith('-x') && x.length > 2 && sub === 'rebase') code.push(k);
  }
  return { code };
};

/** `sed [options] SCRIPT file…` or `sed -e SCRIPT…`: every script (a template could add `e`, `/e` or `w`). */
const sed: Scan = (a, at) => {
  const code: number[] = [];
  let file = false;
  for (let i = at + 1; i < a.length; i++) {
    const x = a[i]!;
    if (x === '--') return { code: code.length || file || i + 1 >= a.length ? code : [i + 1] };
    if (x === '-e' || x === '--expression') {
      if (i + 1 < a.length) code.push(++i);
      continue;
    }
    if (x.startsWith('--expression=')) {
      code.push(i);
      continue;
    }
    if (x === '-f' || x === '--file' || x === '-l' || x === '--line-length') {
      if (x === '-f' || x === '--file') file = true;
      i++;
      continue;
    }
    if (x.startsWith('--file=')) file = true;
    if (x.startsWith('--')) continue;
    if (/^-[A-Za-z]/.test(x)) {
      // a cluster: -ne SCRIPT, -nes/a/b/ (attached), -i.bak, -f FILE
      const e = x.indexOf('e');
      const f = x.indexOf('f');
      const i_ = x.indexOf('i');
      const cut = i_ > 0 ? i_ : x.length; // -i's suffix is attached: what follows it is not options
      if (e > 0 && e < cut) {
        if (e + 1 < x.length) code.push(i);
        else if (i + 1 < a.length) code.push(++i);
      } else if (f > 0 && f < cut) {
        file = true;
        if (f + 1 === x.length) i++;
      }
      continue;
    }
    // the first operand is the script unless -e or -f gave one
    return { code: code.length || file ? code : [i] };
  }
  return { code };
};

/** An option whose value is a command line (`-c CMD`, `--command CMD`, `--command=CMD`). */
function optionValue(short: readonly string[], long: readonly string[]): Scan {
  return (a, at) => {
    const code: number[] = [];
    for (let i = at + 1; i < a.length; i++) {
      const x = a[i]!;
      if (x === '--') break;
      const eq = x.indexOf('=');
      if (x.startsWith('--') && eq > 0 && long.includes(x.slice(0, eq))) code.push(i);
      else if ((short.includes(x) || long.includes(x)) && i + 1 < a.length) code.push(++i);
      else if (short.some((s) => x.startsWith(s) && x.length > s.length && s.length === 2 && /^-[A-Za-z]$/.test(s))) code.push(i); // -cCMD
    }
    return { code };
  };
}

/** ssh, scp, sftp `-o Key=Value`: options that run a command; a template that names the option could set any. */
const SSH_COMMAND_OPTIONS = /^(proxycommand|localcommand|knownhostscommand|remotecommand|match)$/i;
const sshOptions: Scan = (a, at) => {
  const code: number[] = [];
  for (let i = at + 1; i < a.length; i++) {
    const x = a[i]!;
    let opt: string | undefined;
    let index = i;
    if (x === '-o' && i + 1 < a.length) opt = a[(index = ++i)]!;
    else if (x.startsWith('-o') && x.length > 2) opt = x.slice(2);
    if (opt === undefined) continue;
    const key = opt.split(/[=\s]/)[0]!;
    if (hasTemplate(key) || (SSH_COMMAND_OPTIONS.test(key) && hasTemplate(opt))) code.push(index);
  }
  return { code };
};

/** `watch [options] command…`: the words are joined and run by `sh -c` (unless -x). */
const watch: Scan = (a, at) => {
  for (let i = at + 1; i < a.length; i++) {
    const x = a[i]!;
    if (x === '-x' || x === '--exec') return { code: [] };
    if (x === '-n' || x === '--interval' || x === '-q' || x === '--equexit') {
      i++;
      continue;
    }
    if (x.startsWith('-')) continue;
    return { code: Array.from({ length: a.length - i }, (_, k) => i + k) };
  }
  return { code: [] };
};

/** GNU parallel: the command words before `:::` are joined and run by a shell. */
const parallel: Scan = (a, at) => {
  const code: number[] = [];
  for (let i = at + 1; i < a.length && !/^::::?\+?$/.test(a[i]!); i++) if (!a[i]!.startsWith('-')) code.push(i);
  return { code };
};

/** `npx -c CMD`, `npm exec -c CMD` (also `--call`). */
const npmCall = optionValue(['-c'], ['--call']);

export const SHAPES: ReadonlyMap<string, Shape> = new Map<string, Shape>([
  ['git', { lang: 'sh', scan: git, says: 'git runs this value with a shell' }],
  ['sed', { lang: 'sed', scan: sed, says: "GNU sed's `e` command and `/e` flag run a shell, and `w` writes files" }],
  ['gsed', { lang: 'sed', scan: sed, says: "GNU sed's `e` command and `/e` flag run a shell, and `w` writes files" }],
  ['ssh', { lang: 'sh', scan: sshOptions, says: 'ssh runs this option with a shell' }],
  ['scp', { lang: 'sh', scan: sshOptions, says: 'ssh runs this option with a shell' }],
  ['sftp', { lang: 'sh', scan: sshOptions, says: 'ssh runs this option with a shell' }],
  ['watch', { lang: 'sh', scan: watch, says: 'watch joins its words and runs them with `sh -c`' }],
  ['script', { lang: 'sh', scan: optionValue(['-c'], ['--command']), says: 'script runs this command with a shell' }],
  ['flock', { lang: 'sh', scan: optionValue(['-c'], ['--command']), says: 'flock runs this command with a shell' }],
  ['tar', { lang: 'sh', scan: optionValue(['-I', '-F'], ['--to-command', '--use-compress-program', '--info-script', '--new-volume-script', '--rsh-command', '--checkpoint-action']), says: 'tar runs this command with a shell' }],
  ['parallel', { lang: 'sh', scan: parallel, says: 'parallel joins its words and runs them with a shell' }],
  ['npx', { lang: 'sh', scan: npmCall, says: 'npm runs this command with a shell' }],
  ['npm', { lang: 'sh', scan: (a, at) => (a[at + 1] === 'exec' || a[at + 1] === 'x' ? npmCall(a, at) : { code: [] }), says: 'npm runs this command with a shell' }],
]);
