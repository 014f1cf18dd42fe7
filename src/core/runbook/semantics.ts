/**
 * Semantic checks on a runbook that passed the schema: step ids and `needs` (unknown, cycles),
 * `uses` against the provider registry (instance declared, type known, action exists, kind
 * matches), provider config and `with` against the provider's zod schemas, step rules
 * (manual vs. action steps, for_each-only fields), inputs, and every expression's references.
 */
import type { z } from 'zod';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { ActionDef } from '../../providers/sdk.js';
import { hasExpression, references, type Root } from './expressions.js';
import { describeKinds, kindsOfExpr, kindsOfValue, staticPath, wholeExpression } from './expr-types.js';
import { shapeOf, type Shape } from './shapes.js';
import { compilePattern, type Pattern } from './pattern.js';
import { checkSplice } from './splice-check.js';
import { checkRepeat, checkVersion, checkWatch, flattenForChecks, isRepeat, REPEAT_OUTPUTS, WATCH_OUTPUTS } from './blocks.js';
import { checkDeep, checkText, type RefContext, type Site, type StepInfo } from './refs.js';
import type { Runbook, Step } from './schema.js';
import type { Path, Reporter } from './yaml.js';
import { knownKeys, reportZod, suggest } from './zod-issues.js';

const roots = (...r: Root[]): ReadonlySet<Root> => new Set(r);
const TEXT = roots('inputs', 'steps', 'incident', 'item');
const WITH = roots('inputs', 'secrets', 'steps', 'incident', 'item');
const COND = roots('inputs', 'steps', 'incident');
/** `if:` of a for_each step may use item: it is then evaluated once per item */
const COND_ITEM = roots('inputs', 'steps', 'incident', 'item');
const KEY = roots('item', 'inputs', 'incident');
/** outputs are evaluated once per step; for a for_each step `result` is {items, keys, count} */
const OUTPUTS = roots('result', 'inputs', 'steps', 'incident');
const EXPECT = roots('result', 'item', 'inputs', 'steps', 'incident');
const VERIFY_WITH = roots('inputs', 'secrets', 'steps', 'incident', 'item', 'result');
const CONFIG = roots('inputs', 'secrets', 'incident');

/** Is `rel` (or a value on the way to it) a string holding a `${{ }}` expression? */
function underExpression(data: unknown, rel: Path): boolean {
  let v = data;
  for (let i = 0; ; i++) {
    if (typeof v === 'string') return hasExpression(v);
    if (i >= rel.length || v === null || typeof v !== 'object') return false;
    const k = rel[i]!;
    if (!Object.hasOwn(v, typeof k === 'number' ? k : String(k))) return false;
    v = (v as Record<string | number, unknown>)[k];
  }
}

/** Validate `data` against a provider's schema; fields holding expressions are not judged by value. */
function checkAgainst(schema: z.ZodType, data: unknown, base: Path, rep: Reporter): void {
  let res;
  try {
    res = schema.safeParse(data);
  } catch (e) {
    rep.atPath(base, 'value', `the provider's schema failed on this value: ${(e as Error).message.split('\n')[0]}`, 'schema');
    return;
  }
  if (res.success) return;
  reportZod(res.error.issues, data, rep, {
    base,
    skip: (rel) => underExpression(data, rel),
    known: (rel) => knownKeys(schema, rel),
  });
}

/** For each output field that is a list of mappings: its elements' field names. */
function elementsOf(out: Shape): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const f of out.fields) if (f.type.endsWith('[]') && f.fields && out.elementsClosed.get(f.name)) m.set(f.name, f.fields.map((g) => g.name));
  return m;
}

interface Resolved {
  instance: string;
  type: string;
  name: string;
  action: ActionDef;
}

const shapes = new WeakMap<object, Shape>();
/** The declared fields of an action's input or output (cached per schema). */
function shape(schema: z.ZodType, io: 'input' | 'output'): Shape {
  let s = shapes.get(schema);
  if (!s) {
    s = shapeOf(schema, io);
    shapes.set(schema, s);
  }
  return s;
}

