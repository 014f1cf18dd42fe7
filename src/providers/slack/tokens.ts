/**
 * slack.verifyToken (auth.test) and slack.revokeToken (auth.revoke) for a token found leaked.
 * The token under test is the calling token. For these actions a dead token (invalid_auth,
 * token_revoked, token_expired, account_inactive) is a result, not an error.
 */
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import type { Secret } from '../../core/secrets/secret.js';
import { defineAction, secretField, type ActionContext, type VerifyResult } from '../sdk.js';
import type { SlackConfig } from './config.js';
import { callSlackResult } from './client.js';
import { DEAD_TOKEN_ERRORS, describeSlackError } from './errors.js';

const TokenInput = z.strictObject({
  /** the Slack token to check or revoke (xoxb-/xoxp-/…), e.g. a scanner finding */
  token: secretField('a Slack token reference (e.g. a finding from the scan step)'),
});
type TokenInput = z.infer<typeof TokenInput>;

const TokenState = z.object({
  state: z.enum(['live', 'dead']),
  /** why it is dead (the Slack error code) */
  reason: z.string().optional(),
  team: z.string().optional(),
  team_id: z.string().optional(),
  user: z.string().optional(),
  user_id: z.string().optional(),
  bot_id: z.string().optional(),
});
export type TokenState = z.infer<typeof TokenState>;

interface AuthTest {
  ok: boolean;
  team?: string;
  team_id?: string;
  user?: string;
  user_id?: string;
  bot_id?: string;
}

/** auth.test with the token itself: live (and whose it is) or dead (and why). Other failures throw. */
export async function slackTokenState(ctx: ActionContext<SlackConfig>, token: Secret): Promise<TokenState> {
  const r = await callSlackResult<AuthTest>(ctx, token, 'auth.test', {});
  if (r.ok) {
    const { team, team_id, user, user_id, bot_id } = r.result;
    return { state: 'live', team, team_id, user, user_id, ...(bot_id ? { bot_id } : {}) };
  }
  if (DEAD_TOKEN_ERRORS.has(r.code)) return { state: 'dead', reason: r.code };
  throw r.err;
}

async function revokedState(ctx: ActionContext<SlackConfig>, input: TokenInput): Promise<VerifyResult> {
  try {
    const s = await slackTokenState(ctx, input.token);
    return s.state === 'dead' ? { state: 'done', detail: `auth.test: ${describeSlackError(s.reason)}` } : { state: 'not-done', detail: 'auth.test: the token still works' };
  } catch (e) {
    if (e instanceof ProviderError) return { state: 'unknown', detail: e.message };
    throw e;
  }
}

export const verifyToken = defineAction<TokenInput, TokenState, SlackConfig>({
  kind: 'detect',
  description: 'Check whether a Slack token is live (auth.test); a dead token is a normal result.',
  input: TokenInput,
  output: TokenState,
  idempotent: true,
  plan: (ctx, input) => [`auth.test at ${ctx.config.api_url} with ${input.token} (read-only)`],
  async run(ctx, input) {
    const s = await slackTokenState(ctx, input.token);
    ctx.evidence({ detail: s.state === 'live' ? `live (team ${s.team_id ?? '?'}, user ${s.user_id ?? '?'})` : `dead (${s.reason})` });
    ctx.log.info(`${input.token}: ${s.state}${s.reason ? ` (${s.reason})` : ''}`);
    return s;
  },
});

const RevokeOutput = z.object({
  result: z.enum(['revoked', 'already-dead']),
  reason: z.string().optional(),
});
type RevokeOutput = z.infer<typeof RevokeOutput>;

export const revokeToken = defineAction<TokenInput, RevokeOutput, SlackConfig>({
  kind: 'revoke',
  description: 'Revoke a leaked Slack token with auth.revoke (called with that token); verified with auth.test.',
  input: TokenInput,
  output: RevokeOutput,
  idempotent: false,
  plan: (ctx, input) => [`auth.revoke at ${ctx.config.api_url} with ${input.token} — revokes that token`],
  async run(ctx, input) {
    const r = await callSlackResult<{ ok: boolean; revoked?: boolean }>(ctx, input.token, 'auth.revoke', {});
    if (r.ok) {
      if (r.result.revoked !== true)
        throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'auth.revoke answered ok but did not say revoked', failure: 'ambiguous', code: 'NOT_REVOKED' });
      ctx.evidence({ detail: 'auth.revoke: revoked' });
      ctx.log.info(`${input.token}: revoked`);
      return { result: 'revoked' };
    }
    if (DEAD_TOKEN_ERRORS.has(r.code)) {
      ctx.evidence({ detail: `auth.revoke: already dead (${r.code})` });
      ctx.log.info(`${input.token}: already dead (${r.code})`);
      return { result: 'already-dead', reason: r.code };
    }
    throw r.err;
  },
  verify: (ctx, input) => revokedState(ctx, input),
});
