/**
 * Provider instances of a run: `providers.<name>` rendered (secrets become Secret objects),
 * validated against the provider's config schema on first use, and cached.
 */
import { UsageError, ValidationError } from '../errors.js';
import { render } from '../runbook/expressions.js';
import type { ActionRef, ProviderBinding, RunContext } from './run-context.js';

export function bindProvider(rc: RunContext, instance: string): ProviderBinding {
  const cached = rc.bindings.get(instance);
  if (cached) return cached;
  const decl = rc.loaded.runbook.providers[instance];
  if (!decl) throw new UsageError(`provider instance "${instance}" is not declared under providers:`);
  const def = rc.registry.get(decl.type);
  if (!def) throw new UsageError(`unknown provider type "${decl.type}" (providers.${instance})`, { nextSteps: ['Run `runbook providers` to see the types; a plugin type must be listed under plugins:.'] });
  const { type: _type, ...raw } = decl;
  let config = render(raw, rc.scope()) as Record<string, unknown>;
  if (rc.configFor) config = rc.configFor(instance, decl.type, config);
  const parsed = def.config.safeParse(config);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((i) => ({
        file: rc.loaded.file,
        line: 0,
        col: 0,
        path: ['providers', instance, ...i.path.map(String)].join('.'),
        message: i.message,
        code: 'provider-config',
      })),
    );
  }
  const binding = { instance, def, config: parsed.data };
  rc.bindings.set(instance, binding);
  return binding;
}

export async function resolveAction(rc: RunContext, instance: string, actionName: string): Promise<ActionRef> {
  // a run of a stored runbook imports the built-in providers here, on the first step that calls one
  await rc.registry.ready();
  const binding = bindProvider(rc, instance);
  const action = Object.hasOwn(binding.def.actions, actionName) ? binding.def.actions[actionName] : undefined;
  if (!action) throw new UsageError(`provider ${binding.def.type} has no action "${actionName}" (${instance}.${actionName})`);
  return { binding, action, actionName };
}
