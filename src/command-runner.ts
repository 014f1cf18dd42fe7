/**
 * Runs one command: its context, the TUI's early first frame, the command's module, and the
 * report of what it threw. cli.ts owns the process (argv, signals, exit codes, exits) and the
 * paths that load nothing (--version, --help); this is everything a command needs besides.
 *
 * Built on its own as dist/runner.cjs and loaded through a V8 code cache (src/code-cache.ts,
 * scripts/build.mjs): the runner, the commands, Ink and the providers then start without being
 * compiled again. Imported directly when run from source (tsx, tests).
 */
import { Redactor } from './core/secrets/redactor.js';
import { ExitCode, isRunbookError } from './core/errors.js';
import type { CommandContext } from './commands/context.js';
import { COMMANDS, isCommand } from './commands/spec.js';
import { unknownCommand } from './cli-answers.js';
import { program, withProgram } from './commands/invocation.js';
import { neutralise } from './core/terminal-text.js';
import { parseArgs } from 'node:util';
import { firstLine } from './ui/first-line.js';

/** before the code cache is written at exit: V8's flags as a new process has them (heap.ts) */
export { restoreHeapDefaults as beforeCodeCache } from './core/engine/heap.js';

export interface RunOptions {
  /** aborted on Ctrl-C, SIGTERM, SIGHUP or a reader that went away */
  signal: AbortSignal;
  /** the CLI's script (process.argv[1]), for hints that run as printed */
  script: string | undefined;
}

/** Command `name` run with `argv`: its exit code. Reports what it throws, and a name that is no command. */
export async function runCommand(name: string, argv: string[], o: RunOptions): Promise<number> {
  if (!isCommand(name)) return unknownCommand(name);
  const spec = COMMANDS[name];
  if (!('load' in spec)) return unknownCommand(name);
  const ctx: CommandContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    redactor: new Redactor(),
    signal: o.signal,
    script: o.script,
  };
  // run / drill on a terminal: the TUI's first frame goes up before the command's own code (the
  // runbook parser, the engine, a drill's simulators) is even loaded
  const early = await earlyTui(name, argv, ctx);
  ctx.earlyTui = early;
  // the run could not start (a usage error…): the frame is cleared (a no-op once the TUI took it
  // over) before the error prints, so it prints on a clean terminal
  try {
    const mod = await spec.load();
    return await mod.default(argv, ctx);
  } catch (e) {
    await early?.close();
    return report(e, ctx.redactor, name);
  } finally {
    await early?.close();
  }
}

const TUI_MODES: Partial<Record<string, 'live' | 'drill'>> = { run: 'live', drill: 'drill' };

/** The first frame of run / drill, when the command will open the TUI (both streams are terminals, no --json / --non-interactive, flags that parse). */
async function earlyTui(name: string, argv: string[], ctx: CommandContext): Promise<CommandContext['earlyTui']> {
  const mode = TUI_MODES[name];
  if (!mode || ctx.stdin.isTTY !== true || ctx.stdout.isTTY !== true) return undefined;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: COMMANDS[name as 'run' | 'drill'].flags, allowPositionals: true, strict: true });
  } catch {
    return undefined; // the command reports the bad flag
  }
  const f = parsed.values as Record<string, unknown>;
  const file = parsed.positionals[0];
  if (f.json || f['non-interactive'] || file === undefined) return undefined;
  // the header's first line at once, as plain text: Ink's first frame draws the same characters over it
  ctx.stdout.write(`\r${firstLine(mode)}\r`);
  try {
    const { openTui } = await import('./ui/index.js');
    return openTui({ mode, what: file, stdin: ctx.stdin as NodeJS.ReadStream, stdout: ctx.stdout as NodeJS.WriteStream, stderr: ctx.stderr as NodeJS.WriteStream, env: ctx.env });
  } catch {
    ctx.stdout.write('\r\x1b[2K'); // the plain line goes: the command loads the TUI again and reports what is wrong
    return undefined;
  }
}

/** `runbook run: message`, once: a message that already names the command keeps its own prefix. */
function prefixed(message: string, command: string): string {
  const own = /^runbook(?: [a-z-]+)?: /.exec(message);
  const body = own ? message.slice(own[0].length) : message;
  return `runbook${command ? ` ${command}` : ''}: ${body}`;
}

/** What `e` says, on stderr (redacted, terminal-safe, with its next steps): the exit code it means. */
export function report(e: unknown, redactor: Redactor = new Redactor(), command = ''): number {
  if (isRunbookError(e)) {
    process.stderr.write(neutralise(redactor.redact(`${prefixed(e.message, command)}\n`)));
    const prog = program({ env: process.env, cwd: process.cwd(), script: process.argv[1] });
    for (const step of e.nextSteps) process.stderr.write(neutralise(redactor.redact(`  → ${withProgram(step, prog)}\n`)));
    return e.exitCode;
  }
  // never print a raw error object: it can carry request headers and argv
  const name = (e as { name?: string })?.name ?? 'Error';
  const msg = (e as { message?: string })?.message?.split('\n')[0] ?? String(e);
  process.stderr.write(neutralise(redactor.redact(`runbook: internal error (${name}): ${msg}\n  → This is a bug in runbook; incident state on disk is kept.\n`)));
  if (process.env.RUNBOOK_DEBUG) process.stderr.write(redactor.redact(String((e as Error)?.stack ?? '')) + '\n');
  return ExitCode.internal;
}
