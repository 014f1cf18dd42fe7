/**
 * Simulated IAM + STS + Secrets Manager + CloudTrail + GuardDuty on one loopback endpoint (like
 * moto_server), for drills where moto may be absent. It implements exactly what the aws
 * provider calls — ListAccessKeys, GetAccessKeyLastUsed, UpdateAccessKey, CreateAccessKey,
 * DeleteAccessKey, Put/Get/ListUserPolicy/RolePolicies, GetRole, GetLoginProfile,
 * ListMFADevices, GetCallerIdentity, PutSecretValue (+ GetSecretValue for read-backs), CloudTrail
 * LookupEvents, GuardDuty ListDetectors / ListFindings / GetFindings — and passes the same test
 * suite as moto (test/providers/aws.suite.ts) where moto implements the call (moto 5 has no
 * LookupEvents and no GuardDuty findings: those are tested against this simulator only).
 * The CloudTrail history holds what the drill's attacker did (src/drill/adversary.ts).
 *
 * Every request must be SigV4-signed by an active key of a seeded user (signatures are not
 * checked): unknown, deleted and inactive keys get InvalidClientTokenId (Query) or
 * UnrecognizedClientException (JSON), as AWS answers. Seed an operator user for the drill's
 * own credentials. Each authenticated request records the key's last use.
 */
import { startHttpSimulator, type FaultHook, type HttpSimulator, type SimRequest, type SimResponse } from '../base.js';
import { AwsSimError, AwsWorld, type AwsSeed, type SimFinding, type TrailEvent } from './world.js';
import { epoch, jsonError, jsonResponse, parseSigV4, queryError, queryResponse, throttleFault } from './wire.js';

export { AwsWorld, AwsSimError, newAccessKeyId, newSecretAccessKey, denyApplies, type AwsSeed, type SeedKey, type TrailEvent } from './world.js';
export { throttleFault } from './wire.js';

export interface AwsSimulator extends HttpSimulator {
  world: AwsWorld;
}

const QUERY_SERVICE: Record<string, 'iam' | 'sts'> = {
  ListAccessKeys: 'iam',
  GetAccessKeyLastUsed: 'iam',
  UpdateAccessKey: 'iam',
  CreateAccessKey: 'iam',
  DeleteAccessKey: 'iam',
  PutUserPolicy: 'iam',
  PutRolePolicy: 'iam',
  GetUserPolicy: 'iam',
  GetRolePolicy: 'iam',
  ListUserPolicies: 'iam',
  ListRolePolicies: 'iam',
  GetRole: 'iam',
  GetLoginProfile: 'iam',
  ListMFADevices: 'iam',
  GetCallerIdentity: 'sts',
};

