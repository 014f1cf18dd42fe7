/**
 * The provider SDK: how an adapter declares itself and what it gets to work with.
 *
 * An adapter never touches the journal, the store or the UI. It receives an ActionContext
 * (exec, http, a logger, an AbortSignal, the item's idempotency key, its resolved config with
 * secrets as `Secret` objects) and returns a typed result, or throws a ProviderError.
 */
import { z } from 'zod';
import { ProviderError } from '../core/errors.js';
import type { ExecOptions, ExecResult } from '../core/exec.js';
import type { HttpRequest, HttpResponse } from '../core/http.js';
import { Secret, isSecret } from '../core/secrets/secret.js';
import type { StepKind } from '../core/runbook/schema.js';

// zod-free, so the engine and the registry import them without zod (./shape.ts)
export { checkProviderShape, isIdempotent } from './shape.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
  /** a line of child or service output (redacted before it is shown or stored) */
  line(stream: 'stdout' | 'stderr', text: string): void;
}

/** Evidence for the journal and the report: what the service said. */
export interface Evidence {
  httpStatus?: number;
  requestId?: string;
  exitCode?: number | null;
  detail?: string;
}

export interface ActionContext<C = unknown> {
  /** provider instance name in the runbook (e.g. `hf`) and its type (`huggingface`) */
  instance: string;
  type: string;
  action: string;
  config: C;
  signal: AbortSignal;
  /** `<incident>/<step>/<item>` — stable across resumes; send it where a service accepts one */
  idempotencyKey: string;
  /** `inDoubtSince`: this item was in doubt (an interrupted call) and is being called again — the first intent's time, ISO */
  incident: { id: string; drill: boolean; stepId: string; itemKey: string; inDoubtSince?: string };
  /** the runbook's folder: relative paths in inputs are relative to it */
  workdir: string;
  log: Logger;
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** `provider` and `action` are filled in */
  http(req: Omit<HttpRequest, 'provider' | 'action'> & Partial<Pick<HttpRequest, 'provider' | 'action'>>): Promise<HttpResponse>;
  /** fetch through the HTTP door, for official client libraries */
  fetch: typeof fetch;
  /** the keyed fingerprint the journal uses for this value (stable across resumes of an incident) */
  fingerprint(value: string): string;
  /** wrap a value that was just created or discovered as a Secret and register it with the redactor at once */
  secret(value: string, label: string): Secret;
  /** record evidence for this item (kept in the journal's outcome record) */
  evidence(e: Evidence): void;
  /** ms since the Unix epoch: real time, or the drill world's time in a drill — use it for times sent to a service */
  now(): number;
}

export type PlanLine = string;

/** What a read-back says. `done`: the effect is in place (token dead, secret rotated). */
export interface VerifyResult {
  state: 'done' | 'not-done' | 'unknown';
  detail?: string;
}

export interface ActionDef<I = any, O = any, C = any> {
  /** the kind of step this action belongs in (`any`: generic actions such as shell or http) */
  kind: Exclude<StepKind, 'manual'> | 'any';
  description: string;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  /**
   * Safe to repeat? Non-idempotent actions are verified, never blindly re-run, when in doubt.
   * A function decides per input (e.g. a shell command the runbook marks read-only).
   */
  idempotent: boolean | ((input: I) => boolean);
  run(ctx: ActionContext<C>, input: I): Promise<O>;
  /** the calls it would make — for `runbook plan` and approval gates; nothing is called */
  plan?(ctx: ActionContext<C>, input: I): PlanLine[] | Promise<PlanLine[]>;
  /** read back whether the effect is in place; `output` is absent when the item is in doubt */
  verify?(ctx: ActionContext<C>, input: I, output: O | undefined): Promise<VerifyResult>;
}

export interface ProviderDef<C = any> {
  type: string;
  description: string;
  /** the instance config (`providers.<name>` minus `type`), strict */
  config: z.ZodType<C>;
  actions: Record<string, ActionDef<any, any, C>>;
  /** drill: how to point this provider at its simulator (filled in by the drill module) */
  drill?: {
    /** config overrides that aim the instance at a simulator listening on `baseUrl` */
    configFor?(baseUrl: string, config: C): C;
  };
}

/** The error for an action that needs the operator's credential and the instance config has none. */
export function operatorTokenMissing(ctx: Pick<ActionContext, 'instance' | 'action'>, hint: string): ProviderError {
  return new ProviderError({
    provider: ctx.instance,
    action: ctx.action,
    message: 'this action needs the operator token (config.token)',
    failure: 'definite',
    code: 'NO_TOKEN',
    nextSteps: [hint],
  });
}

/** Whether an action is safe to repeat for this input. */
export function defineProvider<C>(def: ProviderDef<C>): ProviderDef<C> {
  return def;
}

export function defineAction<I, O, C = any>(def: ActionDef<I, O, C>): ActionDef<I, O, C> {
  return def;
}

/** Schema for a config or input field that must be a secret reference (`${{ secrets.x }}`). */
export function secretField(description = 'a secret reference such as ${{ secrets.token }}') {
  return z.custom<Secret>(isSecret, { message: `must be ${description}, never a literal value` }).describe(description);
}

/** Every action's output may carry secrets only as Secret objects; this helper checks the shape. */
export const SecretOut = z.custom<Secret>(isSecret);

