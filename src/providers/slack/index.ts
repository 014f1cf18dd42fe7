/**
 * slack — notify through incoming webhooks or chat.postMessage, and check / revoke a leaked
 * Slack token. Web API calls use the official @slack/web-api WebClient (base URL `api_url`)
 * over our HTTP door; incoming webhooks go through the door directly.
 */
import { defineProvider } from '../sdk.js';
import { SlackConfig } from './config.js';
import { postMessage } from './messages.js';
import { revokeToken, verifyToken } from './tokens.js';
import { postWebhook } from './webhook.js';

export { slackTokenState } from './tokens.js';

export default defineProvider<SlackConfig>({
  type: 'slack',
  description: 'Slack: incoming webhooks, chat.postMessage, token liveness (auth.test) and revocation (auth.revoke).',
  config: SlackConfig,
  actions: { postWebhook, postMessage, verifyToken, revokeToken },
  drill: {
    configFor: (baseUrl, config) => ({ ...config, api_url: `${baseUrl.replace(/\/$/, '')}/api/` }),
  },
});
