/**
 * Runbook format v1 — the zod schema. Strict at every nesting level: an unknown key is an
 * error, never ignored. `runbook schema` generates the JSON Schema from this file.
 * Documented in docs/runbook-format.md.
 */
import { z } from 'zod';

/** `${{ … }}` anywhere in a string. */
export const EXPR_RE = /\$\{\{([\s\S]*?)\}\}/g;
/** A string that is exactly one expression (its value keeps its type). */
export const WHOLE_EXPR_RE = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/;

export const Severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
export const StepKind = z.enum(['detect', 'revoke', 'rotate', 'notify', 'manual']);
export type StepKind = z.infer<typeof StepKind>;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(idPattern, 'use letters, digits, "-" and "_" (start with a letter or digit)');

/** `30s`, `5m`, `1h`, `250ms`, or a number of seconds. */
export const Duration = z.union([
  z.number().positive(),
  z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration such as 500ms, 30s, 5m or 1h'),
]);
export type Duration = z.infer<typeof Duration>;

export function durationMs(d: Duration): number {
  if (typeof d === 'number') return d * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d);
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = m[2];
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
}

/** Free-form values (for `with`, provider config, drill fixtures): anything YAML can hold. */
export const Value: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Value), z.record(z.string(), Value)]),
);

export const Input = z.strictObject({
  type: z.enum(['string', 'number', 'boolean', 'list']).default('string'),
  description: z.string().optional(),
  required: z.boolean().default(false),
  default: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))]).optional(),
  /** A regular expression a string (or each list element) must match. */
  pattern: z.string().optional(),
  /** Shown when asking for the input at start. */
  prompt: z.string().optional(),
});
export type Input = z.infer<typeof Input>;

const SecretCommon = { description: z.string().optional() };
/** Secrets are references only — never literal values. */
export const SecretSource = z.discriminatedUnion('from', [
  z.strictObject({ from: z.literal('env'), env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), ...SecretCommon }),
  z.strictObject({ from: z.literal('file'), path: z.string().min(1), ...SecretCommon }),
  z.strictObject({
    from: z.literal('command'),
    /** argv array; the secret is the command's stdout (trailing newline removed) */
    command: z.array(z.string()).min(1),
    ...SecretCommon,
  }),
  z.strictObject({ from: z.literal('prompt'), prompt: z.string().optional(), ...SecretCommon }),
]);
export type SecretSource = z.infer<typeof SecretSource>;

/** A named provider instance: `{ type, ...config }`. The config is checked against the provider's own schema. */
export const ProviderInstance = z.looseObject({ type: z.string().min(1) });
export type ProviderInstance = z.infer<typeof ProviderInstance>;

export const Retry = z.strictObject({
  attempts: z.number().int().min(1).max(20).default(1),
  /** base delay for full-jitter exponential backoff */
  backoff: Duration.default('1s'),
  max_backoff: Duration.default('30s'),
});

export const Evidence = z.union([
  z.enum(['none', 'note', 'link']),
  z.strictObject({ type: z.enum(['note', 'link']), required: z.boolean().default(true), prompt: z.string().optional() }),
]);

/** Post-condition: an action whose result says the step really took effect. */
export const VerifySpec = z.union([
  z.boolean(),
  z.strictObject({
    uses: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+$/, 'provider.action'),
    with: z.record(z.string(), Value).optional(),
    /** expression over `result` (the verify action's output) that must be true */
    expect: z.string().optional(),
    /** how long to keep re-checking (e.g. GitHub revokes asynchronously) */
    within: Duration.optional(),
  }),
]);

/** Reserved for drills (issue: drill mode): per-step fixture used when a step cannot run in a drill. */
export const StepDrill = z.strictObject({
  /** a shell step marked safe may run for real during a drill */
  safe: z.boolean().optional(),
  /** outputs to use instead of running the step in a drill */
  outputs: z.record(z.string(), Value).optional(),
  stdout: z.string().optional(),
  /** for manual steps: how long the simulated responder takes */
  takes: Duration.optional(),
});

export const Step = z.strictObject({
  id: Id,
  kind: StepKind,
  title: z.string().min(1),
  description: z.string().optional(),
  /** Markdown shown to the operator */
  instructions: z.string().optional(),
  /** `<provider instance>.<action>`; required except for manual steps */
  uses: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+$/, 'provider.action, e.g. hf.revokeToken').optional(),
  with: z.record(z.string(), Value).optional(),
  /** a list, or an expression that yields one; the step runs once per item */
  for_each: z.union([z.string(), z.array(Value)]).optional(),
  /** expression giving each item's stable key (default: item.id, item.key, item.name, or the item itself) */
  item_key: z.string().optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  /** step ids this step runs after (default: the previous step) */
  needs: z.array(Id).optional(),
  /** approval gate; default on for revoke and rotate */
  confirm: z.boolean().optional(),
  timeout: Duration.optional(),
  retry: Retry.optional(),
  on_failure: z.enum(['stop', 'continue']).default('stop'),
  /** named outputs, each an expression over `result` (default: the action's output) */
  outputs: z.record(z.string(), z.string()).optional(),
  verify: VerifySpec.optional(),
  /** manual steps: what the operator records when ticking it off */
  evidence: Evidence.optional(),
  drill: StepDrill.optional(),
});
export type Step = z.infer<typeof Step>;

/** Reserved for drills: a runbook's default scenario. */
export const RunbookDrill = z.strictObject({
  /** path of a scenario file, relative to the runbook */
  scenario: z.string().optional(),
  /** an inline scenario (validated by the drill module) */
  world: z.record(z.string(), Value).optional(),
  faults: z.union([z.string(), z.array(Value)]).optional(),
  inputs: z.record(z.string(), Value).optional(),
});

export const Runbook = z.strictObject({
  version: z.literal(1),
  id: Id,
  title: z.string().min(1),
  summary: z.string().optional(),
  severity: Severity.default('high'),
  tags: z.array(z.string()).default([]),
  owner: z.string().optional(),
  inputs: z.record(Id, Input).default({}),
  secrets: z.record(Id, SecretSource).default({}),
  providers: z.record(Id, ProviderInstance).default({}),
  /** third-party provider modules: paths (relative to the runbook) or package names */
  plugins: z.array(z.string()).default([]),
  drill: RunbookDrill.optional(),
  steps: z.array(Step).min(1),
});
export type Runbook = z.infer<typeof Runbook>;
export type RunbookInput = z.input<typeof Runbook>;

/** Whether a step waits for approval by default. */
export function needsConfirm(step: Step): boolean {
  return step.confirm ?? (step.kind === 'revoke' || step.kind === 'rotate');
}

export function evidenceOf(step: Step): { type: 'none' | 'note' | 'link'; required: boolean; prompt?: string } {
  const e = step.evidence;
  if (e === undefined || e === 'none') return { type: 'none', required: false };
  if (typeof e === 'string') return { type: e, required: true };
  return { type: e.type, required: e.required, prompt: e.prompt };
}
