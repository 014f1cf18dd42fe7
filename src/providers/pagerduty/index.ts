/**
 * pagerduty — Events API v2: trigger / acknowledge / resolve (`POST {api_url}/v2/enqueue`,
 * no auth header; the routing key in the body is the credential and a Secret).
 *
 * All three actions are idempotent: PagerDuty groups events by `dedup_key`, and ours is
 * stable across resumes — `<incident>/<step>` (plus `/<item>` when the step runs per item) —
 * so a repeated trigger lands on the same open incident instead of paging again, and a repeated
 * acknowledge / resolve changes nothing. That is what lets the engine retry an ambiguous send
 * (timeout, reset, 5xx) without asking the operator. The Events API cannot be read back (that
 * needs the REST API and another credential), so there is no verify().
 *
 * 202 `{status:"success", message, dedup_key}`; 400 `{status:"invalid event", errors:[…]}` →
 * definite, listing the errors; 429 → not-sent (with Retry-After when sent).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import type { HttpResponse } from '../../core/http.js';
import type { Secret } from '../../core/secrets/secret.js';
import { defineAction, defineProvider, secretField, type ActionContext } from '../sdk.js';
import { send, statusError, statusHint } from '../http/door.js';

const Config = z.strictObject({
  /** the service's Events API v2 integration (routing) key */
  routing_key: secretField('a routing key reference such as ${{ secrets.pagerduty_routing_key }}').optional(),
  api_url: z.url({ protocol: /^https?$/ }).default('https://events.pagerduty.com'),
  timeout_ms: z.number().int().positive().max(600_000).optional(),
});
type Config = z.infer<typeof Config>;

const DedupKey = z.string().min(1).max(255);
const Common = {
  /** default: `<incident>/<step>` (trigger) — stable across resumes */
  dedup_key: DedupKey.optional(),
  /** overrides the instance's routing key */
  routing_key: secretField('a routing key reference').optional(),
};

const TriggerInput = z.strictObject({
  ...Common,
  summary: z.string().min(1).max(1024),
  source: z.string().min(1).max(255).default('runbook'),
  severity: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
  component: z.string().max(255).optional(),
  group: z.string().max(255).optional(),
  class: z.string().max(255).optional(),
  custom_details: z.record(z.string(), z.unknown()).optional(),
  links: z.array(z.strictObject({ href: z.url(), text: z.string().optional() })).max(20).optional(),
});
type TriggerInput = z.infer<typeof TriggerInput>;

const FollowUpInput = z
  .strictObject({
    ...Common,
    /** the id of the step that triggered: its dedup key `<incident>/<step>` is used */
    trigger_step: z.string().min(1).optional(),
  })
  .refine((v) => v.dedup_key !== undefined || v.trigger_step !== undefined, 'give trigger_step (the step that paged) or dedup_key');
type FollowUpInput = z.infer<typeof FollowUpInput>;

const Output = z.object({ dedup_key: z.string(), event_action: z.enum(['trigger', 'acknowledge', 'resolve']), message: z.string() });
type Output = z.infer<typeof Output>;

/** `<incident>/<step>` (+ `/<item>` for per-item steps), hashed if it would exceed PagerDuty's 255 characters. */
export function defaultDedupKey(incident: { id: string; stepId: string; itemKey: string }, stepId = incident.stepId): string {
  const key = `${incident.id}/${stepId}${incident.itemKey && incident.itemKey !== '-' ? `/${incident.itemKey}` : ''}`;
  return key.length <= 255 ? key : `runbook/${createHash('sha256').update(key).digest('hex')}`;
}

function dedupKeyFor(ctx: ActionContext<Config>, input: { dedup_key?: string; trigger_step?: string }): string {
  return input.dedup_key ?? defaultDedupKey(ctx.incident, input.trigger_step);
}

function routingKey(ctx: ActionContext<Config>, input: { routing_key?: Secret }): Secret {
  const key = input.routing_key ?? ctx.config.routing_key;
  if (!key) throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'no routing key: set routing_key on the provider or the step', failure: 'definite', code: 'CONFIG' });
  return key;
}

function endpoint(ctx: ActionContext<Config>): string {
  return `${ctx.config.api_url.replace(/\/+$/, '')}/v2/enqueue`;
}

