/**
 * Runbook format v1 — the zod schema. Strict at every nesting level: an unknown key is an
 * error, never ignored. `runbook schema` generates the JSON Schema from this file.
 * Documented in docs/runbook-format.md.
 */
import { z } from 'zod';
import { MAX_DURATION_MS, durationMs } from './step-rules.js';

// zod 4 compiles a fast path (new Function) for each object schema on its first parse. A
// command parses a runbook (and a drill's scenario) once: that compiling cost more CPU than it
// saved (~0.3 s under load before the drill's first frame, bench/README.md, issue 12). Global:
// every zod parse in the process takes the interpreted path.
z.config({ jitless: true });

export { MAX_DURATION_MS, durationMs, needsConfirm, evidenceOf } from './step-rules.js';

/** `${{ … }}` anywhere in a string. */
export const EXPR_RE = /\$\{\{([\s\S]*?)\}\}/g;
/** A string that is exactly one expression (its value keeps its type); the body holds no `}}`. */
export const WHOLE_EXPR_RE = /^\s*\$\{\{((?:(?!\}\})[\s\S])*)\}\}\s*$/;

export const Severity = z.enum(['info', 'low', 'medium', 'high', 'critical']).describe('how bad the incident is (default: high)');
export const StepKind = z
  .enum(['detect', 'revoke', 'rotate', 'notify', 'manual'])
  .describe('detect | revoke | rotate | notify | manual; revoke and rotate steps wait for approval by default');
export type StepKind = z.infer<typeof StepKind>;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(idPattern, 'use letters, digits, "-" and "_" (start with a letter or digit)');

/** `30s`, `5m`, `1h`, `250ms`, or a number of seconds. */
/** `30s`, `5m`, `1h`, `250ms`, or a number of seconds. */
export const Duration = z
  .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration such as 500ms, 30s, 5m or 1h')])
  // "0s" as well as 0: a zero timeout, backoff or watch interval is a mistake (a watch would poll in a busy loop)
  .refine((d: number | string) => !(durationMs(d) <= 0), 'must be longer than zero: a duration such as 500ms, 30s, 5m or 1h')
  .refine((d: number | string) => !(durationMs(d) > MAX_DURATION_MS), `too long: a timer waits at most ${MAX_DURATION_MS} ms (about 596h); use a shorter duration`)
  .describe('a duration: 500ms, 30s, 5m, 1h, or a number of seconds');
export type Duration = z.infer<typeof Duration>;

/** Free-form values (for `with`, provider config, drill fixtures): anything YAML can hold. */
export const Value: z.ZodType<unknown> = z
  .lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Value), z.record(z.string(), Value)]))
  .meta({ id: 'Value', description: 'any YAML value; strings may hold ${{ }} expressions' });

/** Names of outputs (used as `steps.<id>.outputs.<name>`). */
const Name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a name of letters, digits, "-" and "_" (start with a letter or "_")');

export const Input = z
  .strictObject({
    type: z.enum(['string', 'number', 'boolean', 'list']).default('string').describe('string (default), number, boolean or list (of strings)'),
    description: z.string().optional(),
    required: z.boolean().default(false).describe('ask for it (or fail without --input) when it has no default'),
    default: z
      .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))])
      .optional()
      .describe('the value when none is given; must have the input type'),
    /** A regular expression a string (or each list element) must match. */
    pattern: z.string().optional().describe('a regular expression a string (or each list element) must match'),
    /** Shown when asking for the input at start. */
    prompt: z.string().optional().describe('the question shown when asking for the input at start'),
  })
  .describe('an input, asked for at start or given with --input KEY=VALUE');
export type Input = z.infer<typeof Input>;

const SecretCommon = { description: z.string().optional() };
/** Secrets are references only — never literal values. */
export const SecretSource = z
  .discriminatedUnion('from', [
  z.strictObject({ from: z.literal('env'), env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), ...SecretCommon }),
  z.strictObject({ from: z.literal('file'), path: z.string().min(1), ...SecretCommon }),
  z.strictObject({
    from: z.literal('command'),
    /** argv array; the secret is the command's stdout (trailing newline removed) */
    command: z.array(z.string()).min(1),
    ...SecretCommon,
  }),
  z.strictObject({ from: z.literal('prompt'), prompt: z.string().optional(), ...SecretCommon }),
  ])
  .describe('where a secret comes from: env, file, command (its stdout) or prompt (hidden) — never a literal value');
export type SecretSource = z.infer<typeof SecretSource>;

