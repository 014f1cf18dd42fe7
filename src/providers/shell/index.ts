/**
 * shell — run a command as an argv array (never a shell string). Inputs and secrets reach
 * the command through env only; stdout can be parsed as JSON into outputs.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { defineAction, defineProvider, type ActionContext } from '../sdk.js';
import { ProviderError } from '../../core/errors.js';
import { isSecret, type Secret } from '../../core/secrets/secret.js';
import type { ExecResult } from '../../core/exec.js';

const EnvValue = z.union([z.string(), z.number(), z.boolean(), z.custom<Secret>(isSecret)]);

const Config = z.strictObject({
  /** working directory (default: the runbook's folder) */
  cwd: z.string().optional(),
  /** extra environment for every command of this instance */
  env: z.record(z.string(), EnvValue).optional(),
});
type Config = z.infer<typeof Config>;

const RunInput = z.strictObject({
  /** argv: the program and its arguments, each a separate element (never a secret: pass those through env) */
  command: z
    .array(z.string({ error: (i) => (isSecret(i.input) ? 'a secret never goes in argv (ps shows it): pass it through env and read it there' : 'expected a string') }), {
      error: (i) => (typeof i.input === 'string' ? 'the program and each argument are elements of a list, e.g. [git, log, --oneline]; a shell line is [sh, -c, "…"] with values passed through env' : undefined),
    })
    .min(1),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), EnvValue).optional(),
  cwd: z.string().optional(),
  stdin: z.union([z.string(), z.custom<Secret>(isSecret)]).optional(),
  /** parse stdout as JSON into `outputs.json` */
  json: z.boolean().default(false),
  /** exit codes that count as success */
  ok_codes: z.array(z.number().int()).default([0]),
  /** the command only reads (a detect step): safe to run again after a crash */
  idempotent: z.boolean().default(false),
  /** a read-back command: exit 0 means the effect is in place (used when an item is in doubt) */
  verify_command: z.array(z.string()).min(1).optional(),
});
type RunInput = z.infer<typeof RunInput>;

const RunOutput = z.object({
  exit_code: z.number().nullable(),
  stdout: z.string(),
  json: z.unknown().optional(),
});
type RunOutput = z.infer<typeof RunOutput>;

function envOf(config: Config, input: { env?: RunInput['env'] }): Record<string, string | Secret> {
  const out: Record<string, string | Secret> = {};
  for (const src of [config.env, input.env]) for (const [k, v] of Object.entries(src ?? {})) out[k] = isSecret(v) ? v : String(v);
  return out;
}

function failed(ctx: ActionContext<Config>, res: ExecResult, what: string): ProviderError {
  if (res.timedOut) return new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${what} ${res.argv0} timed out`, failure: 'ambiguous', code: 'TIMEOUT' });
  if (res.aborted) return new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${what} ${res.argv0} was cancelled`, failure: 'ambiguous', code: 'ABORTED' });
  const how = res.exitCode === null ? `was killed by ${res.signal ?? 'a signal'}` : `exited with code ${res.exitCode}`;
  return new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${what} ${res.argv0} ${how}`, failure: 'definite', code: 'EXIT' });
}

/** how much stdout a `json: true` command may print (characters): parsed whole, so not capped at exec's default 1 MiB */
const MAX_JSON_CHARS = 64 * 1024 * 1024;

const run = defineAction<RunInput, RunOutput, Config>({
  kind: 'any',
  description: 'Run a command (argv array); values reach it through env, never through a shell string.',
  input: RunInput,
  output: RunOutput,
  idempotent: (input) => input.idempotent,
  plan: (_ctx, input) => [
    `run ${JSON.stringify(input.command)}${input.env ? ` with env ${Object.keys(input.env).join(', ')}` : ''}${input.cwd ? ` in ${input.cwd}` : ''}`,
  ],
  async run(ctx, input) {
    const res = await ctx.exec(input.command, {
      cwd: resolve(ctx.workdir, input.cwd ?? ctx.config.cwd ?? '.'),
      env: envOf(ctx.config, input),
      input: input.stdin,
      // (no signal: ctx.exec is bound to the item's signal — passing it again cost an AbortSignal.any per call)
      // a JSON answer is parsed whole: a large fan-out's document (10,000 tokens) is megabytes
      ...(input.json ? { maxBuffer: MAX_JSON_CHARS } : {}),
    });
    ctx.evidence({ exitCode: res.exitCode });
    if (res.timedOut || res.aborted || res.exitCode === null || !input.ok_codes.includes(res.exitCode)) throw failed(ctx, res, 'command');
    const out: RunOutput = { exit_code: res.exitCode, stdout: res.stdout.length > 65536 ? res.stdout.slice(-65536) : res.stdout };
    if (input.json) {
      if (res.truncated) throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${res.argv0} printed more than ${MAX_JSON_CHARS / 1024 / 1024} MiB of output: too large to read as JSON (json: true)`, failure: 'definite', code: 'NOT_JSON', nextSteps: ['Print a smaller document (e.g. write the large part to a file and print its path).'] });
      try {
        out.json = JSON.parse(res.stdout);
      } catch {
        throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${res.argv0} printed output that is not JSON (json: true)`, failure: 'definite', code: 'NOT_JSON' });
      }
    }
    return out;
  },
  async verify(ctx, input) {
    if (!input.verify_command) return { state: 'unknown', detail: 'no verify_command given' };
    const res = await ctx.exec(input.verify_command, { cwd: resolve(ctx.workdir, input.cwd ?? ctx.config.cwd ?? '.'), env: envOf(ctx.config, input) });
    if (res.timedOut || res.aborted) return { state: 'unknown', detail: 'verify command did not finish' };
    return res.exitCode === 0 ? { state: 'done', detail: 'verify command exited 0' } : { state: 'not-done', detail: `verify command exited ${res.exitCode}` };
  },
});

export default defineProvider<Config>({
  type: 'shell',
  description: 'Run local commands (argv arrays; secrets through env or stdin).',
  config: Config,
  actions: { run },
});
