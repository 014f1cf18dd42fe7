/**
 * Is a leaked credential still live? One small function per service, each following the
 * service's documented contract (../shared/reference/PROVIDERS.md), each going through our
 * HTTP door (ctx.http / ctx.fetch). The HF, GitHub, AWS and Slack providers may reuse them.
 *
 * A check never throws: anything that is not a clear "accepted" or "rejected" is `unknown`
 * with a short detail (rate limits, 5xx, network failures), never with a response body.
 */
import type { STSClientConfig } from '@aws-sdk/client-sts';
import { ProviderError } from '../../core/errors.js';
import type { Secret } from '../../core/secrets/secret.js';
import type { HttpResponse } from '../../core/http.js';
import type { ActionContext } from '../sdk.js';

export type Liveness = 'live' | 'dead' | 'unknown';
export interface LivenessResult {
  status: Liveness;
  detail: string;
}

/** The part of the action context a check needs. */
export type CheckContext = Pick<ActionContext<unknown>, 'http' | 'fetch' | 'signal'>;

export const DEFAULT_URLS = {
  hf_url: 'https://huggingface.co',
  github_url: 'https://api.github.com',
  slack_url: 'https://slack.com',
} as const;

const trim = (u: string) => u.replace(/\/+$/, '');

function unknownFrom(e: unknown): LivenessResult {
  if (e instanceof ProviderError) return { status: 'unknown', detail: e.message };
  return { status: 'unknown', detail: 'the check failed' };
}

function unclear(res: HttpResponse, service: string): LivenessResult {
  const wait = res.retryAfterMs !== undefined ? `; retry after ${Math.ceil(res.retryAfterMs / 1000)} s` : '';
  if (res.status === 429 || (res.status === 403 && res.headers.get('x-ratelimit-remaining') === '0')) return { status: 'unknown', detail: `${service} rate limited the check (HTTP ${res.status})${wait}` };
  return { status: 'unknown', detail: `${service} answered HTTP ${res.status}${wait}` };
}

/** Hugging Face: `GET /api/whoami-v2` — 200 live, 401 dead. */
export async function checkHuggingFace(ctx: CheckContext, token: Secret, baseUrl: string = DEFAULT_URLS.hf_url): Promise<LivenessResult> {
  try {
    const res = await ctx.http({ method: 'GET', url: `${trim(baseUrl)}/api/whoami-v2`, headers: { authorization: `Bearer ${token.reveal()}` } });
    if (res.status === 401) return { status: 'dead', detail: 'Hugging Face rejected the token (401)' };
    if (res.ok) {
      const body = res.json<{ name?: unknown; auth?: { accessToken?: { role?: unknown } } }>();
      const role = body.auth?.accessToken?.role;
      return { status: 'live', detail: `token is valid${typeof body.name === 'string' ? ` for ${body.name}` : ''}${typeof role === 'string' ? ` (role ${role})` : ''}` };
    }
    return unclear(res, 'Hugging Face');
  } catch (e) {
    return unknownFrom(e);
  }
}