/** A named provider instance: `{ type, ...config }`. The config is checked against the provider's own schema. */
export const ProviderInstance = z
  .looseObject({ type: z.string().min(1).describe('the provider type, e.g. shell, huggingface, github, aws, slack') })
  .describe('a provider instance: its type plus the config that type takes (may use ${{ secrets.x }} and ${{ inputs.x }})');
export type ProviderInstance = z.infer<typeof ProviderInstance>;

export const Retry = z
  .strictObject({
  attempts: z.number().int().min(1).max(20).default(1),
  /** base delay for full-jitter exponential backoff */
  backoff: Duration.default('1s'),
  max_backoff: Duration.default('30s'),
  })
  .describe('retry a failed call (only failures that were not sent; ambiguous ones are verified first)');

export const Evidence = z.union([
  z.enum(['none', 'note', 'link']),
  z.strictObject({ type: z.enum(['note', 'link']), required: z.boolean().default(true), prompt: z.string().optional() }),
]).describe('manual steps: what the operator records when ticking the step off (none, note or link)');

/** Post-condition: an action whose result says the step really took effect. */
export const VerifySpec = z.union([
  z.boolean(),
  z.strictObject({
    uses: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+$/, 'provider.action').describe('<provider instance>.<action> that reads the effect back'),
    with: z.record(z.string(), Value).optional().describe("the verify action's input; `result` is the step's own output"),
    /** expression over `result` (the verify action's output) that must be true */
    expect: z.string().optional().describe("expression over `result` (the verify action's output) that must be true"),
    /** how long to keep re-checking (e.g. GitHub revokes asynchronously) */
    within: Duration.optional().describe('keep re-checking for this long (e.g. GitHub revokes asynchronously)'),
  }),
]).describe("post-condition: true = the action's own read-back; or an action whose result says the step took effect");

/** Reserved for drills (issue: drill mode): per-step fixture used when a step cannot run in a drill. */
export const StepDrill = z
  .strictObject({
  /** a shell step marked safe may run for real during a drill */
  safe: z.boolean().optional(),
  /** outputs to use instead of running the step in a drill */
  outputs: z.record(z.string(), Value).optional(),
  stdout: z.string().optional(),
  /** for manual steps: how long the simulated responder takes */
  takes: Duration.optional(),
  /** the drill's scorecard counts this step (done) as the rotation: a manual reissue the simulated world holds no consumer of */
  rotates: z.boolean().optional(),
  })
  .describe('reserved for drills: fixtures used instead of running the step');

/** Format 1.1: a bounded loop over the step's own `steps:` (one round), until an expression holds. */
export const Repeat = z
  .strictObject({
    until: z.union([z.string().min(1), z.boolean()]).describe("expression evaluated after each round (that round's steps.<inner id>); the loop ends when it is true"),
    max: z.number().int().min(1).max(100).describe('the most rounds (1–100)'),
    every: Duration.optional().describe('pause before each round after the first (drill time in drills)'),
    on_max: z.enum(['fail', 'continue']).default('fail').describe('reaching max with until still false: fail the step (default) or finish it ok with until_met: false'),
  })
  .describe('format 1.1: run this step\'s steps: in order, round after round, until `until` holds (at most `max` rounds)');
export type Repeat = z.infer<typeof Repeat>;

/** Format 1.1: call the step's action every `every`, for `for`, stopping as soon as a condition is seen. */
export const Watch = z
  .strictObject({
    every: Duration.describe('time between checks'),
    for: Duration.describe('how long to watch in all (the time already watched is kept across quit/resume)'),
    fail_if: z.string().min(1).optional().describe("expression over `result` (the check's output): when true, the step fails at once"),
    until: z.string().min(1).optional().describe("expression over `result`: when true, the step ends at once, ok, with seen: true"),
  })
  .describe('format 1.1: hold and watch — run the check every `every` for `for`; stop early when fail_if or until is seen');
export type Watch = z.infer<typeof Watch>;

