/**
 * Drill scenario format v1 — the zod schema (strict at every level). A scenario describes a
 * simulated world (users, tokens, Spaces, repositories, IAM keys, Slack channels), which
 * runbook secrets map to which world credential, an adversary timeline and default faults.
 *
 * It never holds a credential value: every credential has an `id`, and its value is generated
 * when the drill starts (src/drill/world/values.ts). Documented in docs/drills.md.
 */
import { z } from 'zod';
import { MAX_DURATION_MS, durationMs } from '../../core/runbook/step-rules.js';

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'an id of letters, digits, ".", "-" and "_"').max(100);
const EnvKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
const Name = z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'a name of letters, digits, ".", "-" and "_"').max(100);
const Iso = z.iso.datetime({ offset: true });
const Email = z.email();

/** A secret held somewhere in the world: a world credential, or a generated opaque value. */
/** A point in drill time from the drill's start: a duration, or 0 / `0s` for the very start. */
const DrillTime = z
  .union([z.number().min(0), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a drill time such as 0s, 90s, 5m or 1h')])
  .refine((d: number | string) => !(durationMs(d) > MAX_DURATION_MS), `too late: at most ${MAX_DURATION_MS} ms (about 596h) into the drill`)
  .describe('drill time from the start: 0s, 90s, 5m, 1h, or a number of seconds');

export const HeldValue = z.union([
  z.strictObject({ credential: Id.describe('id of a credential of the world'), updated_at: Iso.optional() }),
  z.strictObject({ generate: z.enum(['opaque', 'password', 'hex']).describe('a random value made at start'), updated_at: Iso.optional() }),
]);
export type HeldValue = z.infer<typeof HeldValue>;

const Leak = {
  /** the credential leaked: it counts for detect / contain, and the adversary may use it */
  leaked: z.boolean().default(false),
  revoked: z.boolean().default(false),
};

const HfScope = z.strictObject({
  entity: z.strictObject({ type: z.enum(['user', 'org', 'space', 'model', 'dataset']), name: z.string().min(1) }),
  permissions: z.array(z.string().min(1)).min(1),
});

export const HfWorldSpec = z.strictObject({
  orgs: z.array(z.strictObject({ name: Name, fullname: z.string().optional(), email: Email.optional().describe('where mail for the org goes (its admins)') })).default([]),
  users: z
    .array(
      z.strictObject({
        name: Name,
        email: Email.optional(),
        fullname: z.string().optional(),
        orgs: z.array(z.strictObject({ name: Name, role: z.enum(['admin', 'write', 'contributor', 'read']).default('write') })).default([]),
      }),
    )
    .default([]),
  tokens: z
    .array(
      z.strictObject({
        id: Id,
        /** a user, or an org for a legacy `api_org_` token */
        owner: Name,
        role: z.enum(['read', 'write', 'fineGrained']).optional(),
        legacy_org: z.boolean().default(false).describe('a legacy api_org_ token of an org'),
        name: z.string().optional(),
        created_at: Iso.optional(),
        scoped: z.array(HfScope).optional(),
        ...Leak,
      }),
    )
    .default([]),
  spaces: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'owner/name'),
        private: z.boolean().default(false),
        sdk: z.enum(['gradio', 'streamlit', 'docker', 'static']).default('gradio'),
        last_modified: Iso.optional(),
        secrets: z.record(EnvKey, HeldValue).default({}),
        variables: z.record(EnvKey, z.string()).default({}),
      }),
    )
    .default([]),
  /** the Hub's optional endpoints */
  revoke_endpoint: z.union([z.literal(true), z.literal(404), z.literal(405)]).default(true),
  secrets_list_endpoint: z.boolean().default(true),
});

