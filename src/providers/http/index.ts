/**
 * http — generic HTTP requests and signed webhook notifications, through the one HTTP door
 * (src/core/http.ts). A URL may be a secret (webhook URLs usually are): it is then shown by its
 * label in plans, logs and errors, never by its path.
 */
import { defineProvider } from '../sdk.js';
import { HttpConfig } from './config.js';
import { request } from './request.js';
import { webhook } from './webhook.js';

export default defineProvider<HttpConfig>({
  type: 'http',
  description: 'Generic HTTP requests (JSON in; picked values, the whole body or every page of a paginated list out) and signed webhooks (Standard Webhooks, X-Hub-Signature-256).',
  config: HttpConfig,
  actions: { request, webhook },
});
