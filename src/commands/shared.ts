/** Helpers shared by the commands that open incidents: state dir, fingerprint key, loading. */
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, linkSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { JournalError, UsageError } from '../core/errors.js';
import { loadRunbook, parseYamlStrict, type LoadedRunbook } from '../core/runbook/load.js';
import { ProviderRegistry, loadPlugin } from '../providers/registry.js';
import { resolveSecret } from '../core/secrets/resolvers.js';
import type { SecretRegistry } from '../core/secrets/registry.js';
import type { Secret } from '../core/secrets/secret.js';
import type { OperatorPorts } from '../core/engine/ports.js';
import type { CommandContext } from './context.js';

export function stateDirOf(flag: string | undefined, ctx: CommandContext): string {
  return resolve(ctx.cwd, flag ?? ctx.env.RUNBOOK_STATE_DIR ?? '.runbook');
}

/**
 * The key for fingerprints of secrets (HMAC), one per state directory, 0600. Keyed so that a
 * journal alone cannot be used to confirm a guessed token.
 */
export function fingerprintKey(stateDir: string): Buffer {
  const file = join(stateDir, 'fingerprint.key');
  const readKey = () => {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length !== 32) throw new JournalError(`${file} is not a fingerprint key (${key.length} bytes, 32 expected)`, { nextSteps: ['Restore it from a backup; if no incident in this state directory was ever run, remove it and run the same command again.'] });
    return key;
  };
  if (existsSync(file)) return readKey();
  const key = randomBytes(32);
  // written whole to a temp file, then linked into place: never seen half-written
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, key.toString('hex') + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    linkSync(tmp, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return readKey();
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new JournalError(`disk full writing ${file}: free space and re-run the same command`, { nextSteps: ['Nothing was called. Free disk space (or use another --state-dir), then run the same command again.'] });
    throw new UsageError(`cannot write ${file}: ${code ?? ''}`, { nextSteps: ['Use a writable --state-dir.'] });
  } finally {
    rmSync(tmp, { force: true });
  }
  return key;
}

export function newIncidentId(runbookId: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}`;
  return `${runbookId.slice(0, 40)}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * The built-in providers plus the runbook's `plugins:` (paths relative to the runbook) and the
 * `--plugin` specs (relative to the working directory). `text` is the runbook's YAML.
 */
export async function pluginRegistry(path: string, text: string, extraPlugins: readonly string[], cwd: string): Promise<ProviderRegistry> {
  const registry = new ProviderRegistry();
  const specs: { spec: string; base: string }[] = extraPlugins.map((spec) => ({ spec, base: cwd }));
  try {
    const doc = parseYamlStrict(text, path) as { plugins?: unknown } | null;
    if (doc && Array.isArray(doc.plugins)) for (const p of doc.plugins) if (typeof p === 'string') specs.push({ spec: p, base: dirname(path) });
  } catch {
    /* the full load reports the problem with positions */
  }
  for (const { spec, base } of specs) registry.add(await loadPlugin(spec, base), spec);
  return registry;
}

/** Load the runbook's plugins (and --plugin ones), then the runbook validated against the full registry. */
export async function loadWithPlugins(file: string, extraPlugins: readonly string[], ctx: CommandContext): Promise<{ loaded: LoadedRunbook; registry: ProviderRegistry }> {
  const path = resolve(ctx.cwd, file);
  if (!existsSync(path)) throw new UsageError(`runbook file not found: ${file}`, { nextSteps: ['Check the path; `runbook list` shows the shipped runbooks.'] });
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    /* loadRunbook reports an unreadable file */
  }
  const registry = await pluginRegistry(path, text, extraPlugins, ctx.cwd);
  return { loaded: await loadRunbook(path, { registry }), registry };
}

/** Resolve every secret the runbook declares (registered with the redactor as they arrive). */
export function secretsResolver(loaded: LoadedRunbook, secrets: SecretRegistry, ctx: CommandContext) {
  return async (ports: OperatorPorts): Promise<Record<string, Secret>> => {
    const out: Record<string, Secret> = {};
    for (const [name, source] of Object.entries(loaded.runbook.secrets)) {
      const s = await resolveSecret(name, source, {
        env: ctx.env,
        cwd: loaded.dir,
        registry: secrets,
        prompt: ports.promptSecret,
        signal: ctx.signal,
      });
      secrets.set(name, s);
      out[name] = s;
    }
    return out;
  };
}

export function collect(v: string | boolean | (string | boolean)[] | undefined): string[] {
  if (v === undefined || typeof v === 'boolean') return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}
