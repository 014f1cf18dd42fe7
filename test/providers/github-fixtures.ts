/**
 * Fixtures for the GitHub tests: token values generated at test time (never literal), a small
 * world, and helpers that drive an action through its schemas like the engine does.
 */
import provider from '../../src/providers/github/index.js';
import type { GitHubConfig } from '../../src/providers/github/index.js';
import { createActionContext, memoryLogger } from '../../src/providers/context.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import type { GhSeed, GitHubSimulator } from '../../src/drill/simulators/github/index.js';
import { actionCalls } from './action-calls.js';
import { alnum } from './huggingface-fixtures.js';

export { alnum, expectNoLeak, secret } from './huggingface-fixtures.js';

export const ghToken = (prefix: 'ghp_' | 'gho_' | 'ghu_' | 'ghs_' | 'ghr_' = 'ghp_') => prefix + alnum(36);
export const finePat = () => `github_pat_${alnum(22)}_${alnum(59)}`;

export function world() {
  const t = { operator: ghToken(), leaked: ghToken(), leaked2: ghToken('gho_'), fine: finePat(), app: ghToken('ghs_'), noScope: ghToken(), outsider: ghToken(), revoked: ghToken() };
  const hfValue = 'hf_' + alnum(34);
  const seed: GhSeed = {
    users: [{ login: 'alice' }, { login: 'bob' }, { login: 'mallory' }],
    orgs: [{ login: 'acme', members: ['alice', 'bob'] }],
    tokens: [
      { value: t.operator, login: 'alice', scopes: ['repo', 'admin:public_key', 'read:org'] },
      { value: t.leaked, login: 'bob', scopes: ['repo', 'gist'], expiresAt: '2030-06-30T12:00:00Z' },
      { value: t.leaked2, login: 'bob', scopes: ['read:user'] },
      { value: t.fine, login: 'bob' },
      { value: t.app, login: 'acme-responder[bot]', installationOrg: 'acme' },
      { value: t.noScope, login: 'alice', scopes: [] },
      { value: t.outsider, login: 'mallory', scopes: ['repo'] },
      { value: t.revoked, login: 'bob', scopes: ['repo'], revoked: true },
    ],
    repos: [
      {
        full_name: 'acme/api',
        alerts: [
          { secret_type: 'github_personal_access_token', display_name: 'GitHub Personal Access Token', secret: t.leaked, created_at: '2024-05-27T10:00:00Z' },
          { secret_type: 'hf_user_access_token', display_name: 'Hugging Face User Access Token', secret: hfValue, validity: 'active' },
          { secret_type: 'github_oauth_access_token', secret: t.leaked2 },
          { secret_type: 'github_personal_access_token', secret: ghToken(), state: 'resolved' },
          { secret_type: 'slack_api_token', secret: 'xoxb-' + alnum(30) },
        ],
        secrets: { DEPLOY_TOKEN: t.leaked },
        deploy_keys: [{ id: 7, title: 'ci deploy', key: 'ssh-ed25519 ' + alnum(68) }],
      },
      { full_name: 'acme/web', alerts: [{ secret_type: 'github_personal_access_token', secret: t.leaked }] },
      { full_name: 'alice/tools', private: false, secret_scanning: false },
    ],
    pat_grants: [{ org: 'acme', id: 11, owner: 'bob', token_name: 'bob-laptop', token_value: t.fine }],
  };
  return { t, seed, hfValue };
}

type Opts = { token?: string | null; httpTimeoutMs?: number; config?: Partial<GitHubConfig> };

export function ghCtx(sim: { url: string }, action: string, opts: Opts = {}) {
  const secrets = new SecretRegistry();
  const log = memoryLogger();
  const config = provider.config.parse({ api_url: sim.url, ...(opts.token ? { token: secrets.create(opts.token, 'secrets.github_token') } : {}), ...opts.config }) as GitHubConfig;
  const ctx = createActionContext<GitHubConfig>({ type: 'github', instance: 'gh', action, config, log, secrets, httpTimeoutMs: opts.httpTimeoutMs });
  return { ctx, log, secrets };
}

export const { run, verify, fail } = actionCalls(provider, ghCtx);

export type { GitHubSimulator };
