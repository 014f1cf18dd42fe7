/**
 * Resolves a runbook secret (`secrets.<name>` — see SecretSource in core/runbook/schema.ts)
 * to a `Secret`, and registers it with the redactor the moment it exists.
 *
 * - `env`: the named environment variable;
 * - `file`: the file's content, one trailing newline removed; the path is relative to the
 *   runbook's folder (`deps.cwd`); a file readable by group or others is used, with a warning;
 * - `command`: an argv run through core/exec.ts in the runbook's folder (never a shell); its
 *   stdout, one trailing newline removed. The command sees the exec allow-list plus the
 *   variables secret managers need (COMMAND_ENV_PASSTHROUGH). stdin is closed;
 * - `prompt`: `$RUNBOOK_SECRET_<NAME>` when set, else the UI's hidden prompt; with no prompt
 *   (scripted mode) a UsageError says which variable to set — it never waits on stdin.
 *
 * No error, warning or label ever contains a value.
 */
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { exec, ExecError } from '../exec.js';
import { InterruptedError, UsageError } from '../errors.js';
import { specialKind } from '../read-file.js';
import type { SecretSource } from '../runbook/schema.js';
import type { SecretRegistry } from './registry.js';
import { Secret } from './secret.js';

export interface ResolveDeps {
  /** the environment to read `from: env` (and RUNBOOK_SECRET_* overrides) from, usually process.env */
  env: Record<string, string | undefined>;
  /** the runbook's folder: file paths are relative to it, commands run in it */
  cwd: string;
  registry: SecretRegistry;
  /** hidden input, supplied by the UI; absent in scripted mode */
  prompt?: (question: string) => Promise<string>;
  signal?: AbortSignal;
  /** time limit for a `from: command` source (default 30 s) */
  commandTimeoutMs?: number;
}

/** Largest secret file or command output accepted. */
export const MAX_SECRET_BYTES = 1024 * 1024;

/** Parent variables a `from: command` secret source also sees (secret-manager CLIs need them). */
export const COMMAND_ENV_PASSTHROUGH = {
  names: ['XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'DBUS_SESSION_BUS_ADDRESS', 'GNUPGHOME', 'SSH_AUTH_SOCK', 'KUBECONFIG'],
  prefixes: ['VAULT_', 'OP_', 'AWS_', 'AZURE_', 'GOOGLE_', 'CLOUDSDK_', 'SOPS_', 'PASSWORD_STORE_', 'BW_', 'DOPPLER_', 'INFISICAL_'],
};

/** The variable that answers a `from: prompt` secret without a terminal: `RUNBOOK_SECRET_<NAME>`. */
export function secretEnvVar(name: string): string {
  return `RUNBOOK_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const trimNewline = (s: string) => s.replace(/\r?\n$/, '');

export async function resolveSecret(name: string, source: SecretSource, deps: ResolveDeps): Promise<Secret> {
  const label = `secrets.${name}`;
  checkAborted(name, deps.signal);
  let value: string;
  switch (source.from) {
    case 'env':
      value = fromEnv(name, source.env, deps);
      break;
    case 'file':
      value = await fromFile(name, source.path, deps);
      break;
    case 'command':
      value = await fromCommand(name, source.command, deps);
      break;
    case 'prompt':
      value = await fromPrompt(name, source.prompt, source.description, deps);
      break;
  }
  // registered (with the redactor) before anything else happens with it
  const secret = new Secret(value, label);
  deps.registry.set(name, secret);
  return secret;
}

/** Resolves every secret of a runbook, one after the other (prompts never overlap). */
export async function resolveSecrets(sources: Record<string, SecretSource>, deps: ResolveDeps): Promise<Record<string, Secret>> {
  const out: Record<string, Secret> = {};
  for (const [name, source] of Object.entries(sources)) out[name] = await resolveSecret(name, source, deps);
  return out;
}

function checkAborted(name: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError(`interrupted while reading secret "${name}"`);
}

function nonEmpty(name: string, value: string, where: string, nextSteps: string[]): string {
  if (value.length === 0) throw new UsageError(`secret "${name}": ${where} is empty`, { nextSteps });
  return value;
}

function fromEnv(name: string, variable: string, deps: ResolveDeps): string {
  const v = deps.env[variable];
  const steps = [`Set ${variable} in the environment before running (it is never taken from a flag).`];
  if (v === undefined) throw new UsageError(`secret "${name}": environment variable ${variable} is not set`, { nextSteps: steps });
  return nonEmpty(name, trimNewline(v), `environment variable ${variable}`, steps);
}

async function fromFile(name: string, path: string, deps: ResolveDeps): Promise<string> {
  const home = deps.env.HOME;
  const expanded = path.startsWith('~/') && home ? resolve(home, path.slice(2)) : path;
  const full = isAbsolute(expanded) ? expanded : resolve(deps.cwd, expanded);
  let fh;
  try {
    // O_NONBLOCK: a FIFO in the secret's place opens at once (and is refused below), never waits for a writer
    fh = await open(full, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied' : `cannot be opened (${code ?? 'error'})`;
    throw new UsageError(`secret "${name}": file ${full} ${why}`, { nextSteps: ['Paths in `from: file` are relative to the runbook’s folder.'] });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new UsageError(`secret "${name}": ${full} is not a regular file (${specialKind(st)})`, { nextSteps: [`Put the secret in a regular file (mode 600) and name it in \`path:\`.`] });
    if (st.size > MAX_SECRET_BYTES) throw new UsageError(`secret "${name}": ${full} is larger than ${MAX_SECRET_BYTES} bytes`);
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      deps.registry.warn(`secret "${name}": ${full} is readable by ${st.mode & 0o007 ? 'everyone' : 'its group'} (mode ${mode}); chmod 600 ${full}`);
    }
    const buf = Buffer.alloc(MAX_SECRET_BYTES + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > MAX_SECRET_BYTES) throw new UsageError(`secret "${name}": ${full} is larger than ${MAX_SECRET_BYTES} bytes`);
    }
    return nonEmpty(name, trimNewline(buf.subarray(0, n).toString('utf8')), `file ${full}`, [`Put the secret in ${full}.`]);
  } finally {
    await fh.close();
  }
}

