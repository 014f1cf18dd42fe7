/**
 * Secret-scanning alerts: list them for a repo or an org (all pages, filtered), and resolve
 * one as revoked. The leaked value in each alert becomes a Secret the moment it is read.
 */
import { z } from 'zod';
import { defineAction, SecretOut, type VerifyResult } from '../sdk.js';
import { apiUrl, ghFail, operatorClient, RepoId, split, statusOf, type Ctx } from './client.js';

const ListInput = z
  .strictObject({
    repo: RepoId.optional(),
    org: z.string().regex(/^[\w.-]+$/).optional(),
    state: z.enum(['open', 'resolved']).optional(),
    /** one type or several, e.g. github_personal_access_token,hf_user_access_token */
    secret_type: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    validity: z.enum(['active', 'inactive', 'unknown']).optional(),
    per_page: z.number().int().min(1).max(100).default(100),
    /** stop after this many alerts */
    max: z.number().int().positive().optional(),
  })
  .refine((v) => (v.repo === undefined) !== (v.org === undefined), { message: 'give exactly one of repo or org' });

const AlertOut = z.object({
  repo: z.string(),
  number: z.number(),
  state: z.string(),
  resolution: z.string().nullable(),
  secret_type: z.string(),
  secret_type_display_name: z.string().optional(),
  validity: z.string().optional(),
  created_at: z.string(),
  html_url: z.string().optional(),
  /** the leaked value, as a Secret (absent when GitHub hides it) */
  secret: SecretOut.optional(),
});
type AlertOut = z.infer<typeof AlertOut>;

interface RawAlert {
  number?: number;
  state?: string;
  resolution?: string | null;
  secret_type?: string;
  secret_type_display_name?: string;
  validity?: string;
  created_at?: string;
  html_url?: string;
  secret?: string;
  repository?: { full_name?: string };
}

export const listSecretScanningAlerts = defineAction({
  kind: 'detect',
  description: 'List secret-scanning alerts of a repo or an org (all pages; state, secret_type, validity filters). Leaked values come back as Secrets.',
  input: ListInput,
  output: z.object({ alerts: z.array(AlertOut), count: z.number() }),
  idempotent: true,
  plan: (ctx: Ctx, input) => [`GET ${apiUrl(ctx)}${input.repo ? `/repos/${input.repo}` : `/orgs/${input.org}`}/secret-scanning/alerts (all pages)`],
  async run(ctx: Ctx, input) {
    const gh = await operatorClient(ctx);
    const filters = {
      per_page: input.per_page,
      ...(input.state ? { state: input.state } : {}),
      ...(input.secret_type ? { secret_type: Array.isArray(input.secret_type) ? input.secret_type.join(',') : input.secret_type } : {}),
      ...(input.validity ? { validity: input.validity } : {}),
    };
    const pages = input.repo
      ? gh.paginate.iterator(gh.rest.secretScanning.listAlertsForRepo, { ...split(input.repo), ...filters })
      : gh.paginate.iterator(gh.rest.secretScanning.listAlertsForOrg, { org: input.org!, ...filters });
    const alerts: AlertOut[] = [];
    try {
      outer: for await (const page of pages) {
        for (const a of page.data as RawAlert[]) {
          const repo = input.repo ?? a.repository?.full_name ?? '?';
          alerts.push({
            repo,
            number: a.number ?? 0,
            state: a.state ?? 'unknown',
            resolution: a.resolution ?? null,
            secret_type: a.secret_type ?? 'unknown',
            secret_type_display_name: a.secret_type_display_name,
            validity: a.validity,
            created_at: a.created_at ?? '',
            html_url: a.html_url,
            secret: typeof a.secret === 'string' && a.secret ? ctx.secret(a.secret, `github alert ${repo}#${a.number}`) : undefined,
          });
          if (input.max && alerts.length >= input.max) break outer;
        }
      }
    } catch (e) {
      throw ghFail(ctx, e, `listing secret-scanning alerts of ${input.repo ?? input.org}`, {
        nextSteps: statusOf(e) === 404 ? ['Check the name, that secret scanning is enabled, and that the token can see it (repo or security_events scope).'] : undefined,
      });
    }
    ctx.evidence({ detail: `${alerts.length} alert(s)` });
    return { alerts, count: alerts.length };
  },
});

const ResolveInput = z.strictObject({
  repo: RepoId,
  alert_number: z.number().int().positive(),
  resolution: z.enum(['revoked', 'false_positive', 'wont_fix', 'used_in_tests']).default('revoked'),
  comment: z.string().max(280).optional(),
});

export const resolveAlert = defineAction({
  kind: 'revoke',
  description: 'Close a secret-scanning alert (state resolved, resolution revoked by default).',
  input: ResolveInput,
  output: z.object({ repo: z.string(), number: z.number(), state: z.string(), resolution: z.string().nullable() }),
  idempotent: true,
  plan: (ctx: Ctx, input) => [`PATCH ${apiUrl(ctx)}/repos/${input.repo}/secret-scanning/alerts/${input.alert_number} {state: resolved, resolution: ${input.resolution}}`],
  async run(ctx: Ctx, input) {
    try {
      const res = await (await operatorClient(ctx)).rest.secretScanning.updateAlert({
        ...split(input.repo),
        alert_number: input.alert_number,
        state: 'resolved',
        resolution: input.resolution,
        ...(input.comment ? { resolution_comment: input.comment } : {}),
      });
      ctx.evidence({ httpStatus: res.status });
      return { repo: input.repo, number: input.alert_number, state: res.data.state ?? 'resolved', resolution: res.data.resolution ?? null };
    } catch (e) {
      throw ghFail(ctx, e, `resolving alert ${input.repo}#${input.alert_number}`);
    }
  },
  async verify(ctx: Ctx, input): Promise<VerifyResult> {
    try {
      const { data } = await (await operatorClient(ctx)).rest.secretScanning.getAlert({ ...split(input.repo), alert_number: input.alert_number });
      return data.state === 'resolved' ? { state: 'done', detail: `resolved as ${data.resolution}` } : { state: 'not-done', detail: `state ${data.state}` };
    } catch (e) {
      throw ghFail(ctx, e, `reading alert ${input.repo}#${input.alert_number}`);
    }
  },
});