export const GhWorldSpec = z.strictObject({
  users: z.array(z.strictObject({ login: Name, email: Email.optional() })).default([]),
  orgs: z.array(z.strictObject({ login: Name, members: z.array(Name).default([]) })).default([]),
  tokens: z
    .array(z.strictObject({ id: Id, login: Name, kind: z.enum(['classic', 'fine-grained']).default('classic'), scopes: z.array(z.string()).default([]), ...Leak }))
    .default([]),
  repos: z
    .array(
      z.strictObject({
        full_name: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
        private: z.boolean().default(true),
        alerts: z.array(z.strictObject({ credential: Id, secret_type: z.string().default('github_personal_access_token'), state: z.enum(['open', 'resolved']).default('open') })).default([]),
        secrets: z.record(EnvKey, HeldValue).default({}),
      }),
    )
    .default([]),
});

const LastUsedShape = z.strictObject({ date: Iso, service: z.string().min(1), region: z.string().min(1) });
export const LAST_USED_EXAMPLE = '{ date: "2024-05-30T23:41:07Z", service: s3, region: eu-west-1 }';
const LAST_USED_KEYS = 'date (when, ISO 8601 with a zone), service (e.g. s3), region (e.g. eu-west-1)';

/**
 * When an access key was last used — what IAM GetAccessKeyLastUsed answers for it
 * (LastUsedDate, ServiceName, Region). Every error names the three keys and an example, since
 * the shape is not guessable (docs/drills.md, "Scenario files").
 */
export const LastUsed = z.unknown().transform((v, ctx) => {
  const r = LastUsedShape.safeParse(v);
  if (r.success) return r.data;
  const isMap = v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isMap) {
    ctx.addIssue({ code: 'custom', message: `last_used is a mapping of ${LAST_USED_KEYS}, such as ${LAST_USED_EXAMPLE}` });
    return z.NEVER;
  }
  for (const i of r.error.issues) {
    if (i.code === 'unrecognized_keys') for (const k of i.keys) ctx.addIssue({ code: 'custom', path: [k], message: `unknown key "${k}" in last_used (allowed: ${LAST_USED_KEYS})` });
    else {
      const k = String(i.path[0] ?? '');
      const missing = !Object.hasOwn(v, k);
      ctx.addIssue({
        code: 'custom',
        path: missing ? [] : i.path,
        message: missing ? `last_used needs "${k}" (its keys: ${LAST_USED_KEYS}; e.g. ${LAST_USED_EXAMPLE})` : k === 'date' ? 'date must be an ISO 8601 time with a zone, e.g. 2024-05-30T23:41:07Z' : `${k} must be a non-empty string (its keys: ${LAST_USED_KEYS})`,
      });
    }
  }
  return z.NEVER;
});

export const AwsWorldSpec = z.strictObject({
  account: z.string().regex(/^\d{12}$/, 'a 12-digit account id').optional(),
  region: z.string().optional(),
  users: z
    .array(
      z.strictObject({
        name: Name,
        email: Email.optional(),
        policies: z.array(z.string()).default([]),
        login_profile: z.boolean().default(false).describe('the user has a console password'),
        mfa_devices: z.number().int().min(0).max(8).default(0).describe('how many MFA devices the user has'),
        keys: z
          .array(
            z.strictObject({
              id: Id,
              status: z.enum(['Active', 'Inactive']).default('Active'),
              last_used: LastUsed.optional(),
              leaked: z.boolean().default(false),
            }),
          )
          .max(2, 'IAM allows two access keys per user')
          .default([]),
      }),
    )
    .default([]),
  secrets: z.array(z.strictObject({ name: z.string().min(1), value: HeldValue.optional() })).default([]),
  /** IAM roles (the attacker may assume them: aws.assume_role) */
  roles: z.array(z.strictObject({ name: Name })).default([]),
  /** GuardDuty findings about a key of the world */
  guardduty_findings: z
    .array(z.strictObject({ credential: Id.describe('id of an AWS key of the world'), type: z.string().min(1), severity: z.number().min(1).max(10).default(5) }))
    .default([]),
});

export const SlackWorldSpec = z.strictObject({
  channels: z.array(z.strictObject({ name: Name, archived: z.boolean().default(false), member: z.boolean().default(true) })).default([]),
  tokens: z.array(z.strictObject({ id: Id, user: Name, bot: z.boolean().default(false), ...Leak })).default([]),
});

