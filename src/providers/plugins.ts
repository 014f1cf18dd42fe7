/**
 * Third-party provider plugins: resolve a module by path or package name, import it, and check
 * that it exports a provider. Every failure is a UsageError (exit 2) that names the module and
 * says what is wrong — never a stack trace (vitest's reporter loader is the model).
 *
 * A plugin's default export (or its `provider` export) is either a provider definition or a
 * function that receives the plugin SDK (`PluginSdk`) and returns one. The function form gives
 * a plain-JavaScript plugin the host's own zod, `ProviderError` and `Secret` checks, so its
 * errors keep their failure class and its secret fields accept the engine's Secrets.
 * docs/writing-a-provider.md describes the contract.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { specialKind } from '../core/read-file.js';
import { isAbsolute, join, resolve } from 'node:path';
import { resolve as importMetaResolve } from 'import-meta-resolve';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ProviderError, UsageError } from '../core/errors.js';
import { httpError } from '../core/http.js';
import { isSecret } from '../core/secrets/secret.js';
import { checkProviderShape, defineAction, defineProvider, SecretOut, secretField, type ProviderDef } from './sdk.js';

/** What a plugin's factory function receives. Version 1; fields are only ever added. */
export const pluginSdk = Object.freeze({
  version: 1,
  z,
  defineProvider,
  defineAction,
  secretField,
  SecretOut,
  isSecret,
  ProviderError,
  httpError,
});
export type PluginSdk = typeof pluginSdk;

const DOCS = 'See docs/writing-a-provider.md: export default defineProvider({ type, description, config, actions }), or a function (sdk) => provider.';

function firstLine(e: unknown): string {
  const msg = (e as { message?: unknown })?.message;
  return (typeof msg === 'string' ? msg : String(e)).split('\n')[0]!.slice(0, 300);
}

/** `./x.mjs`, `../x.mjs`, `/abs/x.mjs`: a file; anything else: a package name (optionally with a subpath). */
export function isPathSpec(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || isAbsolute(spec);
}

/** The package name in a bare specifier (`@scope/name/sub` → `@scope/name`). */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return parts.slice(0, spec.startsWith('@') ? 2 : 1).join('/');
}

/**
 * Resolve a package name from `baseDir` (not from where runbook itself is installed) the way
 * Node's ESM loader does — node_modules upwards, `exports` with conditions, subpaths and
 * patterns (`"./*": "./dist/*.mjs"`), else `main` — with import-meta-resolve, Node's own
 * algorithm as a library. Failures become UsageErrors that say what to do.
 */
function resolvePackage(spec: string, baseDir: string): string {
  const name = packageName(spec);
  if (!name || (spec.startsWith('@') && !spec.includes('/'))) throw new UsageError(`cannot load provider plugin ${spec}: not a package name or a path (write a path as ./${spec})`);
  try {
    return importMetaResolve(spec, pathToFileURL(join(resolve(baseDir), 'runbook-plugin-base.js')).href);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const why = firstLine(e).replace(/ imported from \S+$/, '');
    if (code === 'ERR_MODULE_NOT_FOUND' && !/Cannot find module '\//.test(firstLine(e)))
      throw new UsageError(`cannot load provider plugin ${spec}: package ${name} is not installed (looked in node_modules from ${baseDir} upwards)`, {
        nextSteps: [`Install it: npm install ${name}`, `If it is a file, write it as a path: ./${spec}`],
      });
    if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      const sub = spec.slice(name.length);
      throw new UsageError(`cannot load provider plugin ${spec}: package ${name} does not export "${sub ? `.${sub}` : '.'}" for import`, { nextSteps: [`Check the "exports" field of ${name}'s package.json.`] });
    }
    if (code === 'ERR_MODULE_NOT_FOUND')
      throw new UsageError(`cannot load provider plugin ${spec}: ${why}`, { nextSteps: ['Is the package built and installed? Point at the module file itself.'] });
    throw new UsageError(`cannot load provider plugin ${spec}: ${why}`, { nextSteps: [`Check ${name}'s package.json.`] });
  }
}

