/**
 * What a provider's zod schemas declare, as plain data: the top-level fields of an input,
 * config or output schema (name, short type, required, default, description), and the JSON
 * types a field accepts. Derived with zod 4 `z.toJSONSchema`; secret fields (`z.custom`, e.g.
 * `secretField()` / `SecretOut`) show as `secret`. Used by `runbook providers`, the generated
 * docs/providers.md, and validate (result.<field> and `with` type checks).
 */
import { z } from 'zod';

export interface FieldInfo {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  /** outputs: the fields of a mapping, or of each element of a list of mappings */
  fields?: FieldInfo[];
}

export type Json = Record<string, unknown>;
const SECRET = 'x-runbook-secret';

export function jsonSchemaOf(schema: unknown, io: 'input' | 'output' = 'input'): Json | undefined {
  try {
    return z.toJSONSchema(schema as z.ZodType, {
      io,
      // z.custom is how a Secret field is declared (secretField, SecretOut)
      unrepresentable: (c) => ((c.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def?.type === 'custom' ? { [SECRET]: true } : 'any'),
    }) as Json;
  } catch {
    return undefined;
  }
}

export function deref(s: unknown, root: Json, seen: ReadonlySet<string> = new Set()): Json {
  if (s === true || s === undefined || s === null || typeof s !== 'object') return {};
  const ref = (s as Json).$ref;
  if (typeof ref !== 'string' || seen.has(ref)) return s as Json;
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const target = m ? ((root[m[1]!] as Json | undefined)?.[m[2]!] as Json | undefined) : undefined;
  return target ? deref({ ...target, ...(s as Json), $ref: undefined }, root, new Set([...seen, ref])) : {};
}

/** A short type name for a JSON Schema node: string, integer, email, url, secret, a|b, string[], map<string>, any. */
export function typeName(node: unknown, root: Json, depth = 0): string {
  const s = deref(node, root);
  if (depth > 6) return 'any';
  if (s[SECRET]) return 'secret';
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(alts)) return [...new Set(alts.map((a) => typeName(a, root, depth + 1)))].join('|');
  if (Array.isArray(s.allOf) && s.allOf.length) return typeName(s.allOf[0], root, depth + 1);
  if (Array.isArray(s.enum)) return s.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('|');
  if (s.const !== undefined) return typeof s.const === 'string' ? s.const : JSON.stringify(s.const);
  const t = s.type;
  if (Array.isArray(t)) return t.map((x) => typeName({ ...s, type: x }, root, depth + 1)).join('|');
  switch (t) {
    case 'string':
      return s.format === 'email' ? 'email' : s.format === 'uri' ? 'url' : 'string';
    case 'integer':
    case 'number':
    case 'boolean':
    case 'null':
      return t;
    case 'array': {
      const item = s.items === undefined ? 'any' : typeName(s.items, root, depth + 1);
      return item.includes('|') ? `(${item})[]` : `${item}[]`;
    }
    case 'object': {
      if (s.properties && typeof s.properties === 'object' && Object.keys(s.properties).length) return 'object';
      const ap = s.additionalProperties;
      return ap && typeof ap === 'object' ? `map<${typeName(ap, root, depth + 1)}>` : 'object';
    }
    default:
      return 'any';
  }
}

/** The JSON kinds a node accepts: string, number, boolean, null, array, object, secret; undefined = anything. */
export function kindsOf(node: unknown, root: Json, depth = 0): Set<string> | undefined {
  const s = deref(node, root);
  if (depth > 6) return undefined;
  if (s[SECRET]) return new Set(['secret']);
  const alts = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(alts)) {
    const out = new Set<string>();
    for (const a of alts) {
      const k = kindsOf(a, root, depth + 1);
      if (!k) return undefined;
      k.forEach((x) => out.add(x));
    }
    return out;
  }
  if (Array.isArray(s.allOf) && s.allOf.length) return kindsOf(s.allOf[0], root, depth + 1);
  const vals = Array.isArray(s.enum) ? s.enum : s.const !== undefined ? [s.const] : undefined;
  if (vals) return new Set(vals.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)));
  const t = s.type;
  const list = Array.isArray(t) ? t : typeof t === 'string' ? [t] : undefined;
  if (!list) return undefined;
  return new Set(list.map((x) => (x === 'integer' ? 'number' : String(x))));
}

export interface Shape {
  fields: FieldInfo[];
  /** the JSON kinds each field accepts (undefined: anything) */
  kinds: Map<string, Set<string> | undefined>;
  /** for a field that is a list: the kinds its elements accept */
  itemKinds: Map<string, Set<string> | undefined>;
  /** for a field that is a list of mappings: whether those mappings are closed (no other keys) */
  elementsClosed: Map<string, boolean>;
  /** true when the object may hold keys other than `fields` (loose, catchall, or not an object) */
  open: boolean;
}

/** The top-level fields of an object schema (an input, a config or an output). */
export function shapeOf(schema: unknown, io: 'input' | 'output' = 'input'): Shape {
  const js = jsonSchemaOf(schema, io);
  if (!js) return { fields: [], kinds: new Map(), itemKinds: new Map(), elementsClosed: new Map(), open: true };
  const root = deref(js, js);
  const props = (root.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(root.required) ? (root.required as string[]) : []);
  const kinds = new Map<string, Set<string> | undefined>();
  const itemKinds = new Map<string, Set<string> | undefined>();
  const elementsClosed = new Map<string, boolean>();
  const fields = Object.entries(props).map(([name, p]) => {
    const node = deref(p, js);
    kinds.set(name, kindsOf(node, js));
    if (node.type === 'array' && node.items !== undefined) {
      itemKinds.set(name, kindsOf(node.items, js));
      const el = deref(node.items, js);
      elementsClosed.set(name, el.type === 'object' && el.additionalProperties === false);
    }
    return fieldInfo(name, node, js, required, io === 'output' ? 2 : 0);
  });
  const ap = root.additionalProperties;
  const open = root.type !== 'object' || !(ap === false || (ap && typeof ap === 'object' && (ap as Json).not !== undefined));
  return { fields, kinds, itemKinds, elementsClosed, open };
}

function fieldInfo(name: string, node: Json, js: Json, required: ReadonlySet<string>, nest: number): FieldInfo {
  const f: FieldInfo = { name, type: typeName(node, js), required: required.has(name) && node.default === undefined };
  if (node.default !== undefined) f.default = node.default;
  if (typeof node.description === 'string') f.description = node.description;
  if (nest > 0) {
    // a mapping, or a list of mappings (possibly nullable): its fields, for the reference
    const inner = [node, ...(((node.anyOf ?? node.oneOf) as unknown[] | undefined) ?? []).map((x) => deref(x, js))];
    for (const n of inner) {
      const obj = n.type === 'array' ? deref(n.items, js) : n;
      const props = obj.type === 'object' && obj.properties && typeof obj.properties === 'object' ? (obj.properties as Record<string, unknown>) : undefined;
      if (!props || !Object.keys(props).length) continue;
      const req = new Set(Array.isArray(obj.required) ? (obj.required as string[]) : []);
      f.fields = Object.entries(props).map(([k, p]) => fieldInfo(k, deref(p, js), js, req, nest - 1));
      break;
    }
  }
  return f;
}

/** The top-level fields of an object schema (outputs: with the fields of nested mappings, two levels). */
export function fieldsOf(schema: unknown, io: 'input' | 'output' = 'input'): FieldInfo[] {
  return shapeOf(schema, io).fields;
}
