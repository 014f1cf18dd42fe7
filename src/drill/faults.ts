/**
 * Fault injection for drills. A SPEC is a comma-separated list of rules:
 *
 *   PROVIDER.ACTION:FAULT[@RATE | xCOUNT]
 *
 *   huggingface.revokeToken:ambiguous@1      every revoke is applied, then its answer is lost
 *   github.*:429@0.3                         30 % of GitHub calls are rate limited (Retry-After 1 s)
 *   slack.postMessage:503x2                  the first two postMessage calls get a 503
 *   huggingface.verifyToken:429/20s x1       …with Retry-After: 20
 *   aws.createKey:latency=2s                 every CreateAccessKey answers 2 s late
 *
 * ACTION is a provider action (`revokeToken`), a simulator operation (`revokeCredentials`,
 * `iam:CreateAccessKey`, `chat.postMessage`) or `*`. FAULT: an HTTP status (`429`, `500`,
 * `503`, `429/30s` for a Retry-After), `5xx` (one of 500/502/503/504), `timeout` (never
 * answers: the client's timeout fires), `latency=DURATION`, `ambiguous` (applied, then the
 * connection drops). Without a rate or count a rule applies to every matching call.
 *
 * Decisions are a pure function of the seed, the rule, the request (operation, path, and a hash
 * of its credentials and body) and how often that same request was seen — so the same seed
 * gives the same faults whatever order concurrent requests arrive in.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { durationMs } from '../core/runbook/step-rules.js';
import type { Fault, FaultHook } from './simulators/base.js';

export interface FaultRule {
  text: string;
  service: string;
  /** simulator operations it matches (`*` = all) */
  ops: string[] | '*';
  fault: { kind: 'status'; status: number | '5xx'; retryAfterS?: number } | { kind: 'latency'; ms: number } | { kind: 'timeout' } | { kind: 'ambiguous' };
  rate: number;
  count?: number;
}

/** Provider action → the simulator operations it calls. */
export const ACTION_OPS: Record<string, Record<string, string[]>> = {
  huggingface: {
    verifyToken: ['whoami'],
    revokeToken: ['revokeCredentials'],
    listSpaces: ['listSpaces'],
    listSpaceSecrets: ['listSecrets'],
    setSpaceSecret: ['setSecret'],
    deleteSpaceSecret: ['deleteSecret'],
    listSpaceVariables: ['listVariables'],
    restartSpace: ['restartSpace'],
  },
  github: {
    verifyToken: ['getAuthenticated'],
    revokeCredentials: ['revokeCredentials'],
    listSecretScanningAlerts: ['listAlertsForRepo', 'listAlertsForOrg'],
    resolveAlert: ['updateAlert'],
    rotateActionsSecret: ['createOrUpdateRepoSecret'],
    deleteDeployKey: ['deleteDeployKey'],
    revokeOrgPat: ['updatePatAccess'],
  },
  aws: {
    listAccessKeys: ['iam:ListAccessKeys'],
    keyLastUsed: ['iam:GetAccessKeyLastUsed'],
    deactivateKey: ['iam:UpdateAccessKey'],
    createKey: ['iam:CreateAccessKey'],
    deleteKey: ['iam:DeleteAccessKey'],
    verifyKey: ['sts:GetCallerIdentity'],
    putSecretValue: ['secretsmanager:PutSecretValue'],
  },
  slack: { postMessage: ['chat.postMessage'], verifyToken: ['auth.test'], revokeToken: ['auth.revoke'], postWebhook: ['webhook'] },
  pagerduty: { trigger: ['trigger'], acknowledge: ['acknowledge'], resolve: ['resolve'] },
};

export const FAULT_SERVICES = Object.keys(ACTION_OPS);

const RULE_RE = /^([a-z][a-z0-9_-]*)\.(.+?):([^:@]+?)(?:@([0-9.]+)|\s*x(\d+))?$/;

