/**
 * http.request — one generic HTTP call: method, URL (literal or secret), headers (values may be
 * secrets), a JSON body, the statuses that count as success, values picked out of the response
 * into outputs (`pick`, syntax in ./pick.ts), the whole body (`body: true`), and pagination of a
 * GET (`paginate`: Link rel="next", a cursor in the body, or a next-page header) collecting the
 * items of every page. Documented in docs/runbook-format.md, "The http provider".
 *
 * Idempotency: ActionDef.idempotent is one flag per action, so it is `false` here (a POST or
 * DELETE must never be repeated blindly). For GET and HEAD, `verify` answers `done` when there
 * is an output and `not-done` ("safe to repeat") when the item is in doubt, so the engine simply
 * re-runs an in-doubt read. Other methods are verified by an optional read-back request
 * (`verify`), else `unknown`.
 */
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import type { HttpResponse } from '../../core/http.js';
import { isSecret, type Secret } from '../../core/secrets/secret.js';
import { defineAction, type ActionContext } from '../sdk.js';
import { HeadersField, UrlField, rawUrl, send, shownUrl, statusError, statusHint, type HeaderValue, type UrlValue } from './door.js';
import type { HttpConfig } from './config.js';
import { distance } from '../../core/runbook/zod-issues.js';
import { hasWildcard, parsePick, pick, pickProblem, replaceAt, PickMiss, type ParsedPick } from './pick.js';
import { linkTarget } from './link.js';

const Method = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const Status = z.number().int().min(100).max(599);
const PickName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an output name (letters, digits, _)');
/** a pick (src/providers/http/pick.ts; docs/runbook-format.md, "The http provider") */
const PickText = z.string().superRefine((v, c) => {
  const problem = pickProblem(v);
  if (problem) c.addIssue({ code: 'custom', message: problem });
});
const SecretPickText = PickText.refine((v) => pickProblem(v) !== undefined || !hasWildcard(parsePick(v)), 'a secret pick leads to one value: * is not allowed in pick_secret');
const HeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name');
const ParamName = z.string().min(1).max(200);

const VerifyRequest = z.strictObject({
  method: z.enum(['GET', 'HEAD']).default('GET'),
  url: UrlField,
  headers: HeadersField.optional(),
  /** statuses that mean "the effect is in place" */
  done: z.array(Status).min(1).default([200]),
  /** statuses that mean "not in place" (e.g. 404 after a failed create); anything else is unknown */
  not_done: z.array(Status).default([404]),
});

export const MAX_PAGES_LIMIT = 1000;

/**
 * Pagination of a GET: follow the next page until there is none, collecting the items of every
 * page into `result.items`. Exactly one way to find the next page:
 * - `link: true` — the RFC 8288 `Link` header's `rel="next"` target (GitHub, GitLab, Okta);
 * - `cursor: PICK` + `param` — a cursor in the body, sent back as the query parameter `param`;
 * - `header: NAME` + `param` — a response header holding the next page or cursor (GitLab's
 *   `X-Next-Page` with `param: page`).
 */
export const Paginate = z
  .strictObject({
    link: z.literal(true).optional(),
    cursor: PickText.optional(),
    header: HeaderName.optional(),
    /** the query parameter that carries the cursor (or page number) to the next request */
    param: ParamName.optional(),
    /** where the list is on each page (a pick); default: the page body is the list */
    items: PickText.optional(),
    /** at most this many pages; more is a failure, never a silent cut (default 20) */
    max_pages: z.number().int().min(1).max(MAX_PAGES_LIMIT).default(20),
  })
  .superRefine((p, c) => {
    const ways = [p.link && 'link', p.cursor !== undefined && 'cursor', p.header !== undefined && 'header'].filter(Boolean);
    if (ways.length !== 1)
      c.addIssue({ code: 'custom', message: `give exactly one of link: true, cursor: PICK (with param) or header: NAME (with param)${ways.length ? ` — got ${ways.join(' and ')}` : ''}` });
    if ((p.cursor !== undefined || p.header !== undefined) && p.param === undefined) c.addIssue({ code: 'custom', path: ['param'], message: `${p.cursor !== undefined ? 'cursor' : 'header'} needs param: the query parameter that carries it to the next request` });
    if (p.link && p.param !== undefined) c.addIssue({ code: 'custom', path: ['param'], message: 'link: true follows the URL the service gives; param is for cursor or header' });
  });
