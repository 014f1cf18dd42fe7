/**
 * runbook report ID [--format md|json] [--out FILE] [--state-dir DIR]
 * The incident's timeline and postmortem, from its journal alone. Results go to stdout (or
 * FILE, mode 0600); messages to stderr.
 */
import { resolve } from 'node:path';
import { ExitCode, JournalError, UsageError } from '../core/errors.js';
import { listIncidentIds } from '../core/journal/store.js';
import { storeOf } from './team-store.js';
import { buildReport } from '../report/model.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { loadRunbookFile } from '../report/runbook-file.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { jsonForTerminal, neutralise } from '../core/terminal-text.js';
import { err, parseCommandFlags, type Command } from './context.js';
import { commandLine } from './invocation.js';
import { resolveStateDir } from './shared.js';

/** Write the report privately (0600) and atomically; a failure names the file and what to do. */
function writePrivate(file: string, text: string): void {
  try {
    writeFileAtomic(file, text, 0o600);
  } catch (e) {
    throw new UsageError(`cannot write the report to ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      nextSteps: ['Check that the folder exists and is writable, or leave out --out to print the report.'],
    });
  }
}

const command: Command = async (argv, ctx) => {
  const { values, positionals } = parseCommandFlags('report', argv);
  if (values.json && values.format !== undefined && values.format !== 'json') throw new UsageError(`runbook report: --json and --format ${values.format.slice(0, 20)} contradict each other; give one`);
  const format = values.json ? 'json' : (values.format ?? 'md');
  if (format !== 'md' && format !== 'json' && format !== 'markdown') {
    throw new UsageError(`runbook report: --format must be md or json, not "${format.slice(0, 20)}"`);
  }
  if (positionals.length !== 1) {
    throw new UsageError(`runbook report: give exactly one incident id${positionals.length ? ` (got ${positionals.length})` : ''}`, {
      nextSteps: ['Run `runbook incidents` to list the incidents, then `runbook report ID`.'],
    });
  }
  const id = positionals[0]!;
  const state = await resolveStateDir(values['state-dir'], ctx);
  const stateDir = state.dir;
  const journal = await storeOf(values, ctx, id);
  if (!journal.exists()) {
    const known = listIncidentIds(stateDir);
    throw new UsageError(`no incident "${id}" in the state directory ${stateDir} (${state.describe})`, {
      nextSteps: [
        `Run \`${commandLine(ctx, 'incidents', ...(values['state-dir'] ? ['--state-dir', stateDir] : []))}\` to list the incidents there${known.length ? ` (e.g. ${known.slice(0, 3).join(', ')})` : ''}.`,
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
    // the file keeps the report as it is; a terminal gets it inert (JSON: the same value, escaped)
    ctx.stdout.write(format === 'json' ? jsonForTerminal(text) : neutralise(text));
  }
  return ExitCode.ok;
};
export default command;
