/**
 * Dry-run: every step with its rendered input (secrets redacted) and the calls its provider
 * would make. Nothing is called. Values that depend on earlier steps' outputs are shown as
 * the expressions they are.
 */
import { renderText, stepLevelTitle } from './text.js';
import { needsConfirm, type Step } from '../runbook/schema.js';
import type { LoadedRunbook } from '../runbook/load.js';
import { hasExpression, references, render, type Scope } from '../runbook/expressions.js';
import { Secret } from '../secrets/secret.js';
import type { SecretRegistry } from '../secrets/registry.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import { createActionContext } from '../../providers/context.js';
import { storedError } from './item.js';
import { stepNeeds } from './engine.js';
import { toStored } from './stored.js';

export interface PlannedStep {
  id: string;
  kind: Step['kind'];
  title: string;
  uses?: string;
  needs: string[];
  confirm: boolean;
  condition?: string;
  forEach?: string;
  input?: unknown;
  calls: string[];
  note?: string;
}

/** Render deep, leaving any string that refers to runtime-only values (steps, item, result) as written. */
function renderKnown(v: unknown, scope: Scope): unknown {
  if (typeof v === 'string') {
    if (!hasExpression(v)) return v;
    const late = references(v).some((r) => r.root === 'steps' || r.root === 'item' || r.root === 'result');
    return late ? v : render(v, scope);
  }
  if (Array.isArray(v)) return v.map((x) => renderKnown(x, scope));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderKnown(x, scope)]));
  return v;
}

export async function planRunbook(loaded: LoadedRunbook, registry: ProviderRegistry, inputs: Record<string, unknown>, secrets: SecretRegistry, key: Buffer): Promise<PlannedStep[]> {
  const rb = loaded.runbook;
  const placeholder: Record<string, Secret> = {};
  for (const name of Object.keys(rb.secrets)) placeholder[name] = new Secret(`<secrets.${name}>`, `secrets.${name}`);
  const scope: Scope = { inputs, secrets: placeholder, incident: { id: '<incident>', mode: 'live', drill: false } };
  const needs = stepNeeds(rb.steps);
  const out: PlannedStep[] = [];
  for (const step of rb.steps) {
    const p: PlannedStep = {
      id: step.id,
      kind: step.kind,
      title: stepLevelTitle(step.title, Array.isArray(step.for_each) ? step.for_each.length : undefined, (t) => renderText(t, scope) ?? t),
      uses: step.uses,
      needs: needs.get(step.id) ?? [],
      confirm: needsConfirm(step),
      condition: step.if === undefined ? undefined : String(step.if),
      forEach: step.for_each === undefined ? undefined : typeof step.for_each === 'string' ? step.for_each : `${step.for_each.length} items`,
      calls: [],
    };
    out.push(p);
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
    const input = action.input.safeParse(rendered);
    if (!config.success || !input.success || JSON.stringify(p.input).includes('${{')) {
      p.calls.push(`${step.uses} (its input depends on earlier steps; shown as written)`);
      continue;
    }
    if (!action.plan) {
      p.calls.push(`call ${step.uses}`);
      continue;
    }
    try {
      const ctx = createActionContext({ instance: inst, type: def.type, action: act, config: config.data, secrets, incident: { id: '<incident>', stepId: step.id } });
      for (const line of await action.plan(ctx, input.data)) p.calls.push(secrets.redactor.redact(line));
    } catch (e) {
      p.calls.push(`(plan unavailable: ${storedError(e).message})`);
    }
  }
  return out;
}
