/**
 * Dry-run: every step with its rendered input (secrets redacted) and the calls its provider
 * would make. Nothing is called. What the given inputs decide is decided here: titles that use
 * only inputs are rendered, an `if:` over inputs is evaluated (a step that will be skipped is
 * shown as skipped, without calls), and a `for_each` over inputs is expanded item by item (an
 * `if:` that uses `item` too). Values that depend on earlier steps' outputs are shown as the
 * expressions they are.
 */
import { stepLevelTitle } from './text.js';
import { needsConfirm, type Step } from '../runbook/step-rules.js';
import type { LoadedRunbook } from '../runbook/load.js';
import { evaluateField, hasExpression, ifUsesItem, references, render, truthy, type Scope } from '../runbook/expressions.js';
import { Secret } from '../secrets/secret.js';
import type { SecretRegistry } from '../secrets/registry.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { ActionDef, ProviderDef } from '../../providers/sdk.js';
import { createActionContext } from '../../providers/context.js';
import { storedError } from './item.js';
import { stepNeeds } from './engine.js';
import { defaultKey } from './step.js';
import { toStored } from './stored.js';

export interface PlannedStep {
  id: string;
  kind: Step['kind'];
  title: string;
  uses?: string;
  needs: string[];
  confirm: boolean;
  condition?: string;
  /** the condition is false for the given inputs: the step will be skipped */
  skipped?: boolean;
  forEach?: string;
  /** the items' keys, when the list is known from the inputs (items an `if:` skips are left out) */
  items?: string[];
  input?: unknown;
  calls: string[];
  note?: string;
}

const MAX_ITEMS = 50;

/**
 * Does a text refer only to what is known before the run (inputs, incident, secrets; `item` when
 * given)? `incident.opened_at` is not: a plan has no incident yet, and evaluating it as missing
 * dropped the field from the plan (`since: inputs.since || incident.opened_at` vanished).
 */
function early(text: string, mode: 'template' | 'expression', item = false): boolean {
  try {
    return references(text, mode).every((r) => r.root === 'inputs' || (r.root === 'incident' && r.path[0] !== 'opened_at') || r.root === 'secrets' || (item && r.root === 'item'));
  } catch {
    return false;
  }
}

/** `early` for every string under a value (a for_each list written in the runbook). */
function earlyDeep(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return !hasExpression(v) || early(v, 'template');
  if (depth > 32) return false;
  if (Array.isArray(v)) return v.every((x) => earlyDeep(x, depth + 1));
  if (v && typeof v === 'object') return Object.values(v).every((x) => earlyDeep(x, depth + 1));
  return true;
}

const fieldMode = (t: string): 'template' | 'expression' => (hasExpression(t) ? 'template' : 'expression');

/** Render deep, leaving any string that refers to runtime-only values (steps, item, result) as written. */
function renderKnown(v: unknown, scope: Scope): unknown {
  if (typeof v === 'string') {
    if (!hasExpression(v)) return v;
    const late = references(v).some((r) => r.root === 'steps' || (r.root === 'item' && !('item' in scope)) || r.root === 'result' || (r.root === 'incident' && r.path[0] === 'opened_at'));
    return late ? v : render(v, scope);
  }
  if (Array.isArray(v)) return v.map((x) => renderKnown(x, scope));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderKnown(x, scope)]));
  return v;
}

/** A title (or other text) rendered when it uses only inputs, else as written. */
function titleOf(step: Step, scope: Scope): string {
  if (!hasExpression(step.title) || !early(step.title, 'template')) return step.title;
  try {
    const v = render(step.title, scope);
    return v instanceof Secret ? step.title : typeof v === 'string' ? v : JSON.stringify(v);
  } catch {
    return step.title;
  }
}