const StepBase = z.strictObject({
  id: Id.describe('unique, stable id (resume is by id); letters, digits, "-" and "_"'),
  kind: StepKind,
  title: z.string().min(1).describe('one line shown in the checklist'),
  description: z.string().optional().describe('Markdown: why this step exists'),
  /** Markdown shown to the operator */
  instructions: z.string().optional().describe('Markdown shown to the operator (what to do, for manual steps)'),
  /** `<provider instance>.<action>`; required except for manual steps */
  uses: z
    .string()
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+$/, 'provider.action, e.g. hf.revokeToken')
    .optional()
    .describe('<provider instance>.<action>; required except for manual steps'),
  with: z.record(z.string(), Value).optional().describe("the action's input; values may be ${{ }} expressions"),
  /** a list, or an expression that yields one; the step runs once per item */
  for_each: z.union([z.string(), z.array(Value)]).optional().describe('a list, or an expression that yields one; the step runs once per item (`item`)'),
  /** expression giving each item's stable key (default: item.id, item.key, item.name, or the item itself) */
  item_key: z.string().optional().describe("expression giving each item's stable key (default: item.id, item.key, item.name, or the item)"),
  concurrency: z.number().int().min(1).max(64).optional().describe('items of a for_each run at once (default 1)'),
  if: z.union([z.string(), z.boolean()]).optional().describe('run the step only when this expression is true'),
  /** step ids this step runs after (default: the previous step) */
  needs: z.array(Id).optional().describe('step ids this step runs after (default: the previous step; [] for none)'),
  /** approval gate; default on for revoke and rotate */
  confirm: z.boolean().optional().describe('wait for approval before running (default: true for revoke and rotate)'),
  /** four-eyes (docs/team-mode.md): the gate needs `count` approvals by distinct operators other than the runner */
  approvals: z
    .strictObject({
      distinct: z.literal(true).describe('approvers must be operators other than the one running the incident (four-eyes)'),
      count: z.number().int().min(1).max(9).default(1).describe('how many distinct approvers (default 1)'),
    })
    .optional()
    .describe('four-eyes gate: approvals by other operators (runbook approve, runbook attach); the runner cannot approve it'),
  timeout: Duration.optional(),
  retry: Retry.optional(),
  on_failure: z.enum(['stop', 'continue']).default('stop').describe('stop the run (default) or continue with the steps that do not need this one'),
  /** named outputs, each an expression over `result` (default: the action's output) */
  outputs: z
    .record(Name, z.string())
    .optional()
    .describe("named outputs, each an expression over `result` (default: the action's output)"),
  verify: VerifySpec.optional(),
  /** manual steps: what the operator records when ticking it off */
  evidence: Evidence.optional(),
  drill: StepDrill.optional(),
  watch: Watch.optional(),
});

/** The most steps in one repeat round. */
export const MAX_INNER_STEPS = 100;

/** A step inside a repeat: an ordinary step (no nested repeat). */
export const InnerStep = StepBase.meta({ id: 'InnerStep', description: 'a step of a repeat round: an ordinary step (no needs, no nested repeat)' });
export type InnerStep = z.infer<typeof InnerStep>;

export const Step = StepBase.extend({
  repeat: Repeat.optional(),
  steps: z.array(InnerStep).min(1).max(MAX_INNER_STEPS).optional().describe('with repeat: the steps of one round, run in order'),
});
export type Step = z.infer<typeof Step>;

/** The most steps a runbook may have. */
export const MAX_STEPS = 10_000;

/** Reserved for drills: a runbook's default scenario. */
export const RunbookDrill = z
  .strictObject({
  /** path of a scenario file, relative to the runbook */
  scenario: z.string().optional(),
  /** an inline scenario (validated by the drill module) */
  world: z.record(z.string(), Value).optional(),
  faults: z.union([z.string(), z.array(Value)]).optional(),
  inputs: z.record(z.string(), Value).optional(),
  })
  .describe("reserved for drills: the runbook's default scenario");

export const Runbook = z
  .strictObject({
    version: z.union([z.literal(1), z.literal(1.1)]).describe('the format version: 1, or 1.1 (adds repeat and watch)'),
    id: Id.describe('a short, stable id for the runbook'),
    title: z.string().min(1),
    summary: z.string().optional().describe('Markdown: when to use this runbook'),
    severity: Severity.default('high'),
    tags: z.array(z.string()).default([]),
    owner: z.string().optional().describe('team or person who keeps this runbook current'),
    inputs: z.record(Id, Input).default({}).describe('values asked for at start or given with --input KEY=VALUE; used as ${{ inputs.NAME }}'),
    secrets: z.record(Id, SecretSource).default({}).describe('secret references, used as ${{ secrets.NAME }}'),
    providers: z.record(Id, ProviderInstance).default({}).describe('named provider instances, used by steps as uses: NAME.action'),
    /** third-party provider modules: paths (relative to the runbook) or package names */
    plugins: z.array(z.string()).default([]).describe('third-party provider modules: paths (relative to the runbook) or package names'),
    drill: RunbookDrill.optional(),
    steps: z.array(Step).min(1).max(MAX_STEPS).describe('the steps, run in order unless needs says otherwise'),
  })
  .describe('an incident-response runbook (format v1, docs/runbook-format.md)');
export type Runbook = z.infer<typeof Runbook>;
export type RunbookInput = z.input<typeof Runbook>;
