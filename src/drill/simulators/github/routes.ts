/**
 * Routing, auth and rate limits of the GitHub simulator, following
 * ../shared/reference/PROVIDERS.md ("GitHub"): `GET /user` with `X-OAuth-Scopes` and the
 * token-expiration header, the unauthenticated-only credentials-revoke endpoint (asynchronous:
 * tokens die `revokeDelayMs` later), primary limits (`x-ratelimit-*`, 403/429 at zero) and
 * secondary limits (`retry-after`). Repo and org routes live in ./repo-routes.ts.
 */
import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../base.js';
import { iso, isLive, type GhToken, type GhWorld } from './world.js';

export interface GhSwitches {
  /** the credentials-revoke endpoint marks tokens dead this long after accepting (ms) */
  revokeDelayMs: number;
  /** primary limit per token per hour */
  coreLimit: number;
  /** primary limit per client without a token per hour (the revoke endpoint's 60/hour) */
  anonLimit: number;
  /** GitHub answers an exhausted primary limit with 403 (or 429) */
  primaryStatus: 403 | 429;
  /** while set, every request hits a secondary rate limit */
  secondary?: { status?: 403 | 429; retryAfterS?: number };
}

export interface GhSimCore {
  world: GhWorld;
  switches: GhSwitches;
  now: () => number;
  /** the time stamped on what it creates or changes (revokedAt, updatedAt, …): the drill's clock once useClock is called (default: `now`) */
  stamp: () => number;
  buckets: Map<string, { used: number; resetAt: number }>;
}

export interface RouteCtx {
  core: GhSimCore;
  req: SimRequest;
  token: GhToken | undefined;
  /** the simulator's own base URL (for `url` fields and Link headers) */
  base: string;
}

export type Handler = (c: RouteCtx, p: string[]) => SimResponse;
/** `required`: a live token; `optional`: anonymous allowed; `forbidden`: authenticated calls get 403 */
export type Auth = 'required' | 'optional' | 'forbidden';
export type RouteDef = [method: string, path: RegExp, op: string, auth: Auth, handler: Handler];

export const DOCS = 'https://docs.github.com/rest';
export function ghError(status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): SimResponse {
  return { status, headers, body: { message, documentation_url: DOCS, status: String(status), ...extra } };
}

const TOKEN_SHAPE = /^(gh[pousr]_[A-Za-z0-9]{36}|github_pat_\w{82})$/;

/** `YYYY-MM-DD HH:MM:SS UTC`, the format of github-authentication-token-expiration */
const expiryHeader = (isoTime: string) => new Date(isoTime).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');

const userRoutes: RouteDef[] = [
  [
    'GET',
    /^\/user$/,
    'getAuthenticated',
    'required',
    (c) => {
      const t = c.token!;
      if (t.kind === 'installation') return ghError(403, 'Resource not accessible by integration');
      const u = c.core.world.users.get(t.login)!;
      const headers: Record<string, string> = {};
      if (t.kind === 'classic' || t.kind === 'oauth') {
        headers['x-oauth-scopes'] = t.scopes.join(', ');
        headers['x-accepted-oauth-scopes'] = '';
      }
      if (t.expiresAt) headers['github-authentication-token-expiration'] = expiryHeader(t.expiresAt);
      return { status: 200, headers, body: { login: u.login, id: u.id, node_id: `U_${u.id}`, type: 'User', site_admin: false, url: `${c.base}/users/${u.login}`, html_url: `https://github.com/${u.login}` } };
    },
  ],
  [
    'POST',
    /^\/credentials\/revoke$/,
    'revokeCredentials',
    'forbidden',
    (c) => {
      const creds = c.req.json<{ credentials?: unknown }>()?.credentials;
      if (!Array.isArray(creds) || creds.length === 0 || creds.length > 1000 || !creds.every((x) => typeof x === 'string')) {
        return ghError(422, 'Validation Failed', { errors: [{ resource: 'Credentials', field: 'credentials', code: 'invalid' }] });
      }
      // unverified: we answer 422 when a value is not GitHub-token shaped (PROVIDERS.md: "422 invalid")
      if (!creds.every((v) => TOKEN_SHAPE.test(v))) return ghError(422, 'Validation Failed', { errors: [{ resource: 'Credentials', field: 'credentials', code: 'invalid' }] });
      const at = c.core.now() + c.core.switches.revokeDelayMs;
      for (const v of creds) {
        const t = c.core.world.tokens.get(v);
        if (t && !t.revoked && t.revokeAt === undefined) t.revokeAt = at;
      }
      return { status: 202, body: {} };
    },
  ],
];

