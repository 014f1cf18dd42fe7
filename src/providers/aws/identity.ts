/**
 * IAM containment beyond one key: what credentials a user holds (access keys, a console
 * password, MFA devices), revoking a role's active sessions (AWS's `AWSRevokeOlderSessions`
 * inline policy: deny everything to sessions issued before now), and a deny-all inline policy
 * on a user or a role. Each only *adds or replaces* an inline policy of its own name: nothing
 * here detaches, deletes or edits any other policy (AWS's AWSCompromisedKeyQuarantine stays).
 */
import { z } from 'zod';
import { defineAction, type ActionContext, type VerifyResult } from '../sdk.js';
import { call, isAwsError } from './errors.js';
import { listKeys, UserName } from './iam.js';
import { iamClient, loadIam, type AwsConfig } from './transport.js';

type Ctx = ActionContext<AwsConfig>;

export const RoleName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w+=,.@-]+$/, 'must be an IAM role name (not its ARN)')
  .describe('an IAM role name (not its ARN)');
const PolicyName = z.string().min(1).max(128).regex(/^[\w+=,.@-]+$/, 'must be an IAM policy name (letters, digits and + = , . @ _ -)');

/** The name AWS's console gives the policy ("Revoke active sessions"); the docs tell to use it. */
export const REVOKE_POLICY = 'AWSRevokeOlderSessions';
export const DENY_ALL_POLICY = 'RunbookIncidentDenyAll';

/** AWS's documented revoke-sessions policy: deny everything to credentials issued before `before`. */
export function revokeOlderSessionsPolicy(before: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': before } } }] });
}
export function denyAllPolicy(): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'IncidentDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }] });
}

/** IAM answers inline policy documents URL-encoded (RFC 3986); moto answers plain JSON. */
export function decodePolicy(raw: string | undefined): unknown {
  if (!raw) return undefined;
  for (const text of [raw, safeDecode(raw)]) {
    try {
      return JSON.parse(text);
    } catch {
      /* try the next form */
    }
  }
  return undefined;
}
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export type Holder = { kind: 'user'; name: string } | { kind: 'role'; name: string };
const holderText = (h: Holder) => `IAM ${h.kind} ${h.name}`;

async function putPolicy(ctx: Ctx, h: Holder, policyName: string, doc: string, doing: string): Promise<void> {
  const iam = await iamClient(ctx);
  const { PutUserPolicyCommand, PutRolePolicyCommand } = await loadIam();
  const messages = {
    NoSuchEntityException: `${holderText(h)} does not exist in this account`,
    UnmodifiableEntityException: `${holderText(h)} is a service-linked role: AWS does not let anyone change its policies (its sessions cannot be revoked this way)`,
  };
  await call(ctx, { doing, messages }, () =>
    h.kind === 'user'
      ? iam.send(new PutUserPolicyCommand({ UserName: h.name, PolicyName: policyName, PolicyDocument: doc }))
      : iam.send(new PutRolePolicyCommand({ RoleName: h.name, PolicyName: policyName, PolicyDocument: doc })),
  );
}

/** The inline policy's document, or undefined when the user/role has no policy of that name. */
export async function getPolicy(ctx: Ctx, h: Holder, policyName: string): Promise<unknown> {
  const iam = await iamClient(ctx);
  const { GetUserPolicyCommand, GetRolePolicyCommand } = await loadIam();
  const doing = `reading inline policy ${policyName} of ${holderText(h)}`;
  try {
    const out = await call<{ PolicyDocument?: string; $metadata?: { httpStatusCode?: number; requestId?: string } }>(ctx, { doing }, () =>
      h.kind === 'user' ? iam.send(new GetUserPolicyCommand({ UserName: h.name, PolicyName: policyName })) : iam.send(new GetRolePolicyCommand({ RoleName: h.name, PolicyName: policyName })),
    );
    return decodePolicy(out.PolicyDocument) ?? null;
  } catch (e) {
    if (isAwsError(e, 'NoSuchEntity')) return undefined;
    throw e;
  }
}

