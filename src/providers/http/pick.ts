/**
 * `pick` — how the http provider reads a value out of a response body. The syntax (documented
 * in docs/runbook-format.md, "The http provider"):
 *
 *   pick     := "." | segment ("." segment)*
 *   segment  := name | index | "*" | quoted
 *   name     := one or more characters other than `.`, `"`, `*` and whitespace
 *   index    := digits (an element of a list; on a mapping, the key of that name)
 *   "*"      := every element of a list (or every value of a mapping): the rest of the pick is
 *               read from each, and the result is a list
 *   quoted   := a JSON string in double quotes, for a key holding `.`, `*` or spaces: `"a.b"`
 *
 * `.` alone is the whole body. It is not JSONPath (no `$`, no `[…]`, no filters), and a failed
 * pick says where it stopped and what keys were there, so the fix is visible without the docs.
 * Only own properties are followed: `__proto__` and friends never resolve.
 */

export type Segment = { kind: 'key'; name: string } | { kind: 'all' };

export interface ParsedPick {
  text: string;
  /** empty for `.` (the whole body) */
  segments: Segment[];
}

export class PickSyntaxError extends Error {}

const PLAIN = /^[^."*\s]+$/;

/** Parse a pick; throws PickSyntaxError with a message that says what a pick looks like. */
export function parsePick(text: string): ParsedPick {
  const bad = (why: string) =>
    new PickSyntaxError(`"${text}" is not a pick: ${why} (a pick is "." for the whole body, or keys and list positions joined by dots such as data.items.0.id; * for every element; "quoted" for a key with dots)`);
  if (text === '.') return { text, segments: [] };
  if (text === '') throw bad('it is empty');
  if (text === '$' || text.startsWith('$.') || text.startsWith('$[')) throw bad('JSONPath ($…) is not supported; drop the "$." prefix');
  const segments: Segment[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      // a JSON string literal: find its end, honouring escapes
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw bad('a quoted key is not closed');
      let name: string;
      try {
        name = JSON.parse(text.slice(i, j + 1)) as string;
      } catch {
        throw bad('a quoted key is not a valid JSON string');
      }
      segments.push({ kind: 'key', name });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.') j++;
      const part = text.slice(i, j);
      if (part === '*') segments.push({ kind: 'all' });
      else if (part === '') throw bad(i === 0 ? 'it starts with a dot' : 'it has an empty part (two dots, or a dot at the end)');
      else if (!PLAIN.test(part)) throw bad(`"${part}" must be quoted, as "${part.replace(/["\\]/g, '\\$&')}" (it holds *, a quote or a space)`);
      else segments.push({ kind: 'key', name: part });
      i = j;
    }
    if (i === text.length) break;
    if (text[i] !== '.') throw bad('a quoted key must be followed by a dot or the end');
    i++;
    if (i === text.length) throw bad('it ends with a dot');
  }
  return { text, segments };
}

/** A parsed pick, or the syntax problem as text (for zod refinements). */
export function pickProblem(text: string): string | undefined {
  try {
    parsePick(text);
    return undefined;
  } catch (e) {
    return e instanceof PickSyntaxError ? e.message : String(e);
  }
}

export function hasWildcard(p: ParsedPick): boolean {
  return p.segments.some((s) => s.kind === 'all');
}

/** How a path is shown in messages: the same syntax the pick is written in. */
export function showPath(segments: readonly (string | number)[]): string {
  if (segments.length === 0) return 'the body';
  return segments.map((s) => (typeof s === 'number' || (PLAIN.test(s) && !s.startsWith('$')) ? String(s) : JSON.stringify(s))).join('.');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}

function keysOf(v: Record<string, unknown>): string {
  const keys = Object.keys(v);
  if (keys.length === 0) return 'it has no keys';
  // keys are names, not values; still, a long one is cut (a mapping keyed by tokens is not printed whole)
  const shown = keys.slice(0, 20).map((k) => (k.length > 40 ? `${k.slice(0, 12)}…` : PLAIN.test(k) ? k : JSON.stringify(k)));
  return `its keys: ${shown.join(', ')}${keys.length > 20 ? `, … (${keys.length} in all)` : ''}`;
}

/** Where a pick stopped and why: `where` is the path reached, `why` what was (not) there. */
export class PickMiss {
  constructor(
    readonly where: (string | number)[],
    readonly why: string,
  ) {}
  /** `<what> <pick>: <why>`, e.g. `pick username = data.user.name: data.user has no key "name" (its keys: id, login)` */
  message(p: ParsedPick, what = 'pick'): string {
    return `${what} ${p.text}: ${this.why}`;
  }
}

export interface Picked {
  value: unknown;
  /** the concrete path of the value (no `*`), for a pick without wildcards */
  path: (string | number)[];
}

function walk(value: unknown, segs: readonly Segment[], at: (string | number)[]): Picked | PickMiss {
  let cur = value;
  const path = [...at];
  for (let n = 0; n < segs.length; n++) {
    const seg = segs[n]!;
    const here = showPath(path);
    if (seg.kind === 'all') {
      if (cur === null || typeof cur !== 'object') return new PickMiss(path, `${here} is ${describe(cur)}, so * has nothing to go through`);
      const entries: [string | number, unknown][] = Array.isArray(cur) ? cur.map((x, i) => [i, x]) : Object.entries(cur);
      const out: unknown[] = [];
      for (const [k, x] of entries) {
        const r = walk(x, segs.slice(n + 1), [...path, k]);
        if (r instanceof PickMiss) return r;
        out.push(r.value);
      }
      return { value: out, path };
    }
    const name = seg.name;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(name)) return new PickMiss(path, `${here} is ${describe(cur)}, so "${name}" is not a position in it (use 0…${Math.max(0, cur.length - 1)}, or * for every element)`);
      const i = Number(name);
      if (i >= cur.length) return new PickMiss(path, `${here} is ${describe(cur)}, so there is no position ${i}`);
      cur = cur[i];
      path.push(i);
    } else if (cur !== null && typeof cur === 'object') {
      if (!Object.hasOwn(cur, name)) return new PickMiss(path, `${here} has no key "${name}" (${keysOf(cur as Record<string, unknown>)})`);
      cur = (cur as Record<string, unknown>)[name];
      path.push(name);
    } else {
      return new PickMiss(path, `${here} is ${describe(cur)}, so it has no key "${name}"`);
    }
  }
  return { value: cur, path };
}

/**
 * Read a pick out of a value. A pick that reaches an absent key, a position past the end or a
 * scalar where it needs a mapping is a PickMiss (which says where and what was there). A value
 * that is present but JSON `null` is picked as `null`.
 */
export function pick(value: unknown, p: ParsedPick): Picked | PickMiss {
  return walk(value, p.segments, []);
}

/** A copy of `root` with the value at `path` replaced (lists and mappings copied along the way only). */
export function replaceAt(root: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[head as number] = replaceAt(copy[head as number], rest, replacement);
    return copy;
  }
  if (root !== null && typeof root === 'object') {
    const copy: Record<string, unknown> = { ...(root as Record<string, unknown>) };
    Object.defineProperty(copy, head as string, { value: replaceAt(copy[head as string], rest, replacement), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return root;
}
