/**
 * Per-credential view: every StoredSecret / fingerprint in the journal (inputs, intents,
 * outputs, secret.created) with where it was found, when it was exposed and last used (where
 * a provider said), when it was revoked and verified dead → the exposure window.
 * Only fingerprints and last 4 characters are kept — never a `$secret` reference or value.
 */
import { isStoredSecret, type JournalRecord } from '../core/journal/records.js';
import type { StepKind } from '../core/runbook/schema.js';
import { between, earliest, isoOf, latest } from './format.js';
import type { Credential, CredentialLocation } from './types.js';

type Node = Record<string, unknown>;
const EXPOSED_FIELDS = ['exposedAt', 'leakedAt', 'firstSeen', 'firstSeenAt', 'committedAt', 'commitDate', 'authoredAt', 'updatedAt'];
const LAST_USED_FIELDS = ['lastUsed', 'lastUsedAt', 'lastUsedDate', 'LastUsedDate', 'last_used', 'last_used_at'];
const WHERE_FIELDS = ['space', 'repo', 'repository', 'org', 'user', 'account', 'key', 'name', 'path', 'url'];

/**
 * Fields that name a credential by an identifier that is not a secret (an AWS access key id):
 * a revoke step that acts on one, with no secret value in its input, records a leaked credential
 * known by that identifier (key `id:<value>` here; `id` in the report).
 */
const ID_FIELDS = ['access_key_id', 'AccessKeyId', 'key_id', 'token_id', 'credential_id'];
const ID = 'id:';

/** Fingerprints an object carries itself (StoredSecret properties or a `fingerprint` field), with last4 where known; and identifiers in `ids`. */
function ownFps(node: Node, ids?: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  if (ids?.size) for (const f of ID_FIELDS) if (typeof node[f] === 'string' && ids.has(node[f])) out.set(ID + node[f], '');
  for (const v of Object.values(node)) {
    if (isStoredSecret(v)) out.set(v.fingerprint, v.last4);
    // a list of secrets (`credentials: [token]`, GitHub's revoke input) belongs to its object too
    else if (Array.isArray(v)) for (const x of v) if (isStoredSecret(x)) out.set(x.fingerprint, x.last4);
  }
  if (typeof node.fingerprint === 'string' && !out.has(node.fingerprint)) out.set(node.fingerprint, typeof node.last4 === 'string' ? node.last4 : '');
  return out;
}

/** Visit every object in a value with the fingerprints it belongs to (its own, else the nearest ancestor's). */
function walk(v: unknown, inherited: string[], visit: (node: Node, fps: string[], own: boolean) => void, depth = 0, ids?: ReadonlySet<string>): void {
  if (depth > 32 || !v || typeof v !== 'object' || isStoredSecret(v)) return;
  if (Array.isArray(v)) {
    for (const x of v) walk(x, inherited, visit, depth + 1, ids);
    return;
  }
  const node = v as Node;
  const own = [...ownFps(node, ids).keys()];
  const fps = own.length ? own : inherited;
  visit(node, fps, own.length > 0);
  for (const x of Object.values(node)) walk(x, fps, visit, depth + 1, ids);
}

/** Identifiers of credentials that revoke steps act on without a secret value in their input. */
function revokedIdentifiers(records: readonly JournalRecord[], kindOf: (step: string) => StepKind | null): Set<string> {
  const ids = new Set<string>();
  for (const r of records) {
    if (r.type !== 'intent' || kindOf(r.step) !== 'revoke' || fingerprintsIn(r.input).size) continue;
    const input = (r.input && typeof r.input === 'object' ? r.input : {}) as Node;
    const named = ID_FIELDS.map((f) => input[f]).find((v): v is string => typeof v === 'string' && v.length > 0);
    if (named) ids.add(named);
  }
  return ids;
}

/** All fingerprints (with last4) anywhere in a value. */
export function fingerprintsIn(v: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const add = (m: Map<string, string>) => {
    for (const [fp, l4] of m) if (!out.get(fp)) out.set(fp, l4);
  };
  if (isStoredSecret(v)) add(new Map([[v.fingerprint, v.last4]]));
  walk(v, [], (node) => add(ownFps(node)));
  return out;
}

function whereOf(node: Node): Omit<CredentialLocation, 'at' | 'step' | 'item'>[] {
  const one = (n: Node) => {
    const file = typeof n.file === 'string' ? n.file : undefined;
    const line = typeof n.line === 'number' ? n.line : undefined;
    const commit = typeof n.commit === 'string' ? n.commit : undefined;
    const rule = typeof node.rule === 'string' ? node.rule : undefined;
    let where = file ? `${file}${line !== undefined ? `:${line}` : ''}${commit ? ` @ ${commit.slice(0, 12)}` : ''}` : '';
    if (!where) where = WHERE_FIELDS.filter((k) => typeof n[k] === 'string' || typeof n[k] === 'number').map((k) => `${k} ${String(n[k])}`).slice(0, 3).join(', ');
    return { where, file, line, commit, rule };
  };
  if (Array.isArray(node.locations) && node.locations.length) return node.locations.filter((l): l is Node => !!l && typeof l === 'object').map(one);
  return [one(node)];
}

