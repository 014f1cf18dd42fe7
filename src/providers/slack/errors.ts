/**
 * Slack's error strings, as people should read them, and how each failure is classed.
 * Only strings that look like Slack error codes are ever echoed (never a raw body).
 */
import { ProviderError, type FailureClass } from '../../core/errors.js';
import { classifyStatus } from '../../core/http.js';

const MESSAGES: Record<string, string> = {
  // Web API
  channel_not_found: 'the channel does not exist, or the app cannot see it — check the channel id',
  not_in_channel: 'the app is not a member of the channel — invite it (/invite @app) first',
  is_archived: 'the channel is archived',
  invalid_auth: 'the Slack token is not valid',
  not_authed: 'no Slack token was sent',
  token_revoked: 'the Slack token has been revoked',
  token_expired: 'the Slack token has expired',
  account_inactive: 'the token belongs to a deactivated user or workspace',
  missing_scope: 'the token lacks a scope this method needs',
  not_allowed_token_type: 'this kind of token cannot call this method',
  no_permission: 'the token is not permitted to do this',
  restricted_action: 'a workspace setting prevents this action',
  msg_too_long: 'the message is too long',
  invalid_blocks: 'the message blocks are not valid Block Kit',
  ratelimited: 'Slack rate-limited the call',
  internal_error: 'Slack had an internal error (the call may or may not have been applied)',
  fatal_error: 'Slack had a fatal error (the call may or may not have been applied)',
  service_unavailable: 'Slack is unavailable',
  request_timeout: 'Slack timed out (the call may or may not have been applied)',
  unknown_method: 'Slack does not know this method — check api_url',
  // incoming webhooks (bare-string bodies)
  invalid_payload: 'Slack could not read the message payload',
  no_text: 'the message has no text (or blocks)',
  action_prohibited: 'an admin has restricted what this webhook may post',
  no_service: 'the webhook URL is not valid or was disabled — create a new incoming webhook',
  channel_is_archived: "the webhook's channel is archived",
};

const FAILURE: Record<string, FailureClass> = {
  ratelimited: 'not-sent',
  service_unavailable: 'not-sent',
  internal_error: 'ambiguous',
  fatal_error: 'ambiguous',
  request_timeout: 'ambiguous',
};

const NEXT: Record<string, string[]> = {
  invalid_auth: ['Check the Slack token this provider uses (providers.<name>.token).'],
  token_revoked: ['The configured Slack token was revoked; issue a new one and update the secret.'],
  missing_scope: ['Add the needed scope to the Slack app (chat:write for messages) and reinstall it.'],
  not_in_channel: ['Invite the app to the channel, then resume.'],
};

/** Token errors that mean "this token is dead" when the token itself is what we are checking. */
export const DEAD_TOKEN_ERRORS = new Set(['invalid_auth', 'token_revoked', 'token_expired', 'account_inactive']);

/** A Slack error code if `s` looks like one, else undefined (never echo arbitrary text). */
export function slackCode(s: unknown): string | undefined {
  return typeof s === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(s.trim()) ? s.trim() : undefined;
}

export function describeSlackError(code: string | undefined): string {
  if (!code) return 'Slack returned an unrecognised error';
  return `${MESSAGES[code] ?? 'Slack returned an error'} (${code})`;
}

export function platformError(provider: string, action: string, method: string, rawCode: unknown): ProviderError {
  const code = slackCode(rawCode);
  return new ProviderError({
    provider,
    action,
    message: `${method}: ${describeSlackError(code)}`,
    code: code ?? 'slack_error',
    failure: (code && FAILURE[code]) || 'definite',
    nextSteps: code ? NEXT[code] : undefined,
  });
}

/** An incoming-webhook failure: status + bare-string body (only echoed when it is a Slack code). */
export function webhookError(provider: string, action: string, where: string, status: number, body: string, retryAfterMs: number | undefined, requestId: string | undefined): ProviderError {
  const code = slackCode(body);
  const what = code ? describeSlackError(code) : status === 429 ? 'Slack rate-limited the webhook' : `unexpected HTTP ${status}`;
  return new ProviderError({
    provider,
    action,
    message: `incoming webhook ${where}: ${what} (HTTP ${status})`,
    status,
    code: code ?? `HTTP_${status}`,
    failure: classifyStatus(status) ?? 'definite',
    retryAfterMs,
    requestId,
    nextSteps: code === 'no_service' ? ['Create a new incoming webhook in the Slack app settings and update the secret.'] : undefined,
  });
}
