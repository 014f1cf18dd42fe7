/**
 * runbook — argv → command. The ONLY place that sets the exit code or exits.
 * Commands come from the table in src/commands/spec.ts and are loaded lazily, so `--version`
 * and `--help` load no Ink and no SDKs.
 */
import { Redactor } from './core/secrets/redactor.js';
import { ExitCode, isRunbookError } from './core/errors.js';
import type { CommandContext } from './commands/context.js';
import { COMMANDS, didYouMean, isCommand, type CommandSpec } from './commands/spec.js';
import { VERSION, mainHelp, commandHelp } from './help.js';
import { program, withProgram } from './commands/invocation.js';
import { neutralise } from './core/terminal-text.js';
import { parseArgs } from 'node:util';
import { firstLine } from './ui/first-line.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * The reader of stdout or stderr went away (`runbook report ID | head`): not an error, and not a
 * bug to report. A command that only prints ends at once. One that acts — `run`, `drill`,
 * `attach`, `push`, `approve` — does not die between a call's intent and its outcome (`run … |
 * head -1` left the step in doubt, the state 'running', and said exit 0): it stops as on Ctrl-C —
 * the call under way is cancelled and journaled so, the lock released — and ends with 130 (resume
 * with the same command); what it still writes goes nowhere.
 */
let readerGone: (() => void) | undefined;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    if (!readerGone) process.exit(process.exitCode ?? 0);
    readerGone();
  });
}
const ACTING = new Set(['run', 'drill', 'attach', 'push', 'approve']);

const VERSION_FLAGS = new Set(['--version', '-V', '-v', 'version']);

/** The command whose name prefixes error messages (`runbook run: …`). */
let current = '';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? (rest[0] === '--help' || rest[0] === '-h' ? 'help' : rest[0]) : undefined;
    if (topic !== undefined && !isCommand(topic)) return unknownCommand(topic);
    process.stdout.write((topic && commandHelp(topic)) || mainHelp());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (VERSION_FLAGS.has(name)) {
    if (rest.includes('--help') || rest.includes('-h')) process.stdout.write(commandHelp('version')!);
    else process.stdout.write(rest.includes('--json') ? JSON.stringify({ version: VERSION }) + '\n' : VERSION + '\n');
    return ExitCode.ok;
  }
  const spec: CommandSpec | undefined = isCommand(name) ? COMMANDS[name] : undefined;
  if (!spec?.load) return unknownCommand(name);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(name)!);
    return ExitCode.ok;
  }
  current = name;
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1 || finished) {
      // a second Ctrl-C: the journal is fsynced record by record, so leaving now loses nothing
      process.stderr.write(`\nrunbook: ${sig} again — stopping now.\n`);
      process.exit(ExitCode.interrupted);
    }
    controller.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal); // the terminal closed: stop cleanly so the lock is released
  if (ACTING.has(name)) readerGone = () => controller.signal.aborted || controller.abort(new Error('EPIPE'));
  const ctx: CommandContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    redactor: new Redactor(),
    signal: controller.signal,
    script: process.argv[1],
  };
  // run / drill on a terminal: the TUI's first frame goes up before the command's own code (the
  // runbook parser, the engine, a drill's simulators) is even loaded
  const early = await earlyTui(name, rest, ctx);
  ctx.earlyTui = early;
  // the run could not start (a usage error…): the frame is cleared (a no-op once the TUI took it
  // over) before the error prints, so it prints on a clean terminal
  try {
    const mod = await spec.load();
    return await mod.default(rest, ctx).catch(async (e: unknown) => {
      await early?.close();
      return report(e, ctx.redactor);
    });
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

function unknownCommand(name: string): number {
  const guess = name.startsWith('-') ? undefined : didYouMean(name, Object.keys(COMMANDS));
  const what = name.startsWith('-') ? `unknown option "${name}"` : `unknown command "${name}"`;
  const prog = program({ env: process.env, cwd: process.cwd(), script: process.argv[1] });
  process.stderr.write(neutralise(`runbook: ${what}\n`) + `${guess ? `  → Did you mean \`${prog} ${guess}\`?\n` : ''}  → Run \`${prog} --help\` to see the commands.\n`);
  return ExitCode.usage;
}

/** `runbook run: message`, once: a message that already names the command keeps its own prefix. */
function prefixed(message: string): string {
  const own = /^runbook(?: [a-z-]+)?: /.exec(message);
  const body = own ? message.slice(own[0].length) : message;
  return `runbook${current ? ` ${current}` : ''}: ${body}`;
}

function report(e: unknown, redactor: Redactor): number {
  if (isRunbookError(e)) {
    process.stderr.write(neutralise(redactor.redact(`${prefixed(e.message)}\n`)));
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

process.on('uncaughtException', (e) => {
  process.exitCode = report(e, new Redactor());
  process.exit();
});

/** The command is over: whatever is still open (a server a failed setup left behind) must not keep the process alive. */
let finished = false;
function over(): void {
  finished = true;
  const t = setInterval(() => {
    if (!process.stdout.writableLength && !process.stderr.writableLength) process.exit();
  }, 2000);
  t.unref();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    over();
  },
  (e: unknown) => {
    process.exitCode = report(e, new Redactor());
    over();
  },
);