/** GitHub: `GET /user` — 200 live (scopes in X-OAuth-Scopes), 401 dead. */
export async function checkGitHub(ctx: CheckContext, token: Secret, baseUrl: string = DEFAULT_URLS.github_url): Promise<LivenessResult> {
  try {
    const res = await ctx.http({
      method: 'GET',
      url: `${trim(baseUrl)}/user`,
      headers: { authorization: `Bearer ${token.reveal()}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'runbook' },
    });
    if (res.status === 401) return { status: 'dead', detail: 'GitHub rejected the token (401)' };
    if (res.ok) {
      const login = res.json<{ login?: unknown }>().login;
      const scopes = res.headers.get('x-oauth-scopes');
      return { status: 'live', detail: `token is valid${typeof login === 'string' ? ` for ${login}` : ''}${scopes ? ` (scopes: ${scopes})` : ''}` };
    }
    return unclear(res, 'GitHub');
  } catch (e) {
    return unknownFrom(e);
  }
}

const SLACK_DEAD = new Set(['invalid_auth', 'token_revoked', 'token_expired', 'account_inactive', 'not_authed']);

/** Slack: `POST /api/auth.test` — `{ok:true}` live; `{ok:false, error: invalid_auth|token_revoked|…}` dead. */
export async function checkSlack(ctx: CheckContext, token: Secret, baseUrl: string = DEFAULT_URLS.slack_url): Promise<LivenessResult> {
  if (!/^xox[abprs]-/.test(token.reveal())) return { status: 'unknown', detail: 'not a Slack API token (webhook URLs cannot be checked without posting)' };
  try {
    const res = await ctx.http({
      method: 'POST',
      url: `${trim(baseUrl)}/api/auth.test`,
      headers: { authorization: `Bearer ${token.reveal()}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    if (!res.ok) return unclear(res, 'Slack');
    const body = res.json<{ ok?: unknown; error?: unknown; team?: unknown; user?: unknown }>();
    if (body.ok === true) return { status: 'live', detail: `token is valid${typeof body.team === 'string' ? ` for team ${body.team}` : ''}` };
    const err = typeof body.error === 'string' ? body.error : 'unknown_error';
    if (SLACK_DEAD.has(err)) return { status: 'dead', detail: `Slack says ${err}` };
    return { status: 'unknown', detail: `Slack says ${err}` };
  } catch (e) {
    return unknownFrom(e);
  }
}

let stsSdk: Promise<typeof import('@aws-sdk/client-sts')> | undefined;
/** The STS client is imported on first use (never when the scan provider is loaded); a CommonJS package: see aws/transport.ts. */
const loadSts = () => (stsSdk ??= import('@aws-sdk/client-sts').then((m) => m.default));

type RequestHandler = NonNullable<STSClientConfig['requestHandler']>;

/** An AWS SDK request handler that sends through our HTTP door (timeouts, loopback guard, safe errors). */
export function doorRequestHandler(fetchFn: typeof fetch): RequestHandler {
  return {
    async handle(request: { method: string; protocol: string; hostname: string; port?: number; path: string; query?: Record<string, string | string[] | null>; headers: Record<string, string>; body?: unknown }, opts?: { abortSignal?: unknown }) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(request.query ?? {})) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x ?? '');
      const q = qs.toString();
      const url = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}${q ? `?${q}` : ''}`;
      const headers = { ...request.headers };
      delete headers.host;
      const res = await fetchFn(url, {
        method: request.method,
        headers,
        body: request.body as RequestInit["body"],
        signal: opts?.abortSignal instanceof AbortSignal ? opts.abortSignal : undefined,
      });
      const out: Record<string, string> = {};
      res.headers.forEach((v, k) => (out[k] = v));
      return { response: { statusCode: res.status, reason: res.statusText, headers: out, body: new Uint8Array(await res.arrayBuffer()) } };
    },
  } as unknown as RequestHandler;
}

export interface AwsCheckOptions {
  /** STS endpoint (default: AWS's regional endpoint) */
  endpoint?: string;
  region?: string;
}

/**
 * AWS: STS GetCallerIdentity with the leaked key pair — success live, InvalidClientTokenId
 * (unknown key id) or ExpiredToken dead. GetCallerIdentity needs no IAM permission, so it
 * works for any valid key. Needs both halves: a key id alone cannot be checked.
 */
export async function checkAws(ctx: CheckContext, keyId: Secret, secretKey: Secret | undefined, opts: AwsCheckOptions = {}): Promise<LivenessResult> {
  if (!secretKey) return { status: 'unknown', detail: 'no secret access key was found next to this key id; it cannot be checked alone' };
  const { STSClient, GetCallerIdentityCommand } = await loadSts();
  const client = new STSClient({
    region: opts.region ?? 'us-east-1',
    endpoint: opts.endpoint,
    credentials: { accessKeyId: keyId.reveal(), secretAccessKey: secretKey.reveal() },
    requestHandler: doorRequestHandler(ctx.fetch),
    maxAttempts: 2,
  });
  try {
    const r = await client.send(new GetCallerIdentityCommand({}), { abortSignal: ctx.signal });
    return { status: 'live', detail: `key is valid${r.Arn ? ` for ${r.Arn}` : ''}` };
  } catch (e) {
    if (e instanceof ProviderError) return unknownFrom(e);
    const name = (e as { name?: unknown }).name;
    if (name === 'InvalidClientTokenId' || name === 'ExpiredToken') return { status: 'dead', detail: `AWS says ${name}` };
    if (name === 'SignatureDoesNotMatch') return { status: 'unknown', detail: 'AWS knows the key id but the paired secret does not match (SignatureDoesNotMatch)' };
    if (name === 'AccessDenied') return { status: 'live', detail: 'AWS authenticated the key (AccessDenied on GetCallerIdentity)' };
    return { status: 'unknown', detail: `AWS check failed${typeof name === 'string' ? ` (${name})` : ''}` };
  } finally {
    client.destroy();
  }
}