function parseFault(text: string, rule: string): FaultRule['fault'] {
  const t = text.trim();
  if (t === 'timeout') return { kind: 'timeout' };
  if (t === 'ambiguous') return { kind: 'ambiguous' };
  if (t === '5xx') return { kind: 'status', status: '5xx' };
  const lat = /^latency=(.+)$/.exec(t);
  if (lat) {
    const ms = durationMs(/^\d+(\.\d+)?$/.test(lat[1]!) ? Number(lat[1]) : (lat[1] as `${number}s`));
    if (!Number.isFinite(ms)) throw bad(rule, `latency needs a duration such as 500ms or 2s`);
    return { kind: 'latency', ms };
  }
  const st = /^(\d{3})(?:\/(\d+(?:\.\d+)?)s?)?$/.exec(t);
  if (st) {
    const status = Number(st[1]);
    if (status < 400 || status > 599) throw bad(rule, `status ${status} is not an error (use 400–599)`);
    return { kind: 'status', status, retryAfterS: st[2] !== undefined ? Number(st[2]) : status === 429 ? 1 : undefined };
  }
  throw bad(rule, `unknown fault "${t}" (use an HTTP status such as 429 or 503, 429/30s, 5xx, timeout, latency=2s or ambiguous)`);
}

function bad(rule: string, why: string): UsageError {
  return new UsageError(`--faults ${rule}: ${why}`, { nextSteps: ['Syntax: PROVIDER.ACTION:FAULT[@RATE|xCOUNT], comma-separated (docs/drills.md "Faults").'] });
}

/** Parse a SPEC (string or list of rules). `none` or empty: no faults. */
export function parseFaults(spec: string | readonly string[] | undefined): FaultRule[] {
  if (spec === undefined) return [];
  const parts = (typeof spec === 'string' ? spec.split(',') : spec).map((s) => s.trim()).filter(Boolean);
  if (parts.length === 1 && parts[0] === 'none') return [];
  return parts.map((text) => {
    const m = RULE_RE.exec(text);
    if (!m) throw bad(text, 'expected PROVIDER.ACTION:FAULT[@RATE|xCOUNT]');
    const [, service, action, fault, rate, count] = m as unknown as [string, string, string, string, string | undefined, string | undefined];
    const table = ACTION_OPS[service];
    if (!table) throw bad(text, `no simulator takes faults for "${service}" (known: ${FAULT_SERVICES.join(', ')})`);
    const ops = action === '*' ? '*' : (table[action] ?? [action]);
    const r = rate === undefined ? 1 : Number(rate);
    if (!(r > 0 && r <= 1)) throw bad(text, 'a rate is a number above 0 and at most 1 (e.g. @0.3)');
    return { text, service, ops, fault: parseFault(fault, text), rate: r, count: count === undefined ? undefined : Number(count) };
  });
}

/** Counters of the fault decisions (kept with the drill's state, so a resumed drill goes on with the sequence). */
export interface FaultStats {
  /** rule text → faults injected */
  injected: Record<string, number>;
  /** request identity → times seen */
  seen: Record<string, number>;
  /** rule index → times applied (for xCOUNT) */
  used: Record<string, number>;
}

export function newFaultStats(prior?: Partial<FaultStats>): FaultStats {
  return { injected: { ...prior?.injected }, seen: { ...prior?.seen }, used: { ...prior?.used } };
}

function uniform(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('|')).digest().readUInt32BE(0) / 2 ** 32;
}

/** The fault hook of one simulator for the rules that name its service. */
export function faultHook(service: string, rules: readonly FaultRule[], seed: number, stats: FaultStats): FaultHook | undefined {
  const mine = rules.map((r, i) => ({ r, i })).filter(({ r }) => r.service === service);
  if (!mine.length) return undefined;
  return ({ op, method, path, key }) => {
    const id = `${service}|${op}|${method}|${path}|${key ?? ''}`;
    const n = (stats.seen[id] ?? 0) + 1;
    stats.seen[id] = n;
    for (const { r, i } of mine) {
      if (r.ops !== '*' && !r.ops.includes(op)) continue;
      if (r.count !== undefined && (stats.used[i] ?? 0) >= r.count) continue;
      if (r.rate < 1 && uniform(seed, i, id, n) >= r.rate) continue;
      stats.used[i] = (stats.used[i] ?? 0) + 1;
      stats.injected[r.text] = (stats.injected[r.text] ?? 0) + 1;
      return toFault(r.fault, uniform(seed, i, id, n, 'status'));
    }
    return undefined;
  };
}

function toFault(f: FaultRule['fault'], u: number): Fault {
  switch (f.kind) {
    case 'status':
      return { type: 'status', status: f.status === '5xx' ? [500, 502, 503, 504][Math.floor(u * 4)]! : f.status, retryAfterS: f.retryAfterS };
    case 'latency':
      return { type: 'latency', ms: f.ms };
    case 'timeout':
      return { type: 'timeout' };
    case 'ambiguous':
      return { type: 'ambiguous' };
  }
}
