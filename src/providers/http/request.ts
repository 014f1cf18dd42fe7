/**
 * http.request — one generic HTTP call: method, URL (literal or secret), headers (values may be
 * secrets), a JSON body, the statuses that count as success, and values picked out of the JSON
 * response into outputs.
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
import { HeadersField, UrlField, pickPath, send, shownUrl, statusError, statusHint, type HeaderValue } from './door.js';
import type { HttpConfig } from './config.js';

const Method = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const Status = z.number().int().min(100).max(599);
const PickName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an output name (letters, digits, _)');
const PickPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a dotted path such as data.items.0.id');

const VerifyRequest = z.strictObject({
  method: z.enum(['GET', 'HEAD']).default('GET'),
  url: UrlField,
  headers: HeadersField.optional(),
  /** statuses that mean "the effect is in place" */
  done: z.array(Status).min(1).default([200]),
  /** statuses that mean "not in place" (e.g. 404 after a failed create); anything else is unknown */
  not_done: z.array(Status).default([404]),
});

export const RequestInput = z.strictObject({
  method: Method.default('GET'),
  url: UrlField,
  headers: HeadersField.optional(),
  /** a JSON body (sets content-type: application/json) */
  json: z.unknown().optional(),
  /** statuses that count as success (default: any 2xx) */
  expect: z.array(Status).min(1).optional(),
  /** output name → dotted path into the JSON response */
  pick: z.record(PickName, PickPath).optional(),
  /** like `pick`, but the values are secrets (e.g. a key the call just created) */
  pick_secret: z.record(PickName, PickPath).optional(),
  timeout_ms: z.number().int().positive().max(600_000).optional(),
  /** a read-back request used when the item is in doubt */
  verify: VerifyRequest.optional(),
});
export type RequestInput = z.infer<typeof RequestInput>;

export const RequestOutput = z.object({
  status: z.number(),
  values: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.custom<Secret>(isSecret)),
});
export type RequestOutput = z.infer<typeof RequestOutput>;

function headersOf(config: HttpConfig, extra: Record<string, HeaderValue> | undefined): Record<string, HeaderValue> {
  return { ...(config.headers ?? {}), ...(extra ?? {}) };
}

function isRead(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function parseJson(res: HttpResponse): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(res.text) };
  } catch {
    return { ok: false };
  }
}

function fail(ctx: ActionContext<HttpConfig>, message: string, code: string): ProviderError {
  return new ProviderError({ provider: ctx.instance, action: ctx.action, message, failure: 'definite', code });
}

/** Pick values. A read that lacks a field fails (nothing happened); a write that did happen only warns. */
function pickAll(ctx: ActionContext<HttpConfig>, input: RequestInput, res: HttpResponse): Pick<RequestOutput, 'values' | 'secrets'> {
  const values: Record<string, unknown> = {};
  const secrets: Record<string, Secret> = {};
  const wanted = Object.keys(input.pick ?? {}).length + Object.keys(input.pick_secret ?? {}).length;
  if (wanted === 0) return { values, secrets };
  const parsed = parseJson(res);
  const problem = (msg: string) => {
    if (isRead(input.method)) throw fail(ctx, msg, 'PICK');
    ctx.log.warn(`${msg}; the ${input.method} was applied, so the step is not failed`);
  };
  if (!parsed.ok) problem(`the response from ${shownUrl(input.url)} is not JSON, so nothing can be picked from it`);
  const body = parsed.ok ? parsed.value : undefined;
  for (const [name, path] of Object.entries(input.pick ?? {})) {
    const v = pickPath(body, path);
    if (v === undefined && parsed.ok) problem(`the response has no value at ${path} (for ${name})`);
    values[name] = v ?? null;
  }
  for (const [name, path] of Object.entries(input.pick_secret ?? {})) {
    const v = pickPath(body, path);
    if (typeof v === 'string' || typeof v === 'number') secrets[name] = ctx.secret(String(v), `${ctx.instance}.${name}`);
    else if (parsed.ok) problem(`the response has no string at ${path} (for secret ${name})`);
  }
  return { values, secrets };
}

export const request = defineAction<RequestInput, RequestOutput, HttpConfig>({
  kind: 'any',
  description: 'Send one HTTP request (JSON body, expected statuses) and pick values from the JSON response into outputs.',
  input: RequestInput,
  output: RequestOutput,
  idempotent: false,
  plan: (ctx, input) => {
    const headers = Object.keys(headersOf(ctx.config, input.headers));
    return [
      `${input.method} ${shownUrl(input.url)}${input.json !== undefined ? ' with a JSON body' : ''}${headers.length ? ` (headers: ${headers.join(', ')})` : ''}`,
    ];
  },
  async run(ctx, input) {
    const res = await send(ctx, {
      method: input.method,
      url: input.url,
      headers: { ...(input.json !== undefined ? { 'content-type': 'application/json' } : {}), ...headersOf(ctx.config, input.headers) },
      body: input.json !== undefined ? JSON.stringify(input.json) : undefined,
      timeoutMs: input.timeout_ms ?? ctx.config.timeout_ms,
    });
    ctx.evidence({ httpStatus: res.status, requestId: res.requestId });
    const ok = input.expect ? input.expect.includes(res.status) : res.ok;
    if (!ok) {
      const wanted = input.expect ? ` (expected ${input.expect.join(', ')})` : '';
      throw statusError(ctx, res, input.url, `${statusHint(res.status)} from ${input.method} ${shownUrl(input.url)}${wanted}`);
    }
    ctx.log.info(`${input.method} ${shownUrl(input.url)} → ${res.status}`);
    return { status: res.status, ...pickAll(ctx, input, res) };
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
