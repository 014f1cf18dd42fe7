/**
 * Investigation: CloudTrail `LookupEvents` (what did these access keys / users / roles do since
 * a time, and which credentials did they make) and GuardDuty findings about an access key.
 *
 * CloudTrail's raw record (`CloudTrailEvent`) never leaves this module: an AssumeRole record
 * holds the session token AWS issued, so only named fields are read from it (the new key's id,
 * the role's ARN, the session's access key id, the error code) and the rest is dropped.
 */
import { z } from 'zod';
import { defineAction, type ActionContext } from '../sdk.js';
import { call, isAwsError } from './errors.js';
import { AccessKeyId, listKeys, UserName } from './iam.js';
import { DENY_ALL_POLICY, getPolicy, isDenyAll, REVOKE_POLICY, revokedBefore, RoleName } from './identity.js';
import { cloudTrailClient, guardDutyClient, iamClient, loadCloudTrail, loadGuardDuty, loadIam, type AwsConfig } from './transport.js';

type Ctx = ActionContext<AwsConfig>;
const IsoTime = z.iso.datetime({ offset: true });

const TrailEvent = z.object({
  event_id: z.string(),
  event_time: z.string().describe('ISO time'),
  event_name: z.string().describe('the API call, e.g. CreateAccessKey'),
  event_source: z.string().describe('the service, e.g. iam.amazonaws.com'),
  username: z.string().nullable().describe('the caller (IAM user, or the role session name)'),
  access_key_id: z.string().nullable().describe('the access key the call was signed with'),
  error_code: z.string().nullable().describe('AccessDenied and the like when the call failed; null when it succeeded'),
  read_only: z.boolean().nullable(),
  resources: z.array(z.object({ type: z.string(), name: z.string() })),
  matched: z.string().describe('which lookup found it: access_key:ID, user:NAME or role:NAME'),
});
type TrailEvent = z.infer<typeof TrailEvent>;

const CreatedKey = z.object({ user_name: z.string(), access_key_id: z.string(), event_time: z.string() });
const AssumedRole = z.object({ role_name: z.string(), role_arn: z.string(), session_access_key_id: z.string().nullable(), event_time: z.string() });

const LookupOutput = z.object({
  events: z.array(TrailEvent).describe('matching events, newest first, each once'),
  count: z.number().describe('number of events'),
  succeeded: z.number().describe('number of events without an error code'),
  created_keys: z.array(CreatedKey).describe('access keys made by a successful CreateAccessKey among the events'),
  created_key_ids: z.array(z.string()).describe('the ids of created_keys'),
  created_users: z.array(z.string()).describe('users made by a successful CreateUser'),
  assumed_roles: z.array(AssumedRole).describe('successful AssumeRole calls: the role and the session key they issued'),
  assumed_role_names: z.array(z.string()).describe('the distinct role names of assumed_roles'),
  session_key_ids: z.array(z.string()).describe('temporary (ASIA…) key ids issued by AssumeRole, GetSessionToken or GetFederationToken'),
  truncated: z.boolean().describe('true when max_events stopped the lookup before the end'),
  looked_until: z.string().describe('end of the window looked at (ISO): the `since` of a later look that wants only what came after'),
  live_created_keys: z.array(z.object({ user_name: z.string(), access_key_id: z.string() })).nullable().describe('check_status: created keys IAM still lists as Active (null without check_status)'),
  live_role_names: z.array(z.string()).nullable().describe('check_status: assumed roles with a session issued after the role’s last AWSRevokeOlderSessions and no RunbookIncidentDenyAll (null without check_status)'),
  live_credentials: z.number().nullable().describe('check_status: live_created_keys + live_role_names — "no new credentials" is 0 (null without check_status)'),
});
type LookupOutput = z.infer<typeof LookupOutput>;

const LookupInput = z
  .strictObject({
    access_key_ids: z.array(AccessKeyId).optional().describe('events signed with these access keys (long-term AKIA… or session ASIA…)'),
    user_names: z.array(UserName).optional().describe('events whose caller is one of these IAM users (any of their keys)'),
    role_names: z.array(RoleName).optional().describe('events naming these roles as a resource (AssumeRole…), plus everything the sessions those AssumeRole calls issued did'),
    since: IsoTime.describe('start of the window (ISO time, e.g. the likely time of compromise)'),
    until: IsoTime.optional().describe('end of the window (default: now)'),
    include_failed: z.boolean().default(true).describe('false: leave out calls that failed (AccessDenied…) — "is the credential still being used successfully?"'),
    max_events: z.number().int().min(1).max(5000).default(1000).describe('stop after this many events (truncated: true)'),
    check_status: z.boolean().default(false).describe('also ask IAM which of the credentials found still work (ListAccessKeys of their users; the roles’ AWSRevokeOlderSessions and deny-all policies): fills live_created_keys, live_role_names, live_credentials'),
  })
  .refine((i) => i.access_key_ids !== undefined || i.user_names !== undefined || i.role_names !== undefined, { message: 'give at least one of access_key_ids, user_names and role_names (an empty list is allowed: it looks nothing up)' });
