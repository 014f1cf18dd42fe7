/**
 * AWS SDK clients wired to our doors: every request goes through `ctx.fetch` (timeouts, the
 * drill loopback guard, safe errors), the SDK never retries (`maxAttempts: 1` — the engine
 * owns retries), never logs (a silent logger) and never looks for credentials on its own
 * (they are passed explicitly).
 *
 * The SDK packages are loaded on first use (`loadIam` & co.), not when the provider is
 * imported: `validate`, `plan` and `--help` never pay for them (~1 s for client-iam alone).
 */
import type { HttpHandlerOptions, HttpRequest, HttpResponse } from '@smithy/types';
import { ProviderError } from '../../core/errors.js';
import type { Secret } from '../../core/secrets/secret.js';
import type { ActionContext } from '../sdk.js';

export interface AwsConfig {
  region: string;
  endpoint?: string | undefined;
  access_key_id: Secret;
  secret_access_key: Secret;
  session_token?: Secret | undefined;
}

export interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** A smithy HttpHandler that sends through the HTTP door (`ctx.fetch`). */
export class DoorHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  constructor(private readonly ctx: ActionContext<unknown>) {}

  async handle(request: HttpRequest, opts: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(request.query ?? {})) {
      if (v === null || v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) query.append(k, one);
    }
    const qs = query.toString();
    const port = request.port ? `:${request.port}` : '';
    const url = `${request.protocol}//${request.hostname}${port}${request.path}${qs ? `?${qs}` : ''}`;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) if (!['host', 'content-length'].includes(k.toLowerCase())) headers[k] = v;
    const signal = opts.abortSignal instanceof AbortSignal ? opts.abortSignal : undefined;
    const res = await this.ctx.fetch(url, { method: request.method, headers, body: request.body ?? undefined, signal });
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch {
      throw new ProviderError({ provider: this.ctx.instance, action: this.ctx.action, message: 'connection lost while reading the AWS response', status: res.status, failure: 'ambiguous', code: 'NETWORK' });
    }
    const outHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => (outHeaders[k] = v));
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        if (bytes.length) c.enqueue(bytes);
        c.close();
      },
    });
    return { response: { statusCode: res.status, reason: res.statusText, headers: outHeaders, body } };
  }
  updateHttpClientConfig(): void {}
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
  destroy(): void {}
}

function common(ctx: ActionContext<AwsConfig>, creds: KeyPair) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return {
    region: ctx.config.region,
    ...(ctx.config.endpoint ? { endpoint: ctx.config.endpoint } : {}),
    credentials: { ...creds },
    maxAttempts: 1,
    logger: silent,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: new DoorHttpHandler(ctx as ActionContext<unknown>) as any,
  };
}

/** The operator's credentials, from the instance config (both are Secrets). */
export function operatorCreds(config: AwsConfig): KeyPair {
  return {
    accessKeyId: config.access_key_id.reveal(),
    secretAccessKey: config.secret_access_key.reveal(),
    sessionToken: config.session_token?.reveal(),
  };
}

export type IamSdk = typeof import('@aws-sdk/client-iam');
export type StsSdk = typeof import('@aws-sdk/client-sts');
export type SecretsManagerSdk = typeof import('@aws-sdk/client-secrets-manager');
export type CloudTrailSdk = typeof import('@aws-sdk/client-cloudtrail');
export type GuardDutySdk = typeof import('@aws-sdk/client-guardduty');

let iamSdk: Promise<IamSdk> | undefined;
let stsSdk: Promise<StsSdk> | undefined;
let smSdk: Promise<SecretsManagerSdk> | undefined;
let ctSdk: Promise<CloudTrailSdk> | undefined;
let gdSdk: Promise<GuardDutySdk> | undefined;
/**
 * The SDK modules, imported once, on first use. They are CommonJS packages: their exports are
 * taken from `default` (= `module.exports`), which is what both Node's ESM interop and a bundled
 * chunk offer — a bundler's chunk for a CommonJS module has no named exports.
 */
export const loadIam = () => (iamSdk ??= import('@aws-sdk/client-iam').then((m) => m.default));
export const loadSts = () => (stsSdk ??= import('@aws-sdk/client-sts').then((m) => m.default));
export const loadSecretsManager = () => (smSdk ??= import('@aws-sdk/client-secrets-manager').then((m) => m.default));
export const loadCloudTrail = () => (ctSdk ??= import('@aws-sdk/client-cloudtrail').then((m) => m.default));
export const loadGuardDuty = () => (gdSdk ??= import('@aws-sdk/client-guardduty').then((m) => m.default));

export const iamClient = async (ctx: ActionContext<AwsConfig>) => new (await loadIam()).IAMClient(common(ctx, operatorCreds(ctx.config)));
export const smClient = async (ctx: ActionContext<AwsConfig>) => new (await loadSecretsManager()).SecretsManagerClient(common(ctx, operatorCreds(ctx.config)));
export const cloudTrailClient = async (ctx: ActionContext<AwsConfig>) => new (await loadCloudTrail()).CloudTrailClient(common(ctx, operatorCreds(ctx.config)));
export const guardDutyClient = async (ctx: ActionContext<AwsConfig>) => new (await loadGuardDuty()).GuardDutyClient(common(ctx, operatorCreds(ctx.config)));
/** STS signed with an arbitrary key pair (the leaked one, for liveness checks). */
export const stsClient = async (ctx: ActionContext<AwsConfig>, creds: KeyPair) => new (await loadSts()).STSClient(common(ctx, creds));
