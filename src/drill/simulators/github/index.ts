/**
 * A stateful GitHub REST simulator on loopback, for tests and drills.
 *
 *   const sim = await startGitHubSimulator({ seed: { users, orgs, tokens, repos, pat_grants } });
 *   // point the provider at sim.url (config.api_url), then inspect:
 *   sim.isLive(token); sim.actionsSecret('acme/api', 'DEPLOY_TOKEN'); sim.alert('acme/api', 1)?.state;
 *
 * The credentials-revoke endpoint accepts at once (202) and kills tokens `revokeDelayMs`
 * later — a verify step must poll. Rate limits and secondary limits are switches.
 */
import { startHttpSimulator, type FaultHook, type HttpSimulator } from '../base.js';
import { repoRoutes } from './repo-routes.js';
import { bucketKey, dispatch, type GhSimCore, type GhSwitches } from './routes.js';
import { buildWorld, isLive, type GhAlert, type GhSeed, type GhWorld } from './world.js';

export type { GhSeed, GhWorld, GhSwitches, GhAlert };

export interface GitHubSimOptions {
  seed?: GhSeed;
  port?: number;
  faults?: FaultHook;
  now?: () => number;
  switches?: Partial<GhSwitches>;
}

export interface GitHubSimulator extends HttpSimulator {
  /** stamp what it creates or changes with this clock (a drill: the drill's clock, as the AWS simulator's world.now) */
  useClock(now: () => number): void;
  state: GhWorld;
  switches: GhSwitches;
  /** known, not revoked, and no pending revoke that has come due */
  isLive(token: string): boolean;
  /** the decrypted value of an Actions secret (proves which value landed) */
  actionsSecret(repo: string, name: string): string | undefined;
  alert(repo: string, n: number): GhAlert | undefined;
  /** use up a token's (or, with no token, the anonymous) primary limit; it resets in `resetInS` */
  exhaustRateLimit(token: string | undefined, resetInS: number): void;
  resetRateLimits(): void;
}

export const defaultGhSwitches = (): GhSwitches => ({ revokeDelayMs: 100, coreLimit: 5000, anonLimit: 60, primaryStatus: 403 });

export async function startGitHubSimulator(opts: GitHubSimOptions = {}): Promise<GitHubSimulator> {
  const now = opts.now ?? Date.now;
  const core: GhSimCore = { world: await buildWorld(opts.seed, now()), switches: { ...defaultGhSwitches(), ...opts.switches }, now, stamp: now, buckets: new Map() };
  const http = await startHttpSimulator('github', (req) => dispatch(core, req, repoRoutes), { port: opts.port, faults: opts.faults });
  return {
    ...http,
    useClock: (clock) => void (core.stamp = clock),
    state: core.world,
    switches: core.switches,
    isLive: (t) => isLive(core.world, t, now()),
    actionsSecret: (repo, name) => core.world.repos.get(repo)?.secrets.get(name)?.value,
    alert: (repo, n) => core.world.repos.get(repo)?.alerts.find((a) => a.number === n),
    exhaustRateLimit: (token, resetInS) => {
      const limit = token ? core.switches.coreLimit : core.switches.anonLimit;
      core.buckets.set(bucketKey(token), { used: limit, resetAt: now() + resetInS * 1000 });
    },
    resetRateLimits: () => core.buckets.clear(),
  };
}
