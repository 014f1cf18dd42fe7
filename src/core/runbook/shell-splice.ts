/**
 * Where an argv hands text to an interpreter as code: the script of `sh -c`, `python -c`,
 * `node -e`, `perl -e`, `pwsh -Command`, an awk program, a remote `ssh` command, … A `${{ }}`
 * template there splices a value into code (`--input 'v=$(touch X)'` would run), so validate
 * refuses it and shows the safe form: the value in `env:`, read by name in the script.
 *
 * Every position of the argv is looked at, so wrappers are seen through: `env -i sh -c`,
 * `sudo -u x bash -c`, `busybox sh -c`, `timeout 5 python3 -c`, `docker exec c sh -c`,
 * `kubectl exec p -- bash -c`, `/usr/bin/env node -e`. Documented in docs/runbook-format.md
 * ("Shell safety").
 */

import { SHAPES } from './shell-shapes.js';

export type Lang = 'sh' | 'sed' | 'python' | 'node' | 'deno' | 'perl' | 'ruby' | 'php' | 'pwsh' | 'lua' | 'r' | 'awk' | 'osascript' | 'ssh' | 'env-split';

export interface CodeArg {
  /** index in the argv of an element that is code */
  index: number;
  /** the interpreter as written (`sh -c`, `python3 -c`, …), for messages */
  via: string;
  lang: Lang;
  /** a command that is no interpreter but hands this element to one (./shell-shapes.ts): what runs it */
  says?: string;
}

export interface Interpreted {
  code: CodeArg[];
  /** the interpreter reads its program from stdin (`sh`, `bash -s`, `python3 -`, `node`, `perl`) */
  stdin?: { via: string; lang: Lang };
}

const SHELLS = new Set(['sh', 'bash', 'rbash', 'zsh', 'dash', 'ksh', 'mksh', 'pdksh', 'ash', 'yash', 'fish', 'csh', 'tcsh', 'su', 'runuser']);

/** `/usr/bin/python3.11` → `python3`; `bash.exe` → `bash`; `pwsh-preview` → `pwsh` */
export function interpreterName(arg: string): string {
  let b = arg.slice(arg.lastIndexOf('/') + 1).toLowerCase();
  b = b.replace(/\.exe$/, '').replace(/(\d)\.\d+$/, '$1').replace(/-preview$/, '');
  return b;
}

function langOf(name: string): Lang | undefined {
  if (SHELLS.has(name)) return 'sh';
  if (/^(python|pypy)[23]?$/.test(name)) return 'python';
  if (name === 'node' || name === 'nodejs' || name === 'bun') return 'node';
  if (name === 'deno') return 'deno';
  if (name === 'perl' || name === 'perl5') return 'perl';
  if (name === 'ruby' || name === 'jruby') return 'ruby';
  if (name === 'php') return 'php';
  if (name === 'pwsh' || name === 'powershell') return 'pwsh';
  if (/^lua(jit|5\.?\d)?$/.test(name)) return 'lua';
  if (name === 'rscript' || name === 'r') return 'r';
  if (name === 'awk' || name === 'gawk' || name === 'mawk' || name === 'nawk') return 'awk';
  if (name === 'osascript') return 'osascript';
  if (name === 'ssh') return 'ssh';
  if (name === 'env') return 'env-split';
  return undefined;
}

export type Scan = (args: readonly string[], at: number) => { code: number[]; stdin?: boolean };

/** sh family: with -c (alone or in a cluster such as -ec), the first operand is the script. */
const shell: Scan = (a, at) => {
  const name = interpreterName(a[at]!);
  let c = false;
  let s = false;
  for (let i = at + 1; i < a.length; i++) {
    const x = a[i]!;
    if (x === '-' && (name === 'su' || name === 'runuser')) continue; // su -: a login shell
    if (x === '--' || x === '-') {
      if (x === '-' && !c) return { code: [], stdin: true };
      return i + 1 < a.length ? { code: c ? [i + 1] : [] } : { code: [], stdin: !c };
    }
    if (x.startsWith('--')) {
      if (x === '--command' || x === '--init-command') return { code: i + 1 < a.length ? [i + 1] : [] }; // fish, su
      if (x.startsWith('--command=') || x.startsWith('--init-command=')) return { code: [i] };
      if (x === '--rcfile' || x === '--init-file') i++;
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(x)) {
      const flags = x.slice(1);
      if (name === 'fish' && flags.includes('C')) return { code: i + 1 < a.length ? [i + 1] : [] };
      if (flags.includes('c')) c = true;
      if (flags.includes('s')) s = true;
      if (/[oO]$/.test(flags)) i++; // -o pipefail, shopt -O name
      if ((name === 'su' || name === 'runuser') && c) return { code: i + 1 < a.length ? [i + 1] : [] };
      continue;
    }
    if (name === 'su' || name === 'runuser') continue; // su's operand is a user name
    // the first operand: the script with -c, else a script file (its arguments are data)
    return { code: c ? [i] : [], stdin: s && !c };
  }
  return { code: [], stdin: !c && name !== 'su' && name !== 'runuser' };
};

