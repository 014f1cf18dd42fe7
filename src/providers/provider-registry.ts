/**
 * The provider registry's class, without the built-in providers (./registry.ts adds them as its
 * default). `lazyBuiltins()` is a registry whose built-ins are imported on first need — every
 * provider module and the zod schemas it builds at import stay off a run's way to its first
 * frame (a stored runbook needs no provider to be shown: src/core/runbook/compiled.ts). Such a
 * registry answers only after `await ready()`; the engine calls it before it binds a provider.
 */
import { UsageError } from '../core/errors.js';
import type { ActionDef, ProviderDef } from './sdk.js';
import { checkProviderShape } from './shape.js';

export class ProviderRegistry {
  readonly #byType = new Map<string, ProviderDef>();
  /** the built-ins still to import (lazyBuiltins) */
  #later: (() => Promise<readonly ProviderDef[]>) | undefined;
  #loading: Promise<void> | undefined;
  constructor(defs: readonly ProviderDef[] = [], later?: () => Promise<readonly ProviderDef[]>) {
    for (const d of defs) this.add(d);
    this.#later = later;
  }
  /** Every provider imported (at once for a registry made with its providers). */
  ready(): Promise<void> {
    const later = this.#later;
    if (!later) return Promise.resolve();
    this.#loading ??= later().then((defs) => {
      for (const d of defs) this.add(d);
      this.#later = undefined;
    });
    return this.#loading;
  }
  #loaded(): Map<string, ProviderDef> {
    // a bug, not an operator's problem: the caller skipped ready()
    if (this.#later) throw new Error('the built-in providers are not imported yet: await registry.ready() first');
    return this.#byType;
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
    return this.#loaded().get(type);
  }
  action(type: string, action: string): ActionDef | undefined {
    const p = this.#loaded().get(type);
    return p && Object.hasOwn(p.actions, action) ? p.actions[action] : undefined;
  }
  list(): ProviderDef[] {
    return [...this.#loaded().values()].sort((a, b) => a.type.localeCompare(b.type));
  }
  has(type: string): boolean {
    return this.#loaded().has(type);
  }
}

/** The built-in providers, imported when `ready()` is first awaited. */
export function lazyBuiltins(): ProviderRegistry {
  return new ProviderRegistry([], async () => (await import('./builtins.js')).builtinProviders);
}