/** The `aws:TokenIssueTime` of an AWSRevokeOlderSessions-shaped document, if it is one. */
export function revokedBefore(doc: unknown): string | undefined {
  const st = (doc as { Statement?: unknown } | undefined)?.Statement;
  for (const s of (Array.isArray(st) ? st : [st]) as Array<Record<string, any>>) {
    const t = s?.Effect === 'Deny' ? s.Condition?.DateLessThan?.['aws:TokenIssueTime'] : undefined;
    if (typeof t === 'string') return t;
  }
  return undefined;
}

export function isDenyAll(doc: unknown): boolean {
  const st = (doc as { Statement?: unknown } | undefined)?.Statement;
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
  return (list(st) as Array<Record<string, unknown>>).some((s) => s?.Effect === 'Deny' && list(s.Action).includes('*') && list(s.Resource).includes('*') && !s.Condition);
}

// ── listUserCredentials ─────────────────────────────────────────────────────

const UserCredentials = z.object({
  user_name: z.string().describe('the IAM user'),
  access_keys: z.array(z.object({ access_key_id: z.string(), status: z.string().describe('Active or Inactive'), create_date: z.string().nullable() })).describe('every access key of the user'),
  active_keys: z.array(z.string()).describe('ids of the Active access keys'),
  login_profile: z.object({ create_date: z.string().nullable(), password_reset_required: z.boolean() }).nullable().describe('the console password, or null when the user has none'),
  mfa_devices: z.array(z.object({ serial_number: z.string(), enable_date: z.string().nullable() })).describe('MFA devices assigned to the user'),
});

export const listUserCredentials = defineAction({
  kind: 'detect',
  description: 'Every credential an IAM user holds: access keys (with status), console password (login profile) and MFA devices — what an attacker may have added.',
  input: z.strictObject({ user_name: UserName.describe('the IAM user to inspect') }),
  output: UserCredentials,
  idempotent: true,
  plan: (_ctx, i) => [`iam ListAccessKeys UserName=${i.user_name}`, `iam GetLoginProfile UserName=${i.user_name}`, `iam ListMFADevices UserName=${i.user_name}`],
  async run(ctx: Ctx, i) {
    const keys = await listKeys(ctx, i.user_name);
    const iam = await iamClient(ctx);
    const { GetLoginProfileCommand, ListMFADevicesCommand } = await loadIam();
    let login: z.infer<typeof UserCredentials>['login_profile'] = null;
    try {
      const out = await call(ctx, { doing: `reading the console password (login profile) of IAM user ${i.user_name}` }, () => iam.send(new GetLoginProfileCommand({ UserName: i.user_name })));
      login = { create_date: out.LoginProfile?.CreateDate?.toISOString() ?? null, password_reset_required: out.LoginProfile?.PasswordResetRequired ?? false };
    } catch (e) {
      if (!isAwsError(e, 'NoSuchEntity')) throw e; // no login profile: the user has no console password
    }
    const mfa: z.infer<typeof UserCredentials>['mfa_devices'] = [];
    let marker: string | undefined;
    do {
      const out = await call(ctx, { doing: `listing the MFA devices of IAM user ${i.user_name}` }, () => iam.send(new ListMFADevicesCommand({ UserName: i.user_name, Marker: marker })));
      for (const d of out.MFADevices ?? []) mfa.push({ serial_number: d.SerialNumber ?? '', enable_date: d.EnableDate?.toISOString() ?? null });
      marker = out.IsTruncated ? out.Marker : undefined;
    } while (marker);
    return { user_name: i.user_name, access_keys: keys, active_keys: keys.filter((k) => k.status === 'Active').map((k) => k.access_key_id), login_profile: login, mfa_devices: mfa };
  },
});

// ── revokeRoleSessions ──────────────────────────────────────────────────────

const Revoked = z.object({
  role_name: z.string().describe('the role'),
  policy_name: z.literal(REVOKE_POLICY).describe('the inline policy written (AWS’s name for it)'),
  revoked_before: z.string().describe('ISO time: every session of the role issued before it is denied everything'),
});

