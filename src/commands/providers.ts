/**
 * `runbook providers [TYPE…] [--plugin PATH|PACKAGE]… [--json]` — every provider type with its
 * actions: kind, idempotency, which of plan / verify / simulate it supports, its input fields
 * and its declared output fields (`result.FIELD`), derived from the zod schemas
 * (../core/runbook/shapes.ts). Secret fields (`z.custom`, e.g. `secretField()`) show as `secret`.
 * docs/providers.md is generated from the same data (./providers-doc.ts).
 *
 * `--json` prints `{providersVersion: 1, providers: [...]}`: providers sorted by type, actions
 * and fields in the order the provider declares them. Text is wrapped for 80 columns.
 */
import { UsageError } from '../core/errors.js';
import { ProviderRegistry, loadPlugin } from '../providers/registry.js';
import type { ActionDef, ProviderDef } from '../providers/sdk.js';
import { out, outJson, parseCommandFlags, type Command } from './context.js';
import { collect } from './shared.js';
import { fieldsOf, type FieldInfo } from '../core/runbook/shapes.js';

export { fieldsOf, typeName, type FieldInfo } from '../core/runbook/shapes.js';

/**
 * Built-in providers with a service simulator under src/drill/simulators (file or folder name),
 * and the actions it covers when not all of them. test/plugins/providers-command.test.ts pins
 * this table against that folder. A plugin counts as simulated when it has `drill.configFor`.
 */
export const SIMULATORS: Readonly<Record<string, { simulator: string; actions?: readonly string[] }>> = {
  aws: { simulator: 'aws' },
  email: { simulator: 'smtp' },
  github: { simulator: 'github' },
  http: { simulator: 'webhook', actions: ['webhook'] },
  huggingface: { simulator: 'huggingface' },
  pagerduty: { simulator: 'pagerduty' },
  slack: { simulator: 'slack' },
};

export interface ActionInfo {
  name: string;
  kind: string;
  description: string;
  idempotent: boolean | 'per input';
  plan: boolean;
  verify: boolean;
  simulate: boolean;
  input: FieldInfo[];
  /** the declared output fields (its `result`) */
  output: FieldInfo[];
}

export interface ProviderInfo {
  type: string;
  description: string;
  /** `built-in`, or the plugin spec it was loaded from */
  source: string;
  simulator?: string;
  config: FieldInfo[];
  actions: ActionInfo[];
}

function actionInfo(def: ProviderDef, name: string, a: ActionDef, simulated: boolean): ActionInfo {
  const sim = SIMULATORS[def.type];
  return {
    name,
    kind: a.kind,
    description: a.description,
    idempotent: typeof a.idempotent === 'function' ? 'per input' : a.idempotent,
    plan: typeof a.plan === 'function',
    verify: typeof a.verify === 'function',
    simulate: simulated && (!sim?.actions || sim.actions.includes(name)),
    input: fieldsOf(a.input),
    output: fieldsOf(a.output, 'output'),
  };
}

export function describeProvider(def: ProviderDef, source = 'built-in'): ProviderInfo {
  const sim = source === 'built-in' ? SIMULATORS[def.type] : undefined;
  const simulated = !!sim || typeof def.drill?.configFor === 'function';
  return {
    type: def.type,
    description: def.description,
    source,
    ...(sim ? { simulator: sim.simulator } : simulated ? { simulator: 'drill.configFor' } : {}),
    config: fieldsOf(def.config),
    actions: Object.entries(def.actions).map(([n, a]) => actionInfo(def, n, a, simulated)),
  };
}

// ------------------------------------------------------------------ text

const WIDTH = 80;

/** Wrap to WIDTH: the first line starts with `lead`, later ones with `indent` spaces. `words` are never split. */
function wrap(lead: string, words: string | string[], indent: number): string[] {
  // an expression such as ${{ secrets.token }} is kept on one line
  const list = typeof words === 'string' ? (words.match(/\$\{\{.*?\}\}\S*|\S+/g) ?? []) : words;
  const lines: string[] = [];
  let line = lead;
  let empty = true;
  for (const word of list) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    } else line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}