type LookupInput = z.infer<typeof LookupInput>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const SESSION_CALLS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetSessionToken', 'GetFederationToken']);

/** The named fields of a CloudTrail record we use — nothing else (the record may hold a session token). */
interface RecordFacts {
  errorCode?: string;
  createdKey?: { user: string; id: string };
  createdUser?: string;
  roleArn?: string;
  sessionKey?: string;
}
export function recordFacts(name: string, raw: string | undefined): RecordFacts {
  let r: Record<string, any>;
  try {
    r = JSON.parse(raw ?? '{}') as Record<string, any>;
  } catch {
    return {};
  }
  const facts: RecordFacts = {};
  const errorCode = str(r.errorCode);
  if (errorCode) facts.errorCode = errorCode;
  if (errorCode) return facts;
  const resp = (r.responseElements ?? {}) as Record<string, any>;
  const req = (r.requestParameters ?? {}) as Record<string, any>;
  if (name === 'CreateAccessKey') {
    const id = str(resp.accessKey?.accessKeyId);
    const user = str(resp.accessKey?.userName) ?? str(req.userName) ?? str(r.userIdentity?.userName);
    if (id && user) facts.createdKey = { user, id };
  }
  if (name === 'CreateUser') {
    const u = str(resp.user?.userName) ?? str(req.userName);
    if (u) facts.createdUser = u;
  }
  if (SESSION_CALLS.has(name)) {
    const k = str(resp.credentials?.accessKeyId);
    if (k) facts.sessionKey = k;
    const arn = str(req.roleArn);
    if (arn) facts.roleArn = arn;
  }
  return facts;
}

const roleNameOf = (arn: string) => arn.split('/').pop() ?? arn;
/** the longest a role session can last (MaxSessionDuration: 12 hours) */
const MAX_SESSION_MS = 12 * 3600_000;

export const lookupEvents = defineAction({
  kind: 'detect',
  description:
    'CloudTrail LookupEvents: what these access keys, users or roles did in a time window (management events, 90 days, the region of the provider), and which credentials they made — access keys (CreateAccessKey), users (CreateUser) and role sessions (AssumeRole, Get*Token). One lookup per key, user or role (CloudTrail allows 2 per second per account).',
  input: LookupInput,
  output: LookupOutput,
  idempotent: true,
  plan: (_ctx, i) => {
    const window = `StartTime=${i.since}${i.until ? ` EndTime=${i.until}` : ''}`;
    return [
      ...(i.access_key_ids ?? []).map((k) => `cloudtrail LookupEvents AccessKeyId=${k} ${window}`),
      ...(i.check_status ? ['iam ListAccessKeys of each user a created key belongs to; iam GetRolePolicy AWSRevokeOlderSessions / RunbookIncidentDenyAll of each assumed role'] : []),
      ...(i.user_names ?? []).map((u) => `cloudtrail LookupEvents Username=${u} ${window}`),
      ...(i.role_names ?? []).flatMap((r) => [`iam GetRole RoleName=${r} (its ARN)`, `cloudtrail LookupEvents ResourceName=<arn of ${r}> ${window}, then AccessKeyId=<each session it issued>`]),
    ];
  },
  async run(ctx: Ctx, i) {
    const ct = await cloudTrailClient(ctx);
    const { LookupEventsCommand } = await loadCloudTrail();
    const start = new Date(i.since);
    const end = i.until ? new Date(i.until) : undefined;
    const lookedUntil = (end ?? new Date(ctx.now())).toISOString();
    const seen = new Map<string, TrailEvent & { facts: RecordFacts }>();

    const lookup = async (key: 'AccessKeyId' | 'Username' | 'ResourceName', value: string, matched: string, from = start) => {
      let token: string | undefined;
      do {
        if (seen.size >= i.max_events) return; // summarise() reports truncated
        const out = await call(ctx, { doing: `looking up CloudTrail events with ${key} ${value}` }, () =>
          ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: key, AttributeValue: value }], StartTime: from, EndTime: end, MaxResults: 50, NextToken: token })),
        );
        for (const e of out.Events ?? []) {
          const id = e.EventId ?? '';
          if (!id || seen.has(id)) continue;
          const name = e.EventName ?? '';
          const facts = recordFacts(name, e.CloudTrailEvent);
          seen.set(id, {
            event_id: id,
            event_time: e.EventTime?.toISOString() ?? '',
            event_name: name,
            event_source: e.EventSource ?? '',
            username: e.Username ?? null,
            access_key_id: e.AccessKeyId ?? null,
            error_code: facts.errorCode ?? null,
            read_only: e.ReadOnly === undefined ? null : e.ReadOnly === 'true',
            resources: (e.Resources ?? []).map((r) => ({ type: r.ResourceType ?? '', name: r.ResourceName ?? '' })),
            matched,
            facts,
          });
        }
        token = out.NextToken;
      } while (token);
    };

    for (const k of i.access_key_ids ?? []) await lookup('AccessKeyId', k, `access_key:${k}`);
    for (const u of i.user_names ?? []) await lookup('Username', u, `user:${u}`);
    if (i.role_names?.length) {
      const iam = await iamClient(ctx);
      const { GetRoleCommand } = await loadIam();
      for (const r of i.role_names) {
        const role = await call(ctx, { doing: `reading IAM role ${r}`, messages: { NoSuchEntityException: `IAM role '${r}' does not exist in this account` } }, () => iam.send(new GetRoleCommand({ RoleName: r })));
        const arn = role.Role?.Arn ?? r;
        const before = new Set(seen.keys());
        // a session assumed before the window may act in it: look for AssumeRole calls as far back as a role session lasts
        await lookup('ResourceName', arn, `role:${r}`, new Date(start.getTime() - MAX_SESSION_MS));
        // what the sessions issued for this role did
        const sessions = [...seen.values()].filter((e) => !before.has(e.event_id) && e.facts.sessionKey && e.facts.roleArn === arn).map((e) => e.facts.sessionKey!);
        for (const s of new Set(sessions)) await lookup('AccessKeyId', s, `role:${r}`);
      }
    }
    const out = summarise([...seen.values()], i, lookedUntil);
    return i.check_status ? { ...out, ...(await liveness(ctx, out)) } : out;
  },
});

