/**
 * Expression checks for semantics: syntax, and what each expression may refer to — declared
 * inputs and secrets, steps that run before this one, `item` inside for_each, `result` where
 * a result exists.
 */
import { ExpressionError, hasExpression, references, whereConditions, type Root } from './expressions.js';
import type { Runbook } from './schema.js';
import { offsetInValue } from './positions.js';
import type { Path, Reporter } from './yaml.js';
import { suggest } from './zod-issues.js';

export interface StepInfo {
  index: number;
  id: string;
  /** bitset of the steps that surely ran before this one (undefined: in a cycle) */
  ancestors?: Uint32Array;
  /** declared or known output names (undefined: not known, not checked) */
  outputs?: string[];
  /** the JSON kinds of known outputs (from the action's declared output), for type checks */
  kinds?: Map<string, ReadonlySet<string> | undefined>;
  /** the step's `if:` when it may be skipped */
  cond?: string;
  /** for outputs that are lists of mappings: the fields of each element (closed objects only) */
  elements?: Map<string, string[]>;
}

export interface RefContext {
  rb: Runbook;
  rep: Reporter;
  steps: Map<string, StepInfo>;
}

/** Where an expression sits and what it may use. */
export interface Site {
  /** the field name for messages: `with`, `if`, `provider config` … */
  field: string;
  allowed: ReadonlySet<Root>;
  /** the step the expression belongs to (absent for provider config) */
  step?: StepInfo;
  forEach?: boolean;
  /** the fields `result` is known to have (undefined: not checked), and what returns it */
  result?: { fields: string[]; what: string; elements?: Map<string, string[]> };
}

export function hasBit(set: Uint32Array, i: number): boolean {
  return ((set[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0;
}

function rootMessage(root: Root, site: Site): string {
  switch (root) {
    case 'item':
      return site.step && !site.forEach && site.field !== 'for_each'
        ? 'item is only defined in a step with for_each'
        : `item cannot be used in ${site.field}`;
    case 'result':
      return `result is only defined in outputs: and verify: (not in ${site.field})`;
    case 'secrets':
      return `secrets cannot be used in ${site.field} (it would be shown, stored or compared); pass them in with: or a provider's config`;
    case 'steps':
      return `steps cannot be referred to in ${site.field}`;
    default:
      return `${root} cannot be used in ${site.field}`;
  }
}

/**
 * Check one string. `mode`: 'template' reads `${{ }}` parts only; 'field' reads a bare
 * expression unless the text holds `${{`.
 */
export function checkText(ctx: RefContext, text: string, path: Path, site: Site, mode: 'template' | 'field'): void {
  const bare = mode === 'field' && !hasExpression(text);
  if (!bare && !hasExpression(text)) return;
  const { rep, rb } = ctx;
  let refs;
  try {
    refs = references(text, bare ? 'expression' : 'template');
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    rep.atOffset(offsetInValue(rep, path, text, e.offset), path, `expression: ${e.message}`, 'expression');
    return;
  }
  checkWhereFields(ctx, text, path, site, bare);
  for (const ref of refs) {
    const at = () => offsetInValue(rep, path, text, ref.offset);
    const fail = (msg: string) => rep.atOffset(at(), path, msg, 'reference');
    if (!site.allowed.has(ref.root) || (ref.root === 'item' && !site.forEach)) {
      fail(rootMessage(ref.root, site));
      continue;
    }
    const [name, sub, out] = ref.path;
    if (ref.root === 'result' && name !== undefined && site.result && !site.result.fields.includes(name)) {
      const close = suggest(name, site.result.fields, 'fields');
      fail(`result has no field "${name}"${close.startsWith(' —') ? close : ''} (${site.result.what} returns: ${site.result.fields.join(', ') || 'nothing'})`);
    } else if (ref.root === 'inputs' && name !== undefined && !Object.hasOwn(rb.inputs, name)) {
      fail(`unknown input "${name}"${suggest(name, Object.keys(rb.inputs), 'inputs') || ' (declare it under inputs:)'}`);
    } else if (ref.root === 'secrets' && name !== undefined && !Object.hasOwn(rb.secrets, name)) {
      fail(`unknown secret "${name}"${suggest(name, Object.keys(rb.secrets), 'secrets') || ' (declare it under secrets:)'}`);
    } else if (ref.root === 'steps' && name !== undefined) {
      const target = ctx.steps.get(name);
      const self = site.step;
      if (!target) fail(`unknown step "${name}"${suggest(name, [...ctx.steps.keys()], 'steps')}`);
      else if (self && target.index === self.index)
        fail(`a step cannot read its own outputs through steps.${name} (use result in outputs:)`);
      else if (self?.ancestors && !hasBit(self.ancestors, target.index))
        fail(`step "${name}" does not run before this step; add it to needs: (directly or through a step that needs it)`);
      else if (sub !== undefined && sub !== 'outputs') fail(`only steps.${name}.outputs.NAME can be read (not .${sub})`);
      else if (sub === undefined && ref.path.length === 1) fail(`use steps.${name}.outputs.NAME`);
      else if (out !== undefined && target.outputs && !target.outputs.includes(out))
        fail(`step "${name}" has no output "${out}"${suggest(out, target.outputs, 'outputs')}`);
    }
  }
}

/** The element fields a where() condition reads must exist when the list's elements are declared. */
function checkWhereFields(ctx: RefContext, text: string, path: Path, site: Site, bare: boolean): void {
  for (const w of whereConditions(text, bare ? 'expression' : 'template')) {
    const l = w.list;
    let known: string[] | undefined;
    let what = '';
    if (l?.root === 'steps' && l.path.length === 3 && l.path[1] === 'outputs') {
      known = ctx.steps.get(l.path[0]!)?.elements?.get(l.path[2]!);
      what = `steps.${l.path.join('.')}`;
    } else if (l?.root === 'result' && l.path.length === 1) {
      known = site.result?.elements?.get(l.path[0]!);
      what = `result.${l.path[0]}`;
    }
    if (!known) continue;
    for (const f of w.fields) {
      if (known.includes(f.name)) continue;
      const close = suggest(f.name, known, 'fields');
      ctx.rep.atOffset(
        offsetInValue(ctx.rep, path, text, f.offset),
        path,
        `where() condition: the elements of ${what} have no field "${f.name}"${close.startsWith(' —') ? close : ''} (fields: ${known.join(', ')})`,
        'reference',
      );
    }
  }
}

/** Check every string under `value` (templates only), e.g. a `with:` mapping. */
export function checkDeep(ctx: RefContext, value: unknown, path: Path, site: Site, depth = 0): void {
  if (depth > 80) return;
  if (typeof value === 'string') checkText(ctx, value, path, site, 'template');
  else if (Array.isArray(value)) value.forEach((v, i) => checkDeep(ctx, v, [...path, i], site, depth + 1));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) checkDeep(ctx, v, [...path, k], site, depth + 1);
}
