/**
 * A stand-in runbook for one the schema refused, so that the semantic checks run too and one
 * `validate` reports every problem — also the ones inside a block (a repeat, a watch, a step)
 * that holds a schema error of its own.
 *
 * Each schema issue is repaired where it is: unknown keys are left out; a number out of range
 * takes the nearest bound; any other bad or missing value gets a stand-in the schema accepts
 * (the first choice of an enum, `true`, `1`, a placeholder name, an object of stand-ins); an
 * optional field that takes no stand-in is left out. A list element is replaced, never removed,
 * so every other path (and so every position) stays as written.
 *
 * The issues are reported already; the repaired paths are "tainted": a semantic check that
 * finds a problem at (or under) one of them says nothing, because what it would judge is the
 * stand-in, not the file.
 */
import type { z } from 'zod';
import { Runbook } from './schema.js';
import type { Path, Reporter } from './yaml.js';
import { getAt, unwrap } from './zod-issues.js';

type ZIssue = z.core.$ZodIssue;
type AnySchema = any;

export interface StandIn {
  runbook: Runbook;
  /** paths whose value is a stand-in (or was left out) */
  tainted: Path[];
}

/** Placeholder values, tried in order against the field's schema. */
const CANDIDATES: readonly unknown[] = [true, 1, 'standin', 'standin.standin', [], {}, null];
/** The most passes (each repairs the issues the last parse found; nested ones surface one level at a time). */
const MAX_PASSES = 12;

/**
 * The runbook with every schema issue repaired, or undefined when that is not possible (the
 * file is not a mapping, a list has too many elements, …): then only the schema issues are
 * reported, as before.
 */
export function standInFor(value: unknown, issues: readonly ZIssue[]): StandIn | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const copy = structuredClone(value) as Record<string, unknown>;
  const tainted: Path[] = [];
  /** ids kept as written (a stand-in only got them past the schema): restored after the parse */
  const keep: { path: Path; value: string }[] = [];
  let current = issues;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    for (const i of current) if (!repair(copy, i, [], tainted, keep)) return undefined;
    const res = Runbook.safeParse(copy);
    if (res.success) {
      for (const k of keep) setAt(res.data, k.path, k.value);
      return { runbook: res.data, tainted };
    }
    current = res.error.issues;
  }
  return undefined;
}

/** Repair one issue (its path relative to `base`) in place; false: it cannot be. */
function repair(root: Record<string, unknown>, i: ZIssue, base: Path, tainted: Path[], keep: { path: Path; value: string }[]): boolean {
  const p: Path = [...base, ...(i.path as Path)];
  if (i.code === 'unrecognized_keys') {
    const at = getAt(root, p);
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return false;
    for (const k of i.keys) {
      delete (at as Record<string, unknown>)[k];
      tainted.push([...p, k]);
    }
    return true;
  }
  if (i.code === 'invalid_union' && !i.discriminator) {
    // problems inside one alternative (e.g. verify: { uses, expect } with a bad field): repair
    // inside it, so the rest of the block is still checked
    const deep = i.errors.filter((b) => b.length > 0 && b.every((x) => x.path.length > 0)).sort((a, b) => a.length - b.length)[0];
    if (deep) return deep.every((x) => repair(root, x, p, tainted, keep));
  }
  if (i.code === 'invalid_key') {
    // a record key the schema refuses (an output name): leave the entry out
    const parent = getAt(root, p.slice(0, -1));
    if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) return false;
    delete (parent as Record<string, unknown>)[String(p[p.length - 1])];
    tainted.push(p);
    return true;
  }
  if (p.length === 0) return false;
  const parent = getAt(root, p.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return false;
  const last = p[p.length - 1]!;
  const key = Array.isArray(parent) ? Number(last) : String(last);
  const slot = parent as Record<string | number, unknown>;
  const present = Object.hasOwn(parent, key);
  const was = slot[key];
  const field = schemaAt(p);
  if (!field) return false;
  let value: { v: unknown } | undefined;
  if ((i.code === 'too_big' || i.code === 'too_small') && typeof was === 'number') value = clamp(field, i);
  value ??= preferred(p, parent) ?? make(field, 0);
  if (value) slot[key] = value.v;
  else if (present && !Array.isArray(parent) && field.safeParse(undefined).success) delete slot[key];
  else return false;
  tainted.push(p);
  if (last === 'id' || p[p.length - 2] === 'needs') if (typeof was === 'string') keep.push({ path: p, value: was });
  return true;
}