/** The `errors` of a 400, as short strings, with the routing key masked should PagerDuty echo it. */
function eventErrors(res: HttpResponse, key: Secret): string[] {
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return [];
  }
  const errors = (body as { errors?: unknown })?.errors;
  if (!Array.isArray(errors)) return [];
  const raw = key.reveal();
  return errors
    .filter((e): e is string => typeof e === 'string')
    .slice(0, 5)
    .map((e) => (raw ? e.split(raw).join(String(key)) : e).replace(/[^\x20-\x7e]/g, '?').slice(0, 200));
}

async function enqueue(ctx: ActionContext<Config>, action: Output['event_action'], key: Secret, dedupKey: string, payload?: Record<string, unknown>, links?: unknown): Promise<Output> {
  const body = JSON.stringify({ routing_key: key.reveal(), event_action: action, dedup_key: dedupKey, ...(payload ? { payload } : {}), ...(links ? { links } : {}) });
  const res = await send(ctx, { method: 'POST', url: endpoint(ctx), headers: { 'content-type': 'application/json' }, body, timeoutMs: ctx.config.timeout_ms });
  ctx.evidence({ httpStatus: res.status, requestId: res.requestId, detail: `${action} ${dedupKey}` });
  if (res.status === 202) {
    ctx.log.info(`PagerDuty ${action} accepted (dedup_key ${dedupKey})`);
    let message = 'Event processed';
    try {
      const m = (JSON.parse(res.text) as { message?: unknown }).message;
      if (typeof m === 'string') message = m.slice(0, 200);
    } catch {
      // a 202 is success whatever the body says
    }
    return { dedup_key: dedupKey, event_action: action, message };
  }
  if (res.status === 400) {
    const errors = eventErrors(res, key);
    throw statusError(ctx, res, endpoint(ctx), `PagerDuty rejected the ${action} event as invalid${errors.length ? `: ${errors.join('; ')}` : ''}`, 'INVALID_EVENT');
  }
  const hint = res.status === 404 ? `no Events API at ${endpoint(ctx)} — check api_url` : statusHint(res.status);
  throw statusError(ctx, res, endpoint(ctx), `PagerDuty ${action}: ${hint}`);
}

const trigger = defineAction<TriggerInput, Output, Config>({
  kind: 'notify',
  description: 'Page: trigger a PagerDuty alert (Events API v2); dedup_key <incident>/<step> means a resumed run cannot page twice.',
  input: TriggerInput,
  output: Output,
  idempotent: true,
  plan: (ctx, input) => [`POST ${endpoint(ctx)} trigger (${input.severity}) "${input.summary.slice(0, 80)}" dedup_key ${dedupKeyFor(ctx, input)}`],
  run: (ctx, input) => {
    const payload: Record<string, unknown> = { summary: input.summary, source: input.source, severity: input.severity };
    for (const k of ['component', 'group', 'class', 'custom_details'] as const) if (input[k] !== undefined) payload[k] = input[k];
    return enqueue(ctx, 'trigger', routingKey(ctx, input), dedupKeyFor(ctx, input), payload, input.links);
  },
});

function followUp(action: 'acknowledge' | 'resolve', description: string) {
  return defineAction<FollowUpInput, Output, Config>({
    kind: 'notify',
    description,
    input: FollowUpInput,
    output: Output,
    idempotent: true,
    plan: (ctx, input) => [`POST ${endpoint(ctx)} ${action} dedup_key ${dedupKeyFor(ctx, input)}`],
    run: (ctx, input) => enqueue(ctx, action, routingKey(ctx, input), dedupKeyFor(ctx, input)),
  });
}

export default defineProvider<Config>({
  type: 'pagerduty',
  description: 'PagerDuty Events API v2: trigger, acknowledge and resolve alerts (dedup_key per incident step).',
  config: Config,
  actions: {
    trigger,
    acknowledge: followUp('acknowledge', 'Acknowledge the alert a trigger step opened (by trigger_step or dedup_key).'),
    resolve: followUp('resolve', 'Resolve the alert a trigger step opened (by trigger_step or dedup_key).'),
  },
  drill: {
    configFor: (baseUrl, config) => ({ ...config, api_url: baseUrl }),
  },
});
