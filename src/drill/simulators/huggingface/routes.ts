/**
 * Routes of the Hugging Face simulator, following the documented contract
 * (../shared/reference/PROVIDERS.md, "Hugging Face Hub"): status codes, `X-Error-Message` /
 * `X-Error-Code` headers, `RateLimit` headers, `Link` pagination.
 */
import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../base.js';
import { canRead, canWrite, liveToken, whoamiBody, type HfEntry, type HfSpace, type HfToken, type HfWorld } from './world.js';

export interface HfSwitches {
  /** the credentials-revoke endpoint: `true` answers 202; 404/405 simulate a Hub without it */
  revokeEndpoint: true | 404 | 405;
  /** `GET /api/spaces/{id}/secrets`: false answers a bare 404 (the endpoint "came and went") */
  secretsListEndpoint: boolean;
  /** most items per page of `GET /api/spaces` (the client asks for more; the Hub caps it) */
  pageSize: number;
  /** how long a restarted Space stays in BUILDING, ms */
  restartMs: number;
  whoamiLimit: { max: number; windowS: number };
  apiLimit: { max: number; windowS: number };
}

interface Bucket {
  used: number;
  resetAt: number;
}

export interface HfSimCore {
  world: HfWorld;
  switches: HfSwitches;
  now: () => number;
  /** the time stamped on what it creates or changes (revokedAt, updatedAt, …): the drill's clock once useClock is called (default: `now`) */
  stamp: () => number;
  buckets: Map<string, Bucket>;
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const INVALID_CREDENTIALS = 'Invalid credentials in Authorization header';

export function hfError(status: number, message: string, code?: string): SimResponse {
  return { status, headers: { 'x-error-message': message, ...(code ? { 'x-error-code': code } : {}) }, body: { error: message } };
}

/** Count a request against a fixed-window bucket; returns the `RateLimit` header and whether it is over. */
function rateLimit(core: HfSimCore, kind: 'whoami' | 'api', who: string): { header: string; over: boolean; policy: string } {
  const lim = kind === 'whoami' ? core.switches.whoamiLimit : core.switches.apiLimit;
  const now = core.now();
  const key = `${kind}:${who}`;
  let b = core.buckets.get(key);
  if (!b || now >= b.resetAt) {
    b = { used: 0, resetAt: now + lim.windowS * 1000 };
    core.buckets.set(key, b);
  }
  b.used++;
  const over = b.used > lim.max;
  const t = Math.max(1, Math.ceil((b.resetAt - now) / 1000));
  return { header: `"api";r=${Math.max(0, lim.max - b.used)};t=${t}`, over, policy: `"fixed window";"api";q=${lim.max};w=${lim.windowS}` };
}

function entryMap(m: Record<string, HfEntry>, withValue: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(m)) out[k] = { ...(withValue ? { value: e.value } : {}), ...(e.description !== undefined ? { description: e.description } : {}), updatedAt: e.updatedAt };
  return out;
}

function runtimeOf(core: HfSimCore, s: HfSpace, advance = true): Record<string, unknown> {
  if (advance && (s.stage === 'BUILDING' || s.stage === 'APP_STARTING') && core.now() >= s.readyAt) s.stage = 'RUNNING';
  return {
    stage: s.stage,
    hardware: { current: s.stage === 'RUNNING' ? s.hardware : null, requested: s.hardware },
    storage: null,
    gcTimeout: 172800,
    replicas: { current: 1, requested: 1 },
    devMode: false,
    domains: [{ domain: `${s.id.replace('/', '-')}.hf.space`, stage: 'READY' }],
  };
}

type Route = { op: string; respond: () => SimResponse };