/**
 * Interpreters with "eval" switches (`-c`, `-e`, …) that may sit in a cluster (`-ne`, `-Bc`),
 * with the code attached (`-eprint`) or in the next argument. `valued`: switches taking a value
 * (attached or next); `stop`: switches that end the option list (`python -m`). The operand `-`
 * means "program on stdin".
 */
function evalSwitch(evalChars: string, valued: string, longEval: readonly string[] = [], longValued: readonly string[] = [], stop = ''): Scan {
  return (a, at) => {
    const code: number[] = [];
    for (let i = at + 1; i < a.length; i++) {
      const x = a[i]!;
      if (x === '-') return { code, stdin: code.length === 0 };
      if (x === '--') return { code };
      if (x.startsWith('--')) {
        const [opt, eq] = [x.split('=')[0]!, x.includes('=')];
        if (longEval.includes(opt)) {
          if (eq) code.push(i);
          else if (i + 1 < a.length) code.push(++i);
        } else if (longValued.includes(opt) && !eq) i++;
        continue;
      }
      if (x.startsWith('-') && x.length > 1) {
        for (let k = 1; k < x.length; k++) {
          const ch = x[k]!;
          if (evalChars.includes(ch)) {
            if (k + 1 < x.length) code.push(i);
            else if (i + 1 < a.length) code.push(++i);
            break;
          }
          if (stop.includes(ch)) return { code }; // python -m: the rest is the module's
          if (valued.includes(ch)) {
            // its value: the rest of the cluster, else the next argument (unless that is an option:
            // perl's -i and -l take only an attached value, as in -pi -e)
            if (k + 1 === x.length && i + 1 < a.length && !a[i + 1]!.startsWith('-')) i++;
            break;
          }
        }
        continue;
      }
      return { code }; // a script file: what follows is its data
    }
    return { code, stdin: code.length === 0 };
  };
}

