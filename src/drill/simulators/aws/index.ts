/**
 * Simulated IAM + STS + Secrets Manager on one loopback endpoint (like moto_server), for
 * drills where moto may be absent. It implements exactly what the aws provider calls —
 * ListAccessKeys, GetAccessKeyLastUsed, UpdateAccessKey, CreateAccessKey, DeleteAccessKey,
 * GetCallerIdentity, PutSecretValue (+ GetSecretValue for read-backs) — and passes the same
 * test suite as moto (test/providers/aws.suite.ts).
 *
 * Every request must be SigV4-signed by an active key of a seeded user (signatures are not
 * checked): unknown, deleted and inactive keys get InvalidClientTokenId (Query) or
 * UnrecognizedClientException (JSON), as AWS answers. Seed an operator user for the drill's
 * own credentials. Each authenticated request records the key's last use.
 */
import { startHttpSimulator, type FaultHook, type HttpSimulator, type SimRequest, type SimResponse } from '../base.js';
import { AwsSimError, AwsWorld, type AwsSeed } from './world.js';
import { epoch, jsonError, jsonResponse, parseSigV4, queryError, queryResponse, throttleFault } from './wire.js';

export { AwsWorld, AwsSimError, newAccessKeyId, newSecretAccessKey, type AwsSeed, type SeedKey } from './world.js';
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

function route(world: AwsWorld, req: SimRequest) {
  if (req.method !== 'POST' || req.path !== '/') return undefined;
  const scope = parseSigV4(req.headers.authorization);
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, name = ''] = target.split('.');
    if (prefix?.toLowerCase() !== 'secretsmanager') return undefined;
    return {
      op: `secretsmanager:${name}`,
      respond: (): SimResponse => {
        try {
          if (!world.authenticate(scope?.accessKeyId, { service: 'secretsmanager', region: scope?.region ?? world.region }))
            return jsonError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
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
