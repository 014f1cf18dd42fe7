/**
 * Slack simulator: the Web API methods runbook uses and incoming webhooks, with state.
 *
 * Web API (`POST /api/<method>`, form-encoded or JSON, token as `Authorization: Bearer` or a
 * `token` param): always HTTP 200 with `{ok:true, …}` or `{ok:false, error}` (429 only through
 * the fault hook, as Slack sends it: with `Retry-After` in seconds).
 * - auth.test → `{ok, url, team, user, team_id, user_id, bot_id?}`; `not_authed`,
 *   `invalid_auth` (unknown token), `token_revoked`;
 * - auth.revoke → `{ok, revoked:true}` (revokes the calling token); `test=true` → `revoked:false`;
 * - chat.postMessage → `{ok, channel, ts, message}`; `channel_not_found`, `is_archived`,
 *   `not_in_channel`, `no_text`, `msg_too_long`, `invalid_blocks` (with `response_metadata.messages`
 *   `[ERROR] …` for a block without a type, as Slack does);
 * - conversations.history → `{ok, messages (newest first), has_more:false}`; metadata only with
 *   `include_all_metadata`.
 * Incoming webhooks (`POST /services/T…/B…/…`): 200 `ok`; bare-string errors 400
 * `invalid_payload` / `no_text`, 403 `action_prohibited`, 404 `channel_not_found` /
 * `no_service`, 410 `channel_is_archived`.
 */
import { randomBytes } from 'node:crypto';
import { json, startHttpSimulator, type FaultHook, type HttpSimulator, type SimRequest, type SimResponse } from './base.js';

export interface SlackSimToken {
  state: 'live' | 'revoked';
  user: string;
  user_id: string;
  bot_id?: string;
}
export interface SlackSimChannel {
  id: string;
  name: string;
  archived: boolean;
  /** is the app a member (chat.postMessage → not_in_channel otherwise) */
  member: boolean;
}
export interface SlackSimMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  via: 'api' | 'webhook';
}
export interface SlackSimWebhook {
  channel: string;
  state: 'live' | 'revoked' | 'prohibited';
}

export interface SlackSimulator extends HttpSimulator {
  /** stamp what it creates or changes with this clock (a drill: the drill's clock, as the AWS simulator's world.now) */
  useClock(now: () => number): void;
  /** base for `slackApiUrl` (ends with `/api/`) */
  apiUrl: string;
  tokens: Map<string, SlackSimToken>;
  channels: Map<string, SlackSimChannel>;
  messages: SlackSimMessage[];
  webhooks: Map<string, SlackSimWebhook>;
  addToken(token: string, opts?: Partial<SlackSimToken>): SlackSimToken;
  addChannel(name: string, opts?: Partial<Omit<SlackSimChannel, 'name'>>): SlackSimChannel;
  /** a new incoming webhook for a channel; returns its URL (the path is random, like Slack's) */
  addWebhook(channelName: string, state?: SlackSimWebhook['state']): string;
  tokenState(token: string): 'live' | 'revoked' | 'unknown';
}

export interface SlackSimOptions {
  port?: number;
  faults?: FaultHook;
  team?: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function rand(n: number, alphabet = ALNUM): string {
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

type Params = Record<string, string | undefined>;

function paramsOf(req: SimRequest): Params {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) {
    const body = req.json<Record<string, unknown>>() ?? {};
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  return Object.fromEntries(new URLSearchParams(req.body));
}

function parseJsonParam(v: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (v === undefined) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(v) };
  } catch {
    return { ok: false };
  }
}

