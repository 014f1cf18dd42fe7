/**
 * AWS SDK errors → ProviderError. Matched on `error.name` (moto's HTTP statuses differ from
 * AWS's in places); the raw error (request, headers, credentials) is never kept or wrapped.
 */
import { ProviderError, type FailureClass } from '../../core/errors.js';
import type { ActionContext } from '../sdk.js';
import type { AwsConfig } from './transport.js';

const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'PriorRequestNotComplete']);
const DEFINITE = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'NoSuchEntity',
  'NoSuchEntityException',
  'LimitExceeded',
  'LimitExceededException',
  'ValidationError',
  'ValidationException',
  'InvalidInput',
  'InvalidInputException',
  'InvalidParameterValue',
  'InvalidParameterException',
  'InvalidRequestException',
  'ResourceNotFoundException',
  'ResourceExistsException',
  'EncryptionFailure',
  'DecryptionFailure',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
  'UnauthorizedOperation',
]);
/** The operator's own credentials were refused. */
export const CREDENTIALS_REFUSED = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'IncompleteSignature', 'MissingAuthenticationToken', 'ExpiredToken', 'ExpiredTokenException', 'InvalidAccessKeyId']);

export interface AwsErrorInfo {
  name: string;
  status: number | undefined;
  requestId: string | undefined;
  message: string;
  fault: string | undefined;
}

/** Read what we need from an SDK error — nothing else leaves this function. */
export function awsErrorInfo(e: unknown): AwsErrorInfo {
  const err = (e ?? {}) as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number; requestId?: string }; $fault?: string };
  return {
    name: typeof err.name === 'string' ? err.name : 'Error',
    status: err.$metadata?.httpStatusCode,
    requestId: err.$metadata?.requestId,
    message: typeof err.message === 'string' ? err.message : '',
    fault: err.$fault,
  };
}

/** AWS's own message, made safe: first line, no secret-key shapes, no known values, short. */
export function safeAwsMessage(msg: string, hide: readonly string[] = []): string {
  let out = (msg.split('\n')[0] ?? '').replace(/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g, '[redacted]');
  for (const h of hide) if (h.length >= 4) out = out.split(h).join('[redacted]');
  return out.length > 200 ? `${out.slice(0, 200)}…` : out;
}

export interface MapOptions {
  /** what we were doing, e.g. `deleting access key AKIA… of user alice` */
  doing: string;
  /** a message per error name, replacing AWS's */
  messages?: Record<string, string>;
  nextSteps?: Record<string, string[]>;
  /** values that must never appear in the message (the operator's and the action's secrets) */
  hide?: readonly string[];
}

export function classify(info: AwsErrorInfo): FailureClass {
  if (THROTTLED.has(info.name)) return 'not-sent';
  if (DEFINITE.has(info.name)) return 'definite';
  if (['TimeoutError', 'AbortError', 'TypeError'].includes(info.name)) return 'ambiguous';
  if (info.status === undefined || info.status >= 500 || info.fault === 'server') return 'ambiguous';
  return 'definite';
}

/** Rebuild any error thrown while calling AWS as a ProviderError. */
export function awsError(ctx: ActionContext<unknown>, e: unknown, o: MapOptions): ProviderError {
  if (e instanceof ProviderError) {
    // from the HTTP door (network): already safe; keep its class, say what we were doing
    return new ProviderError({ provider: ctx.instance, action: ctx.action, message: `${o.doing}: ${e.message.replace(/^[^:]*: /, '')}`, status: e.status, code: e.code, failure: e.failure, requestId: e.requestId, retryAfterMs: e.retryAfterMs });
  }
  const info = awsErrorInfo(e);
  const failure = classify(info);
  let detail = pick(o.messages, info.name);
  if (!detail) {
    if (failure === 'not-sent') detail = `AWS throttled the request (${info.name}); it was not applied — retry later`;
    else if (CREDENTIALS_REFUSED.has(info.name)) detail = `AWS refused the operator credentials (${info.name}) — check access_key_id / secret_access_key of this provider instance`;
    else if (failure === 'ambiguous') detail = `no clear answer from AWS (${info.status ? `HTTP ${info.status}` : info.name}); the call may or may not have been applied — verify before retrying`;
    else detail = `${info.name}: ${safeAwsMessage(info.message, o.hide) || 'refused by AWS'}`;
  }
  return new ProviderError({
    provider: ctx.instance,
    action: ctx.action,
    message: `${o.doing}: ${detail}`,
    status: info.status,
    code: info.name,
    failure,
    requestId: info.requestId,
    nextSteps: pick(o.nextSteps, info.name),
  });
}

/** Run an SDK call; evidence on success, a rebuilt ProviderError on failure. */
export async function call<T extends { $metadata?: { httpStatusCode?: number; requestId?: string } }>(ctx: ActionContext<AwsConfig>, o: MapOptions, fn: () => Promise<T>): Promise<T> {
  try {
    const out = await fn();
    ctx.evidence({ httpStatus: out.$metadata?.httpStatusCode, requestId: out.$metadata?.requestId });
    return out;
  } catch (e) {
    const hide = [ctx.config.secret_access_key.reveal(), ctx.config.session_token?.reveal() ?? '', ...(o.hide ?? [])];
    throw awsError(ctx as ActionContext<unknown>, e, { ...o, hide });
  }
}

/** Error names without the SDK's `Exception` suffix: `NoSuchEntityException` ≡ `NoSuchEntity`. */
const base = (name: string) => name.replace(/Exception$/, '');

function pick<T>(map: Record<string, T> | undefined, name: string): T | undefined {
  if (!map) return undefined;
  for (const [k, v] of Object.entries(map)) if (base(k) === base(name)) return v;
  return undefined;
}

/** Is `e` a ProviderError rebuilt from one of these AWS error names (with or without `Exception`)? */
export function isAwsError(e: unknown, ...names: string[]): boolean {
  return e instanceof ProviderError && e.code !== undefined && names.some((n) => base(n) === base(e.code ?? ''));
}
