/**
 * Scenario → world: every credential with its generated value, who owns it and whether it
 * leaked; where each credential is held (Space secrets, Actions secrets: the consumers a runbook
 * must rotate); and the seed objects each simulator starts from.
 */
import type { HfSeed } from '../simulators/huggingface/index.js';
import type { GhSeed } from '../simulators/github/index.js';
import type { AwsSeed } from '../simulators/aws/index.js';
import type { HeldValue, Scenario } from '../scenario/schema.js';
import type { ValueMaker } from './values.js';

export type Service = 'huggingface' | 'github' | 'aws' | 'slack';

export interface Credential {
  id: string;
  service: Service;
  /** the token, or the AWS access key id */
  value: string;
  /** AWS: the secret access key */
  secret?: string;
  leaked: boolean;
  /** user (or org) that owns it */
  owner: string;
  email?: string;
  /** `hf write token of alice` — for notes and the scorecard (never the value) */
  label: string;
}

/** Where a credential value is held; rotating it means this place no longer holds a leaked value. */
export interface Consumer {
  service: 'huggingface' | 'github' | 'aws';
  /** Space or repo id */
  where: string;
  key: string;
  credential: string;
}

export interface BuiltWorld {
  credentials: Map<string, Credential>;
  consumers: Consumer[];
  hf?: HfSeed;
  github?: GhSeed;
  aws?: AwsSeed;
  /** the Slack simulator is filled after it starts (its API adds tokens and channels) */
  slack?: Scenario['slack'];
  /** Hub user/org name → e-mail, for the workspace's contacts file */
  contacts: Record<string, string>;
  /** label → value of every generated (non-credential) value, so a snapshot can name it */
  generated: Map<string, string>;
}