/** A folder given as a path: its package.json's `exports` (a self-reference, as Node resolves it), else `main`, else index.mjs / index.js. */
function folderEntry(dir: string, spec: string): string {
  const pkgFile = join(dir, 'package.json');
  let pkg: { name?: unknown; exports?: unknown; main?: unknown } = {};
  if (existsSync(pkgFile)) {
    try {
      pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as typeof pkg;
    } catch {
      throw new UsageError(`cannot load provider plugin ${spec}: ${pkgFile} is not valid JSON`);
    }
  }
  if (pkg.exports !== undefined && typeof pkg.name === 'string') return resolvePackage(pkg.name, dir);
  const target = typeof pkg.main === 'string' ? pkg.main : existsSync(join(dir, 'index.mjs')) ? 'index.mjs' : 'index.js';
  const file = resolve(dir, target);
  if (!existsSync(file) || statSync(file).isDirectory())
    throw new UsageError(`cannot load provider plugin ${spec}: it points at ${file}, which does not exist`, { nextSteps: ['Is the package built and installed? Point at the module file itself.'] });
  return pathToFileURL(file).href;
}

function resolveSpec(spec: string, baseDir: string): string {
  if (!spec.trim()) throw new UsageError('cannot load provider plugin "": the name is empty');
  if (!isPathSpec(spec)) return resolvePackage(spec, baseDir);
  const file = resolve(baseDir, spec);
  if (!existsSync(file)) throw new UsageError(`cannot load provider plugin ${spec}: no such file ${file}`, { nextSteps: [`Check the path (it is resolved against ${baseDir}).`] });
  const st = statSync(file);
  if (st.isDirectory()) return folderEntry(file, spec);
  // a FIFO or device: import() would wait on it for ever (a FIFO) or read it without end
  if (!st.isFile()) throw new UsageError(`cannot load provider plugin ${spec}: ${file} is not a regular file (${specialKind(st)})`, { nextSteps: ['Point at the plugin module (.mjs) itself.'] });
  return pathToFileURL(file).href;
}

function importFailure(spec: string, target: string, e: unknown): UsageError {
  const code = (e as { code?: unknown })?.code;
  let why = firstLine(e);
  const nextSteps: string[] = [];
  if (e instanceof SyntaxError) {
    // Node 20 keeps the line of an ESM syntax error out of the error object: name the file
    why = `syntax error in ${target.startsWith('file:') ? fileURLToPath(target) : target}: ${why}`;
    nextSteps.push(`Find the line with: node --check ${target.startsWith('file:') ? fileURLToPath(target) : target}`);
  } else if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    nextSteps.push('Write the plugin in JavaScript (.mjs or .js in an ESM package), or compile it first.');
  } else if (code === 'ERR_MODULE_NOT_FOUND') {
    nextSteps.push('A module the plugin imports is missing: install its dependencies next to it (or use the sdk argument for zod).');
  } else {
    why = `it threw while loading: ${why}`;
  }
  return new UsageError(`cannot load provider plugin ${spec}: ${why}`, { nextSteps: [...nextSteps, DOCS] });
}

const loaded = new Map<string, ProviderDef>();

/**
 * Load a third-party provider module: a path (relative to `baseDir`) or a package name
 * (resolved from `baseDir`). Returns the validated provider definition.
 */
export async function loadPlugin(spec: string, baseDir: string): Promise<ProviderDef> {
  const target = resolveSpec(spec, baseDir);
  // one definition per module, so a plugin listed twice (plugins: and --plugin) is one provider
  const cached = loaded.get(target);
  if (cached) return cached;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (e) {
    throw importFailure(spec, target, e);
  }
  let def: unknown = mod.default ?? mod.provider;
  if (def === undefined) {
    const names = Object.keys(mod);
    throw new UsageError(`provider plugin ${spec} is not a valid provider: it has no default export and no \`provider\` export${names.length ? ` (it exports ${names.slice(0, 8).join(', ')})` : ''}`, { nextSteps: [DOCS] });
  }
  if (typeof def === 'function') {
    try {
      def = await (def as (sdk: PluginSdk) => unknown)(pluginSdk);
    } catch (e) {
      throw new UsageError(`provider plugin ${spec} is not a valid provider: its factory function threw: ${firstLine(e)}`, { nextSteps: [DOCS] });
    }
  }
  const problems = checkProviderShape(def);
  if (problems.length) throw new UsageError(`provider plugin ${spec} is not a valid provider: ${problems.join('; ')}`, { nextSteps: [DOCS] });
  loaded.set(target, def as ProviderDef);
  return def as ProviderDef;
}
