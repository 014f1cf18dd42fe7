/**
 * Shared machinery for the service simulators: a node:http server on loopback, a request
 * log (method, path, time — never bodies or auth headers), JSON helpers, and a fault hook
 * that the drill's fault injection (and tests) use to make the service misbehave.
 *
 * Each simulator (src/drill/simulators/<service>.ts) follows the documented contract of its
 * service (../shared/reference/PROVIDERS.md) and keeps state, so adapters can be tested
 * against it and drills run the same adapter code as a live incident.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

export interface RecordedRequest {
  method: string;
  path: string;
  at: number;
  /** the action name the simulator matched, e.g. `revokeCredentials` */
  op?: string;
  status?: number;
}

/** What a fault does to one request. */
export type Fault =
  | { type: 'status'; status: number; retryAfterS?: number; body?: string }
  | { type: 'latency'; ms: number }
  /** accept the connection and never answer (the client's timeout fires) */
  | { type: 'timeout' }
  /** apply the request, then drop the connection before answering (ambiguous for the client) */
  | { type: 'ambiguous' };

/**
 * Decides, per request, whether to inject a fault. `op` is the simulator's name for the
 * operation; `key` is a short hash of the request's credentials and body (never the values),
 * so a seeded drill can decide the same way for the same request whatever the arrival order.
 */
export type FaultHook = (req: { op: string; method: string; path: string; key?: string }) => Fault | undefined;

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json<T = any>(): T | undefined;
  /** the bearer token, if any (simulators may check it; never log it) */
  bearer(): string | undefined;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Told of every request the simulator answered (after it was applied, before the answer is
 * sent): a drill persists the effect here. The answer waits for a returned promise (the effect
 * made durable); a hook that throws or rejects makes the answer a 500.
 */
export type EffectHook = (e: { op: string; req: SimRequest; res: SimResponse }) => void | Promise<void>;

export type SimHandler = (req: SimRequest) => { op: string; respond: () => SimResponse | Promise<SimResponse> } | undefined;

export interface HttpSimulator {
  name: string;
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** replace or clear the fault hook at any time */
  setFaults(hook: FaultHook | undefined): void;
  /** set the hook told of each applied request (a drill's durable world) */
  setEffects(hook: EffectHook | undefined): void;
  /** count of requests per op (e.g. how many revokes reached the service) */
  count(op: string): number;
  close(): Promise<void>;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, body, headers };
}

/** The request body (events, not an async iterator: this runs for every call of a drill, most with no body). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length ? Buffer.concat(chunks).toString('utf8') : ''));
    req.on('error', reject);
  });
}

/** Start an HTTP simulator on 127.0.0.1 (port 0 = any free port). */
export async function startHttpSimulator(name: string, handler: SimHandler, opts: { port?: number; faults?: FaultHook } = {}): Promise<HttpSimulator> {
  let faults = opts.faults;
  let effects: EffectHook | undefined;
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const body = await readBody(req);
    const sreq: SimRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      json: () => {
        try {
          return body ? JSON.parse(body) : undefined;
        } catch {
          return undefined;
        }
      },
      bearer: () => /^(?:Bearer|token)\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1],
    };
    const rec: RecordedRequest = { method: sreq.method, path: sreq.path, at: Date.now() };
    requests.push(rec);
    try {
      const route = handler(sreq);
      if (!route) {
        rec.status = 404;
        return send(res, { status: 404, body: { error: 'Not Found' } });
      }
      rec.op = route.op;
      const key = faults ? createHash('sha256').update(`${String(req.headers.authorization ?? '')}\n${body}`).digest('hex').slice(0, 16) : undefined;
      const fault = faults?.({ op: route.op, method: sreq.method, path: sreq.path, key });
      if (fault?.type === 'timeout') {
        hanging.add(res);
        return;
      }
      if (fault?.type === 'latency') await new Promise((r) => setTimeout(r, fault.ms));
      if (fault?.type === 'status') {
        rec.status = fault.status;
        return send(res, { status: fault.status, headers: fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {}, body: fault.body ?? { error: `injected ${fault.status}` } });
      }
      const out = await route.respond();
      rec.status = out.status;
      // durable before the client can hear of it (a failing hook answers 500: nothing confirmed)
      const durable = effects?.({ op: route.op, req: sreq, res: out });
      if (durable) await durable;
      if (fault?.type === 'ambiguous') {
        req.socket.destroy();
        return;
      }
      send(res, out);
    } catch {
      rec.status = 500;
      send(res, { status: 500, body: { error: 'simulator error' } });
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setFaults: (h) => {
      faults = h;
    },
    setEffects: (h) => {
      effects = h;
    },
    count: (op) => requests.filter((r) => r.op === op).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.socket?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, r: SimResponse): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  let payload = '';
  if (r.body !== undefined) {
    if (typeof r.body === 'string') {
      payload = r.body;
      headers['content-type'] ??= 'text/plain';
    } else {
      payload = JSON.stringify(r.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  res.writeHead(r.status, headers);
  res.end(payload);
}
