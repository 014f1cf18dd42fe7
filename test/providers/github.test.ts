/**
 * The github provider driven through @octokit/rest (and the HTTP door) against the stateful
 * simulator: success paths, pagination, asynchronous revoke verification, sealed secrets.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { isSecret, type Secret } from '../../src/core/secrets/secret.js';
import { startGitHubSimulator, type GitHubSimulator } from '../../src/drill/simulators/github/index.js';
import { fail, ghToken, run, secret, verify, world } from './github-fixtures.js';
import { useSimulator } from './use-simulator.js';

let sim: GitHubSimulator;
let w: ReturnType<typeof world>;
const fast = { revoke_verify_interval_ms: 20, revoke_verify_timeout_ms: 5_000 };

useSimulator(
  async () => {
    w = world();
    return startGitHubSimulator({ seed: w.seed, switches: { revokeDelayMs: 150 } });
  },
  (started) => (sim = started),
);
beforeEach(() => sim.resetRateLimits());

describe('verifyToken', () => {
  it('a live classic token: login, scopes from X-OAuth-Scopes, expiry from the expiration header', async () => {
    const { out } = await run(sim, 'verifyToken', { token: secret(w.t.leaked) });
    expect(out).toEqual({ live: true, login: 'bob', kind: 'classic', scopes: ['repo', 'gist'], expires_at: '2030-06-30T12:00:00.000Z' });
  });

  it('a fine-grained token has no scopes header (null); an installation token is live though not a user', async () => {
    expect((await run(sim, 'verifyToken', { token: secret(w.t.fine) })).out).toMatchObject({ live: true, login: 'bob', kind: 'fine-grained', scopes: null });
    expect((await run(sim, 'verifyToken', { token: secret(w.t.app) })).out).toMatchObject({ live: true, kind: 'installation' });
  });

  it('401 means dead: a normal result for revoked and unknown tokens', async () => {
    expect((await run(sim, 'verifyToken', { token: secret(w.t.revoked) })).out).toEqual({ live: false, kind: 'classic', scopes: null });
    expect((await run(sim, 'verifyToken', { token: secret(ghToken('ghu_')) })).out).toMatchObject({ live: false, kind: 'app-user' });
  });
});

describe('listSecretScanningAlerts', () => {
  it('follows every page of a repo and returns leaked values as registered Secrets', async () => {
    const before = sim.count('listAlertsForRepo');
    const { out } = await run(sim, 'listSecretScanningAlerts', { repo: 'acme/api', per_page: 2 }, { token: w.t.operator });
    expect(out.count).toBe(5);
    expect(sim.count('listAlertsForRepo') - before).toBe(3);
    expect(out.alerts.map((a: { number: number }) => a.number)).toEqual([1, 2, 3, 4, 5]);
    const first = out.alerts[0] as { secret: Secret; repo: string; validity: string; secret_type: string };
    expect(isSecret(first.secret)).toBe(true);
    expect(first.secret.reveal()).toBe(w.t.leaked);
    expect(first).toMatchObject({ repo: 'acme/api', secret_type: 'github_personal_access_token', validity: 'active' });
    expect(JSON.stringify(out)).not.toContain(w.t.leaked);
  });

  it('filters by state and secret_type (one or several)', async () => {
    const open = await run(sim, 'listSecretScanningAlerts', { repo: 'acme/api', state: 'open', secret_type: ['github_personal_access_token', 'github_oauth_access_token'] }, { token: w.t.operator });
    expect(open.out.alerts.map((a: { number: number }) => a.number)).toEqual([1, 3]);
    const resolved = await run(sim, 'listSecretScanningAlerts', { repo: 'acme/api', state: 'resolved' }, { token: w.t.operator });
    expect(resolved.out.alerts.map((a: { number: number }) => a.number)).toEqual([4]);
  });

  it('lists an org across repos (with the repo of each alert) and stops at max', async () => {
    const { out } = await run(sim, 'listSecretScanningAlerts', { org: 'acme', secret_type: 'github_personal_access_token', state: 'open', per_page: 1 }, { token: w.t.operator });
    expect(out.alerts.map((a: { repo: string; number: number }) => `${a.repo}#${a.number}`)).toEqual(['acme/api#1', 'acme/web#1']);
    const capped = await run(sim, 'listSecretScanningAlerts', { org: 'acme', per_page: 2, max: 3 }, { token: w.t.operator });
    expect(capped.out.count).toBe(3);
  });

  it('needs exactly one of repo or org', async () => {
    await expect(run(sim, 'listSecretScanningAlerts', { repo: 'acme/api', org: 'acme' }, { token: w.t.operator })).rejects.toThrow(/exactly one of repo or org/);
    await expect(run(sim, 'listSecretScanningAlerts', {}, { token: w.t.operator })).rejects.toThrow(/exactly one of repo or org/);
  });
});

describe('revokeCredentials', () => {
  it('sends batches of at most batch_size without auth (even with an operator token configured); verify polls until GitHub has acted', async () => {
    const victims = [ghToken(), ghToken(), ghToken(), ghToken(), ghToken()];
    for (const v of victims) sim.state.tokens.set(v, { value: v, login: 'bob', kind: 'classic', scopes: ['repo'], revoked: false });
    const input = { credentials: victims.map((v) => secret(v)), batch_size: 2 };
    const before = sim.count('revokeCredentials');
    const { out } = await run(sim, 'revokeCredentials', input, { token: w.t.operator, config: fast });
    expect(out).toEqual({ accepted: 5, batches: 3 });
    expect(sim.count('revokeCredentials') - before).toBe(3);
    expect(sim.requests.filter((r) => r.op === 'revokeCredentials').slice(-3).map((r) => r.status)).toEqual([202, 202, 202]);
    // accepted, not yet acted on: the tokens still work right after the 202
    expect(victims.every((v) => sim.isLive(v))).toBe(true);
    const checksBefore = sim.count('getAuthenticated');
    const r = await verify(sim, 'revokeCredentials', input, out, { config: fast });
    expect(r).toEqual({ state: 'done', detail: 'all 5 credential(s) answer 401' });
    expect(victims.some((v) => sim.isLive(v))).toBe(false);
    expect(sim.count('getAuthenticated') - checksBefore).toBeGreaterThan(5); // it had to poll
  });

  it('verify gives up as not-done when the deadline passes, naming tokens by last 4 only', async () => {
    const v = ghToken();
    sim.state.tokens.set(v, { value: v, login: 'bob', kind: 'classic', scopes: [], revoked: false });
    const r = await verify(sim, 'revokeCredentials', { credentials: [secret(v)] }, undefined, { config: { revoke_verify_interval_ms: 20, revoke_verify_timeout_ms: 60 } });
    expect(r.state).toBe('not-done');
    expect(r.detail).toBe(`1 of 1 still live: …${v.slice(-4)}`);
  });

  it('422 for values GitHub does not accept is a definite error', async () => {
    const { err } = await fail(sim, 'revokeCredentials', { credentials: [secret('not-a-github-token-' + ghToken())] });
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ status: 422, failure: 'definite', code: 'INVALID' });
  });
});

describe('resolveAlert', () => {
  it('resolves as revoked; verify reads it back', async () => {
    const input = { repo: 'acme/web', alert_number: 1 };
    expect((await verify(sim, 'resolveAlert', input, undefined, { token: w.t.operator })).state).toBe('not-done');
    const { out } = await run(sim, 'resolveAlert', { ...input, comment: 'token revoked by runbook' }, { token: w.t.operator });
    expect(out).toEqual({ repo: 'acme/web', number: 1, state: 'resolved', resolution: 'revoked' });
    expect(sim.alert('acme/web', 1)).toMatchObject({ state: 'resolved', resolution: 'revoked', resolution_comment: 'token revoked by runbook', resolved_by: { login: 'alice' } });
    expect(await verify(sim, 'resolveAlert', input, out, { token: w.t.operator })).toEqual({ state: 'done', detail: 'resolved as revoked' });
  });

  it('a missing alert is a definite 404', async () => {
    const { err } = await fail(sim, 'resolveAlert', { repo: 'acme/web', alert_number: 99 }, { token: w.t.operator });
    expect(err).toMatchObject({ status: 404, failure: 'definite', code: 'NOT_FOUND' });
  });
});

describe('rotateActionsSecret', () => {
  it('seals against the repo key: the simulator decrypts exactly the new value; create then update', async () => {
    const fresh = ghToken();
    const created = await run(sim, 'rotateActionsSecret', { repo: 'acme/api', name: 'NEW_TOKEN', value: secret(fresh) }, { token: w.t.operator });
    expect(created.out).toMatchObject({ repo: 'acme/api', name: 'NEW_TOKEN', created: true });
    expect(sim.actionsSecret('acme/api', 'NEW_TOKEN')).toBe(fresh);
    const next = ghToken();
    const input = { repo: 'acme/api', name: 'DEPLOY_TOKEN', value: secret(next) };
    const updated = await run(sim, 'rotateActionsSecret', input, { token: w.t.operator });
    expect(updated.out.created).toBe(false);
    expect(sim.actionsSecret('acme/api', 'DEPLOY_TOKEN')).toBe(next);
    expect(await verify(sim, 'rotateActionsSecret', input, updated.out, { token: w.t.operator })).toMatchObject({ state: 'done' });
    expect(JSON.stringify(updated.out)).not.toContain(next);
  });

  it('verify: a missing secret is not-done; an old one is not-done', async () => {
    expect((await verify(sim, 'rotateActionsSecret', { repo: 'acme/api', name: 'NOPE', value: secret('x') }, undefined, { token: w.t.operator })).state).toBe('not-done');
    const r = await verify(sim, 'rotateActionsSecret', { repo: 'acme/api', name: 'DEPLOY_TOKEN', value: secret('x') }, { repo: 'acme/api', name: 'DEPLOY_TOKEN', created: false, set_at: '2031-01-01T00:00:00Z' }, { token: w.t.operator });
    expect(r.state).toBe('not-done');
  });

  it('a token without the repo scope gets a definite 403 with advice', async () => {
    const { err } = await fail(sim, 'rotateActionsSecret', { repo: 'acme/api', name: 'X', value: secret('v') }, { token: w.t.noScope });
    expect(err).toMatchObject({ status: 403, failure: 'definite' });
    expect(err.nextSteps.join(' ')).toMatch(/admin rights/);
  });
});

describe('deleteDeployKey', () => {
  it('deletes (204); a second run finds it already gone; verify says done', async () => {
    const input = { repo: 'acme/api', key_id: 7 };
    expect((await verify(sim, 'deleteDeployKey', input, undefined, { token: w.t.operator })).state).toBe('not-done');
    expect((await run(sim, 'deleteDeployKey', input, { token: w.t.operator })).out).toEqual({ repo: 'acme/api', key_id: 7, deleted: true, already_gone: false });
    expect(sim.state.repos.get('acme/api')!.deployKeys.has(7)).toBe(false);
    expect((await run(sim, 'deleteDeployKey', input, { token: w.t.operator })).out).toMatchObject({ deleted: false, already_gone: true });
    expect((await verify(sim, 'deleteDeployKey', input, undefined, { token: w.t.operator })).state).toBe('done');
  });

  it('a repo the token cannot see is an error, not "already gone"', async () => {
    const { err } = await fail(sim, 'deleteDeployKey', { repo: 'acme/nope', key_id: 7 }, { token: w.t.operator });
    expect(err).toMatchObject({ status: 404, failure: 'definite' });
    expect((await verify(sim, 'deleteDeployKey', { repo: 'acme/nope', key_id: 7 }, undefined, { token: w.t.operator })).state).toBe('unknown');
  });
});

describe('revokeOrgPat', () => {
  it("revokes a fine-grained PAT's org access with an installation token; verify lists grants", async () => {
    expect((await run(sim, 'listSecretScanningAlerts', { repo: 'acme/web' }, { token: w.t.fine })).out.count).toBe(1);
    const input = { org: 'acme', pat_id: 11 };
    expect((await verify(sim, 'revokeOrgPat', input, undefined, { token: w.t.app })).state).toBe('not-done');
    expect((await run(sim, 'revokeOrgPat', input, { token: w.t.app })).out).toEqual({ org: 'acme', pat_id: 11, revoked: true });
    expect((await verify(sim, 'revokeOrgPat', input, undefined, { token: w.t.app })).state).toBe('done');
    // the PAT itself is still live, but no longer reaches the org
    expect(sim.isLive(w.t.fine)).toBe(true);
    expect((await fail(sim, 'listSecretScanningAlerts', { repo: 'acme/web' }, { token: w.t.fine })).err).toMatchObject({ status: 404 });
  });

  it('a personal token may not: 403 with the GitHub App advice', async () => {
    const { err } = await fail(sim, 'revokeOrgPat', { org: 'acme', pat_id: 12 }, { token: w.t.operator });
    expect(err).toMatchObject({ status: 403, failure: 'definite' });
    expect(err.nextSteps[0]).toMatch(/GitHub App installed on acme/);
  });
});