export async function startSlackSimulator(opts: SlackSimOptions = {}): Promise<SlackSimulator> {
  const team = opts.team ?? 'drill';
  const teamId = `T${rand(9)}`;
  const tokens = new Map<string, SlackSimToken>();
  const channels = new Map<string, SlackSimChannel>();
  const messages: SlackSimMessage[] = [];
  const webhooks = new Map<string, SlackSimWebhook>();
  let seq = 0;
  let stamp: () => number = Date.now;
  const nextTs = () => `${Math.floor(stamp() / 1000)}.${String(++seq).padStart(6, '0')}`;
  const fail = (error: string): SimResponse => json(200, { ok: false, error });
  const findChannel = (ref: string | undefined) => {
    if (!ref) return undefined;
    const name = ref.replace(/^#/, '');
    return channels.get(name) ?? [...channels.values()].find((c) => c.id === ref);
  };

  const auth = (req: SimRequest, p: Params): { token: string; who: SlackSimToken } | SimResponse => {
    const token = req.bearer() ?? p.token;
    if (!token) return fail('not_authed');
    const who = tokens.get(token);
    if (!who) return fail('invalid_auth');
    if (who.state === 'revoked') return fail('token_revoked');
    return { token, who };
  };

  const methods: Record<string, (req: SimRequest, p: Params, a: { token: string; who: SlackSimToken }) => SimResponse> = {
    'auth.test': (_req, _p, { who }) =>
      json(200, { ok: true, url: `https://${team}.slack.com/`, team, user: who.user, team_id: teamId, user_id: who.user_id, ...(who.bot_id ? { bot_id: who.bot_id } : {}) }),
    'auth.revoke': (_req, p, { who }) => {
      if (p.test === 'true' || p.test === '1') return json(200, { ok: true, revoked: false });
      who.state = 'revoked';
      return json(200, { ok: true, revoked: true });
    },
    'chat.postMessage': (_req, p, { who }) => {
      const ch = findChannel(p.channel);
      if (!ch) return fail('channel_not_found');
      if (ch.archived) return fail('is_archived');
      if (!ch.member) return fail('not_in_channel');
      const blocks = parseJsonParam(p.blocks);
      const metadata = parseJsonParam(p.metadata);
      if (!blocks.ok || (blocks.value !== undefined && !Array.isArray(blocks.value))) return fail('invalid_blocks');
      const badBlock = Array.isArray(blocks.value) ? blocks.value.findIndex((b) => typeof b?.type !== 'string') : -1;
      if (badBlock >= 0) return json(200, { ok: false, error: 'invalid_blocks', response_metadata: { messages: [`[ERROR] failed to match all allowed schemas [json-pointer:/blocks/${badBlock}]`] } });
      if (!p.text && !blocks.value) return fail('no_text');
      if ((p.text ?? '').length > 40_000) return fail('msg_too_long');
      const msg: SlackSimMessage = { channel: ch.id, ts: nextTs(), text: p.text, blocks: blocks.value, via: 'api' };
      if (metadata.ok && metadata.value && typeof metadata.value === 'object') msg.metadata = metadata.value as SlackSimMessage['metadata'];
      messages.push(msg);
      return json(200, { ok: true, channel: ch.id, ts: msg.ts, message: { type: 'message', text: msg.text ?? '', user: who.user_id, ts: msg.ts, ...(who.bot_id ? { bot_id: who.bot_id } : {}) } });
    },
    'conversations.history': (_req, p) => {
      const ch = findChannel(p.channel);
      if (!ch) return fail('channel_not_found');
      if (!ch.member) return fail('not_in_channel');
      const limit = Math.min(Number(p.limit ?? 100) || 100, 1000);
      const withMeta = p.include_all_metadata === 'true' || p.include_all_metadata === '1';
      const list = messages
        .filter((m) => m.channel === ch.id)
        .reverse()
        .slice(0, limit)
        .map((m) => ({ type: 'message', ts: m.ts, text: m.text ?? '', ...(withMeta && m.metadata ? { metadata: m.metadata } : {}) }));
      return json(200, { ok: true, messages: list, has_more: false });
    },
  };

  const webApi = (req: SimRequest, method: string): SimResponse => {
    const p = paramsOf(req);
    const handler = methods[method];
    if (!handler) return fail('unknown_method');
    const a = auth(req, p);
    if ('status' in a) return a;
    return handler(req, p, a);
  };

  const text = (status: number, body: string): SimResponse => ({ status, body, headers: { 'content-type': 'text/html' } });
  const incoming = (req: SimRequest): SimResponse => {
    const hook = webhooks.get(req.path);
    if (!hook || hook.state === 'revoked') return text(404, 'no_service');
    if (hook.state === 'prohibited') return text(403, 'action_prohibited');
    const body = req.json<{ text?: unknown; blocks?: unknown }>();
    if (!body || typeof body !== 'object') return text(400, 'invalid_payload');
    if (body.blocks !== undefined && !Array.isArray(body.blocks)) return text(400, 'invalid_payload');
    if (!body.text && !body.blocks) return text(400, 'no_text');
    const ch = findChannel(hook.channel);
    if (!ch) return text(404, 'channel_not_found');
    if (ch.archived) return text(410, 'channel_is_archived');
    messages.push({ channel: ch.id, ts: nextTs(), text: typeof body.text === 'string' ? body.text : undefined, blocks: body.blocks, via: 'webhook' });
    return text(200, 'ok');
  };

  const withReqId = (r: SimResponse): SimResponse => ({ ...r, headers: { 'x-slack-req-id': rand(16, '0123456789abcdef'), ...(r.headers ?? {}) } });

  const sim = await startHttpSimulator(
    'slack',
    (req) => {
      const m = /^\/api\/([A-Za-z.]+)$/.exec(req.path);
      if (m && req.method === 'POST') return { op: m[1]!, respond: () => withReqId(webApi(req, m[1]!)) };
      if (req.path.startsWith('/services/') && req.method === 'POST') return { op: 'webhook', respond: () => withReqId(incoming(req)) };
      return undefined;
    },
    { port: opts.port, faults: opts.faults },
  );

  return {
    ...sim,
    useClock: (clock) => void (stamp = clock),
    apiUrl: `${sim.url}/api/`,
    tokens,
    channels,
    messages,
    webhooks,
    addToken(token, o = {}) {
      const t: SlackSimToken = { state: 'live', user: 'runbook', user_id: `U${rand(9)}`, ...o };
      tokens.set(token, t);
      return t;
    },
    addChannel(name, o = {}) {
      const c: SlackSimChannel = { id: `C${rand(9)}`, archived: false, member: true, ...o, name };
      channels.set(name, c);
      return c;
    },
    addWebhook(channelName, state = 'live') {
      const path = `/services/${teamId}/B${rand(9)}/${rand(24, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
      webhooks.set(path, { channel: channelName, state });
      return `${sim.url}${path}`;
    },
    tokenState(token) {
      return tokens.get(token)?.state ?? 'unknown';
    },
  };
}