export function checkSemantics(written: Runbook, reporter: Reporter, registry: ProviderRegistry): void {
  checkVersion(written, reporter);
  // format 1.1: a repeat's inner steps are checked as steps of their own (blocks.ts)
  const { rb, rep } = flattenForChecks(written, reporter);
  checkInputs(rb, rep);
  const badTypes = checkProviders(rb, rep, registry);
  const steps = checkGraph(rb, rep);
  const ctx: RefContext = { rb, rep, steps };

  // provider config expressions
  for (const [name, inst] of Object.entries(rb.providers)) {
    const { type: _t, ...config } = inst;
    checkDeep(ctx, config, ['providers', name], { field: 'provider config', allowed: CONFIG });
  }

  const resolve = (uses: string, path: Path): Resolved | undefined => {
    const dot = uses.indexOf('.');
    const instance = uses.slice(0, dot);
    const name = uses.slice(dot + 1);
    if (!Object.hasOwn(rb.providers, instance)) {
      const hint = suggest(instance, Object.keys(rb.providers), 'declared') || ` (declare it: providers: { ${instance}: { type: … } })`;
      rep.atPath(path, 'value', `provider "${instance}" is not declared under providers:${hint}`, 'unknown-provider');
      return undefined;
    }
    const type = rb.providers[instance]!.type;
    if (badTypes.has(instance)) return undefined; // reported once, at providers.<instance>.type
    const action = registry.action(type, name);
    if (!action) {
      const names = Object.keys(registry.get(type)?.actions ?? {});
      rep.atPath(path, 'value', `provider "${instance}" (type ${type}) has no action "${name}"${suggest(name, names, 'actions')}`, 'unknown-action');
      return undefined;
    }
    return { instance, type, name, action };
  };

  // output names each step is known to produce (checked by steps.X.outputs.Y): declared
  // outputs; else a manual step's note and link; a for_each step's items, keys and count; or
  // the keys of the action's output schema
  const resolved = new Map<number, Resolved>();
  rb.steps.forEach((step, i) => {
    const info = steps.get(step.id);
    if (info && info.index === i && step.if !== undefined && step.if !== true) info.cond = String(step.if);
    const own = info && info.index === i && !step.outputs ? info : undefined;
    if (own && isRepeat(step)) own.outputs = REPEAT_OUTPUTS;
    if (isRepeat(step)) return;
    if (own && step.watch) own.outputs = WATCH_OUTPUTS;
    else if (own && step.kind === 'manual') {
      own.outputs = ['note', 'link'];
      own.kinds = new Map([['note', new Set(['string', 'null'])], ['link', new Set(['string', 'null'])]]);
    } else if (own && step.for_each !== undefined) {
      own.outputs = ['items', 'keys', 'count'];
      own.kinds = new Map([['items', new Set(['array'])], ['keys', new Set(['array'])], ['count', new Set(['number'])]]);
    }
    if (step.uses === undefined) return;
    const r = step.kind === 'manual' ? undefined : resolve(step.uses, ['steps', i, 'uses']);
    if (!r) return;
    resolved.set(i, r);
    if (own && step.for_each === undefined && !step.watch) {
      // a loose output object (catchall) may carry other keys: names not checked
      const out = shape(r.action.output, 'output');
      if (!out.open) own.outputs = out.fields.map((f) => f.name);
      own.kinds = out.kinds;
      own.elements = elementsOf(out);
    }
  });

  rb.steps.forEach((step, i) => {
    if (checkRepeat(ctx, step, i, written)) return;
    checkStep(ctx, step, i, resolved.get(i), resolve);
    checkWatch(ctx, step, i);
  });
}

