/**
 * runbook list [PATH…] [--json] — the runbooks found in PATH (recursive; default: the shipped
 * runbooks, and ./runbooks when it exists): id, severity, step count, title and path, one per
 * line in columns. Invalid runbooks are named on stderr (exit 2); `runbook validate` for details.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from './context.js';
import { out, outJson, err, parseCommandFlags } from './context.js';
import { commandLine } from './invocation.js';
import { neutralise } from '../core/terminal-text.js';
import { shippedRunbooksDir } from './shared.js';
import { ExitCode, ValidationError } from '../core/errors.js';
import { loadRunbook, loadRunbookText, MAX_BYTES, type LoadedRunbook } from '../core/runbook/load.js';
import { FileNotReadError, readRegularFile } from '../core/read-file.js';
import { findRunbooks } from '../core/runbook/find.js';
import { displayPath } from './validate.js';

const TITLE_WIDTH = 60;

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

/** The shipped runbooks (runnable by id), and ./runbooks when it exists and is another folder. */
function defaultPaths(cwd: string): string[] {
  const shipped = shippedRunbooksDir();
  const local = resolve(cwd, 'runbooks');
  const paths = shipped ? [shipped] : [];
  if (existsSync(local) && local !== shipped) paths.push(local);
  return paths.length ? paths : [local];
}

/** The file's text; undefined when the load should report it (missing, too large); a FIFO or device: one problem, not a wait. */
function readIfRegular(file: string): string | undefined {
  try {
    return readRegularFile(file, MAX_BYTES);
  } catch (e) {
    if (e instanceof FileNotReadError && e.code === 'ENOTREG') throw new ValidationError([{ file, line: 0, col: 0, path: '', message: e.message, code: 'read' }]);
    return undefined;
  }
}

const command: Command = async (argv, ctx) => {
  const { values, positionals } = parseCommandFlags('list', argv);
  const paths = positionals.length ? positionals.map((p) => resolve(ctx.cwd, p)) : defaultPaths(ctx.cwd);
  const { found } = await findRunbooks(paths);
  const rows: { id: string; severity: string; steps: number; title: string; path: string; tags: string[]; owner?: string }[] = [];
  const invalid: { path: string; problems: number }[] = [];
  for (const f of found) {
    const path = displayPath(ctx, f.file);
    let lr: LoadedRunbook;
    try {
      // a FIFO or device named here is never opened by the load (it waited for ever, or read /dev/zero until out of memory)
      const text = f.text ?? readIfRegular(f.file);
      lr = text !== undefined ? loadRunbookText(text, path) : await loadRunbook(f.file);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      invalid.push({ path, problems: e.issues.length });
      continue;
    }
    const rb = lr.runbook;
    rows.push({ id: rb.id, severity: rb.severity, steps: rb.steps.length, title: rb.title, path, tags: rb.tags, ...(rb.owner ? { owner: rb.owner } : {}) });
  }
  if (values.json) outJson(ctx, JSON.stringify(rows, null, 2));
  else if (rows.length) {
    const head = { id: 'ID', severity: 'SEVERITY', steps: 'STEPS', title: 'TITLE', path: 'PATH' };
    const cells = [head, ...rows.map((r) => ({ id: r.id, severity: r.severity, steps: String(r.steps), title: clip(neutralise(r.title), TITLE_WIDTH), path: r.path }))];
    const w = (k: keyof typeof head) => Math.max(...cells.map((c) => c[k].length));
    const [wi, ws, wn, wt] = [w('id'), w('severity'), w('steps'), w('title')];
    for (const c of cells) out(ctx, `${c.id.padEnd(wi)}  ${c.severity.padEnd(ws)}  ${c.steps.padStart(wn)}  ${c.title.padEnd(wt)}  ${c.path}`.trimEnd());
  }
  for (const i of invalid) err(ctx, `runbook list: ${i.path} is invalid (${i.problems} problem${i.problems === 1 ? '' : 's'}); run: ${commandLine(ctx, 'validate', i.path)}`);
  if (found.length === 0) {
    err(ctx, `runbook list: no runbooks found in ${paths.map((p) => displayPath(ctx, p)).join(', ')}`);
    return ExitCode.usage;
  }
  return invalid.length ? ExitCode.usage : ExitCode.ok;
};
export default command;
