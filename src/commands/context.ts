/**
 * What a command receives: its streams and environment. Commands never call process.exit;
 * they return an exit code or throw a RunbookError, and src/cli.ts ends the process.
 * Results go to stdout (machine-readable), progress and messages to stderr.
 */
import type { Readable, Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';
import { Redactor } from '../core/secrets/redactor.js';

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
}

export type Command = (argv: string[], ctx: CommandContext) => Promise<number>;

/** Write a line to stdout through the redactor. */
export function out(ctx: CommandContext, text: string): void {
  ctx.stdout.write(ctx.redactor.redact(text) + '\n');
}
/** Write a line to stderr through the redactor. */
export function err(ctx: CommandContext, text: string): void {
  ctx.stderr.write(ctx.redactor.redact(text) + '\n');
}

/** node:util parseArgs with errors that name the flag and what to do. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument[^]*$/, '');
    throw new UsageError(`runbook ${command}: ${msg}`, { nextSteps: [`Run \`runbook ${command} --help\` for the flags it takes.`] });
  }
}
