/**
 * huggingface — tokens and Spaces on the Hugging Face Hub (the seed incident: the May 2024
 * Spaces-secrets exposure). Official `@huggingface/hub` where it has the call (whoAmI,
 * listSpaces), the HTTP door on the same `hub_url` where it does not (Space secrets, variables,
 * restart, credentials revoke). All HTTP goes through `ctx.fetch` / `ctx.http`.
 *
 * Manual fallback: when the Hub has no credentials-revoke endpoint, `revokeToken` throws a
 * ProviderError with code `MANUAL_REQUIRED` whose `nextSteps` say where to click; the engine
 * shows them as a manual step and completes it with `revokeToken.verify()` (whoami-v2 → 401).
 *
 * Facts and unverified points are pinned in test/providers/huggingface-contract.test.ts.
 */
import { defineProvider } from '../sdk.js';
import { Config } from './common.js';
import { deleteSpaceSecret, listSpaceSecrets, listSpaceVariables, setSpaceSecret } from './secrets.js';
import { listSpaces, restartSpace } from './spaces.js';
import { revokeToken, verifyToken } from './token.js';

export { clearWhoamiCache } from './token.js';
export type { Config as HuggingFaceConfig } from './common.js';

/** The code of the error that asks the engine for a guided manual step. */
export const MANUAL_REQUIRED = 'MANUAL_REQUIRED';

export default defineProvider<Config>({
  type: 'huggingface',
  description: 'Hugging Face Hub: check and revoke tokens; list, rotate and restart Space secrets.',
  config: Config,
  actions: { verifyToken, revokeToken, listSpaces, listSpaceSecrets, setSpaceSecret, deleteSpaceSecret, listSpaceVariables, restartSpace },
  drill: { configFor: (baseUrl, config) => ({ ...config, hub_url: baseUrl }) },
});
