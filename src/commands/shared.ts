/** Helpers shared by the commands that open incidents: state dir, fingerprint key, loading. */
import { readRegularFile } from '../core/read-file.js';
import { existsSync, readFileSync, writeFileSync, chmodSync, linkSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { JournalError, UsageError } from '../core/errors.js';
import { neutralise } from '../core/terminal-text.js';
import type { LoadedRunbook, ParsedRunbookText } from '../core/runbook/load.js';
import { MAX_BYTES } from '../core/runbook/limits.js';
import { lazyBuiltins, type ProviderRegistry } from '../providers/provider-registry.js';
import { resolveSecret } from '../core/secrets/resolvers.js';
import type { SecretRegistry } from '../core/secrets/registry.js';
import type { Secret } from '../core/secrets/secret.js';
import type { OperatorPorts } from '../core/engine/ports.js';
import type { CommandContext } from './context.js';
import { mkdirTree } from '../core/mkdir.js';
import { readCompiled, readCompiledScenario, sha256Hex } from '../core/runbook/compiled.js';

/** Where the state directory came from, for `runbook incidents` and error messages. */
export type StateDirSource = '--state-dir' | 'RUNBOOK_STATE_DIR' | 'config' | 'XDG_STATE_HOME' | 'default';

export interface StateDir {
  dir: string;
  source: StateDirSource;
  /** the config file, when it named the directory */
  config?: string;
  /** one line: which directory and why */
  describe: string;
}

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

/** `$XDG_CONFIG_HOME/runbook/config.yaml`, else `~/.config/runbook/config.yaml`. */
export function configFile(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home(env), '.config');
  return join(base, 'runbook', 'config.yaml');
}

/** The config file's keys: state_dir here; store and operator for team mode (src/commands/team-store.ts). */
const CONFIG_KEYS = ['state_dir', 'store', 'operator'];

