/** Runs `runbook report` in-process with captured streams (cli.ts's error handling, minus process.exit). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import report from '../../src/commands/report.js';
import type { CommandContext } from '../../src/commands/context.js';
import { isRunbookError, type RunbookError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/secrets/redactor.js';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  error?: RunbookError;
}

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

export async function runReport(argv: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  const stdout = sink();
  const stderr = sink();
  const ctx: CommandContext = { stdout, stderr, stdin: new PassThrough(), env: opts.env ?? {}, cwd: opts.cwd, redactor: new Redactor(), signal: new AbortController().signal };
  try {
    const code = await report(argv, ctx);
    return { code, stdout: stdout.text, stderr: stderr.text };
  } catch (e) {
    if (!isRunbookError(e)) throw e;
    return { code: e.exitCode, stdout: stdout.text, stderr: stderr.text, error: e };
  }
}

export function tempDir(prefix = 'runbook-report-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
