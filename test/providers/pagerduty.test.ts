/** pagerduty actions against the PagerDuty Events API v2 simulator. */
import { beforeEach, describe, expect, it } from 'vitest';
import { startPagerDutySimulator, type PagerDutySimulator } from '../../src/drill/simulators/pagerduty.js';
import pagerduty, { defaultDedupKey } from '../../src/providers/pagerduty/index.js';
import { expectNoLeak, harness, planAction, providerError, randomAlnum, runAction, type HarnessOptions } from './helpers-notify.js';
import { useSimulator } from './use-simulator.js';

let sim: PagerDutySimulator;
let routingKey: string;
let incidentId: string;
useSimulator(startPagerDutySimulator, (started) => (sim = started));
beforeEach(() => {
  routingKey = randomAlnum(32);
  incidentId = `inc-${randomAlnum(8)}`;
});

function h(action: string, opts: HarnessOptions & { key?: string | null; stepId?: string; itemKey?: string } = {}) {
  const key = opts.key === undefined ? routingKey : opts.key;
  return harness(pagerduty, action, ({ secret }) => ({ api_url: sim.url, ...(key ? { routing_key: secret(key, 'secrets.pd_routing_key') } : {}) }), {
    incident: { id: incidentId, stepId: opts.stepId ?? 'page', itemKey: opts.itemKey },
    ...opts,
  });
}

const page = { summary: 'Leaked HF tokens being revoked', severity: 'critical', custom_details: { tokens: 3 } };

