/** Shared test helpers for the http, slack and pagerduty adapter tests. */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { expect } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import type { Secret } from '../../src/core/secrets/secret.js';
import { createActionContext, memoryLogger } from '../../src/providers/context.js';
import type { ActionContext, Evidence, ProviderDef } from '../../src/providers/sdk.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric string (token-shaped fixtures are generated, never literal in source). */
export function randomAlnum(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

/** A Slack-shaped token, generated at test time. */
export function slackToken(kind = 'xoxb'): string {
  return `${kind}-${randomAlnum(10)}-${randomAlnum(12)}-${randomAlnum(24)}`;
}

export interface Harness<C> {
  ctx: ActionContext<C>;
  log: ReturnType<typeof memoryLogger>;
  evidence: Evidence[];
  secrets: SecretRegistry;
  secret(value: string, label: string): Secret;
}

export interface HarnessOptions {
  incident?: { id: string; stepId?: string; itemKey?: string; drill?: boolean };
  httpTimeoutMs?: number;
  instance?: string;
}

/** A real ActionContext (createActionContext) with an in-memory logger and evidence list. */
export function harness<C>(provider: ProviderDef<C>, action: string, config: C | ((h: { secret(v: string, l: string): Secret }) => C), opts: HarnessOptions = {}): Harness<C> {
  const secrets = new SecretRegistry();
  const log = memoryLogger();
  const evidence: Evidence[] = [];
  const secret = (v: string, l: string) => secrets.create(v, l);
  const cfg = typeof config === 'function' ? (config as (h: { secret: typeof secret }) => C)({ secret }) : config;
  const parsed = provider.config.parse(cfg);
  const ctx = createActionContext<C>({
    instance: opts.instance,
    type: provider.type,
    action,
    config: parsed,
    log,
    secrets,
    onEvidence: (e) => evidence.push(e),
    httpTimeoutMs: opts.httpTimeoutMs ?? 5_000,
    incident: opts.incident ?? { id: 'inc-1', stepId: 'notify' },
  });
  return { ctx, log, evidence, secrets, secret };
}

/** Validate input with the action's schema, run it, and validate its output. */
export async function runAction<C>(provider: ProviderDef<C>, ctx: ActionContext<C>, input: unknown): Promise<any> {
  const def = provider.actions[ctx.action];
  if (!def) throw new Error(`no action ${ctx.action}`);
  const out = await def.run(ctx, def.input.parse(input));
  expect(def.output.safeParse(out).success).toBe(true);
  return out;
}

export async function verifyAction<C>(provider: ProviderDef<C>, ctx: ActionContext<C>, input: unknown, output?: unknown) {
  const def = provider.actions[ctx.action];
  if (!def?.verify) throw new Error(`no verify on ${ctx.action}`);
  return def.verify(ctx, def.input.parse(input), output);
}

export async function planAction<C>(provider: ProviderDef<C>, ctx: ActionContext<C>, input: unknown): Promise<string[]> {
  const def = provider.actions[ctx.action];
  if (!def?.plan) throw new Error(`no plan on ${ctx.action}`);
  return def.plan(ctx, def.input.parse(input));
}

/** The ProviderError a promise rejects with (fails the test if it resolves or throws anything else). */
export async function providerError(p: Promise<unknown>): Promise<ProviderError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected the call to fail').toBeInstanceOf(ProviderError);
  return caught as ProviderError;
}

/** The canary must not appear in the error (message, JSON, inspect), the logger, or the evidence. */
export function expectNoLeak(canary: string, err: unknown, h: { log: { lines: string[] }; evidence: Evidence[] }): void {
  expect(canary.length).toBeGreaterThan(8);
  const places: Record<string, string> = {
    message: String((err as Error)?.message),
    json: JSON.stringify(err) ?? '',
    inspect: inspect(err, { depth: 10, showHidden: true }),
    log: h.log.lines.join('\n'),
    evidence: JSON.stringify(h.evidence),
  };
  for (const [where, text] of Object.entries(places)) expect(text.includes(canary), `canary leaked into ${where}`).toBe(false);
}
