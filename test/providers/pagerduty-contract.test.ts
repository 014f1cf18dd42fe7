/**
 * Contract test for the PagerDuty Events API v2 simulator: raw HTTP, pinning the responses
 * documented in ../shared/reference/PROVIDERS.md (PagerDuty), so it cannot drift.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPagerDutySimulator, type PagerDutySimulator } from '../../src/drill/simulators/pagerduty.js';
import { randomAlnum } from './helpers-notify.js';

let sim: PagerDutySimulator;
beforeAll(async () => {
  sim = await startPagerDutySimulator();
});
afterAll(() => sim.close());

async function enqueue(body: unknown, raw?: string) {
  const res = await fetch(`${sim.url}/v2/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const key = () => randomAlnum(32);
const payload = { summary: 's', source: 'src', severity: 'error' };

describe('PagerDuty Events API v2 contract', () => {
  it('trigger → 202 {status:"success", message, dedup_key}; no auth header needed', async () => {
    const res = await enqueue({ routing_key: key(), event_action: 'trigger', dedup_key: 'c/1', payload });
    expect(res).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'c/1' } });
  });

  it('a trigger without dedup_key gets one generated', async () => {
    const res = await enqueue({ routing_key: key(), event_action: 'trigger', payload });
    expect(res.status).toBe(202);
    expect(res.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
  });

  it('same dedup_key twice = one incident with two events; after resolve a trigger opens a new one', async () => {
    const k = key();
    await enqueue({ routing_key: k, event_action: 'trigger', dedup_key: 'c/2', payload });
    await enqueue({ routing_key: k, event_action: 'trigger', dedup_key: 'c/2', payload });
    expect(sim.incidents.filter((i) => i.dedupKey === 'c/2')).toHaveLength(1);
    expect(sim.incident('c/2')).toMatchObject({ status: 'triggered', events: 2, triggers: 2 });
    await enqueue({ routing_key: k, event_action: 'acknowledge', dedup_key: 'c/2' });
    expect(sim.incident('c/2')?.status).toBe('acknowledged');
    await enqueue({ routing_key: k, event_action: 'resolve', dedup_key: 'c/2' });
    expect(sim.incident('c/2')).toMatchObject({ status: 'resolved', events: 4 });
    await enqueue({ routing_key: k, event_action: 'trigger', dedup_key: 'c/2', payload });
    expect(sim.incidents.filter((i) => i.dedupKey === 'c/2')).toHaveLength(2);
    expect(sim.count('trigger')).toBeGreaterThanOrEqual(3);
  });

  it('acknowledge/resolve of an unknown key is accepted and changes nothing', async () => {
    const n = sim.incidents.length;
    expect((await enqueue({ routing_key: key(), event_action: 'resolve', dedup_key: 'never' })).status).toBe(202);
    expect(sim.incidents.length).toBe(n);
    expect(sim.incident('never')).toBeUndefined();
  });

  it('400 {status:"invalid event", message, errors:[…]} for invalid events', async () => {
    const cases: [unknown, string][] = [
      [{ event_action: 'trigger', payload }, "'routing_key' is missing or blank"],
      [{ routing_key: 'short', event_action: 'trigger', payload }, "Length of 'routing_key' is incorrect (should be 32 characters)"],
      [{ routing_key: key(), event_action: 'page', payload }, "'event_action' is invalid (must be trigger, acknowledge or resolve)"],
      [{ routing_key: key(), event_action: 'trigger' }, "'payload' is missing or blank"],
      [{ routing_key: key(), event_action: 'trigger', payload: { ...payload, summary: '' } }, "'payload.summary' is missing or blank"],
      [{ routing_key: key(), event_action: 'trigger', payload: { ...payload, severity: 'high' } }, "'payload.severity' is invalid (must be critical, error, warning or info)"],
      [{ routing_key: key(), event_action: 'resolve' }, "'dedup_key' is missing or blank"],
    ];
    for (const [body, error] of cases) {
      const res = await enqueue(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'invalid event', message: 'Event object is invalid', errors: [error] });
    }
    expect((await enqueue(undefined, '{nope')).body.status).toBe('invalid event');
  });

  it('429 ("retry later") through the fault hook carries Retry-After', async () => {
    sim.setFaults(() => ({ type: 'status', status: 429, retryAfterS: 5 }));
    try {
      const res = await fetch(`${sim.url}/v2/enqueue`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      sim.setFaults(undefined);
    }
  });

  it('only /v2/enqueue exists; it takes POST only', async () => {
    expect((await fetch(`${sim.url}/v2/enqueue`)).status).toBe(405);
    expect((await fetch(`${sim.url}/v1/enqueue`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
