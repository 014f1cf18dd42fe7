/**
 * A tiny stateful simulator of the Statuspage API subset that ./index.mjs uses, on 127.0.0.1,
 * for the plugin's tests (and as a pattern for yours: a node:http server that follows the
 * documented contract and keeps state, so a test can count what really happened).
 *
 *   const sim = await startStatuspageSimulator({ pageId: 'abc123', apiKey });
 *   // config: { api_url: sim.apiUrl, page_id: 'abc123', api_key: … }
 *   sim.incidents; sim.count('create'); sim.failNext(429, { retryAfterS: 1 }); await sim.close();
 *
 * 401 `{error}` for a missing or wrong `Authorization: OAuth <key>`; 404 for another page or an
 * unknown incident; 422 `{error:[…]}` for an incident without a name; 201 / 200 incident objects.
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { URL } from 'node:url';

const STATUSES = new Set(['investigating', 'identified', 'monitoring', 'resolved']);

export async function startStatuspageSimulator({ pageId, apiKey, port = 0 } = {}) {
  if (!pageId || !apiKey) throw new TypeError('startStatuspageSimulator: pageId and apiKey are required');
  const incidents = [];
  const ops = [];
  let fault;

  const reply = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  function handle(req, body, res) {
    const url = new URL(req.url ?? '/', 'http://sim');
    const m = /^\/v1\/pages\/([^/]+)\/incidents(?:\/([^/]+))?\/?$/.exec(url.pathname);
    if (!m) return reply(res, 404, { error: 'Not found' });
    const op = req.method === 'POST' && !m[2] ? 'create' : req.method === 'PATCH' && m[2] ? 'update' : req.method === 'GET' ? (m[2] === 'unresolved' ? 'unresolved' : m[2] ? 'get' : 'list') : undefined;
    if (!op) return reply(res, 405, { error: 'Method not allowed' });
    ops.push(op);
    if (fault) {
      const f = fault;
      fault = undefined;
      return reply(res, f.status, { error: `injected ${f.status}` }, f.retryAfterS === undefined ? {} : { 'retry-after': String(f.retryAfterS) });
    }
    if (req.headers.authorization !== `OAuth ${apiKey}`) return reply(res, 401, { error: 'Could not authenticate' });
    if (m[1] !== pageId) return reply(res, 404, { error: 'Page not found' });
    if (op === 'list') return reply(res, 200, incidents);
    if (op === 'unresolved') return reply(res, 200, incidents.filter((i) => i.status !== 'resolved'));
    let data;
    try {
      data = body ? JSON.parse(body) : {};
    } catch {
      return reply(res, 400, { error: 'Body is not JSON' });
    }
    if (op === 'create') {
      const inc = data?.incident;
      if (!inc || typeof inc.name !== 'string' || !inc.name) return reply(res, 422, { error: ["Name can't be blank"] });
      const status = STATUSES.has(inc.status) ? inc.status : 'investigating';
      const id = randomBytes(6).toString('hex');
      const now = new Date().toISOString();
      const incident = {
        id,
        page_id: pageId,
        name: inc.name,
        status,
        impact: inc.impact_override ?? 'none',
        shortlink: `https://stspg.io/${id.slice(0, 6)}`,
        created_at: now,
        updated_at: now,
        metadata: inc.metadata ?? {},
        incident_updates: [{ id: randomBytes(6).toString('hex'), status, body: String(inc.body ?? ''), created_at: now }],
        deliver_notifications: inc.deliver_notifications !== false,
      };
      incidents.push(incident);
      return reply(res, 201, incident);
    }
    const found = incidents.find((i) => i.id === m[2]);
    if (!found) return reply(res, 404, { error: 'Incident not found' });
    if (op === 'update') {
      const st = data?.incident?.status;
      if (st !== undefined && !STATUSES.has(st)) return reply(res, 422, { error: ['Status is not included in the list'] });
      if (st) found.status = st;
      found.updated_at = new Date().toISOString();
      found.incident_updates.push({ id: randomBytes(6).toString('hex'), status: found.status, body: String(data?.incident?.body ?? ''), created_at: found.updated_at });
    }
    return reply(res, 200, found);
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    /** the `api_url` to configure */
    apiUrl: `${url}/v1`,
    incidents,
    /** how many requests of an operation arrived: create, update, get, list, unresolved */
    count: (op) => ops.filter((o) => o === op).length,
    /** answer the next request with this status (and Retry-After) */
    failNext: (status, { retryAfterS } = {}) => {
      fault = { status, retryAfterS };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
