/**
 * The provider registry: built-ins in one static array, plus third-party providers loaded by
 * module path or package name and validated on load. (The class is ./provider-registry.ts; a
 * registry that imports the built-ins only when first needed is its `lazyBuiltins()`.)
 */
import type { ProviderDef } from './sdk.js';
import { builtinProviders } from './builtins.js';
import { ProviderRegistry as Registry } from './provider-registry.js';

export class ProviderRegistry extends Registry {
  constructor(defs: readonly ProviderDef[] = builtinProviders) {
    super(defs);
  }
}

/** Third-party provider modules (path or package name): see ./plugins.ts — imported (with its module resolver) only when a runbook has plugins. */
export async function loadPlugin(spec: string, baseDir: string): Promise<ProviderDef> {
  return (await import('./plugins.js')).loadPlugin(spec, baseDir);
}
