/**
 * Space actions: `listSpaces` (the official client, following `Link: rel="next"` pages) and
 * `restartSpace` (plain fetch on the same Hub URL: the client has no call for it). A rotated
 * secret only reaches a running Space after a restart.
 */
import { z } from 'zod';
import { defineAction } from '../sdk.js';
import { authHeader, capturingFetch, fromClientError, hubUrl, loadHub, operatorToken, resError, SpaceId, spaceUrl, type Ctx } from './common.js';

const ListInput = z.strictObject({
  /** a user or org name */
  author: z.string().min(1).regex(/^[\w.-]+$/, 'a user or org name'),
  /** stop after this many Spaces (default: all) */
  max: z.number().int().positive().optional(),
});
const SpaceOut = z.object({ id: z.string(), private: z.boolean(), sdk: z.string().optional(), updated_at: z.string().optional() });
const ListOutput = z.object({ spaces: z.array(SpaceOut), count: z.number() });

export const listSpaces = defineAction({
  kind: 'detect',
  description: 'List the Spaces of a user or org (all pages). Private Spaces need the operator token.',
  input: ListInput,
  output: ListOutput,
  idempotent: true,
  plan: (ctx: Ctx, input) => [`GET ${hubUrl(ctx)}/api/spaces?author=${input.author} (following Link rel="next")`],
  async run(ctx: Ctx, input) {
    const { listSpaces: hubListSpaces } = await loadHub();
    const cap = capturingFetch(ctx);
    const token = ctx.config.token;
    const spaces: z.infer<typeof SpaceOut>[] = [];
    try {
      for await (const s of hubListSpaces({ search: { owner: input.author }, hubUrl: hubUrl(ctx), fetch: cap.fetch, ...(token ? { accessToken: token.reveal() } : {}) })) {
        const updated = s.updatedAt instanceof Date && !Number.isNaN(s.updatedAt.getTime()) ? s.updatedAt.toISOString() : undefined;
        spaces.push({ id: s.name, private: !!s.private, sdk: s.sdk, updated_at: updated });
        if (input.max && spaces.length >= input.max) break;
      }
    } catch (e) {
      throw fromClientError(ctx, e, cap.last(), `listing the Spaces of ${input.author} failed`);
    }
    ctx.evidence({ detail: `${spaces.length} Space(s) of ${input.author}` });
    return { spaces, count: spaces.length };
  },
});

const RestartInput = z.strictObject({
  space: SpaceId,
  /** rebuild from scratch (`?factory=true`) */
  factory: z.boolean().default(false),
});
const RestartOutput = z.object({ space: z.string(), stage: z.string() });
const UP = new Set(['BUILDING', 'APP_STARTING', 'RUNNING', 'RUNNING_BUILDING', 'RUNNING_APP_STARTING']);

export const restartSpace = defineAction({
  kind: 'rotate',
  description: 'Restart a Space so it loads its rotated secrets (403 if the token cannot; 400 for a static Space).',
  input: RestartInput,
  output: RestartOutput,
  idempotent: true,
  plan: (ctx: Ctx, input) => [`POST ${spaceUrl(ctx, input.space, '/restart')}${input.factory ? '?factory=true' : ''}`],
  async run(ctx: Ctx, input) {
    const res = await ctx.http({
      method: 'POST',
      url: spaceUrl(ctx, input.space, '/restart') + (input.factory ? '?factory=true' : ''),
      headers: authHeader(operatorToken(ctx)),
    });
    ctx.evidence({ httpStatus: res.status, requestId: res.requestId });
    if (res.status === 403) {
      throw resError(ctx, res, `the operator token may not restart ${input.space}: only its owner (or an org member with write access) can`, {
        nextSteps: [`Use a token of ${input.space.split('/')[0]} with write access, or ask the Space owner to restart it (Settings → Restart this Space).`],
      });
    }
    if (res.status === 400) {
      throw resError(ctx, res, `${input.space} cannot be restarted: it is a static Space (no runtime; it reads no secrets at run time)`, {
        code: 'STATIC_SPACE',
        nextSteps: ['Nothing to restart: a static Space serves files only. Check that the secret was not baked into its files instead.'],
      });
    }
    if (!res.ok) throw resError(ctx, res, `restarting ${input.space} failed`);
    const stage = res.json<{ stage?: string }>().stage ?? 'UNKNOWN';
    return { space: input.space, stage };
  },
  /** the Space is up after the restart; with no output (in doubt) a running Space proves nothing, and a restart is safe to repeat */
  async verify(ctx: Ctx, input, output) {
    const res = await ctx.http({ url: spaceUrl(ctx, input.space, '/runtime'), headers: authHeader(operatorToken(ctx)) });
    if (!res.ok) throw resError(ctx, res, `reading the runtime of ${input.space} failed`);
    const stage = res.json<{ stage?: string }>().stage ?? 'UNKNOWN';
    if (!UP.has(stage)) return { state: 'not-done', detail: `stage ${stage}` };
    if (!output) return { state: 'unknown', detail: `stage ${stage}; cannot tell whether the restart happened` };
    return { state: 'done', detail: `stage ${stage}` };
  },
});
