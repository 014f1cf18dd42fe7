/**
 * A stateful Hugging Face Hub simulator on loopback, for tests and drills.
 *
 *   const sim = await startHuggingFaceSimulator({ seed: { users: [...], tokens: [...], spaces: [...] } });
 *   // point the provider at sim.url (config.hub_url), then inspect:
 *   sim.isLive(tokenValue); sim.secretValue('alice/demo', 'HF_TOKEN'); sim.runningSecret('alice/demo', 'HF_TOKEN');
 *
 * Switches (`sim.switches`) change behaviour at run time: disable the credentials-revoke
 * endpoint (to exercise the manual fallback), remove the secrets-list endpoint, shrink pages,
 * tighten rate limits. Faults (timeouts, 5xx, latency) come from the shared base.
 */
import { startHttpSimulator, type FaultHook, type HttpSimulator } from '../base.js';
import { route, type HfSimCore, type HfSwitches } from './routes.js';
import { buildWorld, type HfSeed, type HfSpace, type HfToken, type HfWorld } from './world.js';

export type { HfSeed, HfWorld, HfToken, HfSpace, HfSwitches };
export { buildWorld } from './world.js';

export interface HuggingFaceSimOptions {
  seed?: HfSeed;
  port?: number;
  faults?: FaultHook;
  /** clock for rate-limit windows, restart stages and update times (default Date.now) */
  now?: () => number;
  switches?: Partial<HfSwitches>;
}

export interface HuggingFaceSimulator extends HttpSimulator {
  /** stamp what it creates or changes with this clock (a drill: the drill's clock, as the AWS simulator's world.now) */
  useClock(now: () => number): void;
  /** the live world: mutate it to set up a situation, read it to check an outcome */
  state: HfWorld;
  switches: HfSwitches;
  /** is this token value known and not revoked? */
  isLive(tokenValue: string): boolean;
  /** the value currently stored for a Space secret (write-only on the wire) */
  secretValue(spaceId: string, key: string): string | undefined;
  /** the value the running Space loaded at its last (re)start */
  runningSecret(spaceId: string, key: string): string | undefined;
  /** how many times the Space was restarted */
  restarts(spaceId: string): number;
  /** forget rate-limit counters */
  resetRateLimits(): void;
}

export const defaultHfSwitches = (): HfSwitches => ({
  revokeEndpoint: true,
  secretsListEndpoint: true,
  pageSize: 1000,
  restartMs: 0,
  whoamiLimit: { max: 1000, windowS: 300 },
  apiLimit: { max: 10_000, windowS: 300 },
});

export async function startHuggingFaceSimulator(opts: HuggingFaceSimOptions = {}): Promise<HuggingFaceSimulator> {
  const now = opts.now ?? Date.now;
  const core: HfSimCore = { world: buildWorld(opts.seed, now()), switches: { ...defaultHfSwitches(), ...opts.switches }, now, stamp: now, buckets: new Map() };
  const http = await startHttpSimulator('huggingface', (req) => route(core, req), { port: opts.port, faults: opts.faults });
  const space = (id: string) => core.world.spaces.get(id);
  return {
    ...http,
    useClock: (clock) => void (core.stamp = clock),
    state: core.world,
    switches: core.switches,
    isLive: (v) => {
      const t = core.world.tokens.get(v);
      return !!t && !t.revoked;
    },
    secretValue: (id, key) => space(id)?.secrets[key]?.value,
    runningSecret: (id, key) => space(id)?.running[key],
    restarts: (id) => space(id)?.restarts ?? 0,
    resetRateLimits: () => core.buckets.clear(),
  };
}
