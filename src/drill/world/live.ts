/**
 * The running world of a drill: the simulators a runbook's providers need (and those its
 * scenario describes), started in-process on 127.0.0.1 with the drill's fault hooks; how each
 * provider instance is pointed at its simulator; and read-only checks of the world's state
 * (is a credential live? is a consumer rotated? who was notified?) for the scorecard.
 */
import type { ProviderRegistry } from '../../providers/registry.js';
import type { HuggingFaceSimulator } from '../simulators/huggingface/index.js';
import type { GitHubSimulator } from '../simulators/github/index.js';
import type { AwsSimulator } from '../simulators/aws/index.js';
import type { SlackSimulator } from '../simulators/slack.js';
import type { PagerDutySimulator } from '../simulators/pagerduty.js';
import type { SmtpSimulator } from '../simulators/smtp.js';
import { faultHook, type FaultRule, type FaultStats } from '../faults.js';
import type { Scenario } from '../scenario/schema.js';
import type { BuiltWorld, Consumer, Credential } from './build.js';

/** Provider types that have a simulator, and the service each one talks to. */
export const SIMULATED = ['huggingface', 'github', 'aws', 'slack', 'pagerduty', 'email'] as const;
export type SimService = (typeof SIMULATED)[number];
/** Provider types that need no simulator (local work only) or are pointed at several. */
const LOCAL = new Set(['shell', 'scan']);

export interface LiveWorld {
  built: BuiltWorld;
  hf?: HuggingFaceSimulator;
  github?: GitHubSimulator;
  aws?: AwsSimulator;
  slack?: SlackSimulator;
  pagerduty?: PagerDutySimulator;
  smtp?: SmtpSimulator;
  /** `service → URL` for the drill's preamble */
  endpoints: Record<string, string>;
  isLive(c: Credential): boolean;
  /** does this place still hold the leaked value (and does the running app still use it)? */
  consumerState(c: Consumer): { rotated: boolean; restarted: boolean };
  configFor(registry: ProviderRegistry): (instance: string, type: string, config: Record<string, unknown>) => Record<string, unknown>;
  /** provider instances whose type has no simulator: their calls will be refused */
  unsimulated(providers: Record<string, { type: string }>): string[];
  close(): Promise<void>;
}

export interface StartOptions {
  scenario: Scenario;
  built: BuiltWorld;
  /** provider types the runbook uses */
  types: ReadonlySet<string>;
  faults: readonly FaultRule[];
  seed: number;
  stats: FaultStats;
}

/**
 * Each simulator is imported when its world starts (its own chunk of the bundle): the SMTP
 * server and the simulators a drill does not use never load, and a new drill on a terminal
 * loads them after its first complete frame (src/drill/session.ts, issue 12).
 */
export async function startWorld(o: StartOptions): Promise<LiveWorld> {
  const s = o.scenario;
  // a simulator runs when a provider of the runbook talks to it, or the scenario describes its world
  const want = (t: SimService, inScenario: unknown) => o.types.has(t) || inScenario !== undefined;
  const hook = (service: string) => faultHook(service, o.faults, o.seed, o.stats);
  const w: LiveWorld = {
    built: o.built,
    endpoints: {},
    isLive: (c) => isLive(w, c),
    consumerState: (c) => consumerState(w, c),
    configFor: (registry) => configFor(w, registry),
    unsimulated: (providers) => Object.entries(providers).filter(([, p]) => !LOCAL.has(p.type) && !(SIMULATED as readonly string[]).includes(p.type)).map(([name, p]) => `${name} (${p.type})`),
    close: async () => {
      await Promise.allSettled([w.hf, w.github, w.aws, w.slack, w.pagerduty, w.smtp].map((x) => x?.close()));
    },
  };
  try {
    if (want('huggingface', s.huggingface)) {
      const { startHuggingFaceSimulator } = await import('../simulators/huggingface/index.js');
      w.hf = await startHuggingFaceSimulator({
        seed: o.built.hf,
        faults: hook('huggingface'),
        switches: { revokeEndpoint: s.huggingface?.revoke_endpoint ?? true, secretsListEndpoint: s.huggingface?.secrets_list_endpoint ?? true },
      });
      w.endpoints.huggingface = w.hf.url;
    }
    if (want('github', s.github)) {
      const { startGitHubSimulator } = await import('../simulators/github/index.js');
      w.github = await startGitHubSimulator({ seed: o.built.github, faults: hook('github') });
      w.endpoints.github = w.github.url;
    }
    if (want('aws', s.aws)) {
      const { startAwsSimulator } = await import('../simulators/aws/index.js');
      w.aws = await startAwsSimulator({ seed: o.built.aws, faults: hook('aws') });
      w.endpoints.aws = w.aws.url;
    }
    if (want('slack', s.slack)) {
      const { startSlackSimulator } = await import('../simulators/slack.js');
      w.slack = await startSlackSimulator({ faults: hook('slack') });
      for (const ch of s.slack?.channels ?? []) w.slack.addChannel(ch.name, { archived: ch.archived, member: ch.member });
      for (const t of s.slack?.tokens ?? []) {
        const c = o.built.credentials.get(t.id)!;
        w.slack.addToken(c.value, { user: t.user, state: t.revoked ? 'revoked' : 'live', ...(t.bot ? { bot_id: `B${t.id.replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 9)}` } : {}) });
      }
      w.endpoints.slack = w.slack.url;
    }
    if (want('pagerduty', s.pagerduty)) {
      const { startPagerDutySimulator } = await import('../simulators/pagerduty.js');
      w.pagerduty = await startPagerDutySimulator({ faults: hook('pagerduty') });
      w.endpoints.pagerduty = w.pagerduty.url;
    }
    if (want('email', s.mail)) {
      const reject = new Set((s.mail?.reject ?? []).map((a) => a.toLowerCase()));
      const { startSmtpSimulator } = await import('../simulators/smtp.js');
      w.smtp = await startSmtpSimulator({ rejectRecipient: (a) => reject.has(a.toLowerCase()) });
      w.endpoints.email = `smtp://127.0.0.1:${w.smtp.port}`;
    }
  } catch (e) {
    await w.close();
    throw e;
  }
  return w;
}