/** Match a request to an operation; `undefined` → the base answers 404. */
export function route(core: HfSimCore, req: SimRequest): Route | undefined {
  const w = core.world;
  const p = req.path;
  const bearer = req.bearer();
  const token = liveToken(w, bearer);
  const who = bearer ?? String(req.headers['x-forwarded-for'] ?? 'anonymous');
  const base = `http://${req.headers.host ?? '127.0.0.1'}`;

  /** run `f` with rate limiting, auth rules and common headers applied */
  const wrap = (op: string, kind: 'whoami' | 'api' | 'none', auth: 'required' | 'optional' | 'none', f: (t: HfToken | undefined) => SimResponse): Route => ({
    op,
    respond: () => {
      const rl = kind === 'none' ? undefined : rateLimit(core, kind, who);
      let res: SimResponse;
      if (rl?.over) res = hfError(429, 'You have exceeded our rate limit, please retry later');
      else if (auth !== 'none' && bearer !== undefined && !token) res = hfError(401, INVALID_CREDENTIALS);
      else if (auth === 'required' && !token) res = hfError(401, INVALID_CREDENTIALS);
      else res = f(token);
      res.headers = { 'x-request-id': `Root=1-${randomUUID()}`, ...(rl ? { ratelimit: rl.header, 'ratelimit-policy': rl.policy } : {}), ...res.headers };
      return res;
    },
  });

  if (p === '/api/whoami-v2' && req.method === 'GET') return wrap('whoami', 'whoami', 'required', (t) => ({ status: 200, body: whoamiBody(w, t!) }));

  if (p === '/api/credentials/revoke' && req.method === 'POST') {
    return wrap('revokeCredentials', 'none', 'none', () => {
      if (core.switches.revokeEndpoint !== true) return core.switches.revokeEndpoint === 404 ? { status: 404, body: { error: 'Not Found' } } : { status: 405, body: { error: 'Method Not Allowed' } };
      const creds = req.json<{ credentials?: unknown }>()?.credentials;
      if (!Array.isArray(creds) || !creds.every((c) => typeof c === 'string')) return hfError(400, 'credentials must be an array of strings');
      for (const c of creds) {
        const t = w.tokens.get(c);
        if (t && !t.revoked) {
          t.revoked = true;
          t.revokedAt = new Date(core.stamp()).toISOString();
        }
      }
      return { status: 202, body: {} };
    });
  }

  if (p === '/api/spaces' && req.method === 'GET') {
    return wrap('listSpaces', 'api', 'optional', (t) => {
      const author = req.query.get('author');
      const limit = Math.max(1, Math.min(Number(req.query.get('limit') ?? 1000) || 1000, core.switches.pageSize));
      const offset = Number(Buffer.from(req.query.get('cursor') ?? '', 'base64url').toString() || 0) || 0;
      const all = [...w.spaces.values()].filter((s) => (!author || s.owner === author) && canRead(w, t, s)).sort((a, b) => a.id.localeCompare(b.id));
      const page = all.slice(offset, offset + limit);
      const headers: Record<string, string> = {};
      if (offset + limit < all.length) {
        const next = new URLSearchParams(req.query);
        next.set('cursor', Buffer.from(String(offset + limit)).toString('base64url'));
        headers.link = `<${base}/api/spaces?${next}>; rel="next"`;
      }
      const body = page.map((s) => ({ _id: `sp-${s.id}`, id: s.id, author: s.owner, sdk: s.sdk, likes: 0, private: s.private, lastModified: s.lastModified, createdAt: s.lastModified }));
      return { status: 200, headers, body };
    });
  }

  const m = /^\/api\/spaces\/([^/]+)\/([^/]+)(?:\/(secrets|variables|restart|runtime))?$/.exec(p);
  if (!m) return undefined;
  const id = `${m[1]}/${m[2]}`;
  const sub = m[3];
  /** the Space, or the documented error for a caller who cannot see or change it */
  const space = (t: HfToken | undefined, write: boolean): HfSpace | SimResponse => {
    const s = w.spaces.get(id);
    if (!s || !canRead(w, t, s)) return hfError(404, 'Repository not found', 'RepoNotFound');
    if (write && (!t || !canWrite(w, t, s))) return hfError(403, `You don't have the rights to change the settings of ${id}`);
    return s;
  };
  const isRes = (x: HfSpace | SimResponse): x is SimResponse => 'status' in x;

  if (sub === 'secrets' || sub === 'variables') {
    const store = (s: HfSpace) => (sub === 'secrets' ? s.secrets : s.variables);
    const done = (s: HfSpace): SimResponse => ({ status: 200, body: sub === 'secrets' ? {} : entryMap(s.variables, true) });
    const kindName = sub === 'secrets' ? 'Secret' : 'Variable';
    if (req.method === 'GET') {
      if (sub === 'secrets' && !core.switches.secretsListEndpoint) return { op: 'listSecrets', respond: () => ({ status: 404, body: { error: 'Not Found' } }) };
      return wrap(sub === 'secrets' ? 'listSecrets' : 'listVariables', 'api', 'required', (t) => {
        const s = space(t, sub === 'secrets');
        return isRes(s) ? s : { status: 200, body: entryMap(store(s), sub === 'variables') };
      });
    }
    if (req.method === 'POST') {
      return wrap(sub === 'secrets' ? 'setSecret' : 'setVariable', 'api', 'required', (t) => {
        const s = space(t, true);
        if (isRes(s)) return s;
        const b = req.json<{ key?: unknown; value?: unknown; description?: unknown }>();
        if (!b || typeof b.key !== 'string' || !KEY_RE.test(b.key)) return hfError(400, `${kindName} key must be a valid environment variable name`);
        if (typeof b.value !== 'string') return hfError(400, `${kindName} value must be a string`);
        const prev = store(s)[b.key];
        store(s)[b.key] = { value: b.value, description: typeof b.description === 'string' ? b.description : prev?.description, updatedAt: new Date(core.stamp()).toISOString() };
        return done(s);
      });
    }
    if (req.method === 'DELETE') {
      return wrap(sub === 'secrets' ? 'deleteSecret' : 'deleteVariable', 'api', 'required', (t) => {
        const s = space(t, true);
        if (isRes(s)) return s;
        const key = req.json<{ key?: unknown }>()?.key;
        if (typeof key !== 'string') return hfError(400, 'key is required');
        delete store(s)[key];
        return done(s);
      });
    }
    return undefined;
  }
  if (sub === 'restart' && req.method === 'POST') {
    return wrap('restartSpace', 'api', 'required', (t) => {
      const s = space(t, true);
      if (isRes(s)) return s;
      if (s.sdk === 'static') return hfError(400, 'Cannot restart a static Space');
      s.stage = 'BUILDING';
      s.readyAt = core.now() + core.switches.restartMs;
      s.restarts++;
      s.running = Object.fromEntries(Object.entries(s.secrets).map(([k, v]) => [k, v.value]));
      return { status: 200, body: runtimeOf(core, s, false) };
    });
  }
  if (sub === 'runtime' && req.method === 'GET') {
    return wrap('getRuntime', 'api', 'optional', (t) => {
      const s = space(t, false);
      return isRes(s) ? s : { status: 200, body: runtimeOf(core, s) };
    });
  }
  if (!sub && req.method === 'GET') {
    return wrap('getSpace', 'api', 'optional', (t) => {
      const s = space(t, false);
      return isRes(s) ? s : { status: 200, body: { _id: `sp-${s.id}`, id: s.id, author: s.owner, sdk: s.sdk, private: s.private, lastModified: s.lastModified, runtime: runtimeOf(core, s) } };
    });
  }
  return undefined;
}