/** Which of the credentials found still work: created keys IAM lists as Active; roles with a session issued after their last revocation. */
async function liveness(ctx: Ctx, out: LookupOutput): Promise<Pick<LookupOutput, 'live_created_keys' | 'live_role_names' | 'live_credentials'>> {
  const live_created_keys: { user_name: string; access_key_id: string }[] = [];
  const byUser = new Map<string, Set<string>>();
  for (const k of out.created_keys) byUser.set(k.user_name, (byUser.get(k.user_name) ?? new Set()).add(k.access_key_id));
  for (const [user, ids] of byUser) {
    let keys: Awaited<ReturnType<typeof listKeys>> = [];
    try {
      keys = await listKeys(ctx, user);
    } catch (e) {
      if (!isAwsError(e, 'NoSuchEntity')) throw e; // the user is gone, and its keys with it
    }
    for (const k of keys) if (ids.has(k.access_key_id) && k.status === 'Active') live_created_keys.push({ user_name: user, access_key_id: k.access_key_id });
  }
  const live_role_names: string[] = [];
  for (const role of out.assumed_role_names) {
    const h = { kind: 'role' as const, name: role };
    if (isDenyAll(await getPolicy(ctx, h, DENY_ALL_POLICY))) continue;
    const t = revokedBefore(await getPolicy(ctx, h, REVOKE_POLICY));
    const issued = out.assumed_roles.filter((r) => r.role_name === role).map((r) => Date.parse(r.event_time));
    if (issued.some((at) => t === undefined || at >= Date.parse(t))) live_role_names.push(role);
  }
  return { live_created_keys, live_role_names, live_credentials: live_created_keys.length + live_role_names.length };
}

function summarise(all: Array<TrailEvent & { facts: RecordFacts }>, i: LookupInput, lookedUntil: string): LookupOutput {
  const from = Date.parse(i.since);
  const events = all.filter((e) => (i.include_failed || !e.error_code) && Date.parse(e.event_time) >= from).sort((a, b) => b.event_time.localeCompare(a.event_time));
  const created_keys = events.filter((e) => e.facts.createdKey).map((e) => ({ user_name: e.facts.createdKey!.user, access_key_id: e.facts.createdKey!.id, event_time: e.event_time }));
  const assumed_roles = events.filter((e) => e.facts.roleArn && !e.error_code).map((e) => ({ role_name: roleNameOf(e.facts.roleArn!), role_arn: e.facts.roleArn!, session_access_key_id: e.facts.sessionKey ?? null, event_time: e.event_time }));
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    events: events.map(({ facts: _f, ...e }) => e),
    count: events.length,
    succeeded: events.filter((e) => !e.error_code).length,
    created_keys,
    created_key_ids: uniq(created_keys.map((k) => k.access_key_id)),
    created_users: uniq(events.flatMap((e) => (e.facts.createdUser ? [e.facts.createdUser] : []))),
    assumed_roles,
    assumed_role_names: uniq(assumed_roles.map((r) => r.role_name)),
    session_key_ids: uniq(events.flatMap((e) => (e.facts.sessionKey ? [e.facts.sessionKey] : []))),
    truncated: all.length >= i.max_events,
    looked_until: lookedUntil,
    live_created_keys: null,
    live_role_names: null,
    live_credentials: null,
  };
}