export const revokeRoleSessions = defineAction({
  kind: 'revoke',
  description:
    "Revoke every active session of an IAM role (AWS's \"Revoke active sessions\"): writes the inline policy AWSRevokeOlderSessions denying all actions to credentials whose aws:TokenIssueTime is before now. Sessions assumed afterwards still work — if the attacker can assume the role again, contain that credential too (or use denyAll). Service-linked roles cannot be revoked.",
  input: z.strictObject({ role_name: RoleName.describe('the role whose sessions to revoke') }),
  output: Revoked,
  // writing the same named policy again replaces it: safe to repeat (a later time revokes at least as much)
  idempotent: true,
  plan: (_ctx, i) => [`iam PutRolePolicy RoleName=${i.role_name} PolicyName=${REVOKE_POLICY} (Deny * when aws:TokenIssueTime < the time of the call)`],
  async run(ctx: Ctx, i) {
    const before = new Date(ctx.now()).toISOString();
    await putPolicy(ctx, { kind: 'role', name: i.role_name }, REVOKE_POLICY, revokeOlderSessionsPolicy(before), `revoking the active sessions of IAM role ${i.role_name}`);
    ctx.evidence({ detail: `sessions issued before ${before} denied` });
    return { role_name: i.role_name, policy_name: REVOKE_POLICY, revoked_before: before };
  },
  async verify(ctx: Ctx, i, out): Promise<VerifyResult> {
    const doc = await getPolicy(ctx, { kind: 'role', name: i.role_name }, REVOKE_POLICY);
    if (doc === undefined) return { state: 'not-done', detail: `role ${i.role_name} has no ${REVOKE_POLICY} policy` };
    const t = revokedBefore(doc);
    // an interrupted call may or may not have written it: it counts when it revokes what existed when the step began
    const need = out?.revoked_before ?? ctx.incident.inDoubtSince;
    if (!t) return { state: 'unknown', detail: `${REVOKE_POLICY} of ${i.role_name} has no aws:TokenIssueTime condition` };
    if (need && Date.parse(t) < Date.parse(need)) return { state: 'not-done', detail: `${REVOKE_POLICY} revokes only sessions issued before ${t}` };
    return { state: 'done', detail: `sessions issued before ${t} are denied` };
  },
});

// ── denyAll ─────────────────────────────────────────────────────────────────

const DenyInput = z
  .strictObject({
    user_name: UserName.optional().describe('the IAM user to deny everything (give this or role_name)'),
    role_name: RoleName.optional().describe('the IAM role to deny everything (give this or user_name)'),
    policy_name: PolicyName.default(DENY_ALL_POLICY).describe(`the inline policy's name (default ${DENY_ALL_POLICY})`),
  })
  .refine((i) => (i.user_name === undefined) !== (i.role_name === undefined), { message: 'give exactly one of user_name and role_name' });

const holderOf = (i: z.infer<typeof DenyInput>): Holder => (i.user_name !== undefined ? { kind: 'user', name: i.user_name } : { kind: 'role', name: i.role_name ?? '' });

export const denyAll = defineAction({
  kind: 'revoke',
  description:
    'Attach an inline policy denying every action on every resource to an IAM user or role: all its keys and sessions — including any the attacker made and you have not found — stop working, legitimate use too. Reversible by deleting that inline policy (by hand: no action of this provider removes a policy).',
  input: DenyInput,
  output: z.object({ principal_type: z.enum(['user', 'role']).describe('user or role'), name: z.string().describe('the user or role name'), policy_name: z.string().describe('the inline policy written') }),
  // the same named inline policy with the same document: repeating it changes nothing
  idempotent: true,
  plan: (_ctx, i) => {
    const h = holderOf(i);
    return [`iam ${h.kind === 'user' ? 'PutUserPolicy UserName' : 'PutRolePolicy RoleName'}=${h.name} PolicyName=${i.policy_name} (Deny * on *)`];
  },
  async run(ctx: Ctx, i) {
    const h = holderOf(i);
    await putPolicy(ctx, h, i.policy_name, denyAllPolicy(), `attaching a deny-all policy to ${holderText(h)}`);
    return { principal_type: h.kind, name: h.name, policy_name: i.policy_name };
  },
  async verify(ctx: Ctx, i): Promise<VerifyResult> {
    const h = holderOf(i);
    const doc = await getPolicy(ctx, h, i.policy_name);
    if (doc === undefined) return { state: 'not-done', detail: `${holderText(h)} has no inline policy ${i.policy_name}` };
    return isDenyAll(doc) ? { state: 'done', detail: `${i.policy_name} denies everything` } : { state: 'not-done', detail: `${i.policy_name} is not a deny-all policy` };
  },
});