interface Acc extends Omit<Credential, 'exposureWindow'> {
  roles: Set<'leaked' | 'created'>;
  verifyDone: { at: string; step?: string; item?: string; basis: 'verify' | 'liveness'; detail?: string }[];
}

export function collectCredentials(records: readonly JournalRecord[], kindOf: (step: string) => StepKind | null): Credential[] {
  const ids = revokedIdentifiers(records, kindOf);
  // a masked identifier (`AKIA***`) names no key in particular: matched only where a revoke step acts on it
  const matchable = new Set([...ids].filter((id) => !id.includes('*')));
  const accs = new Map<string, Acc>();
  const acc = (fp: string, last4: string, at: string): Acc => {
    let a = accs.get(fp);
    if (!a) {
      a = { fingerprint: fp, last4, role: 'leaked', roles: new Set(), foundIn: [], detectedAt: at, liveness: [], verifyDone: [] };
      accs.set(fp, a);
    }
    if (!a.last4 && last4) a.last4 = last4;
    return a;
  };
  // every fingerprint in the journal, so item keys that are fingerprints can be recognised
  const known = new Map<string, string>();
  // the runbook's own credentials (operator tokens): never counted as leaked just for being used
  const runbookFps = new Set<string>();
  for (const r of records) {
    if (r.type === 'incident.opened') for (const v of Object.values(r.secrets)) if (isStoredSecret(v)) runbookFps.add(v.fingerprint);
    const src = r.type === 'incident.opened' ? r.inputs : r.type === 'intent' ? r.input : r.type === 'outcome' ? r.output : r.type === 'secret.created' ? r.secret : undefined;
    for (const [fp, l4] of fingerprintsIn(src)) if (!known.get(fp)) known.set(fp, l4);
  }
  // fingerprints an item acts on: its key, its inputs, or the single credential its output names
  const itemFps = new Map<string, Set<string>>();
  const fpsOf = (step: string, item: string): Set<string> => {
    const k = `${step}\u0000${item}`;
    let s = itemFps.get(k);
    if (!s) {
      s = new Set(known.has(item) ? [item] : []);
      itemFps.set(k, s);
    }
    return s;
  };

  for (const r of records) {
    const kind = 'step' in r ? kindOf(r.step) : null;
    switch (r.type) {
      case 'incident.opened':
        for (const [name, v] of Object.entries(r.inputs)) {
          if (typeof v === 'string' && ids.has(v)) {
            const a = acc(ID + v, '', r.ts);
            a.roles.add('leaked');
            a.foundIn.push({ at: r.ts, where: `input ${name}` });
            continue;
          }
          if (!isStoredSecret(v)) continue;
          const a = acc(v.fingerprint, v.last4, r.ts);
          a.roles.add('leaked');
          a.foundIn.push({ at: r.ts, where: `input ${name}` });
        }
        break;
      case 'intent': {
        const fps = fpsOf(r.step, r.item);
        for (const id of ownFps((r.input && typeof r.input === 'object' ? r.input : {}) as Node, ids).keys()) {
          fps.add(id);
          if (kind === 'revoke') acc(id, '', r.ts).roles.add('leaked');
        }
        for (const [fp, l4] of fingerprintsIn(r.input)) {
          if (runbookFps.has(fp)) continue;
          fps.add(fp);
          if (kind === 'revoke') acc(fp, l4, r.ts).roles.add('leaked');
        }
        break;
      }
      case 'outcome': {
        const fps = fpsOf(r.step, r.item);
        const inOutput = fingerprintsIn(r.output);
        if (fps.size === 0 && inOutput.size === 1) for (const fp of inOutput.keys()) fps.add(fp);
        walk(r.output, [...fps], (node, nodeFps, own) => {
          const mine = ownFps(node, matchable);
          for (const fp of nodeFps) {
            const a = acc(fp, mine.get(fp) ?? known.get(fp) ?? '', r.ts);
            if (own && kind !== 'revoke') a.roles.add(kind === 'rotate' ? 'created' : 'leaked');
            if (own && kind !== 'revoke' && kind !== 'rotate' && kind !== 'notify') {
              if (typeof node.provider_hint === 'string') a.providerHint ??= node.provider_hint;
              for (const w of whereOf(node)) {
                // a place is listed once: a later step that hands the same finding on (a liveness check) adds no place
                if (a.foundIn.some((f) => f.where === w.where)) continue;
                // a real place replaces the step's "found by step" note
                const note = a.foundIn.findIndex((f) => f.step === r.step && f.where === `found by step ${r.step}`);
                if (note >= 0) a.foundIn.splice(note, 1);
                a.foundIn.push({ step: r.step, item: r.item, at: r.ts, ...w });
              }
            }
            if (kind !== 'revoke' && kind !== 'rotate') for (const f of EXPOSED_FIELDS) a.firstExposedAt = earliest(a.firstExposedAt, isoOf(node[f]));
            const lu = (node.keyLastUsed ?? node.AccessKeyLastUsed ?? node) as Node;
            for (const f of LAST_USED_FIELDS) {
              const at = isoOf(lu[f]);
              if (at && (!a.lastUsed || Date.parse(at) > Date.parse(a.lastUsed.at))) {
                const service = lu.ServiceName ?? lu.serviceName ?? lu.service;
                const region = lu.Region ?? lu.region;
                a.lastUsed = { at, service: typeof service === 'string' ? service : undefined, region: typeof region === 'string' ? region : undefined, step: r.step, item: r.item };
              }
            }
            if (typeof node.live === 'boolean') {
              a.liveness.push({ at: r.ts, live: node.live, step: r.step, item: r.item });
              if (!node.live) a.verifyDone.push({ at: r.ts, step: r.step, item: r.item, basis: 'liveness', detail: 'the provider reports it is not live' });
            }
          }
        }, 0, kind === 'revoke' ? ids : matchable);
        if (kind === 'revoke') {
          for (const fp of fps) {
            const a = acc(fp, known.get(fp) ?? '', r.ts);
            a.roles.add('leaked');
            if (r.status === 'ok') a.revoked ??= { at: r.ts, by: r.op, step: r.step, item: r.item, via: 'outcome' };
            if (r.verify?.state === 'done') a.verifyDone.push({ at: r.ts, step: r.step, item: r.item, basis: 'verify', detail: r.verify.detail });
          }
        }
        break;
      }
      case 'verify':
        if (kind === 'revoke' && r.state === 'done')
          for (const fp of fpsOf(r.step, r.item)) acc(fp, known.get(fp) ?? '', r.ts).verifyDone.push({ at: r.ts, step: r.step, item: r.item, basis: 'verify', detail: r.detail });
        break;
      case 'settled':
        if (kind === 'revoke' && r.decision === 'done')
          for (const fp of fpsOf(r.step, r.item)) acc(fp, known.get(fp) ?? '', r.ts).revoked ??= { at: r.ts, by: r.op, step: r.step, item: r.item, via: 'settled' };
        break;
      case 'secret.created': {
        const a = acc(r.secret.fingerprint, r.secret.last4, r.ts);
        if (kind === 'rotate' || kind === null) {
          a.roles.add('created');
          a.createdAt = earliest(a.createdAt, r.ts);
          a.foundIn.push({ step: r.step, item: r.item, at: r.ts, where: `created by step ${r.step}` });
        } else {
          // a detect step (a scan) that records a credential it found: a leak, not a new credential
          a.roles.add('leaked');
          // (only while no place is known: a later step re-registering the same finding is not where it was found)
          if (!a.foundIn.length) a.foundIn.push({ step: r.step, item: r.item, at: r.ts, where: `found by step ${r.step}` });
        }
        break;
      }
      default:
        break;
    }
  }
  return [...accs.values()].filter((a) => a.roles.size > 0).map(finish);
}

