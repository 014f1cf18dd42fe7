/**
 * runbook validate PATH… [--format text|json|github|sarif] [--json] [--max-issues N]
 * Checks runbooks (files, or folders searched recursively). Exit 0 when all are valid, 2 otherwise.
 * Text: `file:line:col  path: message` + code frame per problem, the first N per file, then
 * "and K more". JSON (for editors and CI): {files:[{file, valid, issues:[…]}]} with every issue.
 * github: workflow-command annotations; sarif: a SARIF 2.1.0 log (validate-formats.ts).
 */
import { relative, isAbsolute, resolve } from 'node:path';
import type { Command, CommandContext } from './context.js';
import { out, outJson, err, parseCommandFlags } from './context.js';
import { githubAnnotations, sarifLog } from './validate-formats.js';
import { ExitCode, UsageError, ValidationError, type Issue } from '../core/errors.js';
import { loadRunbook, loadRunbookText, MAX_BYTES, parseRunbookText, type ParsedRunbookText } from '../core/runbook/load.js';
import { findRunbooks } from '../core/runbook/find.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { pluginRegistry } from './shared.js';
import { FileNotReadError, readRegularFile } from '../core/read-file.js';

export interface FileResult {
  file: string;
  valid: boolean;
  issues: Issue[];
}

/** Show paths relative to the working directory when they are under it. */
export function displayPath(ctx: CommandContext, file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(ctx.cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

export function formatIssue(i: Issue): string {
  const head = `${i.file}${i.line ? `:${i.line}:${i.col}` : ''}  ${i.path ? `${i.path}: ` : ''}${i.message}`;
  return i.frame ? `${head}\n${i.frame}` : head;
}

export async function validatePaths(paths: readonly string[], ctx: CommandContext): Promise<{ results: FileResult[]; skipped: string[] }> {
  const { found, skipped } = await findRunbooks(paths.map((p) => resolve(ctx.cwd, p)));
  const results: FileResult[] = [];
  for (const f of found) {
    const file = displayPath(ctx, f.file);
    let registry: ProviderRegistry | undefined;
    let parsed: ParsedRunbookText | undefined;
    try {
      // a runbook's plugins: are part of it — their provider types must be known to check it
      let text = f.text;
      if (text === undefined) {
        try {
          text = readRegularFile(f.file, MAX_BYTES);
        } catch (e) {
          // a FIFO or device is never opened by the load below (it waited for ever, or read /dev/zero until out of memory)
          if (!(e instanceof FileNotReadError)) throw e;
          if (e.code === 'ENOTREG') {
            results.push({ file, valid: false, issues: [{ file, line: 0, col: 0, path: '', message: `${e.message}: give the runbook's YAML file`, code: 'read' }] });
            continue;
          }
        }
      }
      // one YAML parse per file: the plugins are read from it, then it is validated
      parsed = text === undefined ? undefined : parseRunbookText(text, file);
      registry = await pluginRegistry(f.file, parsed, [], ctx.cwd);
    } catch (e) {
      if (e instanceof UsageError) {
        results.push({ file, valid: false, issues: [{ file, line: 0, col: 0, path: 'plugins', message: e.message, code: 'plugin' }] });
        continue;
      }
      /* unreadable: the load below reports it */
    }
    try {
      if (parsed) loadRunbookText(parsed.text, file, { registry, parsed });
      else if (f.text !== undefined) loadRunbookText(f.text, file, { registry });
      else await loadRunbook(f.file, { registry });
      results.push({ file, valid: true, issues: [] });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      results.push({ file, valid: false, issues: e.issues.map((i) => ({ ...i, file })) });
    }
  }
  return { results, skipped: skipped.map((p) => displayPath(ctx, p)) };
}

const FORMATS: readonly string[] = ['text', 'json', 'github', 'sarif'];

const command: Command = async (argv, ctx) => {
  const { values, positionals } = parseCommandFlags('validate', argv);
  if (values.json && values.format !== 'text' && values.format !== 'json') throw new UsageError(`runbook validate: --json and --format ${values.format} contradict each other; give one`);
  const format = values.json ? 'json' : values.format;
  if (!FORMATS.includes(format)) throw new UsageError(`runbook validate: --format must be ${FORMATS.join(', ')}, not ${JSON.stringify(format.slice(0, 20))}`);
  const max = Number(values['max-issues']);
  if (!Number.isInteger(max) || max < 1) throw new UsageError('runbook validate: --max-issues must be a whole number of at least 1');
  if (positionals.length === 0)
    throw new UsageError('runbook validate: give one or more runbook files or folders', { nextSteps: ['For example: `runbook validate runbooks/`'] });

  const { results, skipped } = await validatePaths(positionals, ctx);
  const invalid = results.filter((r) => !r.valid);

  if (format === 'json') {
    outJson(ctx, JSON.stringify({ files: results }, null, 2));
  } else if (format === 'sarif') {
    outJson(ctx, JSON.stringify(sarifLog(results), null, 2));
  } else if (format === 'github') {
    for (const line of githubAnnotations(results)) out(ctx, line);
    if (results.length) err(ctx, `runbook validate: ${results.length - invalid.length} of ${results.length} runbook${results.length === 1 ? '' : 's'} valid`);
    else err(ctx, `runbook validate: no runbooks found in ${positionals.join(', ')}`);
  } else {
    for (const r of results) {
      if (r.valid) {
        out(ctx, `✓ ${r.file}`);
        continue;
      }
      out(ctx, `✗ ${r.file}: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}\n`);
      for (const i of r.issues.slice(0, max)) out(ctx, formatIssue(i) + '\n');
      if (r.issues.length > max) out(ctx, `… and ${r.issues.length - max} more in ${r.file}\n`);
    }
    if (results.length === 0) err(ctx, `runbook validate: no runbooks found in ${positionals.join(', ')}`);
    else if (invalid.length === 0) out(ctx, `${results.length} runbook${results.length === 1 ? '' : 's'} valid`);
    else {
      const n = invalid.reduce((a, r) => a + r.issues.length, 0);
      out(ctx, `${invalid.length} of ${results.length} runbook${results.length === 1 ? '' : 's'} invalid (${n} problem${n === 1 ? '' : 's'})`);
    }
  }
  if (skipped.length) err(ctx, `(skipped ${skipped.length} YAML file${skipped.length === 1 ? '' : 's'} that ${skipped.length === 1 ? 'is' : 'are'} not a runbook: no top-level steps: and no runbook $schema modeline)`);
  if (results.length === 0) return ExitCode.usage;
  return invalid.length ? ExitCode.usage : ExitCode.ok;
};
export default command;