export const ADVERSARY_ACTIONS = [
  'huggingface.read_space',
  'huggingface.tamper_space',
  'huggingface.create_token',
  'github.read_repo',
  'aws.list_keys',
  'aws.create_key',
  'aws.assume_role',
  'aws.use_role',
  'slack.post_message',
] as const;

export const AdversaryStep = z.strictObject({
  /** drill time since the incident opened: `90s`, `5m` */
  at: DrillTime,
  /** the leaked credential the attacker uses */
  credential: Id,
  do: z.enum(ADVERSARY_ACTIONS),
  /** a Space or repo (`owner/name`), a channel, an IAM user or role — what the action needs */
  target: z.string().min(1).optional(),
  /** AWS: act with the newest access key the attacker created (from `credential`), not with `credential` itself */
  use_created: z.boolean().optional(),
  note: z.string().optional(),
});
export type AdversaryStep = z.infer<typeof AdversaryStep>;

/** Where a runbook secret's value comes from in a drill. */
export const SecretMapping = z.union([
  z.strictObject({ credential: Id, part: z.enum(['id', 'secret']).optional().describe('AWS keys: the access key id or the secret access key') }),
  z.strictObject({ generate: z.enum(['opaque', 'hex']) }),
]);

/** `{ access_key_id_of: ID }`: the access key id of an AWS key of the world */
export const KeyIdOf = z.strictObject({ access_key_id_of: Id });

export const ScenarioBody = {
  name: Name,
  description: z.string().optional(),
  /** default --seed */
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  /** drill seconds per real second (default 1); `--speed` overrides; 0 = only simulated responders move the clock */
  time_scale: z.number().min(0).max(3600).optional(),
  /**
   * runbook inputs; `{workspace}` is replaced by the drill's workspace folder, and
   * `{ access_key_id_of: ID }` by the (generated) access key id of an AWS key of the world —
   * an identifier, not a secret (never a token: inputs are journaled as they are)
   */
  inputs: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), KeyIdOf, z.array(z.union([z.string(), KeyIdOf]))]))
    .default({}),
  secrets: z.record(z.string(), SecretMapping).default({}),
  huggingface: HfWorldSpec.optional(),
  github: GhWorldSpec.optional(),
  aws: AwsWorldSpec.optional(),
  slack: SlackWorldSpec.optional(),
  pagerduty: z.strictObject({}).optional(),
  mail: z.strictObject({ reject: z.array(Email).default([]) }).optional(),
  /** files the drill writes to its temporary folder (mode 0600) */
  workspace: z
    .strictObject({
      /** a folder with every Space secret value, as `<owner>/<space>/<KEY>` (what a team's secret store export looks like) */
      space_secrets: z.string().regex(/^[\w.-]+$/, 'a plain folder name').optional(),
      /** a JSON file mapping Hub user and org names to e-mail addresses */
      contacts: z.string().regex(/^[\w.-]+$/, 'a plain file name').optional(),
      /** a git clone whose history holds the world's leaked GitHub tokens (for a drill of the scan path) */
      git_clone: z.string().regex(/^[\w.-]+$/, 'a plain folder name').optional(),
    })
    .default({}),
  adversary: z.array(AdversaryStep).default([]),
  /** default faults (the --faults SPEC syntax, or a list of rules) */
  faults: z.union([z.string(), z.array(z.string())]).optional(),
  /** what a finished drill must have notified */
  expect: z
    .strictObject({
      email: z.array(Email).optional().describe('default: the e-mail of every owner of a leaked credential'),
      slack_channels: z.array(Name).default([]),
      pagerduty: z.boolean().default(false),
    })
    .default({ slack_channels: [], pagerduty: false }),
};

export const Scenario = z.strictObject({ version: z.literal(1), ...ScenarioBody }).describe('a drill scenario (docs/drills.md)');
/** the runbook's inline `drill.world` block: the same body, `version` optional */
export const InlineScenario = z.strictObject({ version: z.literal(1).optional(), ...ScenarioBody });
export type Scenario = z.infer<typeof InlineScenario>;
