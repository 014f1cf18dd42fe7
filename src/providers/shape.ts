/**
 * The checks on a provider's shape and the idempotency rule, apart from ./sdk.ts (which builds
 * zod schemas at import): the engine and the registry need these on a run's way to its first
 * frame, zod not. ./sdk.ts re-exports both.
 */
import type { ActionDef, ProviderDef } from './sdk.js';

export function isIdempotent(action: Pick<ActionDef, 'idempotent'>, input: unknown): boolean {
  return typeof action.idempotent === 'function' ? action.idempotent(input) === true : action.idempotent;
}

/** Validate that a module export is a provider definition; returns a list of problems. */
export function checkProviderShape(v: unknown): string[] {
  const problems: string[] = [];
  if (!v || typeof v !== 'object') return ['it does not export a provider object (use `export default defineProvider({...})`)'];
  const p = v as Partial<ProviderDef>;
  if (typeof p.type !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(p.type)) problems.push('`type` must be a lower-case name');
  if (typeof p.description !== 'string') problems.push('`description` must be a string');
  if (!p.config || typeof (p.config as { safeParse?: unknown }).safeParse !== 'function') problems.push('`config` must be a zod schema');
  if (p.drill !== undefined && (typeof p.drill !== 'object' || (p.drill.configFor !== undefined && typeof p.drill.configFor !== 'function'))) problems.push('`drill.configFor` must be a function');
  if (!p.actions || typeof p.actions !== 'object') problems.push('`actions` must be an object of actions');
  else if (Object.keys(p.actions).length === 0) problems.push('`actions` is empty: a provider needs at least one action');
  else
    for (const [name, a] of Object.entries(p.actions)) {
      if (!/^[A-Za-z0-9_]+$/.test(name)) problems.push(`action name "${name}" must be letters, digits and "_" (runbooks call it as instance.${name})`);
      const act = a as Partial<ActionDef>;
      if (!act || typeof act !== 'object') {
        problems.push(`action ${name} is not an object`);
        continue;
      }
      if (!['detect', 'revoke', 'rotate', 'notify', 'any'].includes(act.kind as string)) problems.push(`action ${name}: \`kind\` must be detect, revoke, rotate, notify or any`);
      if (typeof act.description !== 'string') problems.push(`action ${name}: \`description\` must be a string`);
      if (!act.input || typeof act.input.safeParse !== 'function') problems.push(`action ${name}: \`input\` must be a zod schema`);
      if (!act.output || typeof act.output.safeParse !== 'function') problems.push(`action ${name}: \`output\` must be a zod schema`);
      if (typeof act.idempotent !== 'boolean' && typeof act.idempotent !== 'function') problems.push(`action ${name}: \`idempotent\` must be true, false or a function of the input`);
      if (typeof act.run !== 'function') problems.push(`action ${name}: \`run\` must be a function`);
      for (const opt of ['plan', 'verify'] as const)
        if (act[opt] !== undefined && typeof act[opt] !== 'function') problems.push(`action ${name}: \`${opt}\` must be a function`);
    }
  return problems;
}