function queryOp(world: AwsWorld, action: string, p: URLSearchParams, caller: string): SimResponse {
  const need = (name: string): string => {
    const v = p.get(name);
    if (!v) throw new AwsSimError('ValidationError', `1 validation error detected: Value null at '${name[0]?.toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`, 400);
    return v;
  };
  switch (action) {
    case 'ListAccessKeys': {
      const user = p.get('UserName') ?? caller;
      const keys = world.listAccessKeys(user).map((k) => ({ UserName: k.user, AccessKeyId: k.id, Status: k.status, CreateDate: k.created }));
      return queryResponse('iam', action, { AccessKeyMetadata: keys, IsTruncated: false });
    }
    case 'GetAccessKeyLastUsed': {
      const k = world.getAccessKeyLastUsed(need('AccessKeyId'));
      const used = k.lastUsed ? { LastUsedDate: k.lastUsed.date, ServiceName: k.lastUsed.service, Region: k.lastUsed.region } : { ServiceName: 'N/A', Region: 'N/A' };
      return queryResponse('iam', action, { UserName: k.user, AccessKeyLastUsed: used });
    }
    case 'UpdateAccessKey':
      world.updateAccessKey(p.get('UserName') ?? caller, need('AccessKeyId'), need('Status'));
      return queryResponse('iam', action);
    case 'CreateAccessKey': {
      const k = world.createAccessKey(p.get('UserName') ?? caller);
      return queryResponse('iam', action, { AccessKey: { UserName: k.user, AccessKeyId: k.id, Status: k.status, SecretAccessKey: k.secret, CreateDate: k.created } });
    }
    case 'DeleteAccessKey':
      world.deleteAccessKey(p.get('UserName') ?? caller, need('AccessKeyId'));
      return queryResponse('iam', action);
    case 'PutUserPolicy':
    case 'PutRolePolicy': {
      const kind = action === 'PutUserPolicy' ? 'user' : 'role';
      world.putPolicy(kind, need(kind === 'user' ? 'UserName' : 'RoleName'), need('PolicyName'), need('PolicyDocument'));
      return queryResponse('iam', action);
    }
    case 'GetUserPolicy':
    case 'GetRolePolicy': {
      const kind = action === 'GetUserPolicy' ? 'user' : 'role';
      const holder = kind === 'user' ? 'UserName' : 'RoleName';
      const name = need(holder);
      const doc = world.getPolicy(kind, name, need('PolicyName'));
      // IAM answers with the document URL-encoded (RFC 3986)
      return queryResponse('iam', action, { [holder]: name, PolicyName: need('PolicyName'), PolicyDocument: encodeURIComponent(doc) });
    }
    case 'ListUserPolicies':
    case 'ListRolePolicies': {
      const kind = action === 'ListUserPolicies' ? 'user' : 'role';
      return queryResponse('iam', action, { PolicyNames: world.listPolicies(kind, need(kind === 'user' ? 'UserName' : 'RoleName')), IsTruncated: false });
    }
    case 'GetRole': {
      const r = world.role(need('RoleName'));
      return queryResponse('iam', action, { Role: { RoleName: r.name, RoleId: r.id, Arn: r.arn, Path: '/', CreateDate: new Date(0) } });
    }
    case 'GetLoginProfile': {
      const user = p.get('UserName') ?? caller;
      const lp = world.getLoginProfile(user);
      return queryResponse('iam', action, { LoginProfile: { UserName: user, CreateDate: lp.created, PasswordResetRequired: false } });
    }
    case 'ListMFADevices': {
      const user = p.get('UserName') ?? caller;
      return queryResponse('iam', action, { MFADevices: world.user(user).mfa.map((d) => ({ UserName: user, SerialNumber: d.serial, EnableDate: d.enabled })), IsTruncated: false });
    }
    case 'GetCallerIdentity': {
      const u = world.user(caller);
      return queryResponse('sts', action, { Arn: u.arn, UserId: u.id, Account: world.account });
    }
    default:
      throw new AwsSimError('InvalidAction', `The action ${action} is not valid for this web service.`, 400);
  }
}

function jsonOp(world: AwsWorld, op: string, body: Record<string, unknown>): SimResponse {
  const str = (name: string, required = true): string | undefined => {
    const v = body[name];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || !v) throw new AwsSimError('InvalidParameterException', `${name} is required and must be a string.`, 400);
    return v;
  };
  switch (op) {
    case 'PutSecretValue': {
      const { secret, version } = world.putSecretValue(str('SecretId') ?? '', str('SecretString') ?? '', str('ClientRequestToken', false));
      return jsonResponse({ ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages });
    }
    case 'GetSecretValue': {
      const { secret, version } = world.getSecretValue(str('SecretId') ?? '', str('VersionId', false), str('VersionStage', false));
      return jsonResponse({ ARN: secret.arn, Name: secret.name, VersionId: version.id, SecretString: version.value, VersionStages: version.stages, CreatedDate: epoch(version.created) });
    }
    default:
      throw new AwsSimError('UnknownOperationException', `Unknown operation ${op}.`, 400);
  }
}

const PAGE = 50;

