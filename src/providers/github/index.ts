/**
 * github — leaked GitHub credentials and their consumers, through `@octokit/rest` on a
 * configurable `api_url` with every request sent through the HTTP door (`ctx.fetch`).
 *
 * - verifyToken: GET /user with the token (scopes, expiry; 401 → dead)
 * - listSecretScanningAlerts / resolveAlert: repo or org alerts, closed as revoked
 * - revokeCredentials: the unauthenticated credentials-revoke endpoint, ≤ 1000 per call; GitHub
 *   acts asynchronously, so verify() polls GET /user until every token answers 401
 * - rotateActionsSecret, deleteDeployKey, revokeOrgPat
 *
 * Rate limits come back as not-sent ProviderErrors with retryAfterMs (x-ratelimit-reset for
 * the primary limit, retry-after or 60 s for secondary limits). The documented contract is
 * pinned in test/providers/github-contract.test.ts.
 */
import { defineProvider } from '../sdk.js';
import { resolveAlert, listSecretScanningAlerts } from './alerts.js';
import { Config } from './client.js';
import { deleteDeployKey, revokeOrgPat, rotateActionsSecret } from './repo.js';
import { revokeCredentials, verifyToken } from './token.js';

export type { Config as GitHubConfig } from './client.js';

export default defineProvider<Config>({
  type: 'github',
  description: 'GitHub: check and revoke tokens, secret-scanning alerts, Actions secrets, deploy keys, org PAT grants.',
  config: Config,
  actions: { verifyToken, revokeCredentials, listSecretScanningAlerts, resolveAlert, rotateActionsSecret, deleteDeployKey, revokeOrgPat },
  drill: { configFor: (baseUrl, config) => ({ ...config, api_url: baseUrl }) },
});
