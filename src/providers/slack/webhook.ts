/**
 * slack.postWebhook — post to an incoming webhook through our HTTP door. The webhook URL is a
 * secret (its path is the credential): plans, logs and errors name its label only.
 * 200 `ok` is success; errors are bare strings (400 invalid_payload / no_text,
 * 403 action_prohibited, 404 channel_not_found / no_service, 410 channel_is_archived).
 * Not idempotent, and nothing can be read back: an in-doubt post is settled by the operator.
 */
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import { defineAction, secretField } from '../sdk.js';
import { send, shownUrl } from '../http/door.js';
import type { SlackConfig } from './config.js';
import { webhookError } from './errors.js';

export const PostWebhookInput = z.strictObject({
  text: z.string().min(1).max(40_000),
  /** Block Kit blocks (the text is then the notification fallback) */
  blocks: z.array(z.record(z.string(), z.unknown())).max(50).optional(),
  /** overrides the instance's webhook_url */
  url: secretField('an incoming webhook URL reference').optional(),
});
export type PostWebhookInput = z.infer<typeof PostWebhookInput>;

export const PostWebhookOutput = z.object({ posted: z.literal(true) });

export const postWebhook = defineAction<PostWebhookInput, z.infer<typeof PostWebhookOutput>, SlackConfig>({
  kind: 'notify',
  description: 'Post a message to a Slack incoming webhook (the URL is a secret).',
  input: PostWebhookInput,
  output: PostWebhookOutput,
  idempotent: false,
  plan: (ctx, input) => {
    const url = input.url ?? ctx.config.webhook_url;
    return [`POST Slack incoming webhook ${url ? shownUrl(url) : '(no webhook_url configured)'} (${input.text.length} characters${input.blocks ? `, ${input.blocks.length} blocks` : ''})`];
  },
  async run(ctx, input) {
    const url = input.url ?? ctx.config.webhook_url;
    if (!url)
      throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'no incoming webhook URL: set webhook_url on the provider or url on the step', failure: 'definite', code: 'CONFIG' });
    const body = JSON.stringify({ text: input.text, ...(input.blocks ? { blocks: input.blocks } : {}) });
    const res = await send(ctx, { method: 'POST', url, headers: { 'content-type': 'application/json' }, body, timeoutMs: ctx.config.timeout_ms });
    ctx.evidence({ httpStatus: res.status, requestId: res.requestId });
    if (res.status !== 200) throw webhookError(ctx.instance, ctx.action, shownUrl(url), res.status, res.text, res.retryAfterMs, res.requestId);
    ctx.log.info(`posted to Slack incoming webhook ${shownUrl(url)}`);
    return { posted: true as const };
  },
});