/** Everything after `-Command` (or a prefix of it, or `-c`) is the command; `-EncodedCommand` too. */
const pwsh: Scan = (a, at) => {
  for (let i = at + 1; i < a.length; i++) {
    const x = a[i]!.toLowerCase().replace(/^\//, '-');
    if (/^-(c|co|com|comm|comma|comman|command)$/.test(x)) return { code: range(i + 1, a.length) };
    if (/^-(e|ec|en|enc|enco|encod|encode|encoded|encodedc\w*)$/.test(x)) return { code: i + 1 < a.length ? [i + 1] : [] };
    if (/^-(f|fi|fil|file)$/.test(x)) return { code: [] };
    if (/^-(ex|exe\w*|wo\w*|in\w*|ou\w*|se\w*|wi\w*|co\w*ty\w*)$/.test(x)) {
      i++; // an option with a value
      continue;
    }
    if (x.startsWith('-')) continue;
    // a bare operand: powershell (Windows PowerShell) runs it as a command; pwsh as a script file
    return { code: interpreterName(a[at]!) === 'powershell' ? range(i, a.length) : [] };
  }
  return { code: [] };
};

/** The awk program: the first operand, unless -f gives a program file; -e/--source add program text (gawk). */
const awk: Scan = (a, at) => {
  const code: number[] = [];
  let file = false;
  for (let i = at + 1; i < a.length; i++) {
    const x = a[i]!;
    if (x === '--') return { code: !file && i + 1 < a.length ? [...code, i + 1] : code };
    if (x === '-e' || x === '--source') {
      if (i + 1 < a.length) code.push(++i);
      continue;
    }
    if (x.startsWith('--source=')) {
      code.push(i);
      continue;
    }
    if (x === '-f' || x.startsWith('-f') || x.startsWith('--file')) {
      file = true;
      if (x === '-f' || x === '--file') i++;
      continue;
    }
    if (x === '-F' || x === '-v') {
      i++;
      continue;
    }
    if (x.startsWith('-') && x.length > 1) continue;
    return { code: file ? code : [...code, i] };
  }
  return { code };
};

/** `ssh [options] destination command…`: the command is run by the remote user's shell. */
const ssh: Scan = (a, at) => {
  const valued = 'BbcDEeFIiJLlmOoPpQRSWw';
  for (let i = at + 1; i < a.length; i++) {
    const x = a[i]!;
    if (x.startsWith('-') && x.length > 1) {
      const last = x[x.length - 1]!;
      if (x.length === 2 && valued.includes(last)) i++;
      continue;
    }
    return { code: range(i + 1, a.length) };
  }
  return { code: [] };
};

/** `env -S 'a b c'` splits one string into arguments (a template there could add any argument). */
const envSplit: Scan = (a, at) => {
  for (let i = at + 1; i < a.length; i++) {
    const x = a[i]!;
    if (x === '-S' || x === '--split-string') return { code: i + 1 < a.length ? [i + 1] : [] };
    if (/^-[a-zA-Z]*S./.test(x) || x.startsWith('--split-string=')) return { code: [i] };
    if (x === '-u' || x === '--unset' || x === '-C' || x === '--chdir') {
      i++;
      continue;
    }
    if (x.startsWith('-') || x.includes('=')) continue;
    return { code: [] };
  }
  return { code: [] };
};

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

const SCANS: Record<Lang, Scan> = {
  sh: shell,
  python: evalSwitch('c', 'WXQ', [], [], 'm'),
  node: evalSwitch('ep', 'rC', ['--eval', '--print'], ['--require', '--import', '--loader', '--experimental-loader', '--conditions', '--env-file', '--input-type', '--title']),
  deno: (a, at) => (a[at + 1] === 'eval' ? { code: range(at + 2, a.length).filter((i) => !a[i]!.startsWith('-')).slice(0, 1) } : { code: [] }),
  perl: evalSwitch('eE', 'iIlMmxdDFC0V'),
  ruby: evalSwitch('e', 'IrCEFixKT0'),
  php: evalSwitch('rBRFE', 'cdfzt', ['--run', '--process-begin', '--process-code', '--process-end'], ['--php-ini', '--define', '--file', '--zend-extension']),
  pwsh,
  lua: evalSwitch('e', 'l'),
  r: evalSwitch('e', '', ['--expr'], []),
  awk,
  osascript: evalSwitch('e', 'l'),
  ssh,
  'env-split': envSplit,
  sed: () => ({ code: [] }), // only through SHAPES
};

/** Which elements of `argv` are code for an interpreter, and whether one reads its program from stdin. */
export function interpreted(argv: readonly string[]): Interpreted {
  const code = new Map<number, CodeArg>();
  let stdin: Interpreted['stdin'];
  argv.forEach((arg, at) => {
    if (typeof arg !== 'string') return;
    const name = interpreterName(arg);
    // a command that hands an argument on to a shell (git -c core.sshCommand=…, sed …/e, watch …)
    const shape = SHAPES.get(name);
    if (shape) for (const index of shape.scan(argv, at).code) if (!code.has(index)) code.set(index, { index, via: shapeVia(argv, at, index), lang: shape.lang, says: shape.says });
    const lang = langOf(name);
    if (!lang) return;
    const found = SCANS[lang](argv, at);
    const flag = found.code.length && found.code[0]! > at + 1 ? ` ${argv[found.code[0]! - 1]}` : '';
    const via = `${name}${flag && flag.startsWith(' -') ? flag : ''}`;
    for (const index of found.code) if (!code.has(index)) code.set(index, { index, via, lang });
    // only the command itself (the last interpreter in the chain) reads stdin
    if (found.stdin && at === lastInterpreter(argv) && lang !== 'ssh' && lang !== 'env-split' && lang !== 'awk' && lang !== 'deno' && lang !== 'pwsh') stdin = { via: interpreterName(arg), lang };
  });
  return { code: [...code.values()].sort((x, y) => x.index - y.index), ...(stdin ? { stdin } : {}) };
}

/** `git -c core.sshCommand`, `tar --to-command`, `sed -e`, `watch`: the command and the option that hands `index` on. */
function shapeVia(argv: readonly string[], at: number, index: number): string {
  const name = interpreterName(argv[at]!);
  const x = argv[index]!;
  const before = index > at + 1 ? argv[index - 1]! : '';
  if (before === '-c' && name === 'git') return `git -c ${x.split('=')[0]!}`;
  if (before === '-o' || x.startsWith('-o')) return `${name} -o ${(before === '-o' ? x : x.slice(2)).split(/[=\s]/)[0]!}`;
  if (x.startsWith('--') && x.includes('=')) return `${name} ${x.slice(0, x.indexOf('='))}`;
  const operand = name === 'watch' || name === 'parallel' || ((name === 'sed' || name === 'gsed') && before !== '-e' && before !== '--expression');
  if (before.startsWith('-') && !operand) return `${name} ${before}`;
  return name;
}

function lastInterpreter(argv: readonly string[]): number {
  for (let i = argv.length - 1; i >= 0; i--) if (typeof argv[i] === 'string' && langOf(interpreterName(argv[i]!))) return i;
  return -1;
}

/** How the script reads an environment variable `V`, in the interpreter's language. */
export function envRead(lang: Lang, v: string): string {
  switch (lang) {
    case 'python':
      return `os.environ["${v}"]`;
    case 'node':
      return `process.env.${v}`;
    case 'deno':
      return `Deno.env.get("${v}")`;
    case 'perl':
      return `$ENV{${v}}`;
    case 'ruby':
      return `ENV["${v}"]`;
    case 'php':
      return `getenv("${v}")`;
    case 'pwsh':
      return `$env:${v}`;
    case 'lua':
      return `os.getenv("${v}")`;
    case 'r':
      return `Sys.getenv("${v}")`;
    case 'awk':
      return `ENVIRON["${v}"]`;
    case 'osascript':
      return `system attribute "${v}"`;
    case 'sed':
      return `$ENV{${v}}`;
    default:
      return `"$${v}"`;
  }
}