describe('pagerduty', () => {
  it('trigger → 202; dedup_key defaults to <incident>/<step>', async () => {
    const hh = h('trigger');
    const out = await runAction(pagerduty, hh.ctx, page);
    expect(out).toEqual({ dedup_key: `${incidentId}/page`, event_action: 'trigger', message: 'Event processed' });
    expect(sim.incident(`${incidentId}/page`)).toMatchObject({ status: 'triggered', summary: page.summary, severity: 'critical', source: 'runbook', triggers: 1 });
    expect(hh.evidence[0]?.httpStatus).toBe(202);
  });

  it('a resumed run triggers again with the same dedup_key: still one incident', async () => {
    await runAction(pagerduty, h('trigger').ctx, page);
    await runAction(pagerduty, h('trigger').ctx, page);
    const mine = sim.incidents.filter((i) => i.dedupKey === `${incidentId}/page`);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ triggers: 2, events: 2 });
    const perItem = h('trigger', { itemKey: 'team-a' });
    expect((await runAction(pagerduty, perItem.ctx, page)).dedup_key).toBe(`${incidentId}/page/team-a`);
  });

  it('an ambiguous send (connection dropped after the event was applied) is safe to repeat', async () => {
    sim.setFaults(() => ({ type: 'ambiguous' }));
    const err = await providerError(runAction(pagerduty, h('trigger').ctx, page));
    expect(err.failure).toBe('ambiguous');
    expect(pagerduty.actions.trigger!.idempotent).toBe(true);
    sim.setFaults(undefined);
    await runAction(pagerduty, h('trigger').ctx, page);
    expect(sim.incidents.filter((i) => i.dedupKey === `${incidentId}/page`)).toHaveLength(1);
  });

  it('acknowledge and resolve by trigger_step (or explicit dedup_key)', async () => {
    await runAction(pagerduty, h('trigger').ctx, page);
    const ack = await runAction(pagerduty, h('acknowledge', { stepId: 'ack' }).ctx, { trigger_step: 'page' });
    expect(ack.dedup_key).toBe(`${incidentId}/page`);
    expect(sim.incident(`${incidentId}/page`)?.status).toBe('acknowledged');
    await runAction(pagerduty, h('resolve', { stepId: 'close' }).ctx, { dedup_key: `${incidentId}/page` });
    expect(sim.incident(`${incidentId}/page`)?.status).toBe('resolved');
    expect(pagerduty.actions.resolve!.input.safeParse({}).success).toBe(false);
  });

  it('400 invalid event → definite, listing the errors; the routing key is masked if echoed', async () => {
    const hh = h('trigger', { key: randomAlnum(31) });
    const err = await providerError(runAction(pagerduty, hh.ctx, page));
    expect(err.status).toBe(400);
    expect(err.failure).toBe('definite');
    expect(err.code).toBe('INVALID_EVENT');
    expect(err.message).toContain("Length of 'routing_key' is incorrect");
    const canary = randomAlnum(32);
    const echo = h('trigger', { key: canary });
    sim.setFaults(() => ({ type: 'status', status: 400, body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: [`routing key ${canary} is not known`] }) }));
    const e2 = await providerError(runAction(pagerduty, echo.ctx, page));
    expect(e2.message).toContain('routing key [secret secrets.pd_routing_key] is not known');
    expectNoLeak(canary, e2, echo);
  });

  it('429 with Retry-After → not-sent with retryAfterMs; 5xx classified; never the routing key', async () => {
    const hh = h('trigger');
    sim.setFaults(() => ({ type: 'status', status: 429, retryAfterS: 20 }));
    const limited = await providerError(runAction(pagerduty, hh.ctx, page));
    expect(limited.failure).toBe('not-sent');
    expect(limited.retryAfterMs).toBe(20_000);
    sim.setFaults(() => ({ type: 'status', status: 500 }));
    const failed = await providerError(runAction(pagerduty, hh.ctx, page));
    expect(failed.failure).toBe('ambiguous');
    for (const e of [limited, failed]) expectNoLeak(routingKey, e, hh);
  });

  it.each([401, 403, 404])('HTTP %i is definite', async (status) => {
    sim.setFaults(() => ({ type: 'status', status }));
    const err = await providerError(runAction(pagerduty, h('resolve').ctx, { trigger_step: 'page' }));
    expect(err.status).toBe(status);
    expect(err.failure).toBe('definite');
  });

  it('a wrong api_url (404) says so', async () => {
    const hh = harness(pagerduty, 'trigger', ({ secret }) => ({ api_url: `${sim.url}/nope`, routing_key: secret(routingKey, 'k') }));
    const err = await providerError(runAction(pagerduty, hh.ctx, page));
    expect(err.message).toContain('check api_url');
  });

  it('a timeout is ambiguous and does not leak the routing key', async () => {
    const hh = h('trigger', { httpTimeoutMs: 300 });
    sim.setFaults(() => ({ type: 'timeout' }));
    const err = await providerError(runAction(pagerduty, hh.ctx, page));
    expect(err.failure).toBe('ambiguous');
    expect(err.message).toContain('timed out');
    expectNoLeak(routingKey, err, hh);
  });

  it('without a routing key it fails before sending', async () => {
    const before = sim.requests.length;
    const err = await providerError(runAction(pagerduty, h('trigger', { key: null }).ctx, page));
    expect(err.code).toBe('CONFIG');
    expect(sim.requests.length).toBe(before);
  });

  it('plan shows the endpoint and dedup key, never the routing key, and calls nothing', async () => {
    const hh = h('trigger');
    const before = sim.requests.length;
    const lines = await planAction(pagerduty, hh.ctx, page);
    expect(lines).toEqual([`POST ${sim.url}/v2/enqueue trigger (critical) "${page.summary}" dedup_key ${incidentId}/page`]);
    expect(lines.join()).not.toContain(routingKey);
    expect(sim.requests.length).toBe(before);
  });

  it('long dedup keys are hashed to fit 255 characters, stably', () => {
    const inc = { id: 'i'.repeat(200), stepId: 's'.repeat(100), itemKey: '-' };
    const k = defaultDedupKey(inc);
    expect(k.length).toBeLessThanOrEqual(255);
    expect(k).toBe(defaultDedupKey(inc));
  });
});
