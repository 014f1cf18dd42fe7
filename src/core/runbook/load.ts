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
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { ProviderRegistry } from '../../providers/registry.js';
import { scanCredentials } from './credentials.js';
import { Runbook } from './schema.js';
import { checkSemantics } from './semantics.js';
import { MAX_BYTES, Reporter, readYaml } from './yaml.js';
import type { Document } from 'yaml';
import { describeValue, getAt, reportZod } from './zod-issues.js';
import type { z } from 'zod';

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
  if (!res.success) {
    if (parsed!.value === null || typeof parsed!.value !== 'object' || Array.isArray(parsed!.value)) {
      rep.atOffset(rep.offsetOf([], 'value'), '', `a runbook is a YAML mapping with version, id, title and steps (this file holds ${describeValue(parsed!.value)})`, 'schema');
      rep.throwIfAny();
    }
    reportZod(res.error.issues, parsed!.value, rep, { schema: Runbook });
    // keep going: with the unknown keys left out, the rest of the file is checked too, so one
    // run reports every problem (not only the first unknown key)
    runbook = withoutUnknownKeys(parsed!.value, res.error.issues);
    if (!runbook) rep.throwIfAny();
  }
  const registry = opts.registry ?? (defaultRegistry ??= new ProviderRegistry());
  checkSemantics(runbook!, rep, registry);
  rep.throwIfAny();
  return { runbook: runbook!, file, dir: dirname(resolve(file)), source: text, hash: createHash('sha256').update(text, 'utf8').digest('hex') };
}

/** Optional fields whose bad value can be left out without changing what the other checks see. */
const DROPPABLE_STEP = new Set(['description', 'instructions', 'concurrency', 'confirm', 'timeout', 'retry', 'on_failure', 'verify', 'evidence', 'drill', 'item_key']);
const DROPPABLE_TOP = new Set(['summary', 'severity', 'tags', 'owner', 'drill']);

/**
 * The runbook with the keys zod did not recognise, and optional fields with a bad value, left
 * out — undefined when anything else is wrong. The issues are reported already; this is only
 * so that the checks after the schema run too.
 */
function withoutUnknownKeys(value: unknown, issues: readonly z.core.$ZodIssue[]): Runbook | undefined {
  const copy = structuredClone(value) as Record<string, unknown>;
  for (const i of issues) {
    const p = i.path;
    if (i.code !== 'unrecognized_keys') {
      const [a, b, c] = p;
      if (p.length >= 1 && typeof a === 'string' && DROPPABLE_TOP.has(a)) delete copy[a];
      else if (a === 'steps' && typeof b === 'number' && typeof c === 'string' && DROPPABLE_STEP.has(c)) {
        const step = getAt(copy, ['steps', b]);
        if (step && typeof step === 'object') delete (step as Record<string, unknown>)[c];
      } else return undefined;
      continue;
    }
    const at = getAt(copy, p);
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return undefined;
    for (const k of (i as { keys: string[] }).keys) delete (at as Record<string, unknown>)[k];
  }
  const again = Runbook.safeParse(copy);
  return again.success ? again.data : undefined;
}

/** Read and validate a runbook file. Throws ValidationError (a missing or unreadable file too). */
export async function loadRunbook(file: string, opts: LoadOptions = {}): Promise<LoadedRunbook> {
  let text: string;
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (st.size > MAX_BYTES) {
      throw new ValidationError([{ file, line: 0, col: 0, path: '', message: `file is ${st.size} bytes; the limit is ${MAX_BYTES} bytes (4 MiB)`, code: 'too-large' }]);
    }
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
    throw new ValidationError([{ file, line: 0, col: 0, path: '', message: `cannot read the file: ${why}`, code: 'read' }], {
      nextSteps: ['Check the path.'],
    });
  }
  return loadRunbookText(text, file, opts);
}
