/**
 * Strict YAML reading with positions. YAML 1.2 core schema, unique keys, no merge keys, no
 * aliases, no custom tags, no `__proto__`/`constructor`/`prototype` keys, a size cap and a
 * depth cap. Every problem becomes an Issue with file:line:col and a code frame.
 */
import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import { ValidationError, type Issue } from '../errors.js';
import { codeFrame, splitLines } from './codeframe.js';
import { redactShapes } from '../secrets/redactor.js';

/** 4 MiB: room for a 5,000-step runbook with instructions, far from what a parser struggles with. */
import { MAX_BYTES } from './limits.js';
export { MAX_BYTES };
export const MAX_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

export type Path = (string | number)[];

/** `steps[2].with.url`; keys that are not plain names are quoted: `with["my key"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

export type Where = 'key' | 'value' | 'parent';

/** Collects issues for one file and turns offsets and paths into positions and frames. */
export class Reporter {
  readonly issues: Issue[] = [];
  readonly file: string;
  readonly source: string;
  readonly lc = new LineCounter();
  root: Node | null = null;
  #lines: string[] | null = null;
  #limit: number;
  #dropped = 0;

  constructor(file: string, source: string, limit = 1000) {
    this.file = file;
    this.source = source;
    this.#limit = Math.max(1, limit);
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Add an issue at a source offset (undefined: no position). */
  atOffset(offset: number | undefined, path: readonly (string | number)[] | string, message: string, code: string): void {
    if (this.issues.length >= this.#limit) {
      this.#dropped++;
      return;
    }
    let line = 0;
    let col = 0;
    let frame: string | undefined;
    if (offset !== undefined && offset >= 0) {
      const p = this.lc.linePos(Math.min(offset, this.source.length));
      line = p.line;
      col = p.col;
      this.#lines ??= splitLines(this.source);
      frame = codeFrame(this.#lines, line, col) || undefined;
    }
    // a key or message could hold a token-shaped string from the file: never repeat it
    const where = redactShapes(typeof path === 'string' ? path : formatPath(path));
    const issue: Issue = { file: this.file, line, col, path: where, message: redactShapes(message), code };
    if (frame) issue.frame = frame;
    this.issues.push(issue);
  }

  /** Add an issue at the YAML node of `path`: its key, its value, or its parent map. */
  atPath(path: Path, where: Where, message: string, code: string): void {
    this.atOffset(this.offsetOf(path, where), path, message, code);
  }

  offsetOf(path: Path, where: Where): number | undefined {
    const target = where === 'parent' ? path.slice(0, -1) : path;
    const found = locate(this.root, target);
    if (found.depth === target.length) {
      if (where === 'key' && found.pair?.key && isNodeWithRange(found.pair.key)) return found.pair.key.range[0];
      if (found.node?.range) return found.node.range[0];
      if (found.pair?.key && isNodeWithRange(found.pair.key)) return found.pair.key.range[0];
    }
    // the deepest node that exists: a missing field is reported at its nearest parent
    return found.node?.range?.[0] ?? (found.pair?.key && isNodeWithRange(found.pair.key) ? found.pair.key.range[0] : 0);
  }

  /** Throw a ValidationError if anything was reported (`nextSteps`: what to do, by default for a runbook). */
  throwIfAny(nextSteps = ['Fix the problems above; docs/runbook-format.md describes every field.']): void {
    if (this.issues.length === 0) return;
    // in file order; issues without a position last
    const key = (i: Issue) => (i.line === 0 ? Number.MAX_SAFE_INTEGER : i.line * 100_000 + i.col);
    const issues = [...this.issues].sort((a, b) => key(a) - key(b));
    if (this.#dropped > 0)
      issues.push({ file: this.file, line: 0, col: 0, path: '', message: `stopped after ${this.issues.length} problems (${this.#dropped} more not shown)`, code: 'too-many' });
    throw new ValidationError(issues, { nextSteps });
  }
}

function isNodeWithRange(n: unknown): n is Node & { range: [number, number, number] } {
  return !!n && typeof n === 'object' && Array.isArray((n as Node).range);
}

export function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null || key.value === undefined ? undefined : String(key.value);
  return undefined;
}

/** Walk the node tree along `path`; `depth` is how many segments were found. */
export function locate(root: Node | null, path: Path): { node: Node | null; pair: Pair | null; depth: number } {
  let node: Node | null = root;
  let pair: Pair | null = null;
  let depth = 0;
  for (const seg of path) {
    if (isMap(node)) {
      const p = node.items.find((it) => keyString(it.key) === String(seg));
      if (!p) break;
      pair = p as Pair;
      node = (p.value as Node | null) ?? null;
    } else if (isSeq(node) && typeof seg === 'number') {
      const it = node.items[seg] as Node | undefined;
      if (!it) break;
      pair = null;
      node = it;
    } else break;
    depth++;
  }
  return { node, pair, depth };
}

/** Parse and convert; on any problem the issues are in `rep` and the result is undefined. */
/** How many YAML documents this process parsed (a command should parse its runbook once: the tests check it). */
export const yamlParses = { count: 0 };

export function readYaml(text: string, rep: Reporter): { value: unknown; doc: Document } | undefined {
  yamlParses.count++;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_BYTES) {
    rep.atOffset(undefined, '', `file is ${bytes} bytes; the limit is ${MAX_BYTES} bytes (4 MiB)`, 'too-large');
    return undefined;
  }
  const doc = parseDocument(text, {
    lineCounter: rep.lc,
    uniqueKeys: true,
    merge: false,
    schema: 'core',
    customTags: [],
    prettyErrors: false,
    keepSourceTokens: false,
  });
  const seen = new Set<string>();
  for (const e of [...doc.errors, ...doc.warnings]) {
    const msg = e.message.split('\n')[0]!;
    const key = `${e.pos[0]}:${msg}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const code = e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : e.code === 'TAG_RESOLVE_FAILED' ? 'yaml-tag' : 'yaml-syntax';
    const message =
      e.code === 'DUPLICATE_KEY'
        ? 'this key appears twice in the same mapping'
        : e.code === 'RESOURCE_EXHAUSTION'
          ? 'the document is nested too deeply'
          : e.code === 'TAG_RESOLVE_FAILED'
            ? `${msg} (custom tags are not allowed)`
            : e.code === 'MULTIPLE_DOCS'
              ? 'a runbook is one YAML document; remove the second document (after ---)'
              : msg;
    rep.atOffset(e.pos[0], '', message, code);
    if (e.code === 'RESOURCE_EXHAUSTION') break;
  }
  if (doc.directives?.yaml.explicit && doc.directives.yaml.version !== '1.2') {
    const at = /^%YAML/m.exec(text)?.index ?? 0;
    rep.atOffset(at, '', `%YAML ${doc.directives.yaml.version} is not supported; runbooks are YAML 1.2 (remove the directive)`, 'yaml-syntax');
  }
  if (rep.issues.length > 0) return undefined;
  rep.root = (doc.contents as Node | null) ?? null;
  const before = rep.issues.length;
  const value = toJS(rep.root, [], rep, 0);
  if (rep.issues.length > before) return undefined;
  return { value, doc };
}

/** The node's range starts at its value; the tag (`!!binary`, `!foo`) is the token before it. */
function tagOffset(src: string, start: number | undefined): number | undefined {
  if (start === undefined) return undefined;
  let i = start;
  while (i > 0 && (src[i - 1] === ' ' || src[i - 1] === '\t')) i--;
  let j = i;
  while (j > 0 && !/\s/.test(src[j - 1]!)) j--;
  return src[j] === '!' ? j : start;
}

function checkTag(n: Node, path: Path, rep: Reporter): boolean {
  const tag = (n as { tag?: string }).tag;
  if (tag && !CORE_TAGS.has(tag)) {
    rep.atOffset(tagOffset(rep.source, n.range?.[0]), path, `tag ${tag} is not allowed (plain YAML only: strings, numbers, booleans, null, lists, mappings)`, 'yaml-tag');
    return false;
  }
  return true;
}

function toJS(n: Node | null, path: Path, rep: Reporter, depth: number): unknown {
  if (n === null || n === undefined) return null;
  if (depth > MAX_DEPTH) {
    rep.atOffset(n.range?.[0], path, `nested deeper than ${MAX_DEPTH} levels`, 'too-deep');
    return null;
  }
  if (isAlias(n)) {
    rep.atOffset(n.range?.[0], path, `aliases (*${n.source}) are not allowed; write the value out`, 'yaml-alias');
    return null;
  }
  if (!checkTag(n, path, rep)) return null;
  if (isScalar(n)) {
    const v = n.value;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    rep.atOffset(n.range?.[0], path, 'unsupported value type', 'yaml-tag');
    return null;
  }
  if (isSeq(n)) return n.items.map((it, i) => toJS(it as Node, [...path, i], rep, depth + 1));
  if (isMap(n)) {
    const out: Record<string, unknown> = {};
    for (const p of n.items) {
      if (!isPair(p)) continue;
      const k = p.key as Node | null;
      const name = keyString(k);
      const kpos = isNodeWithRange(k) ? k.range[0] : n.range?.[0];
      if (isAlias(k)) {
        rep.atOffset(kpos, path, 'aliases are not allowed as keys', 'yaml-alias');
        continue;
      }
      if (name === undefined || !isScalar(k)) {
        rep.atOffset(kpos, path, 'keys must be plain text (no empty, list or mapping keys)', 'bad-key');
        continue;
      }
      if (!checkTag(k, [...path, name], rep)) continue;
      if (FORBIDDEN_KEYS.has(name)) {
        rep.atOffset(kpos, [...path, name], `the key "${name}" is not allowed`, 'forbidden-key');
        continue;
      }
      if (Object.hasOwn(out, name)) {
        rep.atOffset(kpos, [...path, name], 'this key appears twice in the same mapping', 'duplicate-key');
        continue;
      }
      out[name] = toJS(p.value as Node | null, [...path, name], rep, depth + 1);
    }
    return out;
  }
  rep.atOffset((n as Node).range?.[0], path, 'unsupported YAML node', 'yaml-syntax');
  return null;
}

/**
 * Parse any YAML input (scenario files, the config file, fixtures) under the same strict rules as
 * runbooks and return the plain JS value; throws ValidationError with positions (and `nextSteps`
 * when the file is not a runbook's kind).
 */
export function parseYamlStrict(text: string, file: string, nextSteps?: string[]): unknown {
  const rep = new Reporter(file, text);
  const res = readYaml(text, rep);
  rep.throwIfAny(nextSteps);
  return res?.value ?? null;
}