/** CloudTrail LookupEvents (JSON 1.1): one lookup attribute, newest first, pages of MaxResults (≤ 50). */
function lookupEvents(world: AwsWorld, body: Record<string, unknown>): SimResponse {
  const attrs = body.LookupAttributes;
  if (attrs !== undefined && (!Array.isArray(attrs) || attrs.length > 1)) throw new AwsSimError('InvalidLookupAttributesException', 'You can specify only one lookup attribute.', 400);
  const a = (attrs as Array<{ AttributeKey?: string; AttributeValue?: string }> | undefined)?.[0];
  const at = (v: unknown) => (typeof v === 'number' ? new Date(v * 1000) : undefined);
  const start = at(body.StartTime);
  const end = at(body.EndTime);
  if (start && end && start > end) throw new AwsSimError('InvalidTimeRangeException', 'Start time must be before end time.', 400);
  const max = typeof body.MaxResults === 'number' ? body.MaxResults : PAGE;
  if (max < 1 || max > PAGE) throw new AwsSimError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.', 400);
  const all = world.lookupEvents(a ? { key: a.AttributeKey ?? '', value: a.AttributeValue ?? '' } : undefined, start, end);
  const from = typeof body.NextToken === 'string' ? Number(Buffer.from(body.NextToken, 'base64url').toString()) || 0 : 0;
  const page = all.slice(from, from + max);
  const Events = page.map((e) => ({
    EventId: e.id,
    EventName: e.name,
    ReadOnly: String(e.readOnly),
    ...(e.accessKeyId ? { AccessKeyId: e.accessKeyId } : {}),
    // milliseconds (a fractional epoch): a drill's events come milliseconds apart in real time
    EventTime: Date.parse(e.time) / 1000,
    EventSource: e.source,
    ...(e.username ? { Username: e.username } : {}),
    Resources: e.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: JSON.stringify(cloudTrailRecord(world, e)),
  }));
  const next = from + max < all.length ? Buffer.from(String(from + max)).toString('base64url') : undefined;
  return jsonResponse({ Events, ...(next ? { NextToken: next } : {}) });
}

/** The CloudTrail record of an event, shaped like AWS's (eventVersion 1.08). */
function cloudTrailRecord(world: AwsWorld, e: TrailEvent): Record<string, unknown> {
  const session = e.accessKeyId ? world.sessions.get(e.accessKeyId) : undefined;
  const userIdentity = session
    ? { type: 'AssumedRole', arn: `arn:aws:sts::${world.account}:assumed-role/${session.role}/${e.username ?? 'session'}`, accountId: world.account, accessKeyId: e.accessKeyId, sessionContext: { sessionIssuer: { type: 'Role', arn: world.roles.get(session.role)?.arn, userName: session.role }, attributes: { creationDate: session.issued.toISOString(), mfaAuthenticated: 'false' } } }
    : { type: 'IAMUser', arn: `arn:aws:iam::${world.account}:user/${e.username ?? ''}`, accountId: world.account, accessKeyId: e.accessKeyId, userName: e.username };
  return {
    eventVersion: '1.08',
    userIdentity,
    eventTime: e.time,
    eventSource: e.source,
    eventName: e.name,
    awsRegion: world.region,
    sourceIPAddress: '203.0.113.66',
    userAgent: 'aws-cli/2.15.0',
    ...(e.errorCode ? { errorCode: e.errorCode, errorMessage: `${e.errorCode} for ${e.name}` } : {}),
    requestParameters: e.request ?? null,
    responseElements: e.response ?? null,
    eventID: e.id,
    readOnly: e.readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: world.account,
  };
}

/** GuardDuty (REST-JSON): ListDetectors, ListFindings (criterion on resource.accessKeyDetails.accessKeyId), GetFindings. */
function guardDuty(world: AwsWorld, req: SimRequest): SimResponse | undefined {
  if (req.method === 'GET' && req.path === '/detector') return jsonResponse({ detectorIds: [world.detectorId] });
  const m = /^\/detector\/([^/]+)\/findings(\/get)?$/.exec(req.path);
  if (!m || req.method !== 'POST') return undefined;
  if (m[1] !== world.detectorId) return restError('BadRequestException', 'The request is rejected because the input detectorId is not owned by the current account.', 400);
  const body = (req.json() ?? {}) as Record<string, any>;
  const find = (id: string) => world.findings.find((f) => f.id === id);
  if (m[2]) {
    const ids = Array.isArray(body.findingIds) ? (body.findingIds as string[]) : [];
    const findings = ids.map(find).filter((f): f is SimFinding => !!f);
    return jsonResponse({ findings: findings.map((f) => findingJson(world, f)) });
  }
  const crit = body.findingCriteria?.criterion?.['resource.accessKeyDetails.accessKeyId'] as { equals?: string[]; eq?: string[] } | undefined;
  const want = crit?.equals ?? crit?.eq;
  const ids = world.findings.filter((f) => !want || want.includes(f.accessKeyId)).map((f) => f.id);
  return jsonResponse({ findingIds: ids });
}

