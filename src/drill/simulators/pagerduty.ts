/**
 * PagerDuty Events API v2 simulator: `POST /v2/enqueue` (no auth header; the routing key is in
 * the body), with incidents kept by dedup_key.
 *
 * - 202 `{status:"success", message:"Event processed", dedup_key}` (a trigger without a
 *   dedup_key gets a generated one);
 * - 400 `{status:"invalid event", message:"Event object is invalid", errors:[…]}` for a body
 *   that is not JSON, a missing/short routing key, an unknown event_action, a trigger without
 *   payload.summary / source / a valid severity, or an acknowledge/resolve without dedup_key;
 * - 429 only through the fault hook ("retry later").
 * A trigger for a dedup_key with an open incident (triggered or acknowledged) adds an event to
 * it — no new incident; after resolve, a trigger opens a new one. Acknowledge/resolve for an
 * unknown key is accepted and changes nothing (as PagerDuty does).
 */
import { randomBytes } from 'node:crypto';
import { json, startHttpSimulator, type FaultHook, type HttpSimulator, type SimRequest, type SimResponse } from './base.js';

export interface PagerDutyIncident {
  number: number;
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
  severity: string;
  source: string;
  /** how many events (trigger/acknowledge/resolve) reached this incident */
  events: number;
  /** how many triggers reached it (1 = paged once) */
  triggers: number;
}

export interface PagerDutyEvent {
  action: string;
  dedupKey: string;
  at: number;
}

export interface PagerDutySimulator extends HttpSimulator {
  /** every incident ever opened, in order */
  incidents: PagerDutyIncident[];
  /** the latest incident for a dedup_key */
  incident(dedupKey: string): PagerDutyIncident | undefined;
  /** accepted events, in order */
  events: PagerDutyEvent[];
  /** put back incidents saved from an earlier run (a resumed drill): by number, replacing or adding */
  restore(saved: PagerDutyIncident[]): void;
}

export interface PagerDutySimOptions {
  port?: number;
  faults?: FaultHook;
}

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);
const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);

function invalid(...errors: string[]): SimResponse {
  return json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
}

interface EventBody {
  routing_key?: unknown;
  event_action?: unknown;
  dedup_key?: unknown;
  payload?: { summary?: unknown; source?: unknown; severity?: unknown };
}

function validate(body: EventBody | undefined): string[] {
  if (!body || typeof body !== 'object') return ['Could not parse the event: the body is not a JSON object'];
  const errors: string[] = [];
  if (typeof body.routing_key !== 'string' || body.routing_key === '') errors.push("'routing_key' is missing or blank");
  else if (body.routing_key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (typeof body.event_action !== 'string' || !ACTIONS.has(body.event_action)) errors.push("'event_action' is invalid (must be trigger, acknowledge or resolve)");
  if (body.dedup_key !== undefined && (typeof body.dedup_key !== 'string' || body.dedup_key.length > 255)) errors.push("'dedup_key' is invalid");
  if (body.event_action === 'trigger') {
    const p = body.payload;
    if (!p || typeof p !== 'object') errors.push("'payload' is missing or blank");
    else {
      if (typeof p.summary !== 'string' || p.summary === '') errors.push("'payload.summary' is missing or blank");
      if (typeof p.source !== 'string' || p.source === '') errors.push("'payload.source' is missing or blank");
      if (typeof p.severity !== 'string' || !SEVERITIES.has(p.severity)) errors.push("'payload.severity' is invalid (must be critical, error, warning or info)");
    }
  } else if ((body.event_action === 'acknowledge' || body.event_action === 'resolve') && (typeof body.dedup_key !== 'string' || body.dedup_key === '')) {
    errors.push("'dedup_key' is missing or blank");
  }
  return errors;
}

export async function startPagerDutySimulator(opts: PagerDutySimOptions = {}): Promise<PagerDutySimulator> {
  const incidents: PagerDutyIncident[] = [];
  const latest = new Map<string, PagerDutyIncident>();
  const events: PagerDutyEvent[] = [];

  const enqueue = (req: SimRequest): SimResponse => {
    const body = req.json<EventBody>();
    const errors = validate(body);
    if (errors.length || !body) return invalid(...errors);
    const action = body.event_action as string;
    const dedupKey = typeof body.dedup_key === 'string' && body.dedup_key !== '' ? body.dedup_key : randomBytes(16).toString('hex');
    events.push({ action, dedupKey, at: Date.now() });
    const open = latest.get(dedupKey);
    if (action === 'trigger') {
      if (open && open.status !== 'resolved') {
        open.events++;
        open.triggers++;
      } else {
        const p = body.payload as { summary: string; source: string; severity: string };
        const inc: PagerDutyIncident = { number: incidents.length + 1, dedupKey, status: 'triggered', summary: p.summary, severity: p.severity, source: p.source, events: 1, triggers: 1 };
        incidents.push(inc);
        latest.set(dedupKey, inc);
      }
    } else if (open && open.status !== 'resolved') {
      open.events++;
      if (action === 'resolve') open.status = 'resolved';
      else if (open.status === 'triggered') open.status = 'acknowledged';
    }
    return json(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  };

  const sim = await startHttpSimulator(
    'pagerduty',
    (req) => {
      if (req.path !== '/v2/enqueue') return undefined;
      if (req.method !== 'POST') return { op: 'enqueue', respond: () => json(405, { status: 'error', message: 'Method Not Allowed' }) };
      const action = req.json<EventBody>()?.event_action;
      return { op: typeof action === 'string' && ACTIONS.has(action) ? action : 'enqueue', respond: () => enqueue(req) };
    },
    { port: opts.port, faults: opts.faults },
  );
  return {
    ...sim,
    incidents,
    incident: (k) => latest.get(k),
    events,
    restore: (saved) => {
      // by number: a saved incident replaces the one of the same number, or is added
      for (const inc of saved) {
        const cur = incidents.find((i) => i.number === inc.number);
        if (cur) Object.assign(cur, inc);
        else incidents.push({ ...inc });
        const now = incidents.find((i) => i.number === inc.number)!;
        const prev = latest.get(now.dedupKey);
        if (!prev || prev.number <= now.number) latest.set(now.dedupKey, now);
      }
      incidents.sort((a, b) => a.number - b.number);
    },
  };
}