function checkStep(ctx: RefContext, step: Step, i: number, r: Resolved | undefined, resolve: (uses: string, path: Path) => Resolved | undefined): void {
  const { rep } = ctx;
  const at = (...p: Path): Path => ['steps', i, ...p];
  const info = ctx.steps.get(step.id);
  const self: StepInfo | undefined = info?.index === i ? info : undefined;
  const forEach = step.for_each !== undefined;
  const site = (field: string, allowed: ReadonlySet<Root>, result?: Site['result']): Site => ({ field, allowed, step: self, forEach, result });
  /** what `result` holds for an action's output: its declared fields when the object is closed */
  const resultOf = (action: ActionDef | undefined, what: string): Site['result'] => {
    if (!action) return undefined;
    const out = shape(action.output, 'output');
    return out.open ? undefined : { fields: out.fields.map((f) => f.name), what, elements: elementsOf(out) };
  };

  if (step.kind === 'manual') {
    if (step.uses !== undefined) rep.atPath(at('uses'), 'key', 'manual steps call no provider; remove uses: or change the kind', 'manual-uses');
    if (step.with !== undefined) rep.atPath(at('with'), 'key', 'manual steps take no with: (they call no action)', 'manual-uses');
    if (step.retry !== undefined) rep.atPath(at('retry'), 'key', 'retry does not apply to manual steps', 'manual-uses');
    if (step.verify === true) rep.atPath(at('verify'), 'value', 'verify: true needs an action; give verify: { uses: …, expect: … }', 'verify');
    if (step.outputs !== undefined) rep.atPath(at('outputs'), 'key', 'manual steps have fixed outputs (note and link); remove outputs:', 'manual-uses');
  } else {
    if (step.uses === undefined)
      rep.atPath(at('uses'), 'parent', `missing required field "uses" (a ${step.kind} step calls a provider action; use kind: manual for a step done by hand)`, 'missing-key');
    if (step.evidence !== undefined) rep.atPath(at('evidence'), 'key', 'evidence applies to manual steps only', 'evidence');
  }
  if (!forEach) {
    if (step.concurrency !== undefined) rep.atPath(at('concurrency'), 'key', 'concurrency applies only with for_each', 'for-each');
    if (step.item_key !== undefined) rep.atPath(at('item_key'), 'key', 'item_key applies only with for_each', 'for-each');
  }

  if (r) {
    if (r.action.kind !== 'any' && r.action.kind !== step.kind)
      rep.atPath(at('kind'), 'value', `kind "${step.kind}" does not match ${step.uses}, which is a ${r.action.kind} action`, 'kind-mismatch');
    checkAgainst(r.action.input, step.with ?? {}, at('with'), rep);
    checkWithKinds(ctx, r, step.with, at('with'));
    if (r.type === 'shell') checkSplice(step.with, at('with'), rep);
    if (step.verify === true && typeof r.action.verify !== 'function')
      rep.atPath(at('verify'), 'value', `${step.uses} has no read-back of its own; give verify: { uses: …, expect: … }`, 'verify');
  }
  if (step.verify && typeof step.verify === 'object') {
    const v = resolve(step.verify.uses, at('verify', 'uses'));
    if (v) checkAgainst(v.action.input, step.verify.with ?? {}, at('verify', 'with'), rep);
    if (v) checkWithKinds(ctx, v, step.verify.with, at('verify', 'with'));
    if (v?.type === 'shell') checkSplice(step.verify.with, at('verify', 'with'), rep);
    // in verify.with, result is this step's own output (per item)
    if (step.verify.with) checkDeep(ctx, step.verify.with, at('verify', 'with'), site('verify.with', VERIFY_WITH, resultOf(r?.action, step.uses ?? '')));
    if (step.verify.expect !== undefined) checkText(ctx, step.verify.expect, at('verify', 'expect'), site('verify.expect', EXPECT, resultOf(v?.action, step.verify.uses)), 'field');
  }

  for (const f of ['title', 'description', 'instructions'] as const) {
    const v = step[f];
    if (v !== undefined) checkText(ctx, v, at(f), site(f, TEXT), 'template');
  }
  if (step.with) checkDeep(ctx, step.with, at('with'), site('with', WITH));
  if (typeof step.if === 'string') checkText(ctx, step.if, at('if'), site('if', forEach ? COND_ITEM : COND), 'field');
  if (typeof step.for_each === 'string') {
    checkText(ctx, step.for_each, at('for_each'), site('for_each', COND), 'field');
    checkForEachSource(ctx, step, at('for_each'));
  }
  else if (Array.isArray(step.for_each)) checkDeep(ctx, step.for_each, at('for_each'), site('for_each', COND));
  if (step.item_key !== undefined && forEach) checkText(ctx, step.item_key, at('item_key'), site('item_key', KEY), 'field');
  const result: Site['result'] = forEach ? { fields: ['items', 'keys', 'count'], what: 'a for_each step' } : resultOf(r?.action, step.uses ?? '');
  for (const [name, expr] of Object.entries(step.outputs ?? {})) checkText(ctx, expr, at('outputs', name), site('outputs', OUTPUTS, result), 'field');
}

/**
 * A `with` value that is one expression of a known kind (a declared input, a step output the
 * action declares, a literal, a function with a fixed result) must be a kind the field accepts.
 */