/** The for_each list when the inputs decide it; undefined when it depends on earlier steps. */
function itemsOf(step: Step, scope: Scope): { key: string; item: unknown }[] | undefined {
  const fe = step.for_each;
  if (fe === undefined) return undefined;
  let list: unknown;
  try {
    if (Array.isArray(fe)) list = earlyDeep(fe) ? render(fe, scope) : undefined;
    else list = early(fe, fieldMode(fe)) ? evaluateField(fe, scope) : undefined;
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  const seen = new Map<string, number>();
  return list.map((item, i) => {
    let key = defaultKey(item, i);
    if (step.item_key && early(step.item_key, fieldMode(step.item_key), true)) {
      try {
        key = String(evaluateField(step.item_key, { ...scope, item }));
      } catch {
        /* keep the default key */
      }
    }
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return { key: n > 0 ? `${key}#${n + 1}` : key, item };
  });
}

/** true/false when the inputs decide the condition (per item: with `item` in scope), else undefined. */
function conditionOf(step: Step, scope: Scope, perItem: boolean): boolean | undefined {
  if (step.if === undefined) return true;
  if (typeof step.if === 'boolean') return step.if;
  if (!early(step.if, fieldMode(step.if), perItem)) return undefined;
  try {
    return truthy(evaluateField(step.if, scope));
  } catch {
    return undefined;
  }
}

export async function planRunbook(loaded: LoadedRunbook, registry: ProviderRegistry, inputs: Record<string, unknown>, secrets: SecretRegistry, key: Buffer): Promise<PlannedStep[]> {
  await registry.ready();
  const rb = loaded.runbook;
  const placeholder: Record<string, Secret> = {};
  for (const name of Object.keys(rb.secrets)) placeholder[name] = new Secret(`<secrets.${name}>`, `secrets.${name}`);
  const scope: Scope = { inputs, secrets: placeholder, incident: { id: '<incident>', mode: 'live', drill: false } };
  const needs = stepNeeds(rb.steps);
  const out: PlannedStep[] = [];
  // format 1.1: a repeat is followed by its inner steps, keyed as in the journal with any round (`eradicate#*.find`)
  const flat = rb.steps.flatMap((step): { step: Step; needs: string[] }[] => {
    const inner = (step.steps ?? []).map((x, j, all) => ({ step: { ...x, id: `${step.id}#*.${x.id}` }, needs: [j === 0 ? step.id : `${step.id}#*.${all[j - 1]!.id}`] }));
    return [{ step, needs: needs.get(step.id) ?? [] }, ...inner];
  });
  for (const { step, needs: after } of flat) {
    const perItem = ifUsesItem(step);
    const p: PlannedStep = {
      id: step.id,
      kind: step.kind,
      title: titleOf({ ...step, title: stepLevelTitle(step.title, Array.isArray(step.for_each) ? step.for_each.length : undefined) }, scope),
      uses: step.uses,
      needs: after,
      confirm: needsConfirm(step),
      condition: step.if === undefined ? undefined : String(step.if),
      forEach: step.for_each === undefined ? undefined : typeof step.for_each === 'string' ? step.for_each : `${step.for_each.length} items`,
      calls: [],
    };
    out.push(p);
    if (!perItem && conditionOf(step, scope, false) === false) {
      p.skipped = true;
      p.note = `skipped: the condition is false for these inputs (if: ${String(step.if)})`;
      continue;
    }
    if (step.repeat) {
      p.confirm = false;
      p.note = `repeat: runs its ${step.steps?.length ?? 0} steps in order, round after round, until ${String(step.repeat.until)} (at most ${step.repeat.max} rounds${step.repeat.every !== undefined ? `, ${String(step.repeat.every)} apart` : ''})`;
      continue;
    }
    if (step.watch) {
      const w = step.watch;
      p.note = `watch: a check every ${String(w.every)} for ${String(w.for)}${w.fail_if ? `; fails as soon as ${w.fail_if}` : ''}${w.until ? `; ends as soon as ${w.until}` : ''}`;
    }
    let items = itemsOf(step, scope);
    if (items && perItem) {
      const known = items.map((it) => conditionOf(step, { ...scope, item: it.item }, true));
      if (known.every((k) => k !== undefined)) items = items.filter((_, i) => known[i]);
    }
    if (items) {
      p.items = items.map((it) => it.key);
      p.forEach = `${items.length} item${items.length === 1 ? '' : 's'}${items.length ? `: ${p.items.slice(0, 10).join(', ')}${items.length > 10 ? ', …' : ''}` : ''}`;
    }
    if (!step.uses) {
      p.note = 'manual step: the operator does this and ticks it off';
      continue;
    }
    const [inst, act] = step.uses.split('.') as [string, string];
    const decl = rb.providers[inst];
    const def = decl ? registry.get(decl.type) : undefined;
    const action = def && Object.hasOwn(def.actions, act) ? def.actions[act] : undefined;
    const rendered = renderKnown(step.with ?? {}, scope);
    p.input = toStored(rendered, key, secrets.redactor);
    if (!def || !action || !decl) {
      p.note = `unknown action ${step.uses}`;
      continue;
    }
    const { type: _t, ...rawConfig } = decl;
    const config = def.config.safeParse(renderKnown(rawConfig, scope));
    if (!items) {
      p.calls.push(...(await callsFor(step, def, action, inst, act, config, rendered, secrets, '')));
      continue;
    }
    if (!items.length) p.note = 'no items: nothing will be called';
    for (const it of items.slice(0, MAX_ITEMS)) {
      const input = renderKnown(step.with ?? {}, { ...scope, item: it.item });
      p.calls.push(...(await callsFor(step, def, action, inst, act, config, input, secrets, `[${it.key}] `)));
    }
    if (items.length > MAX_ITEMS) p.calls.push(`… and ${items.length - MAX_ITEMS} more items`);
  }
  return out;
}

async function callsFor(
  step: Step,
  def: ProviderDef,
  action: ActionDef,
  inst: string,
  act: string,
  config: { success: boolean; data?: unknown },
  rendered: unknown,
  secrets: SecretRegistry,
  prefix: string,
): Promise<string[]> {
  const input = action.input.safeParse(rendered);
  if (!config.success || !input.success || JSON.stringify(toStored(rendered, Buffer.alloc(32), secrets.redactor)).includes('${{'))
    return [`${prefix}${step.uses} (its input depends on earlier steps; shown as written)`];
  if (!action.plan) return [`${prefix}call ${step.uses}`];
  try {
    const ctx = createActionContext({ instance: inst, type: def.type, action: act, config: config.data, secrets, incident: { id: '<incident>', stepId: step.id } });
    return (await action.plan(ctx, input.data)).map((line) => secrets.redactor.redact(prefix + line));
  } catch (e) {
    return [`${prefix}(plan unavailable: ${storedError(e).message})`];
  }
}
