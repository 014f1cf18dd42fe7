/** Every built-in provider, in one static list (Shopify's load-specifications pattern). */
import type { ProviderDef } from './sdk.js';
import shell from './shell/index.js';
import email from './email/index.js';
import scan from './scan/index.js';
import aws from './aws/index.js';
import http from './http/index.js';
import slack from './slack/index.js';
import pagerduty from './pagerduty/index.js';
import huggingface from './huggingface/index.js';
import github from './github/index.js';

export const builtinProviders: readonly ProviderDef[] = [shell, email, scan, aws, http, slack, pagerduty, huggingface, github];