/** The config file as a mapping (checked: known keys only), or undefined when there is none. */
export async function readConfig(env: NodeJS.ProcessEnv): Promise<{ doc: Record<string, unknown>; file: string } | undefined> {
  const file = configFile(env);
  if (!existsSync(file)) return undefined;
  // the YAML parser loads only when there is a config file (not on the way to the TUI's first frame)
  const { parseYamlStrict } = await import('../core/runbook/yaml.js');
  const doc = parseYamlStrict(readFileSync(file, 'utf8'), file, [`Fix the YAML in ${file}: it is a mapping of ${CONFIG_KEYS.join(', ')} (ENVIRONMENT in the help), e.g. state_dir: ~/incidents`]);
  if (doc === null) return undefined;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${file}: the config file must be a mapping (e.g. state_dir: ~/incidents)`);
  for (const key of Object.keys(doc)) {
    if (!CONFIG_KEYS.includes(key)) throw new UsageError(`${file}: unknown key "${key}" (the config file knows ${CONFIG_KEYS.join(', ')})`, { nextSteps: [`Remove "${key}" from ${file}.`] });
  }
  return { doc: doc as Record<string, unknown>, file };
}

/** `state_dir:` from the config file, resolved against the file's folder (`~/` is the home folder). */
async function configStateDir(env: NodeJS.ProcessEnv): Promise<{ dir: string; file: string } | undefined> {
  const conf = await readConfig(env);
  if (!conf) return undefined;
  const { doc, file } = conf;
  const v = (doc as { state_dir?: unknown }).state_dir;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`${file}: state_dir must be a folder path, e.g. state_dir: ~/incidents`);
  const dir = v === '~' || v.startsWith('~/') ? join(home(env), v.slice(1)) : resolve(dirname(file), v);
  return { dir, file };
}

/**
 * The state directory: --state-dir, else $RUNBOOK_STATE_DIR, else `state_dir:` in the config
 * file, else `$XDG_STATE_HOME/runbook`, else `~/.local/state/runbook` (XDG base directories).
 * Never the working directory by default: incidents do not follow wherever a command is typed.
 */
export async function resolveStateDir(flag: string | undefined, ctx: Pick<CommandContext, 'env' | 'cwd'>): Promise<StateDir> {
  const env = ctx.env;
  // an empty --state-dir (an unset shell variable: --state-dir "$DIR") is refused, never taken as "the default"
  if (flag !== undefined && flag.trim() === '') throw new UsageError('--state-dir is empty: give the folder that holds the incidents', { nextSteps: ['Give --state-dir a folder (is the shell variable you meant set?), or leave the flag out for the default.'] });
  if (flag) {
    const dir = resolve(ctx.cwd, flag);
    if (notAFolder(dir)) throw new UsageError(`--state-dir ${neutralise(flag)} is a file, not a folder`, { nextSteps: ['Give --state-dir a folder (it is created if missing).'] });
    return { dir, source: '--state-dir', describe: 'set by --state-dir' };
  }
  if (env.RUNBOOK_STATE_DIR) return { dir: resolve(ctx.cwd, env.RUNBOOK_STATE_DIR), source: 'RUNBOOK_STATE_DIR', describe: 'set by $RUNBOOK_STATE_DIR' };
  const conf = await configStateDir(env);
  if (conf) return { dir: conf.dir, source: 'config', config: conf.file, describe: `set by state_dir in ${conf.file}` };
  // the XDG spec: a relative $XDG_STATE_HOME is invalid and ignored
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return { dir: join(env.XDG_STATE_HOME, 'runbook'), source: 'XDG_STATE_HOME', describe: 'the default: $XDG_STATE_HOME/runbook; --state-dir or RUNBOOK_STATE_DIR picks another' };
  return { dir: join(home(env), '.local', 'state', 'runbook'), source: 'default', describe: 'the default: ~/.local/state/runbook; --state-dir or RUNBOOK_STATE_DIR picks another' };
}

/** the path exists and is not a folder (a file, or a file in the way above it) */
function notAFolder(dir: string): boolean {
  try {
    return !statSync(dir).isDirectory();
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOTDIR';
  }
}

export async function stateDirOf(flag: string | undefined, ctx: Pick<CommandContext, 'env' | 'cwd'>): Promise<string> {
  return (await resolveStateDir(flag, ctx)).dir;
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
    mkdirTree(stateDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new UsageError(`the state directory ${neutralise(stateDir)} is a file, not a folder (or a file is in the way above it) — nothing was called`, { nextSteps: ['Use a folder as --state-dir (or RUNBOOK_STATE_DIR).'] });
    throw new UsageError(`cannot create the state directory ${stateDir}: ${code ?? String(e)} — nothing was called`, { nextSteps: ['Use a writable --state-dir (or RUNBOOK_STATE_DIR).'] });
  }
  try {
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
 * `--plugin` specs (relative to the working directory). `parsed` is the runbook's YAML parsed
 * once (parseRunbookText): hand the same object to loadRunbookText, which then does not parse
 * it again. YAML with problems contributes no plugins (the load reports them with positions).
 */
export async function pluginRegistry(path: string, parsed: ParsedRunbookText | undefined, extraPlugins: readonly string[], cwd: string): Promise<ProviderRegistry> {
  const registry = lazyBuiltins();
  await registry.ready();
  const specs: { spec: string; base: string }[] = extraPlugins.map((spec) => ({ spec, base: cwd }));
  const doc = parsed?.clean ? (parsed.value as { plugins?: unknown } | null) : undefined;
  if (doc && Array.isArray(doc.plugins)) for (const p of doc.plugins) if (typeof p === 'string') specs.push({ spec: p, base: dirname(path) });
  // the plugin loader (and its module resolver) only for a runbook that has plugins
  const { loadPlugin } = specs.length ? await import('../providers/plugins.js') : { loadPlugin: undefined };
  for (const { spec, base } of specs) registry.add(await loadPlugin!(spec, base), spec);
  return registry;
}

/**
 * The folder of the runbooks shipped with this copy of runbook (in the npm package and in the
 * repo: `runbooks/` beside package.json), found from this module's own location — bundled
 * (dist/*.js) or from source (src/commands/*.ts).
 */
export function shippedRunbooksDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'runbooks'))) return join(dir, 'runbooks');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** A shipped runbook by id (its file is `<id>.yaml` in the shipped folder or its examples/). */
export function shippedRunbook(id: string): string | undefined {
  const dir = shippedRunbooksDir();
  if (!dir || !ID_RE.test(id)) return undefined;
  for (const sub of ['', 'examples']) {
    for (const ext of ['.yaml', '.yml']) {
      const f = join(dir, sub, id + ext);
      if (existsSync(f)) return f;
    }
  }
  return undefined;
}

/** FILE, or the id of a shipped runbook: the path to load. A file in the working directory wins over an id. */
export function runbookPath(fileOrId: string, ctx: Pick<CommandContext, 'cwd'>): string {
  const path = resolve(ctx.cwd, fileOrId);
  if (existsSync(path)) return path;
  const shipped = shippedRunbook(fileOrId);
  if (shipped) return shipped;
  throw new UsageError(`no runbook file ${fileOrId}${ID_RE.test(fileOrId) ? ', and no shipped runbook with that id' : ''}`, {
    nextSteps: ['Check the path; `runbook list` shows the shipped runbooks (run them by id, e.g. `runbook drill aws-access-key-exposure`).'],
  });
}

declare const __RUNBOOK_BUILD__: string | undefined;

/** Where this build stored the validated form of the shipped runbooks (scripts/build.mjs; none when run from source). */
export interface CompiledRunbooks {
  dir: string;
  build: string;
}

/** dist/compiled-runbooks/, beside the bundled chunks, stamped with the build's id. */
export function builtCompiled(): CompiledRunbooks | undefined {
  return typeof __RUNBOOK_BUILD__ === 'string' ? { dir: fileURLToPath(new URL('./compiled-runbooks/', import.meta.url)), build: __RUNBOOK_BUILD__ } : undefined;
}

/**
 * Load the runbook's plugins (and --plugin ones), then the runbook validated against the full
 * registry. `file` may be a shipped runbook's id. A runbook whose text is a shipped one's, with
 * no --plugin, is the validated form the build stored (src/core/runbook/compiled.ts): no YAML
 * parse, no validation — the same runbook, in less time.
 */
export async function loadWithPlugins(file: string, extraPlugins: readonly string[], ctx: CommandContext, compiled = builtCompiled()): Promise<{ loaded: LoadedRunbook; registry: ProviderRegistry }> {
  const path = runbookPath(file, ctx);
  let text: string | undefined;
  try {
    text = readRegularFile(path, MAX_BYTES);
  } catch {
    /* loadRunbook reports an unreadable file (a FIFO, device, folder or one over the cap) */
  }
  if (compiled && text !== undefined && extraPlugins.length === 0) {
    const hash = sha256Hex(text);
    const runbook = readCompiled(compiled.dir, compiled.build, hash);
    // the built-in providers are imported when the engine first needs one (registry.ready())
    if (runbook) return { loaded: { runbook, file: path, dir: dirname(resolve(path)), source: text, hash }, registry: lazyBuiltins() };
  }
  // the parser and the schema load only for a runbook that is parsed and validated
  const { loadRunbook, loadRunbookText, parseRunbookText } = await import('../core/runbook/load.js');
  // one YAML parse per command: the plugins are read from it, then it is validated
  const parsed = text === undefined ? undefined : parseRunbookText(text, path);
  const registry = await pluginRegistry(path, parsed, extraPlugins, ctx.cwd);
  return { loaded: parsed ? loadRunbookText(parsed.text, path, { registry, parsed }) : await loadRunbook(path, { registry }), registry };
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

/** The stored form of a shipped drill scenario with this text (the build's, like the runbooks'): undefined for any other text, or when run from source. */
export function storedScenario<S>(compiled = builtCompiled()): ((text: string) => S | undefined) | undefined {
  return compiled && ((text) => readCompiledScenario<S>(compiled.dir, compiled.build, sha256Hex(text)));
}