function findingJson(world: AwsWorld, f: SimFinding) {
  return {
    accountId: world.account,
    arn: `arn:aws:guardduty:${world.region}:${world.account}:detector/${world.detectorId}/finding/${f.id}`,
    createdAt: f.first,
    updatedAt: f.last,
    id: f.id,
    partition: 'aws',
    region: world.region,
    schemaVersion: '2.0',
    severity: f.severity,
    title: f.title,
    type: f.type,
    description: f.title,
    resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: f.accessKeyId, principalId: world.users.get(f.userName)?.id ?? 'unknown', userName: f.userName, userType: 'IAMUser' } },
    service: { serviceName: 'guardduty', detectorId: world.detectorId, archived: false, count: f.count, eventFirstSeen: f.first, eventLastSeen: f.last },
  };
}

function restError(code: string, message: string, status: number): SimResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': code }, body: JSON.stringify({ message, __type: code }) };
}

/** IAM's answer to a caller whose user carries a deny-all inline policy. */
function explicitDeny(world: AwsWorld, user: string, action: string): AwsSimError {
  return new AwsSimError('AccessDenied', `User: arn:aws:iam::${world.account}:user/${user} is not authorized to perform: ${action} with an explicit deny in an identity-based policy`, 403);
}

function route(world: AwsWorld, req: SimRequest) {
  const scope = parseSigV4(req.headers.authorization);
  if (scope?.service === 'guardduty') {
    return {
      op: `guardduty:${req.method} ${req.path.replace(/\/detector\/[^/]+/, '/detector/{id}')}`,
      respond: (): SimResponse => {
        const key = world.authenticate(scope.accessKeyId, { service: 'guardduty', region: scope.region });
        if (!key) return restError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
        if (world.denied('user', key.user)) return restError('AccessDeniedException', explicitDeny(world, key.user, 'guardduty:*').message, 403);
        return guardDuty(world, req) ?? restError('BadRequestException', `No route for ${req.method} ${req.path}`, 404);
      },
    };
  }
  if (req.method !== 'POST' || req.path !== '/') return undefined;
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, name = ''] = target.split('.');
    const service = prefix?.toLowerCase() === 'secretsmanager' ? 'secretsmanager' : prefix === 'CloudTrail_20131101' ? 'cloudtrail' : undefined;
    if (!service) return undefined;
    return {
      op: `${service}:${name}`,
      respond: (): SimResponse => {
        try {
          const key = world.authenticate(scope?.accessKeyId, { service, region: scope?.region ?? world.region });
          if (!key) return jsonError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
          if (world.denied('user', key.user)) return jsonError('AccessDeniedException', explicitDeny(world, key.user, `${service}:${name}`).message, 400);
          if (service === 'cloudtrail') {
            if (name !== 'LookupEvents') return jsonError('UnknownOperationException', `Unknown operation ${name}.`, 400);
            return lookupEvents(world, (req.json() ?? {}) as Record<string, unknown>);
          }
          return jsonOp(world, name, (req.json() ?? {}) as Record<string, unknown>);
        } catch (e) {
          if (e instanceof AwsSimError) return jsonError(e.code, e.message, e.status);
          throw e;
        }
      },
    };
  }
  const form = new URLSearchParams(req.body);
  const action = form.get('Action') ?? '';
  const service = QUERY_SERVICE[action] ?? (scope?.service === 'sts' ? 'sts' : 'iam');
  return {
    op: `${service}:${action}`,
    respond: (): SimResponse => {
      try {
        if (!scope) return queryError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
        const key = world.authenticate(scope.accessKeyId, { service, region: scope.region });
        if (!key) return queryError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
        if (world.denied('user', key.user)) throw explicitDeny(world, key.user, `${service}:${action}`);
        return queryOp(world, action, form, key.user);
      } catch (e) {
        if (e instanceof AwsSimError) return queryError(e.code, e.message, e.status);
        throw e;
      }
    },
  };
}

/** Start the simulator on 127.0.0.1 (any free port unless `port` is given). */
export async function startAwsSimulator(opts: { seed?: AwsSeed; port?: number; faults?: FaultHook } = {}): Promise<AwsSimulator> {
  const world = new AwsWorld(opts.seed);
  const sim = await startHttpSimulator('aws', (req) => route(world, req), { port: opts.port, faults: opts.faults });
  return Object.assign(sim, { world });
}

/** A fault hook that throttles the matching ops (all by default), in each protocol's own shape. */
export function throttle(match: (op: string) => boolean = () => true): FaultHook {
  return ({ op }) => (match(op) ? throttleFault(op) : undefined);
}
