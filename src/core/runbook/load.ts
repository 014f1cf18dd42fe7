/**
 * Load a runbook: read → strict YAML → zod schema → semantic checks. Any problem throws one
 * ValidationError holding every issue found (file:line:col, path, message, code frame).
 *
 * - `loadRunbook(file, opts)` reads the file (async).
 * - `loadRunbookText(text, file, opts)` is synchronous: same checks on text you already have.
 * - `parseYamlStrict(text, file)` parses any other YAML input (scenarios, fixtures) under the
 *   same strict rules and returns the plain value.
 */
import { createHash } from 'node:crypto';
import { FileNotReadError, readRegularFile } from '../read-file.js';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { ProviderRegistry } from '../../providers/registry.js';
import { scanCredentials } from './credentials.js';
import { Runbook } from './schema.js';
import { checkSemantics } from './semantics.js';
import { MAX_BYTES, Reporter, readYaml } from './yaml.js';
import type { Document } from 'yaml';
import { describeValue, reportZod } from './zod-issues.js';
import { sparing, standInFor } from './repair.js';

export { parseYamlStrict, MAX_BYTES } from './yaml.js';

export interface LoadedRunbook {
  runbook: Runbook;
  file: string;
  dir: string;
  source: string;
  /** sha256 hex of source */
  hash: string;
}

export interface LoadOptions {
  /** provider types to check `uses`, `with` and provider config against (default: the built-ins) */
  registry?: ProviderRegistry;
  /** stop collecting after this many problems (default 1000) */
  maxIssues?: number;
  /**
   * The same text already parsed by parseRunbookText() (e.g. to read its `plugins:` first):
   * the YAML is then not parsed a second time. Must be the parse of `text` and `file`.
   */
  parsed?: ParsedRunbookText;
}

/**
 * A runbook's text parsed once under the strict YAML rules, with the problems found so far.
 * A command reads what it needs before validating (the `plugins:` list) from `value` and hands
 * the same object to loadRunbookText — one YAML parse per command, not two.
 */
export interface ParsedRunbookText {
  readonly file: string;
  readonly text: string;
  /** the plain value; undefined when the YAML itself is unusable (`rep` holds why) */
  readonly value: unknown;
  /** true when the YAML parsed with no problem (the value can be trusted as the file's) */
  readonly clean: boolean;
  /** @internal the reporter holding the parse's problems, with the line counter of `text` */
  readonly rep: Reporter;
  /** @internal */
  readonly doc: { value: unknown; doc: Document } | undefined;
}

/** Parse a runbook's YAML (strict rules); validate it later with loadRunbookText(text, file, { parsed }). */
export function parseRunbookText(text: string, file: string, maxIssues?: number): ParsedRunbookText {
  const rep = new Reporter(file, text, maxIssues ?? 1000);
  const doc = readYaml(text, rep);
  return { file, text, value: doc?.value, clean: doc !== undefined && rep.issues.length === 0, rep, doc };
}

let defaultRegistry: ProviderRegistry | undefined;

/** Validate text as a runbook. Synchronous. Throws ValidationError with every issue found. */
export function loadRunbookText(text: string, file: string, opts: LoadOptions = {}): LoadedRunbook {
  const pre = opts.parsed && opts.parsed.text === text && opts.parsed.file === file ? opts.parsed : parseRunbookText(text, file, opts.maxIssues);
  const rep = pre.rep;
  const parsed = pre.doc;
  if (!parsed) rep.throwIfAny();
  // credentials are looked for whatever else is wrong with the file
  scanCredentials(rep);
  const res = Runbook.safeParse(parsed!.value);
  let runbook = res.data;
  let checks = rep;
  if (!res.success) {
    if (parsed!.value === null || typeof parsed!.value !== 'object' || Array.isArray(parsed!.value)) {
      rep.atOffset(rep.offsetOf([], 'value'), '', `a runbook is a YAML mapping with version, id, title and steps (this file holds ${describeValue(parsed!.value)})`, 'schema');
      rep.throwIfAny();
    }
    reportZod(res.error.issues, parsed!.value, rep, { schema: Runbook });
    // keep going: with each schema problem repaired by a stand-in, the semantic checks run too,
    // so one run reports every problem — also those in a block that holds a schema error
    // (repair.ts); they stay silent about the stand-ins themselves
    const stand = standInFor(parsed!.value, res.error.issues);
    if (!stand) rep.throwIfAny();
    runbook = stand!.runbook;
    checks = sparing(rep, stand!.tainted);
  }
  const registry = opts.registry ?? (defaultRegistry ??= new ProviderRegistry());
  checkSemantics(runbook!, checks, registry);
  rep.throwIfAny();
  return { runbook: runbook!, file, dir: dirname(resolve(file)), source: text, hash: createHash('sha256').update(text, 'utf8').digest('hex') };
}

/** Read and validate a runbook file. Throws ValidationError (a missing or unreadable file too). */
export async function loadRunbook(file: string, opts: LoadOptions = {}): Promise<LoadedRunbook> {
  let text: string;
  try {
    text = readRegularFile(file, MAX_BYTES);
  } catch (e) {
    if (e instanceof FileNotReadError && e.code === 'EFBIG') {
      throw new ValidationError([{ file, line: 0, col: 0, path: '', message: `${e.message} (4 MiB)`, code: 'too-large' }]);
    }
    if (e instanceof FileNotReadError) throw new ValidationError([{ file, line: 0, col: 0, path: '', message: `cannot read the file: ${e.message}`, code: 'read' }], { nextSteps: ['Give the runbook as a regular YAML file.'] });
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
    throw new ValidationError([{ file, line: 0, col: 0, path: '', message: `cannot read the file: ${why}`, code: 'read' }], {
      nextSteps: ['Check the path.'],
    });
  }
  return loadRunbookText(text, file, opts);
}