export function buildWorld(s: Scenario, v: ValueMaker): BuiltWorld {
  const credentials = new Map<string, Credential>();
  const consumers: Consumer[] = [];
  const contacts: Record<string, string> = {};
  const generated = new Map<string, string>();
  const gen = (label: string, kind: 'opaque' | 'password' | 'hex') => {
    const value = v.generated(label, kind);
    generated.set(label, value);
    return value;
  };
  const held = (h: HeldValue, label: string): string => {
    if (!('credential' in h)) return gen(label, h.generate);
    const c = credentials.get(h.credential);
    // an AWS key is stored as its pair, as services read it
    if (c?.secret) return JSON.stringify({ AccessKeyId: c.value, SecretAccessKey: c.secret });
    return c?.value ?? '';
  };
  const out: BuiltWorld = { credentials, consumers, contacts, generated };

  const hf = s.huggingface;
  if (hf) {
    const emails = new Map<string, string>();
    for (const u of hf.users) if (u.email) emails.set(u.name, u.email);
    for (const o of hf.orgs) if (o.email) emails.set(o.name, o.email);
    Object.assign(contacts, Object.fromEntries(emails));
    const tokens: NonNullable<HfSeed['tokens']> = [];
    for (const t of hf.tokens) {
      const value = v.hfToken(t.id, t.legacy_org);
      const role = t.role ?? (t.legacy_org ? 'write' : t.scoped ? 'fineGrained' : 'write');
      credentials.set(t.id, { id: t.id, service: 'huggingface', value, leaked: t.leaked, owner: t.owner, email: emails.get(t.owner), label: `${t.legacy_org ? 'legacy org' : role} HF token of ${t.owner}` });
      tokens.push({ value, owner: t.owner, role, name: t.name ?? t.id, createdAt: t.created_at, scoped: t.scoped, revoked: t.revoked });
    }
    out.hf = {
      orgs: hf.orgs.map((o) => ({ name: o.name, fullname: o.fullname })),
      users: hf.users.map((u) => ({ name: u.name, email: u.email, fullname: u.fullname, orgs: u.orgs })),
      tokens,
      spaces: hf.spaces.map((sp) => ({
        id: sp.id,
        sdk: sp.sdk,
        private: sp.private,
        lastModified: sp.last_modified,
        secrets: Object.fromEntries(
          Object.entries(sp.secrets).map(([k, h]) => {
            if ('credential' in h) consumers.push({ service: 'huggingface', where: sp.id, key: k, credential: h.credential });
            return [k, { value: held(h, `${sp.id}/${k}`), updatedAt: h.updated_at }];
          }),
        ),
        variables: sp.variables,
      })),
    };
  }

  const gh = s.github;
  if (gh) {
    const emails = new Map(gh.users.filter((u) => u.email).map((u) => [u.login, u.email!]));
    const tokens: NonNullable<GhSeed['tokens']> = [];
    for (const t of gh.tokens) {
      const value = v.githubToken(t.id, t.kind);
      credentials.set(t.id, { id: t.id, service: 'github', value, leaked: t.leaked, owner: t.login, email: emails.get(t.login), label: `GitHub ${t.kind} token of ${t.login}` });
      tokens.push({ value, login: t.login, scopes: t.scopes, revoked: t.revoked });
    }
    out.github = {
      users: gh.users.map((u) => ({ login: u.login })),
      orgs: gh.orgs,
      tokens,
      repos: gh.repos.map((r) => ({
        full_name: r.full_name,
        private: r.private,
        alerts: r.alerts.map((a) => ({ secret_type: a.secret_type, secret: credentials.get(a.credential)?.value ?? '', state: a.state, validity: 'active' as const })),
        secrets: Object.fromEntries(
          Object.entries(r.secrets).map(([k, h]) => {
            if ('credential' in h) consumers.push({ service: 'github', where: r.full_name, key: k, credential: h.credential });
            return [k, held(h, `${r.full_name}/${k}`)];
          }),
        ),
      })),
    };
  }

  const aws = s.aws;
  if (aws) {
    out.aws = {
      account: aws.account,
      region: aws.region,
      roles: aws.roles,
      findings: aws.guardduty_findings.map((f) => ({ access_key_id: credentials.get(f.credential)?.value ?? f.credential, type: f.type, severity: f.severity })),
      users: aws.users.map((u) => ({
        name: u.name,
        policies: u.policies,
        login_profile: u.login_profile,
        mfa_devices: u.mfa_devices,
        keys: u.keys.map((k) => {
          const id = v.awsKeyId(k.id);
          const secret = v.awsSecret(k.id);
          credentials.set(k.id, { id: k.id, service: 'aws', value: id, secret, leaked: k.leaked, owner: u.name, email: u.email, label: `AWS access key of ${u.name}` });
          return { id, secret, status: k.status, last_used: k.last_used };
        }),
      })),
      secrets: aws.secrets.map((x) => {
        if (x.value && 'credential' in x.value) consumers.push({ service: 'aws', where: x.name, key: 'AWSCURRENT', credential: x.value.credential });
        return { name: x.name, value: x.value ? held(x.value, `aws:${x.name}`) : undefined };
      }),
    };
  }

  if (s.slack) {
    out.slack = s.slack;
    for (const t of s.slack.tokens) credentials.set(t.id, { id: t.id, service: 'slack', value: v.slackToken(t.id, t.bot), leaked: t.leaked, owner: t.user, label: `Slack ${t.bot ? 'bot' : 'user'} token of ${t.user}` });
  }
  return out;
}

/** The value of a runbook secret in the drill (a world credential, or a generated value). */
export function secretValue(s: Scenario, w: BuiltWorld, v: ValueMaker, name: string): string {
  const m = s.secrets[name];
  if (!m || 'generate' in m) {
    const value = v.generated(`secret:${name}`, m?.generate ?? 'opaque');
    w.generated.set(`secret:${name}`, value);
    return value;
  }
  const c = w.credentials.get(m.credential)!;
  return m.part === 'secret' ? (c.secret ?? c.value) : c.value;
}