function checkWithKinds(ctx: RefContext, r: Resolved, w: Record<string, unknown> | undefined, path: Path): void {
  if (!w) return;
  const input = shape(r.action.input, 'input');
  const check = (v: unknown, want: ReadonlySet<string> | undefined, at: Path, type: string) => {
    if (typeof v !== 'string' || !hasExpression(v) || !want) return;
    const got = kindsOfValue(v, ctx.rb, ctx.steps);
    if (!got || [...got].some((x) => want.has(x))) return;
    ctx.rep.atPath(at, 'value', `${r.instance}.${r.name} takes ${describeKinds(want)} here (${type}), but this expression gives ${describeKinds(got)}`, 'schema');
  };
  for (const [k, v] of Object.entries(w)) {
    const type = input.fields.find((f) => f.name === k)?.type ?? '?';
    check(v, input.kinds.get(k), [...path, k], type);
    // each element of a list written out, e.g. command: [echo, "${{ inputs.n }}"]
    if (Array.isArray(v)) v.forEach((x, j) => check(x, input.itemKinds.get(k), [...path, k, j], type.replace(/\[\]$/, '').replace(/^\((.*)\)$/, '$1')));
  }
}

/**
 * A for_each over a value that is known not to be a list, or over the output of a step that may
 * be skipped (then it is null) when nothing here guards against that.
 */
function checkForEachSource(ctx: RefContext, step: Step, path: Path): void {
  const text = step.for_each as string;
  const e = wholeExpression(text, !hasExpression(text));
  if (!e) return;
  const kinds = kindsOfExpr(e, ctx.rb, ctx.steps);
  if (kinds && !kinds.has('array')) {
    ctx.rep.atPath(path, 'value', `for_each needs a list, and this expression gives ${describeKinds(kinds)}`, 'for-each');
    return;
  }
  const p = staticPath(e);
  if (p?.root !== 'steps' || p.path[1] !== 'outputs') return;
  const source = ctx.steps.get(p.path[0]!);
  if (!source?.cond) return;
  // guarded: this step's if: is the same, or itself reads that step's outputs
  if (typeof step.if === 'string') {
    if (step.if.trim() === source.cond.trim()) return;
    try {
      const refs = references(step.if, hasExpression(step.if) ? 'template' : 'expression');
      if (refs.some((x) => x.root === 'steps' && x.path[0] === source.id)) return;
    } catch {
      return; // reported by the expression checks
    }
  }
  const ref = `steps.${p.path.join('.')}`;
  ctx.rep.atPath(
    path,
    'value',
    `step "${source.id}" may be skipped (if: ${source.cond}), and then ${ref} is null, not a list; write for_each: \${{ ${ref} || [] }}, or give this step an if: that checks it`,
    'for-each',
  );
}

function checkInputs(rb: Runbook, rep: Reporter): void {
  for (const [name, input] of Object.entries(rb.inputs)) {
    const at = (...p: Path): Path => ['inputs', name, ...p];
    let re: Pattern | undefined;
    if (input.pattern !== undefined) {
      try {
        // the whole value must match (as the engine checks --input values); RE2: never backtracks
        re = compilePattern(input.pattern);
      } catch (e) {
        rep.atPath(at('pattern'), 'value', `not a valid regular expression: ${(e as Error).message}`, 'input');
      }
      if (input.type === 'number' || input.type === 'boolean') rep.atPath(at('pattern'), 'key', `pattern applies to string and list inputs, not ${input.type}`, 'input');
    }
    const d = input.default;
    if (d === undefined) continue;
    const ok =
      input.type === 'list' ? Array.isArray(d) : input.type === 'string' ? typeof d === 'string' : typeof d === input.type;
    if (!ok) {
      rep.atPath(at('default'), 'value', `default must be ${input.type === 'list' ? 'a list' : `a ${input.type}`} (type: ${input.type})`, 'input');
      continue;
    }
    if (re) {
      const values = Array.isArray(d) ? d : [d];
      if (values.some((v) => !re.test(String(v)))) rep.atPath(at('default'), 'value', 'default does not match pattern', 'input');
    }
  }
}

/** Check each instance's type and config; returns the instances whose type is unknown. */
function checkProviders(rb: Runbook, rep: Reporter, registry: ProviderRegistry): Set<string> {
  const bad = new Set<string>();
  for (const [name, inst] of Object.entries(rb.providers)) {
    const def = registry.get(inst.type);
    if (!def) {
      bad.add(name);
      const known = registry.list().map((p) => p.type);
      const close = suggest(inst.type, known);
      rep.atPath(
        ['providers', name, 'type'],
        'value',
        `unknown provider type "${inst.type}"${close.startsWith(' —') ? close : ''} (known: ${known.join(', ') || 'none'}); if it comes from a plugin, list it under plugins:`,
        'unknown-provider-type',
      );
      continue;
    }
    const { type: _t, ...config } = inst;
    checkAgainst(def.config, config, ['providers', name], rep);
  }
  return bad;
}

