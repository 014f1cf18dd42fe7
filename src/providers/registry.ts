/**
 * The provider registry: built-ins in one static array, plus third-party providers loaded by
 * module path or package name and validated on load.
 */
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
    if (this.#byType.get(def.type) === def) return; // the same module listed twice (runbook plugins: and --plugin)
    if (this.#byType.has(def.type))
      throw new UsageError(`provider type "${def.type}" from ${source} is already registered (by a built-in or an earlier plugin)`, { nextSteps: ['Give the plugin another `type`, or list it only once.'] });
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

/** Third-party provider modules (path or package name): see ./plugins.ts. */
export { loadPlugin } from './plugins.js';
