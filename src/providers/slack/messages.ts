/**
 * slack.postMessage — chat.postMessage through the official WebClient.
 *
 * Each message carries Slack message metadata `{event_type: "runbook_notification",
 * event_payload: {idempotency_key}}`, so an in-doubt post can be read back:
 * verify() looks for that key in conversations.history. With an output (Slack answered
 * `ok` with a ts) the post is done without another call.
 */
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import { defineAction, type ActionContext } from '../sdk.js';
import type { Secret } from '../../core/secrets/secret.js';
import type { SlackConfig } from './config.js';
import { callSlack, callSlackResult } from './client.js';

export const PostMessageInput = z.strictObject({
  /** channel id (C…) — names work for posting, but read-back (verify) needs the id */
  channel: z.string().min(1),
  text: z.string().min(1).max(40_000),
  blocks: z.array(z.record(z.string(), z.unknown())).max(50).optional(),
  thread_ts: z.string().regex(/^\d+\.\d+$/).optional(),
});
export type PostMessageInput = z.infer<typeof PostMessageInput>;

export const PostMessageOutput = z.object({ channel: z.string(), ts: z.string() });
export type PostMessageOutput = z.infer<typeof PostMessageOutput>;

export const EVENT_TYPE = 'runbook_notification';

export function operatorToken(ctx: ActionContext<SlackConfig>): Secret {
  if (!ctx.config.token)
    throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'no Slack token: set token on the provider (a bot token with chat:write)', failure: 'definite', code: 'CONFIG' });
  return ctx.config.token;
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

export const postMessage = defineAction<PostMessageInput, PostMessageOutput, SlackConfig>({
  kind: 'notify',
  description: 'Post a message with chat.postMessage (tagged with the idempotency key so it can be read back).',
  input: PostMessageInput,
  output: PostMessageOutput,
  idempotent: false,
  plan: (ctx, input) => [`chat.postMessage to ${input.channel} at ${ctx.config.api_url} (${input.text.length} characters${input.thread_ts ? ', in a thread' : ''})`],
  async run(ctx, input) {
    const res = await callSlack<{ ok: boolean; channel?: string; ts?: string }>(ctx, operatorToken(ctx), 'chat.postMessage', {
      channel: input.channel,
      text: input.text,
      ...(input.blocks ? { blocks: input.blocks } : {}),
      ...(input.thread_ts ? { thread_ts: input.thread_ts } : {}),
      metadata: { event_type: EVENT_TYPE, event_payload: { idempotency_key: ctx.idempotencyKey } },
    });
    if (!res.channel || !res.ts)
      throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'chat.postMessage answered ok without channel and ts', failure: 'ambiguous', code: 'BAD_RESPONSE' });
    ctx.evidence({ detail: `message ${res.ts} in ${res.channel}` });
    ctx.log.info(`posted to ${input.channel} (ts ${res.ts})`);
    return { channel: res.channel, ts: res.ts };
  },
  async verify(ctx, input, output) {
    if (output) return { state: 'done', detail: `Slack accepted message ${output.ts} in ${output.channel}` };
    try {
      const r = await callSlackResult<{ ok: boolean; messages?: HistoryMessage[] }>(ctx, operatorToken(ctx), 'conversations.history', {
        channel: input.channel,
        limit: 200,
        include_all_metadata: true,
      });
      if (!r.ok) return { state: 'unknown', detail: `cannot read the channel back: ${r.err.message}` };
      const found = (r.result.messages ?? []).find((m) => m.metadata?.event_type === EVENT_TYPE && m.metadata.event_payload?.idempotency_key === ctx.idempotencyKey);
      return found ? { state: 'done', detail: `found message ${found.ts} with this item's key` } : { state: 'not-done', detail: 'no message with this item\'s key in the last 200 of the channel' };
    } catch (e) {
      if (e instanceof ProviderError) return { state: 'unknown', detail: e.message };
      throw e;
    }
  },
});