function rate(core: GhSimCore, key: string, limit: number) {
  const now = core.now();
  let b = core.buckets.get(key);
  if (!b || now >= b.resetAt) {
    b = { used: 0, resetAt: now + 3_600_000 };
    core.buckets.set(key, b);
  }
  const over = b.used >= limit;
  if (!over) b.used++;
  const headers = {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, limit - b.used)),
    'x-ratelimit-reset': String(Math.ceil(b.resetAt / 1000)),
    'x-ratelimit-used': String(b.used),
    'x-ratelimit-resource': 'core',
  };
  return { over, headers };
}

export function bucketKey(token: string | undefined, ip = '127.0.0.1'): string {
  return token ? `token:${token}` : `anon:${ip}`;
}

/** Match a request against the route table; answers auth, rate limits and common headers. */
export function dispatch(core: GhSimCore, req: SimRequest, extra: RouteDef[]): { op: string; respond: () => SimResponse } {
  const all = [...userRoutes, ...extra];
  let params: string[] = [];
  const def = all.find(([m, re]) => {
    const hit = m === req.method ? re.exec(req.path) : null;
    if (hit) params = hit.slice(1).map((s) => decodeURIComponent(s));
    return !!hit;
  });
  const op = def?.[2] ?? 'notFound';
  return {
    op,
    respond: () => {
      const bearer = req.bearer();
      const authed = req.headers.authorization !== undefined;
      const live = isLive(core.world, bearer, core.now());
      const token = live ? core.world.tokens.get(bearer!) : undefined;
      const rl = live ? rate(core, bucketKey(bearer), core.switches.coreLimit) : rate(core, bucketKey(undefined), core.switches.anonLimit);
      let res: SimResponse;
      const sec = core.switches.secondary;
      if (sec) {
        res = ghError(sec.status ?? 403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', {}, sec.retryAfterS !== undefined ? { 'retry-after': String(sec.retryAfterS) } : {});
      } else if (rl.over) {
        res = ghError(core.switches.primaryStatus, live ? `API rate limit exceeded for user ID ${core.world.users.get(token!.login)?.id ?? 0}.` : 'API rate limit exceeded for 127.0.0.1.');
      } else if (!def) {
        res = ghError(404, 'Not Found');
      } else if (def[3] === 'forbidden' && authed) {
        res = ghError(403, 'This endpoint only accepts unauthenticated requests.');
      } else if (authed && !live) {
        res = ghError(401, 'Bad credentials');
      } else if (def[3] === 'required' && !token) {
        res = ghError(401, 'Requires authentication');
      } else {
        res = def[4]({ core, req, token, base: `http://${req.headers.host ?? '127.0.0.1'}` }, params);
      }
      res.headers = {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': randomUUID().toUpperCase().slice(0, 23),
        'x-github-api-version-selected': '2022-11-28',
        date: new Date(core.stamp()).toUTCString(),
        ...rl.headers,
        ...res.headers,
      };
      return res;
    },
  };
}

/** Page a list GitHub-style: `page`, `per_page` (≤ 100, default 30), Link rel="next"/"last". */
export function paginate<T>(c: RouteCtx, items: T[]): { body: T[]; headers: Record<string, string> } {
  const per = Math.max(1, Math.min(100, Number(c.req.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(c.req.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / per));
  const link = (n: number) => {
    const q = new URLSearchParams(c.req.query);
    q.set('per_page', String(per));
    q.set('page', String(n));
    return `${c.base}${c.req.path}?${q}`;
  };
  const rels: string[] = [];
  if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`, `<${link(1)}>; rel="first"`);
  return { body: items.slice((page - 1) * per, page * per), headers: rels.length ? { link: rels.join(', ') } : {} };
}

export { iso };