export type Paginate = z.infer<typeof Paginate>;

export const RequestInput = z
  .strictObject({
    method: Method.default('GET'),
    url: UrlField,
    headers: HeadersField.optional(),
    /** a JSON body (sets content-type: application/json) */
    json: z.unknown().optional(),
    /** statuses that count as success (default: any 2xx) */
    expect: z.array(Status).min(1).optional(),
    /** output name → a pick into the response (docs/runbook-format.md, "The http provider") */
    pick: z.record(PickName, PickText).optional(),
    /** like `pick`, but the values are secrets (e.g. a key the call just created) */
    pick_secret: z.record(PickName, SecretPickText).optional(),
    /** return the whole body as `result.body` (parsed JSON, or the text when it is not JSON) */
    body: z.boolean().default(false),
    /** follow the next page of a GET and collect the items of every page into `result.items` */
    paginate: Paginate.optional(),
    timeout_ms: z.number().int().positive().max(600_000).optional(),
    /** a read-back request used when the item is in doubt */
    verify: VerifyRequest.optional(),
  })
  .superRefine((r, c) => {
    if (r.paginate && r.method !== 'GET') c.addIssue({ code: 'custom', path: ['paginate'], message: 'paginate works with method GET only (a write is never repeated for a next page)' });
    if (r.paginate && r.body) c.addIssue({ code: 'custom', path: ['body'], message: 'with paginate, the whole result is result.items; body: true is for a single response' });
  });
export type RequestInput = z.infer<typeof RequestInput>;

export const RequestOutput = z.object({
  status: z.number(),
  values: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.custom<Secret>(isSecret)),
  /** with `body: true`: the whole body (JSON value, text when not JSON, null when empty) */
  body: z.unknown().optional(),
  /** with `paginate`: the items of every page, in order */
  items: z.array(z.unknown()).optional(),
  /** with `paginate`: how many pages were read */
  pages: z.number().optional(),
});
export type RequestOutput = z.infer<typeof RequestOutput>;

function headersOf(config: HttpConfig, extra: Record<string, HeaderValue> | undefined): Record<string, HeaderValue> {
  return { ...(config.headers ?? {}), ...(extra ?? {}) };
}

