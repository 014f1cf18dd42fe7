/**
 * What a command receives: its streams and environment. Commands never call process.exit;
 * they return an exit code or throw a RunbookError, and src/cli.ts ends the process.
 * Results go to stdout (machine-readable), progress and messages to stderr.
 */
import type { Readable, Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';
import { jsonForTerminal, neutralise } from '../core/terminal-text.js';
import { Redactor } from '../core/secrets/redactor.js';
import { COMMANDS, didYouMean, type CommandName } from './spec.js';
import type { EarlyTui } from '../ui/index.js';

export interface CommandContext {
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** the process-wide redactor; everything printed passes through it */
  redactor: Redactor;
  /** aborted on SIGINT/SIGTERM */
  signal: AbortSignal;
  /** the CLI's script (process.argv[1]), for hints that run as printed (invocation.ts); absent in-process */
  script?: string;
  /** run / drill on a terminal: the TUI's first frame, put up by cli.ts before the command's code loaded (runTui takes it over; cli.ts closes it if the run never starts) */
  earlyTui?: EarlyTui;
}

export type Command = (argv: string[], ctx: CommandContext) => Promise<number>;

/**
 * Write a line of text to stdout through the redactor, with escape sequences and control
 * characters neutralised (runbook titles, inputs and provider messages end up here).
 */
export function out(ctx: CommandContext, text: string): void {
  ctx.stdout.write(neutralise(ctx.redactor.redact(text)) + '\n');
}
/**
 * Write machine output (JSON, SARIF) to stdout through the redactor: DEL, C1 and bidi controls
 * that JSON.stringify leaves raw are written as \u escapes — the same JSON value, inert on a terminal.
 */
export function outJson(ctx: CommandContext, json: string): void {
  ctx.stdout.write(jsonForTerminal(ctx.redactor.redact(json)) + '\n');
}
/** Write a line to stderr through the redactor. */
export function err(ctx: CommandContext, text: string): void {
  ctx.stderr.write(neutralise(ctx.redactor.redact(text)) + '\n');
}

/** node:util parseArgs with errors that name the flag, a close match, and what to do. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument[^]*$/, '');
    const unknown = /^Unknown option '(--?[^']+)'/.exec(msg)?.[1];
    const guess = unknown?.startsWith('--') ? didYouMean(unknown.slice(2).split('=')[0]!, Object.keys(options)) : undefined;
    throw new UsageError(`runbook ${command}: ${msg}`, {
      nextSteps: [...(guess ? [`Did you mean --${guess}?`] : []), `Run \`runbook ${command} --help\` for the flags it takes.`],
    });
  }
}

/** parseFlags with the command's flags from the command table (src/commands/spec.ts), which is also its help. */
export function parseCommandFlags<N extends CommandName>(command: N, argv: string[], allowPositionals = true) {
  return parseFlags(command, argv, COMMANDS[command].flags as (typeof COMMANDS)[N]['flags'], allowPositionals);
}