/** Step ids, needs, cycles; returns each id's info with its ancestor set. */
function checkGraph(rb: Runbook, rep: Reporter): Map<string, StepInfo> {
  const n = rb.steps.length;
  const byId = new Map<string, StepInfo>();
  rb.steps.forEach((s, i) => {
    const first = byId.get(s.id);
    if (first) rep.atPath(['steps', i, 'id'], 'value', `duplicate step id "${s.id}" (first used by steps[${first.index}]); ids must be unique — resume goes by id`, 'duplicate-id');
    else byId.set(s.id, { index: i, id: s.id, outputs: s.outputs ? Object.keys(s.outputs) : undefined });
  });

  // deps[i]: indices step i needs; implicit[i]: the default "previous step"
  const deps: number[][] = [];
  const implicit: boolean[] = [];
  rb.steps.forEach((s, i) => {
    if (s.needs === undefined) {
      deps.push(i > 0 ? [i - 1] : []);
      implicit.push(true);
      return;
    }
    implicit.push(false);
    const d: number[] = [];
    s.needs.forEach((id, j) => {
      const t = byId.get(id);
      const at: Path = ['steps', i, 'needs', j];
      if (!t) rep.atPath(at, 'value', `unknown step "${id}"${suggest(id, [...byId.keys()], 'steps')}`, 'unknown-step');
      else if (t.index === i) rep.atPath(at, 'value', 'a step cannot need itself', 'needs-cycle');
      else if (d.includes(t.index)) rep.atPath(at, 'value', `"${id}" is listed twice`, 'needs');
      else d.push(t.index);
    });
    deps.push(d);
  });

  // cycles: iterative DFS; each cycle reported once, at the needs entry that closes it
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const reported = new Set<string>();
  for (let root = 0; root < n; root++) {
    if (state[root]) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [v, k] = top;
      if (k >= deps[v]!.length) {
        state[v] = 2;
        stack.pop();
        continue;
      }
      top[1]++;
      const w = deps[v]![k]!;
      if (state[w] === 0) {
        state[w] = 1;
        stack.push([w, 0]);
      } else if (state[w] === 1) {
        const from = stack.findIndex(([x]) => x === w);
        const cyc = stack.slice(from).map(([x]) => x);
        const key = [...cyc].sort((a, b) => a - b).join(',');
        if (reported.has(key)) continue;
        reported.add(key);
        // start the message at a step whose needs: closes the cycle, and point at that entry
        const k0 = Math.max(0, cyc.findIndex((x) => !implicit[x]));
        const ring = [...cyc.slice(k0), ...cyc.slice(0, k0)];
        const a = ring[0]!;
        const b = ring[1 % ring.length]!;
        const names = ring.map((x) => `${rb.steps[x]!.id}${implicit[x] ? ' (after the previous step by default)' : ''}`);
        const path: Path = implicit[a] ? ['steps', a] : ['steps', a, 'needs', rb.steps[a]!.needs!.indexOf(rb.steps[b]!.id)];
        rep.atPath(path, 'value', `needs form a cycle: ${[...names, rb.steps[a]!.id].join(' → ')}`, 'needs-cycle');
      }
    }
  }

  // ancestors in topological order (Kahn); steps in a cycle get none (already reported)
  const words = (n + 31) >>> 5;
  const indeg = new Int32Array(n);
  const users: number[][] = Array.from({ length: n }, () => []);
  deps.forEach((d, i) => {
    indeg[i] = d.length;
    for (const j of d) users[j]!.push(i);
  });
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
  const anc: (Uint32Array | undefined)[] = new Array(n);
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    const set = new Uint32Array(words);
    for (const j of deps[i]!) {
      const a = anc[j]!;
      for (let w = 0; w < words; w++) set[w]! |= a[w]!;
      set[j >>> 5]! |= 1 << (j & 31);
    }
    anc[i] = set;
    for (const u of users[i]!) if (--indeg[u]! === 0) queue.push(u);
  }
  for (const info of byId.values()) info.ancestors = anc[info.index];
  return byId;
}