function commandEnv(env: ResolveDeps['env']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (COMMAND_ENV_PASSTHROUGH.names.includes(k) || COMMAND_ENV_PASSTHROUGH.prefixes.some((p) => k.startsWith(p))) out[k] = v;
  }
  return out;
}

async function fromCommand(name: string, argv: string[], deps: ResolveDeps): Promise<string> {
  const argv0 = argv[0] ?? '(empty)';
  const timeoutMs = deps.commandTimeoutMs ?? 30_000;
  const check = [`Run ${argv0} yourself to see what is wrong.`];
  let res;
  try {
    // no onLine: the output is the secret; nothing of it goes anywhere but here
    res = await exec(argv, { cwd: deps.cwd, env: commandEnv(deps.env), timeoutMs, signal: deps.signal, maxBuffer: MAX_SECRET_BYTES + 2, maxLine: MAX_SECRET_BYTES + 2 });
  } catch (e) {
    const detail = e instanceof ExecError ? e.message.slice(e.argv0.length + 2) : 'could not start';
    throw new UsageError(`secret "${name}": command ${argv0}: ${detail}`, { nextSteps: check });
  }
  if (res.aborted) throw new InterruptedError(`interrupted while running the command for secret "${name}"`);
  if (res.timedOut) throw new UsageError(`secret "${name}": command ${argv0} did not finish within ${Math.round(timeoutMs / 1000)} s`, { nextSteps: check });
  if (res.exitCode !== 0) {
    const how = res.exitCode === null ? `was killed by ${res.signal ?? 'a signal'}` : `exited with code ${res.exitCode}`;
    throw new UsageError(`secret "${name}": command ${argv0} ${how}`, { nextSteps: check });
  }
  if (res.truncated || res.stdout.length > MAX_SECRET_BYTES + 1) throw new UsageError(`secret "${name}": command ${argv0} printed more than ${MAX_SECRET_BYTES} bytes`);
  // exec collects stdout as lines joined with '\n' (and adds one at the end)
  return nonEmpty(name, trimNewline(res.stdout), `the output of ${argv0}`, check);
}

async function fromPrompt(name: string, question: string | undefined, description: string | undefined, deps: ResolveDeps): Promise<string> {
  const variable = secretEnvVar(name);
  const preset = deps.env[variable];
  if (preset !== undefined && preset !== '') return trimNewline(preset);
  if (!deps.prompt) {
    throw new UsageError(`secret "${name}" is read from a hidden prompt, but there is no terminal to ask on (scripted mode never waits for input)`, {
      nextSteps: [`Set ${variable} in the environment, or run on a terminal.`, 'Or give the secret another source in the runbook (`from: env`, `from: file`, `from: command`).'],
    });
  }
  const q = question ?? `Value for secret "${name}"${description ? ` (${description})` : ''}`;
  const answer = await abortable(deps.prompt(q), deps.signal, name);
  return nonEmpty(name, trimNewline(answer), 'the answer', [`Enter a value, or set ${variable}.`]);
}

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, name: string): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((res, rej) => {
    const onAbort = () => rej(new InterruptedError(`interrupted while asking for secret "${name}"`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        res(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        rej(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