// ── GuardDuty ───────────────────────────────────────────────────────────────

const Finding = z.object({
  id: z.string(),
  type: z.string().describe('e.g. UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS'),
  severity: z.number().describe('1–10 (7+ high)'),
  title: z.string(),
  first_seen: z.string().nullable().describe('service.eventFirstSeen: the likely start of the compromise'),
  last_seen: z.string().nullable(),
  count: z.number().describe('how many times GuardDuty saw it'),
  user_name: z.string().nullable(),
});

export const guardDutyFindings = defineAction({
  kind: 'detect',
  description: 'GuardDuty findings about an access key (resource.accessKeyDetails.accessKeyId), with eventFirstSeen — the likely time of compromise. Uses the region’s detector unless detector_id is given.',
  input: z.strictObject({
    access_key_id: AccessKeyId.describe('the access key the findings are about'),
    detector_id: z.string().regex(/^[a-z0-9]{1,300}$/, 'must be a GuardDuty detector id').optional().describe('default: the one detector of the region (ListDetectors)'),
    max_findings: z.number().int().min(1).max(500).default(50),
  }),
  output: z.object({
    detector_id: z.string().nullable().describe('null when GuardDuty is not enabled in the region'),
    access_key_id: z.string(),
    findings: z.array(Finding).describe('most severe first'),
    count: z.number(),
    highest_severity: z.number().nullable(),
    first_seen: z.string().nullable().describe('the earliest eventFirstSeen among the findings'),
  }),
  idempotent: true,
  plan: (_ctx, i) => [
    ...(i.detector_id ? [] : ['guardduty ListDetectors']),
    `guardduty ListFindings criterion resource.accessKeyDetails.accessKeyId = ${i.access_key_id}`,
    'guardduty GetFindings (the ids found)',
  ],
  async run(ctx: Ctx, i) {
    const gd = await guardDutyClient(ctx);
    const { ListDetectorsCommand, ListFindingsCommand, GetFindingsCommand } = await loadGuardDuty();
    let detector = i.detector_id;
    if (!detector) {
      const out = await call(ctx, { doing: 'listing GuardDuty detectors' }, () => gd.send(new ListDetectorsCommand({})));
      detector = out.DetectorIds?.[0];
      if (!detector) {
        ctx.log.warn(`GuardDuty is not enabled in ${ctx.config.region}: no findings to read`);
        return { detector_id: null, access_key_id: i.access_key_id, findings: [], count: 0, highest_severity: null, first_seen: null };
      }
    }
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const out = await call(ctx, { doing: `listing GuardDuty findings for access key ${i.access_key_id}` }, () =>
        gd.send(new ListFindingsCommand({ DetectorId: detector, FindingCriteria: { Criterion: { 'resource.accessKeyDetails.accessKeyId': { Equals: [i.access_key_id] } } }, MaxResults: 50, NextToken: token })),
      );
      ids.push(...(out.FindingIds ?? []));
      token = out.NextToken || undefined;
    } while (token && ids.length < i.max_findings);
    const findings: z.infer<typeof Finding>[] = [];
    for (let n = 0; n < Math.min(ids.length, i.max_findings); n += 50) {
      const batch = ids.slice(n, Math.min(n + 50, i.max_findings));
      const out = await call(ctx, { doing: 'reading GuardDuty findings' }, () => gd.send(new GetFindingsCommand({ DetectorId: detector, FindingIds: batch })));
      for (const f of out.Findings ?? [])
        findings.push({
          id: f.Id ?? '',
          type: f.Type ?? '',
          severity: f.Severity ?? 0,
          title: f.Title ?? '',
          first_seen: f.Service?.EventFirstSeen ?? null,
          last_seen: f.Service?.EventLastSeen ?? null,
          count: f.Service?.Count ?? 1,
          user_name: f.Resource?.AccessKeyDetails?.UserName ?? null,
        });
    }
    findings.sort((a, b) => b.severity - a.severity);
    const firsts = findings.map((f) => f.first_seen).filter((x): x is string => !!x).sort();
    return { detector_id: detector, access_key_id: i.access_key_id, findings, count: findings.length, highest_severity: findings[0]?.severity ?? null, first_seen: firsts[0] ?? null };
  },
});
