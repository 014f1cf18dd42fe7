/**
 * runbook report ID [--format md|json] [--out FILE] [--state-dir DIR]
 * The incident's timeline and postmortem, from its journal alone. Results go to stdout (or
 * FILE, mode 0600); messages to stderr.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, JournalError, UsageError } from '../core/errors.js';
import { FileJournal, listIncidentIds } from '../core/journal/store.js';
import { buildReport } from '../report/model.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { loadRunbookFile } from '../report/runbook-file.js';
import { err, parseFlags, type Command } from './context.js';

export function stateDirOf(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, flag ?? (env.RUNBOOK_STATE_DIR || '.runbook'));
}

/** Write via a fresh 0600 temp file + rename, so the report is never readable by others, even briefly. */
function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw new UsageError(`cannot write the report to ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      nextSteps: ['Check that the folder exists and is writable, or leave out --out to print the report.'],
    });
  }
}

const command: Command = async (argv, ctx) => {
  const { values, positionals } = parseFlags('report', argv, {
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    'state-dir': { type: 'string' },
  });
  const format = values.format ?? 'md';
  if (format !== 'md' && format !== 'json' && format !== 'markdown') {
    throw new UsageError(`runbook report: --format must be md or json, not "${format.slice(0, 20)}"`);
  }
  if (positionals.length !== 1) {
    throw new UsageError(`runbook report: give exactly one incident id${positionals.length ? ` (got ${positionals.length})` : ''}`, {
      nextSteps: ['Run `runbook incidents` to list the incidents, then `runbook report ID`.'],
    });
  }
  const id = positionals[0]!;
  const stateDir = stateDirOf(values['state-dir'], ctx.env, ctx.cwd);
  const journal = new FileJournal(stateDir, id);
  if (!journal.exists()) {
    const known = listIncidentIds(stateDir);
    throw new UsageError(`no incident "${id}" in the state directory ${stateDir}`, {
      nextSteps: [
        `Run \`runbook incidents --state-dir ${stateDir}\` to list the incidents there${known.length ? ` (e.g. ${known.slice(0, 3).join(', ')})` : ''}.`,
        'Pass --state-dir DIR (or set RUNBOOK_STATE_DIR) if the incident was run with another state directory.',
      ],
    });
  }
  const records = journal.read();
  const opened = records.find((r) => r.type === 'incident.opened');
  if (!opened || opened.type !== 'incident.opened') {
    throw new JournalError(`the journal ${journal.location} has no incident.opened record`, {
      nextSteps: ['Keep a copy of the file; it is not a complete incident journal.'],
    });
  }
  const hashes = [opened.runbook.hash, ...records.flatMap((r) => (r.type === 'run.started' ? [r.runbookHash] : []))];
  const runbookFile = loadRunbookFile(opened.runbook.path, hashes, ctx.cwd);
  const report = buildReport(records, { runbookFile });
  const text = format === 'json' ? renderJson(report, ctx.redactor) : renderMarkdown(report, ctx.redactor);
  if (values.out) {
    const file = resolve(ctx.cwd, values.out);
    writePrivate(file, text);
    err(ctx, `runbook: report for ${id} written to ${file} (mode 0600)`);
  } else {
    ctx.stdout.write(text);
  }
  return ExitCode.ok;
};
export default command;