function isRead(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

/** A response body: parsed JSON, else its text; `empty` when there is none. */
type Body = { kind: 'json'; value: unknown } | { kind: 'text'; value: string } | { kind: 'empty'; value: null };

function bodyOf(res: HttpResponse): Body {
  if (res.text.trim() === '') return { kind: 'empty', value: null };
  try {
    return { kind: 'json', value: JSON.parse(res.text) as unknown };
  } catch {
    return { kind: 'text', value: res.text };
  }
}

function fail(ctx: ActionContext<HttpConfig>, message: string, code: string): ProviderError {
  return new ProviderError({ provider: ctx.instance, action: ctx.action, message, failure: 'definite', code });
}

interface Picked {
  values: Record<string, unknown>;
  secrets: Record<string, Secret>;
  /** where each secret was found, to put the Secret in its place in `body` / `items` */
  secretPaths: { path: (string | number)[]; secret: Secret }[];
}

/**
 * Pick values. A read that lacks a field fails (nothing happened); a write that did happen only
 * warns. `what` names the response in messages ("the response from GET https://…").
 */
function pickAll(ctx: ActionContext<HttpConfig>, input: RequestInput, body: Body, what: string): Picked {
  const out: Picked = { values: {}, secrets: {}, secretPaths: [] };
  const problem = (msg: string) => {
    if (isRead(input.method)) throw fail(ctx, msg, 'PICK');
    ctx.log.warn(`${msg}; the ${input.method} was applied, so the step is not failed`);
  };
  const read = (name: string, text: string, label: string): { value: unknown; path: (string | number)[] } | undefined => {
    const p: ParsedPick = parsePick(text);
    if (p.segments.length === 0) return { value: body.value, path: [] };
    if (body.kind !== 'json') {
      problem(`${label} ${name} = ${p.text}: ${what} is ${body.kind === 'empty' ? 'empty' : 'not JSON'}, so only "." (the whole body) can be picked from it`);
      return undefined;
    }
    const r = pick(body.value, p);
    if (r instanceof PickMiss) {
      problem(`${r.message(p, `${label} ${name} =`)} — in ${what}`);
      return undefined;
    }
    return r;
  };
  for (const [name, text] of Object.entries(input.pick_secret ?? {})) {
    const r = read(name, text, 'pick_secret');
    if (!r) continue;
    if (typeof r.value === 'string' || typeof r.value === 'number') {
      const s = ctx.secret(String(r.value), `${ctx.instance}.${name}`);
      out.secrets[name] = s;
      out.secretPaths.push({ path: r.path, secret: s });
    } else problem(`pick_secret ${name} = ${text}: it is ${r.value === null ? 'null' : Array.isArray(r.value) ? 'a list' : typeof r.value === 'object' ? 'a mapping' : `a ${typeof r.value}`}, not a string — in ${what}`);
  }
  // plain picks read the body with each secret already in its place: `pick: { all: "." }` never holds a picked secret's value
  if (out.secretPaths.length) body = { kind: 'json', value: withSecrets(body.value, out.secretPaths) };
  for (const [name, text] of Object.entries(input.pick ?? {})) out.values[name] = read(name, text, 'pick')?.value ?? null;
  return out;
}

/** The body with every picked secret replaced by its Secret (so it is journaled as a fingerprint). */
function withSecrets(value: unknown, found: Picked['secretPaths']): unknown {
  let v = value;
  for (const f of found) v = replaceAt(v, f.path, f.secret);
  return v;
}

function checkStatus(ctx: ActionContext<HttpConfig>, input: RequestInput, res: HttpResponse, url: UrlValue, page?: number): void {
  const ok = input.expect ? input.expect.includes(res.status) : res.ok;
  if (ok) return;
  const wanted = input.expect ? ` (expected ${input.expect.join(', ')})` : '';
  throw statusError(ctx, res, url, `${statusHint(res.status)} from ${input.method} ${shownUrl(url)}${page && page > 1 ? ` (page ${page})` : ''}${wanted}`);
}

function sendOpts(ctx: ActionContext<HttpConfig>, input: RequestInput, url: UrlValue) {
  return {
    method: input.method,
    url,
    headers: { ...(input.json !== undefined ? { 'content-type': 'application/json' } : {}), ...headersOf(ctx.config, input.headers) },
    body: input.json !== undefined ? JSON.stringify(input.json) : undefined,
    timeoutMs: input.timeout_ms ?? ctx.config.timeout_ms,
  };
}

/** The next page's URL, or undefined on the last page. */
function nextUrl(ctx: ActionContext<HttpConfig>, p: Paginate, res: HttpResponse, body: Body, current: string, first: string, page: number): string | undefined {
  if (p.link) return linkTarget(res.headers.get('link'), 'next', current);
  let token: string | undefined;
  if (p.header !== undefined) token = res.headers.get(p.header)?.trim() || undefined;
  else if (p.cursor !== undefined) {
    const cp = parsePick(p.cursor);
    const r = body.kind === 'json' ? pick(body.value, cp) : undefined;
    if (r === undefined || r instanceof PickMiss) {
      const why = r ? r.message(cp, 'paginate.cursor') : `paginate.cursor ${cp.text}: the page is not JSON`;
      // a misspelt path (a key that nearly matches one that is there) never finds a cursor: fail, naming both
      const near = r && body.kind === 'json' ? nearKey(body.value, cp) : undefined;
      if (near) throw fail(ctx, `${why} on page ${page} — did you mean paginate.cursor ${near}? Paging would have stopped after page ${page} without it: fix paginate.cursor in the runbook`, 'PAGINATE');
      // many APIs leave the cursor out on the last page: the end. On page 1 it may as well be a wrong path: said as a warning
      if (page === 1) ctx.log.warn(`page 1: no next cursor (${why}) — taken as the only page; if the list has more pages, paginate.cursor does not name the cursor`);
      else ctx.log.info(`page ${page}: no next cursor (${why}) — taken as the last page`);
      return undefined;
    }
    if (r.value === null || r.value === '' || r.value === false) return undefined;
    if (typeof r.value !== 'string' && typeof r.value !== 'number') throw fail(ctx, `paginate.cursor ${cp.text} is ${Array.isArray(r.value) ? 'a list' : 'a mapping'} on page ${page}, not a string or number`, 'PAGINATE');
    token = String(r.value);
  }
  if (token === undefined) return undefined;
  const u = new URL(first);
  u.searchParams.set(p.param!, token);
  return u.href;
}

/**
 * The pick as it was probably meant, when a key on its path is missing but one that is there
 * differs from it only in case, `_` / `-`, or one or two letters (`next_cursr` → `next_cursor`).
 */
function nearKey(value: unknown, p: ParsedPick): string | undefined {
  let cur = value;
  const fixed: string[] = [];
  for (const seg of p.segments) {
    if (seg.kind !== 'key' || cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    const obj = cur as Record<string, unknown>;
    if (Object.hasOwn(obj, seg.name)) {
      fixed.push(seg.name);
      cur = obj[seg.name];
      continue;
    }
    const norm = (k: string) => k.toLowerCase().replace(/[_-]/g, '');
    const near = Object.keys(obj).find((k) => norm(k) === norm(seg.name) || distance(k, seg.name) <= 2);
    return near === undefined ? undefined : [...fixed, near, ...p.segments.slice(fixed.length + 1).map((x) => (x.kind === 'key' ? x.name : '*'))].join('.');
  }
  return undefined;
}

function pagesPlan(p: Paginate): string {
  const how = p.link ? 'following Link rel="next"' : p.cursor !== undefined ? `next cursor ${p.cursor} as ?${p.param}=` : `next page from header ${p.header} as ?${p.param}=`;
  return `${how}, at most ${p.max_pages} page(s)${p.items !== undefined ? `, items at ${p.items}` : ''}`;
}

async function paginated(ctx: ActionContext<HttpConfig>, input: RequestInput, p: Paginate): Promise<RequestOutput> {
  const itemsPick = p.items !== undefined ? parsePick(p.items) : undefined;
  const first = rawUrl(input.url);
  const origin = new URL(first).origin;
  const shown = `${input.method} ${shownUrl(input.url)}`;
  const items: unknown[] = [];
  const seen = new Set<string>();
  let url: UrlValue = input.url;
  let current = first;
  for (let page = 1; ; page++) {
    seen.add(current);
    const res = await send(ctx, sendOpts(ctx, input, url));
    checkStatus(ctx, input, res, input.url, page);
    const body = bodyOf(res);
    const where = `page ${page} of ${shown}`;
    if (body.kind !== 'json') throw fail(ctx, `${where} is ${body.kind === 'empty' ? 'empty' : 'not JSON'}: paginate needs a JSON list on every page`, 'PAGINATE');
    let list: unknown = body.value;
    if (itemsPick) {
      const r = pick(body.value, itemsPick);
      if (r instanceof PickMiss) throw fail(ctx, `${r.message(itemsPick, 'paginate.items')} — on ${where}`, 'PAGINATE');
      list = r.value;
    }
    if (!Array.isArray(list)) {
      const keys = list !== null && typeof list === 'object' ? ` (its keys: ${Object.keys(list).slice(0, 20).join(', ')})` : '';
      throw fail(ctx, itemsPick ? `paginate.items ${itemsPick.text} is not a list on ${where}` : `${where} is not a list${keys}: say where the list is with paginate.items`, 'PAGINATE');
    }
    items.push(...(list as unknown[]));
    const next = nextUrl(ctx, p, res, body, current, first, page);
    if (next === undefined) {
      ctx.evidence({ httpStatus: res.status, requestId: res.requestId, detail: `${page} page(s), ${items.length} item(s)` });
      ctx.log.info(`${shown} → ${res.status}, ${page} page(s), ${items.length} item(s)`);
      const picked = pickAll(ctx, input, { kind: 'json', value: items }, `the items of ${shown}`);
      return { status: res.status, values: picked.values, secrets: picked.secrets, items: withSecrets(items, picked.secretPaths) as unknown[], pages: page };
    }
    const nextOrigin = new URL(next).origin;
    if (nextOrigin !== origin) throw fail(ctx, `the next page of ${shown} (after page ${page}) is on ${nextOrigin}, not ${origin}: not sending this request's headers there`, 'PAGINATE');
    if (seen.has(next)) throw fail(ctx, `the service gave a page it had already given as the next page of ${shown} (after page ${page}): stopped`, 'PAGINATE');
    if (page >= p.max_pages)
      throw fail(ctx, `${shown} has more than ${p.max_pages} page(s) (paginate.max_pages): raise max_pages (at most ${MAX_PAGES_LIMIT}) or ask for bigger pages (e.g. per_page or limit in the URL)`, 'PAGINATE');
    current = next;
    // a secret URL's next page is as secret as the URL itself
    url = isSecret(input.url) ? ctx.secret(next, input.url.label) : next;
  }
}

export const request = defineAction<RequestInput, RequestOutput, HttpConfig>({
  kind: 'any',
  description: 'Send one HTTP request (JSON body, expected statuses); pick values out of the response, return the whole body, or follow every page of a list (Link rel=next, a cursor, a next-page header).',
  input: RequestInput,
  output: RequestOutput,
  idempotent: false,
  plan: (ctx, input) => {
    const headers = Object.keys(headersOf(ctx.config, input.headers));
    return [
      `${input.method} ${shownUrl(input.url)}${input.json !== undefined ? ' with a JSON body' : ''}${headers.length ? ` (headers: ${headers.join(', ')})` : ''}${input.paginate ? `, ${pagesPlan(input.paginate)}` : ''}`,
    ];
  },
  async run(ctx, input) {
    if (input.paginate) return paginated(ctx, input, input.paginate);
    const res = await send(ctx, sendOpts(ctx, input, input.url));
    ctx.evidence({ httpStatus: res.status, requestId: res.requestId });
    checkStatus(ctx, input, res, input.url);
    ctx.log.info(`${input.method} ${shownUrl(input.url)} → ${res.status}`);
    const body = bodyOf(res);
    const picked = pickAll(ctx, input, body, `the response from ${input.method} ${shownUrl(input.url)}`);
    return { status: res.status, values: picked.values, secrets: picked.secrets, ...(input.body ? { body: withSecrets(body.value, picked.secretPaths) } : {}) };
  },
  async verify(ctx, input, output) {
    // A read has no effect to read back: with an output it happened; without one (in doubt) it is safe to repeat.
    if (isRead(input.method)) return output ? { state: 'done', detail: `${input.method} answered ${output.status}` } : { state: 'not-done', detail: `${input.method} has no lasting effect; safe to repeat` };
    const v = input.verify;
    if (!v) return { state: 'unknown', detail: 'no verify request given' };
    try {
      const res = await send(ctx, { method: v.method, url: v.url, headers: headersOf(ctx.config, v.headers), timeoutMs: input.timeout_ms ?? ctx.config.timeout_ms });
      if (v.done.includes(res.status)) return { state: 'done', detail: `read-back ${v.method} ${shownUrl(v.url)} → ${res.status}` };
      if (v.not_done.includes(res.status)) return { state: 'not-done', detail: `read-back ${v.method} ${shownUrl(v.url)} → ${res.status}` };
      return { state: 'unknown', detail: `read-back ${v.method} ${shownUrl(v.url)} → unexpected ${res.status}` };
    } catch (e) {
      if (e instanceof ProviderError) return { state: 'unknown', detail: e.message };
      throw e;
    }
  },
});
