/**
 * The provider registry: built-ins in one static array, plus third-party providers loaded by
 * module path or package name and validated on load.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { checkProviderShape, type ActionDef, type ProviderDef } from './sdk.js';
import { builtinProviders } from './builtins.js';

export class ProviderRegistry {
  readonly #byType = new Map<string, ProviderDef>();
  constructor(defs: readonly ProviderDef[] = builtinProviders) {
    for (const d of defs) this.add(d);
  }
  add(def: ProviderDef, source = 'built-in'): void {
    const problems = checkProviderShape(def);
    if (problems.length) throw new UsageError(`provider from ${source} is invalid: ${problems.join('; ')}`);
    if (this.#byType.has(def.type)) throw new UsageError(`provider type "${def.type}" from ${source} is already registered`);
    this.#byType.set(def.type, def);
  }
  get(type: string): ProviderDef | undefined {
    return this.#byType.get(type);
  }
  action(type: string, action: string): ActionDef | undefined {
    const p = this.#byType.get(type);
    return p && Object.hasOwn(p.actions, action) ? p.actions[action] : undefined;
  }
  list(): ProviderDef[] {
    return [...this.#byType.values()].sort((a, b) => a.type.localeCompare(b.type));
  }
  has(type: string): boolean {
    return this.#byType.has(type);
  }
}

/**
 * Load a third-party provider module: a path (relative to `baseDir`) or a package name.
 * The module's default export (or its `provider` export) must be a provider definition.
 */
export async function loadPlugin(spec: string, baseDir: string): Promise<ProviderDef> {
  const isPath = spec.startsWith('.') || isAbsolute(spec);
  const target = isPath ? pathToFileURL(resolve(baseDir, spec)).href : spec;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (e) {
    const why = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ? 'module not found' : (e as Error).message.split('\n')[0];
    throw new UsageError(`cannot load provider plugin ${spec}: ${why}`, {
      nextSteps: [isPath ? `Check the path (resolved against ${baseDir}).` : `Install the package: npm install ${spec}`],
    });
  }
  const def = (mod.default ?? mod.provider) as unknown;
  const problems = checkProviderShape(def);
  if (problems.length) {
    throw new UsageError(`provider plugin ${spec} is not a valid provider: ${problems.join('; ')}`, {
      nextSteps: ['See docs/writing-a-provider.md: export default defineProvider({ type, description, config, actions }).'],
    });
  }
  return def as ProviderDef;
}
