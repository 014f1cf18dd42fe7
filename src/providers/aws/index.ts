/**
 * aws — IAM access keys, IAM containment (role session revocation, deny-all), CloudTrail
 * LookupEvents, GuardDuty findings, STS liveness checks and Secrets Manager, through the official
 * SDK v3 clients (`@aws-sdk/client-iam`, `-sts`, `-secrets-manager`, `-cloudtrail`, `-guardduty`)
 * with a configurable endpoint (tests and drills point it at moto_server or our simulator,
 * src/drill/simulators/aws).
 *
 * The exposed-key sequence: deactivateKey (contain, reversible) → keyLastUsed (exposure
 * window) → createKey (new secret is a Secret from birth) → putSecretValue (or another
 * destination) → deleteKey (verified by listing) → verifyKey (the old pair is dead).
 *
 * Never touched: AWS attaches `AWSCompromisedKeyQuarantine` policies to users whose keys it
 * found exposed. No action of this provider detaches or deletes any IAM policy, and the only
 * policies it writes are inline policies of its own names (AWSRevokeOlderSessions,
 * RunbookIncidentDenyAll or the name a runbook gives denyAll), so a runbook cannot remove that
 * quarantine; lifting it is a deliberate, manual decision.
 *
 * Credentials are explicit (both Secrets); the SDK never searches env, profiles or instance
 * metadata, never retries (the engine owns retries), never logs, and sends every request
 * through the HTTP door (timeouts, drill loopback guard). Errors are rebuilt as ProviderError
 * from `error.name`: throttling → not-sent; network and 5xx → ambiguous; AccessDenied,
 * NoSuchEntity, LimitExceeded, ValidationError… → definite.
 */
import { z } from 'zod';
import { defineProvider, secretField } from '../sdk.js';
import { createKey, deactivateKey, deleteKey, keyLastUsed, listAccessKeys } from './iam.js';
import { putSecretValue, verifyKey } from './sts-secrets.js';
import { denyAll, listUserCredentials, revokeRoleSessions } from './identity.js';
import { guardDutyFindings, lookupEvents } from './investigate.js';
import type { AwsConfig } from './transport.js';

const Config = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as us-east-1').default('us-east-1'),
  /** e.g. http://127.0.0.1:5000 for moto_server or the drill simulator */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  access_key_id: secretField('the operator access key id, as a secret reference'),
  secret_access_key: secretField('the operator secret access key, as a secret reference'),
  session_token: secretField('a session token for temporary operator credentials').optional(),
});

export default defineProvider<AwsConfig>({
  type: 'aws',
  description:
    'AWS IAM access keys (list, last used, deactivate, create, delete), a user’s credentials (keys, console password, MFA), role session revocation and deny-all policies, CloudTrail event lookup, GuardDuty findings, STS liveness checks, Secrets Manager.',
  config: Config as z.ZodType<AwsConfig>,
  actions: { listAccessKeys, keyLastUsed, deactivateKey, createKey, deleteKey, verifyKey, putSecretValue, listUserCredentials, revokeRoleSessions, denyAll, lookupEvents, guardDutyFindings },
  drill: { configFor: (baseUrl, config) => ({ ...config, endpoint: baseUrl }) },
});