function isLive(w: LiveWorld, c: Credential): boolean {
  switch (c.service) {
    case 'huggingface':
      return w.hf?.isLive(c.value) ?? false;
    case 'github':
      return w.github?.isLive(c.value) ?? false;
    case 'aws':
      return w.aws?.world.keyLive(c.value) ?? false;
    case 'slack':
      return w.slack?.tokenState(c.value) === 'live';
  }
}

function consumerState(w: LiveWorld, c: Consumer): { rotated: boolean; restarted: boolean } {
  const leaked = w.built.credentials.get(c.credential)?.value;
  if (c.service === 'huggingface') {
    const rotated = w.hf?.secretValue(c.where, c.key) !== leaked;
    return { rotated, restarted: rotated && w.hf?.runningSecret(c.where, c.key) !== leaked };
  }
  if (c.service === 'aws') {
    const cred = w.built.credentials.get(c.credential);
    let current = '';
    try {
      current = w.aws?.world.getSecretValue(c.where).version.value ?? '';
    } catch {
      current = '';
    }
    const rotated = !!cred && !current.includes(cred.value) && !(cred.secret && current.includes(cred.secret));
    return { rotated, restarted: rotated };
  }
  const rotated = w.github?.actionsSecret(c.where, c.key) !== leaked;
  return { rotated, restarted: rotated };
}

function configFor(w: LiveWorld, registry: ProviderRegistry) {
  const urls: Record<string, string | undefined> = { huggingface: w.hf?.url, github: w.github?.url, aws: w.aws?.url, slack: w.slack?.url, pagerduty: w.pagerduty?.url };
  return (_instance: string, type: string, config: Record<string, unknown>): Record<string, unknown> => {
    if (type === 'email') return w.smtp ? w.smtp.configFor(config) : config;
    if (type === 'scan') {
      const out = { ...config };
      if (w.hf) out.hf_url = w.hf.url;
      if (w.github) out.github_url = w.github.url;
      if (w.slack) out.slack_url = w.slack.url;
      if (w.aws) out.aws_endpoint = w.aws.url;
      return out;
    }
    const url = urls[type];
    const def = registry.get(type);
    if (url && def?.drill?.configFor) return def.drill.configFor(url, config) as Record<string, unknown>;
    return config;
  };
}

/** Every leaked credential, with whether it is live now. */
export function leakedState(w: LiveWorld): { credential: Credential; live: boolean }[] {
  return [...w.built.credentials.values()].filter((c) => c.leaked).map((credential) => ({ credential, live: w.isLive(credential) }));
}

/** Notifications that reached the world: mails per recipient, messages per channel, PagerDuty triggers. */
export function deliveries(w: LiveWorld, attackerPosts: ReadonlySet<string> = new Set()): { email: Record<string, number>; slack: Record<string, number>; pagerduty: number } {
  const email: Record<string, number> = {};
  for (const m of w.smtp?.messages ?? []) for (const to of m.to) email[to.toLowerCase()] = (email[to.toLowerCase()] ?? 0) + 1;
  const slack: Record<string, number> = {};
  const byId = new Map([...(w.slack?.channels.values() ?? [])].map((c) => [c.id, c.name]));
  for (const m of w.slack?.messages ?? []) {
    if (attackerPosts.has(m.ts)) continue;
    const name = byId.get(m.channel) ?? m.channel;
    slack[name] = (slack[name] ?? 0) + 1;
  }
  return { email, slack, pagerduty: w.pagerduty?.incidents.reduce((n, i) => n + i.triggers, 0) ?? 0 };
}