function finish(a: Acc): Credential {
  const { roles, verifyDone, ...fields } = a;
  const rest = fields.fingerprint.startsWith(ID) ? { ...fields, fingerprint: '', id: fields.fingerprint.slice(ID.length) } : fields;
  // a read-back that says "live" cancels any earlier "dead"
  const lastLive = a.liveness.filter((l) => l.live).reduce<string | undefined>((m, l) => latest(m, l.at), undefined);
  const dead = verifyDone.filter((v) => !lastLive || Date.parse(v.at) > Date.parse(lastLive)).sort((x, y) => Date.parse(x.at) - Date.parse(y.at))[0];
  const role = roles.has('leaked') ? 'leaked' : 'created';
  if (role === 'created') return { ...rest, role, verifiedDead: dead, exposureWindow: { fromBasis: null, toBasis: null, open: false } };
  const from = a.firstExposedAt ?? a.detectedAt;
  const to = dead?.at ?? a.revoked?.at;
  return {
    ...rest,
    role,
    verifiedDead: dead,
    exposureWindow: {
      from,
      fromBasis: a.firstExposedAt ? 'first-exposed' : from ? 'detected' : null,
      to,
      toBasis: dead ? 'verified-dead' : a.revoked ? 'revoked' : null,
      open: !dead,
      durationMs: between(from, to),
    },
  };
}