/** A step's kind: manual when it calls nothing (the checks of an action step would not apply). */
function preferred(p: Path, parent: object): { v: unknown } | undefined {
  if (p[p.length - 1] !== 'kind' || Array.isArray(parent)) return undefined;
  return { v: Object.hasOwn(parent, 'uses') ? 'detect' : 'manual' };
}

function clamp(field: AnySchema, i: Extract<ZIssue, { code: 'too_big' | 'too_small' }>): { v: unknown } | undefined {
  const bound = Number(i.code === 'too_big' ? i.maximum : i.minimum);
  if (!Number.isFinite(bound)) return undefined;
  const step = i.inclusive === false ? (i.code === 'too_big' ? -1 : 1) : 0;
  for (const v of [bound, bound + step, bound + step / 1000]) if (field.safeParse(v).success) return { v };
  return undefined;
}

/** A value `schema` accepts, made from placeholders. */
function make(schema: AnySchema, depth: number): { v: unknown } | undefined {
  if (depth > 6 || !schema?.safeParse) return undefined;
  const ok = (v: unknown) => {
    try {
      return schema.safeParse(v).success as boolean;
    } catch {
      return false;
    }
  };
  const d = unwrap(schema)?._zod?.def;
  const tries: unknown[] = [];
  if (d?.type === 'enum') tries.push(...Object.values(d.entries as Record<string, unknown>));
  if (d?.type === 'literal') tries.push(...(d.values as unknown[]));
  tries.push(...CANDIDATES);
  for (const v of tries) if (ok(v)) return { v: structuredClone(v) };
  if (d?.type === 'union') {
    for (const o of d.options as AnySchema[]) {
      const r = make(o, depth + 1);
      if (r && ok(r.v)) return r;
    }
  }
  if (d?.type === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(d.shape as Record<string, AnySchema>)) {
      if (f.safeParse(undefined).success) continue;
      const r = make(f, depth + 1);
      if (!r) return undefined;
      o[k] = r.v;
    }
    if (ok(o)) return { v: o };
  }
  if (d?.type === 'array') {
    const r = make(d.element, depth + 1);
    if (r && ok([r.v])) return { v: [r.v] };
  }
  return undefined;
}

/** The schema of the field at `path` of a runbook (unions: the first alternative that has it). */
function schemaAt(path: Path): AnySchema | undefined {
  let s: AnySchema = Runbook;
  for (const seg of path) {
    s = child(s, seg, 0);
    if (!s) return undefined;
  }
  return s;
}

function child(s: AnySchema, seg: string | number, depth: number): AnySchema | undefined {
  const d = unwrap(s)?._zod?.def;
  if (!d || depth > 4) return undefined;
  if (d.type === 'object') return typeof seg === 'string' && Object.hasOwn(d.shape, seg) ? d.shape[seg] : undefined;
  if (d.type === 'array') return typeof seg === 'number' ? d.element : undefined;
  if (d.type === 'record') return d.valueType;
  if (d.type === 'union') {
    for (const o of d.options as AnySchema[]) {
      const c = child(o, seg, depth + 1);
      if (c) return c;
    }
  }
  return undefined;
}

function setAt(data: unknown, path: Path, value: unknown): void {
  const parent = getAt(data, path.slice(0, -1));
  if (parent !== null && typeof parent === 'object') (parent as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

/** A reporter that drops the problems found at (or under) a tainted path; the others go to `rep`. */
export function sparing(rep: Reporter, tainted: readonly Path[]): Reporter {
  if (tainted.length === 0) return rep;
  const hit = (p: Path) => tainted.some((t) => t.length <= p.length && t.every((s, k) => s === p[k]));
  const out = Object.create(rep) as Reporter;
  out.atPath = (p, w, m, c) => {
    if (!hit(p)) rep.atPath(p, w, m, c);
  };
  out.atOffset = (o, p, m, c) => {
    if (typeof p === 'string' || !hit([...p])) rep.atOffset(o, p, m, c);
  };
  out.offsetOf = (p, w) => rep.offsetOf(p, w);
  return out;
}
