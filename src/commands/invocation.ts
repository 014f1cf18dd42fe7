/**
 * How to run this CLI again, as the user can type it: every hint and resume command starts
 * with `program()`, so it runs as printed.
 *
 * - `runbook` when the first `runbook` on PATH is this same CLI (npm i -g, npm link);
 * - `npx runbook` when npx started it (from its cache, not on PATH);
 * - else `node dist/cli.js` (relative when the script is under the working directory, as after
 *   the quick start's `npm start`), or `node /abs/path/dist/cli.js`; `node` is spelled out as
 *   its full path when the `node` on PATH is another binary.
 *
 * Reads only the file system (no child process); the answer is cached per process.
 */
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';

export interface InvocationInput {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** the script node runs (process.argv[1]) */
  script?: string;
  /** the node binary (process.execPath) */
  execPath?: string;
}

const SAFE = /^[A-Za-z0-9_/.,:=@%+^-]+$/;

/** One shell word: as is when it has nothing the shell would read, else single-quoted. */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/** The first executable `name` on PATH (like `command -v`), or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** The command prefix that runs this CLI as printed (see the module comment). */
export function programFor(input: InvocationInput): string {
  const script = input.script ? real(input.script) ?? input.script : undefined;
  const execPath = input.execPath ?? process.execPath;
  if (!script) return 'runbook';
  const first = onPath('runbook', input.env);
  if (first && real(first) === script) return 'runbook';
  if (input.env.npm_command === 'exec' && /[/\\]node_modules[/\\]/.test(script)) return 'npx runbook';
  const node = onPath('node', input.env);
  const nodeWord = node && real(node) === (real(execPath) ?? execPath) ? 'node' : shellQuote(execPath);
  const rel = relative(input.cwd, script);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : script;
  return `${nodeWord} ${shellQuote(shown)}`;
}

const cache = new Map<string, string>();

/** What `program` needs: the environment, the working directory, and the CLI's own script. */
export interface ProgramContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** process.argv[1] of the CLI (set by src/cli.ts); absent when a command runs in-process (tests): `runbook` */
  script?: string;
}

/** programFor() for this process, cached per script and working directory. */
export function program(ctx: ProgramContext): string {
  if (!ctx.script) return 'runbook';
  const key = `${ctx.script}\0${ctx.cwd}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = programFor({ env: ctx.env, cwd: ctx.cwd, script: ctx.script, execPath: process.execPath });
    cache.set(key, p);
  }
  return p;
}

/** A full command line to print: the program, then each argument shell-quoted. */
export function commandLine(ctx: ProgramContext, ...args: string[]): string {
  return [program(ctx), ...args.map(shellQuote)].join(' ');
}

/**
 * Hints written as `runbook …` (in error next-steps from deep inside the code) rewritten to the
 * program that runs as printed: `` `runbook x` `` and `run: runbook x`.
 */
export function withProgram(text: string, prog: string): string {
  if (prog === 'runbook') return text;
  return text.replace(/(`|^|: |; |\(|e\.g\. )runbook(?= [a-z-]+\b|`)/g, (_, lead: string) => `${lead}${prog}`);
}