function supports(a: ActionInfo): string {
  const yes = (['plan', 'verify', 'simulate'] as const).filter((k) => a[k]);
  return yes.length ? `supports ${yes.join(', ')}` : 'no plan, verify or simulate';
}

function idem(a: ActionInfo): string {
  return a.idempotent === 'per input' ? 'idempotent per input' : a.idempotent ? 'idempotent' : 'not idempotent';
}

function fieldLines(fields: FieldInfo[], indent: number): string[] {
  if (!fields.length) return [' '.repeat(indent) + '(no input)'];
  const nameW = Math.min(22, Math.max(...fields.map((f) => f.name.length + (f.required ? 1 : 0))));
  const typeW = Math.min(22, Math.max(...fields.map((f) => f.type.length)));
  const lines: string[] = [];
  for (const f of fields) {
    const name = (f.name + (f.required ? '*' : '')).padEnd(nameW);
    const notes = [f.default !== undefined ? `default ${JSON.stringify(f.default)}` : '', f.description ?? ''].filter(Boolean).join('; ');
    const head = `${' '.repeat(indent)}${name}  ${f.type}`;
    if (!notes) {
      lines.push(head);
      continue;
    }
    const col = indent + nameW + 2 + typeW + 2;
    if (head.length + 2 > col || col > WIDTH - 24) lines.push(head, ...wrap(' '.repeat(indent + 4), notes, indent + 4));
    else lines.push(...wrap(head.padEnd(col), notes, col));
  }
  return lines;
}

export function renderText(list: ProviderInfo[]): string {
  const lines: string[] = [];
  for (const p of list) {
    lines.push(...wrap('', `${p.type} — ${p.description}`, 2));
    lines.push(`  ${p.source === 'built-in' ? 'built-in' : `plugin ${p.source}`} · ${p.simulator ? `simulator: ${p.simulator}` : 'no simulator'}`);
    if (p.config.length) {
      const items = p.config.map((f, i) => `${f.name}${f.required ? '*' : ''}${f.type === 'secret' ? ' (secret)' : ''}${i < p.config.length - 1 ? ',' : ''}`);
      lines.push(...wrap('  config: ', items, 10));
    }
    for (const a of p.actions) {
      lines.push('', ...wrap('  ', `${a.name} (${a.kind}) — ${idem(a)}; ${supports(a)}`, 6));
      lines.push(...wrap('    ', a.description, 4));
      lines.push(...fieldLines(a.input, 6));
      if (a.output.length) lines.push(...wrap('    returns: ', a.output.map((f, i) => `${f.name} ${f.type}${i < a.output.length - 1 ? ',' : ''}`), 13));
    }
    lines.push('');
  }
  lines.push(`${list.length} provider type${list.length === 1 ? '' : 's'}; * = required. Details as JSON: runbook providers --json`);
  return lines.map((l) => l.trimEnd()).join('\n');
}

// ------------------------------------------------------------------ command

const command: Command = async (argv, ctx) => {
  const { values: f, positionals: types } = parseCommandFlags('providers', argv);
  const registry = new ProviderRegistry();
  const sources = new Map<string, string>();
  for (const spec of collect(f.plugin)) {
    const def = await loadPlugin(spec, ctx.cwd);
    registry.add(def, spec);
    if (!sources.has(def.type)) sources.set(def.type, spec);
  }
  const positionals = types as string[];
  let defs = registry.list();
  if (positionals.length) {
    const unknown = positionals.filter((t) => !registry.has(t));
    if (unknown.length)
      throw new UsageError(`runbook providers: unknown provider type${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${defs.map((d) => d.type).join(', ')})`, {
        nextSteps: ['A plugin type needs --plugin PATH|PACKAGE.'],
      });
    defs = defs.filter((d) => positionals.includes(d.type));
  }
  const list = defs.map((d) => describeProvider(d, sources.get(d.type) ?? 'built-in'));
  if (f.json) outJson(ctx, JSON.stringify({ providersVersion: 1, providers: list }, null, 2));
  else out(ctx, renderText(list));
  return 0;
};
export default command;
