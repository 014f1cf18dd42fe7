/**
 * Fixtures for the Hugging Face tests: token values generated at test time (never literal),
 * a small world, and a way to drive an action through its schema like the engine does.
 */
import { randomInt } from 'node:crypto';
import { inspect } from 'node:util';
import { expect } from 'vitest';
import provider, { clearWhoamiCache } from '../../src/providers/huggingface/index.js';
import type { HuggingFaceConfig } from '../../src/providers/huggingface/index.js';
import { createActionContext, memoryLogger } from '../../src/providers/context.js';
import { Secret } from '../../src/core/secrets/secret.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import type { HfSeed, HuggingFaceSimulator } from '../../src/drill/simulators/huggingface/index.js';
import { actionCalls } from './action-calls.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function alnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}
export const hfToken = () => 'hf_' + alnum(34);
export const orgToken = () => 'api_org_' + alnum(34);

/** A world like the seed incident's: users with classic, fine-grained and legacy org tokens, and Spaces holding them. */
export function world() {
  const t = { operator: hfToken(), aliceWrite: hfToken(), aliceRead: hfToken(), aliceFine: hfToken(), bob: hfToken(), legacy: orgToken(), revoked: hfToken(), leaked: hfToken() };
  const seed: HfSeed = {
    users: [
      { name: 'alice', email: 'alice@example.test', orgs: [{ name: 'acme', role: 'admin' }] },
      { name: 'bob', email: 'bob@example.test' },
      { name: 'ops', email: 'ops@example.test', orgs: [{ name: 'acme', role: 'write' }] },
    ],
    orgs: [{ name: 'acme', fullname: 'Acme Corp' }],
    tokens: [
      { value: t.operator, owner: 'alice', role: 'write', name: 'incident-operator' },
      { value: t.aliceWrite, owner: 'alice', role: 'write', name: 'ci' },
      { value: t.aliceRead, owner: 'alice', role: 'read', name: 'laptop' },
      { value: t.aliceFine, owner: 'alice', role: 'fineGrained', name: 'space-bot', scoped: [{ entity: { type: 'user', name: 'alice' }, permissions: ['repo.content.read', 'repo.write'] }] },
      { value: t.bob, owner: 'bob', role: 'write', name: 'bob-token' },
      { value: t.legacy, owner: 'acme', name: 'acme-org-token' },
      { value: t.revoked, owner: 'bob', role: 'read', revoked: true },
      { value: t.leaked, owner: 'bob', role: 'write', name: 'leaked-in-space' },
    ],
    spaces: [
      { id: 'alice/chat', sdk: 'gradio', lastModified: '2024-05-01T00:00:00.000Z', secrets: { HF_TOKEN: { value: t.leaked, updatedAt: '2024-04-01T00:00:00.000Z', description: 'hub access' }, OPENAI_KEY: { value: 'sk-' + alnum(20), updatedAt: '2024-06-10T00:00:00.000Z' } }, variables: { MODEL: 'gpt2' } },
      { id: 'alice/private-demo', sdk: 'docker', private: true },
      { id: 'alice/docs', sdk: 'static' },
      { id: 'alice/a1' },
      { id: 'alice/a2' },
      { id: 'acme/board', sdk: 'streamlit', secrets: { DB_URL: 'postgres://x' } },
      { id: 'bob/tool', sdk: 'gradio' },
    ],
  };
  return { t, seed };
}

type Opts = { token?: string | null; httpTimeoutMs?: number };

export function hfCtx(sim: HuggingFaceSimulator, action: string, opts: Opts = {}) {
  const secrets = new SecretRegistry();
  const log = memoryLogger();
  const config: HuggingFaceConfig = { hub_url: sim.url, ...(opts.token ? { token: secrets.create(opts.token, 'secrets.hf_token') } : {}) };
  const ctx = createActionContext<HuggingFaceConfig>({ type: 'huggingface', instance: 'hf', action, config, log, secrets, httpTimeoutMs: opts.httpTimeoutMs });
  return { ctx, log, secrets };
}

export const { run, verify, fail } = actionCalls(provider, hfCtx);

export const secret = (v: string, label = 'test') => new Secret(v, label);

/** The canary: none of `values` may appear in the error (any rendering) or the log. */
export function expectNoLeak(err: unknown, lines: string[], values: string[]) {
  const e = err as Error & { nextSteps?: string[]; cause?: unknown };
  const renderings = [e.message, JSON.stringify(err), inspect(err, { depth: 10, showHidden: true }), String(e.stack), JSON.stringify(e.nextSteps ?? []), ...lines];
  for (const v of values) for (const r of renderings) expect(r.includes(v), `secret leaked into: ${r.slice(0, 200)}`).toBe(false);
  expect(e.cause).toBeUndefined();
}

export { clearWhoamiCache };
