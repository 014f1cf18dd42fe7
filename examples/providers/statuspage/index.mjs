/**
 * statuspage — an example third-party provider for runbook: open and resolve incidents on a
 * status page, modelled on the Atlassian Statuspage REST API v1 (base
 * https://api.statuspage.io/v1, `Authorization: OAuth <api key>`):
 *
 *   POST  /pages/{page_id}/incidents               {incident:{name, status, body, impact_override, metadata}} → 201 incident
 *   GET   /pages/{page_id}/incidents/unresolved                                                          → 200 [incident]
 *   GET   /pages/{page_id}/incidents/{id}                                                                → 200 incident
 *   PATCH /pages/{page_id}/incidents/{id}          {incident:{status:"resolved", body?}}                   → 200 incident
 *
 * Only that subset is used, and ./simulator.mjs implements the same subset for tests; check it
 * against the service's documentation before relying on it in production.
 *
 * It is plain ESM JavaScript, loaded by runbook at run time (`plugins: [./index.mjs]` in a
 * runbook, or `--plugin`). The default export is a function: runbook calls it with its plugin
 * SDK, so the provider uses the host's zod, ProviderError and Secret checks — no dependencies.
 * See docs/writing-a-provider.md.
 */

/** `sdk`: the runbook plugin SDK, version 1 ({ z, defineProvider, defineAction, secretField, ProviderError, httpError, … }). */
export default function statuspage(sdk) {
  const { z, defineProvider, defineAction, secretField, ProviderError, httpError } = sdk;

  const Config = z.strictObject({
    /** API base URL; tests and drills point it at the simulator */
    api_url: z.url({ protocol: /^https?$/ }).default('https://api.statuspage.io/v1'),
    page_id: z.string().regex(/^[a-z0-9]+$/, 'a Statuspage page id (lower-case letters and digits)'),
    api_key: secretField('the Statuspage API key, e.g. ${{ secrets.statuspage_key }}'),
    timeout_ms: z.number().int().positive().max(120_000).default(15_000),
  });

  const Incident = z.looseObject({ id: z.string(), status: z.string(), shortlink: z.string().optional(), metadata: z.record(z.string(), z.unknown()).optional() });

  const base = (ctx) => `${ctx.config.api_url.replace(/\/+$/, '')}/pages/${encodeURIComponent(ctx.config.page_id)}`;

  /**
   * Every call goes through ctx.http (timeouts, failure classes, drill loopback guard). The
   * response body is never put in an error: it could echo what we sent.
   */
  async function call(ctx, method, path, json) {
    const res = await ctx.http({
      method,
      url: `${base(ctx)}${path}`,
      headers: { authorization: `OAuth ${ctx.config.api_key.reveal()}`, accept: 'application/json' },
      ...(json === undefined ? {} : { json }),
      timeoutMs: ctx.config.timeout_ms,
    });
    ctx.evidence({ httpStatus: res.status, requestId: res.requestId });
    if (res.status === 401 || res.status === 403)
      throw new ProviderError({
        provider: ctx.instance,
        action: ctx.action,
        message: `Statuspage refused the API key (HTTP ${res.status})`,
        status: res.status,
        code: 'AUTH',
        failure: 'definite',
        nextSteps: ['Check the api_key secret and that its user is an Incident Manager of the page.'],
      });
    if (!res.ok) throw httpError(res, ctx.instance, ctx.action, `Statuspage answered HTTP ${res.status} to ${method} ${path.split('/')[1] ?? ''}`);
    let body;
    try {
      body = res.json();
    } catch {
      body = undefined;
    }
    const parsed = (Array.isArray(body) ? z.array(Incident) : Incident).safeParse(body);
    if (!parsed.success) throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'Statuspage answered with an unexpected body', code: 'BAD_RESPONSE', failure: 'ambiguous' });
    return parsed.data;
  }

  const Status = z.enum(['investigating', 'identified', 'monitoring', 'resolved']);

  const createIncident = defineAction({
    kind: 'notify',
    description: 'Open an incident on the status page (tagged with the idempotency key, so it can be read back).',
    input: z.strictObject({
      name: z.string().min(1).max(255),
      body: z.string().min(1).max(20_000),
      status: Status.exclude(['resolved']).default('investigating'),
      impact: z.enum(['none', 'minor', 'major', 'critical']).default('major'),
      /** e-mail / SMS the page's subscribers */
      deliver_notifications: z.boolean().default(true),
    }),
    output: z.object({ id: z.string(), shortlink: z.string().optional() }),
    // a repeated POST opens a second incident: the engine verifies before any retry
    idempotent: false,
    plan: (ctx, input) => [
      `POST ${base(ctx)}/incidents "${input.name}" (${input.status}, impact ${input.impact}${input.deliver_notifications ? ', notifies subscribers' : ''})`,
    ],
    async run(ctx, input) {
      const incident = await call(ctx, 'POST', '/incidents', {
        incident: {
          name: input.name,
          status: input.status,
          body: input.body,
          impact_override: input.impact,
          deliver_notifications: input.deliver_notifications,
          metadata: { runbook: { idempotency_key: ctx.idempotencyKey } },
        },
      });
      ctx.log.info(`opened status page incident ${incident.id}`);
      return { id: incident.id, ...(incident.shortlink ? { shortlink: incident.shortlink } : {}) };
    },
    async verify(ctx, _input, output) {
      // in doubt (no output): look for an open incident carrying this item's key
      try {
        if (output) {
          const inc = await call(ctx, 'GET', `/incidents/${encodeURIComponent(output.id)}`);
          return { state: 'done', detail: `incident ${inc.id} is ${inc.status}` };
        }
        const open = await call(ctx, 'GET', '/incidents/unresolved');
        const mine = open.find((i) => i.metadata?.runbook?.idempotency_key === ctx.idempotencyKey);
        return mine ? { state: 'done', detail: `found incident ${mine.id} with this item's key` } : { state: 'not-done', detail: 'no open incident carries this item\'s key' };
      } catch (e) {
        return { state: 'unknown', detail: e instanceof ProviderError ? e.message : 'read-back failed' };
      }
    },
  });

  const resolveIncident = defineAction({
    kind: 'notify',
    description: 'Mark an incident resolved, with an optional closing update.',
    input: z.strictObject({ id: z.string().min(1), body: z.string().max(20_000).optional() }),
    output: z.object({ id: z.string(), status: z.string() }),
    // setting the same status twice changes nothing
    idempotent: true,
    plan: (ctx, input) => [`PATCH ${base(ctx)}/incidents/${input.id} status resolved`],
    async run(ctx, input) {
      const inc = await call(ctx, 'PATCH', `/incidents/${encodeURIComponent(input.id)}`, { incident: { status: 'resolved', ...(input.body ? { body: input.body } : {}) } });
      return { id: inc.id, status: inc.status };
    },
    async verify(ctx, input) {
      try {
        const inc = await call(ctx, 'GET', `/incidents/${encodeURIComponent(input.id)}`);
        return inc.status === 'resolved' ? { state: 'done', detail: 'incident is resolved' } : { state: 'not-done', detail: `incident is ${inc.status}` };
      } catch (e) {
        return { state: 'unknown', detail: e instanceof ProviderError ? e.message : 'read-back failed' };
      }
    },
  });

  return defineProvider({
    type: 'statuspage',
    description: 'Status page incidents (Statuspage-style REST API): open with read-back, resolve. Example plugin.',
    config: Config,
    actions: { createIncident, resolveIncident },
    drill: { configFor: (baseUrl, config) => ({ ...config, api_url: `${baseUrl.replace(/\/+$/, '')}/v1` }) },
  });
}
