/** The `slack` provider's instance config. */
import { z } from 'zod';
import { secretField } from '../sdk.js';

export const SlackConfig = z.strictObject({
  /** bot or user token for the Web API (chat.postMessage); verifyToken/revokeToken take the token to check as input */
  token: secretField('a Slack token reference such as ${{ secrets.slack_bot_token }}').optional(),
  /** incoming webhook URL (the URL itself is the credential) */
  webhook_url: secretField('an incoming webhook URL reference such as ${{ secrets.slack_webhook }}').optional(),
  /** Web API base URL (the drill points it at the simulator) */
  api_url: z.url({ protocol: /^https?$/ }).default('https://slack.com/api/'),
  /** total time per request, ms (default: the engine's HTTP timeout) */
  timeout_ms: z.number().int().positive().max(600_000).optional(),
});
export type SlackConfig = z.infer<typeof SlackConfig>;
