/**
 * Repo and org routes of the GitHub simulator: secret-scanning alerts (repo and org, paged,
 * filtered), Actions secrets sealed against the repo's public key (decrypted and kept),
 * deploy keys, and fine-grained PAT grants of an org (GitHub App installation tokens only).
 */
import { sodium } from './sodium.js';
import type { SimResponse } from '../base.js';
import { ghError, iso, paginate, type RouteCtx, type RouteDef } from './routes.js';
import { canAct, canSee, hasScope, isLive, type GhAlert, type GhRepo } from './world.js';

const SEG = '([^/]+)';
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESOLUTIONS = ['false_positive', 'wont_fix', 'revoked', 'used_in_tests'];

/** The repo, or the documented refusal: 404 when invisible, 403 for missing rights or scopes. */
function repoFor(c: RouteCtx, owner: string, name: string, scopes: string[], opts: { scanning?: boolean } = {}): GhRepo | SimResponse {
  const r = c.core.world.repos.get(`${owner}/${name}`);
  if (!r || !canSee(c.core.world, c.token, r)) return ghError(404, 'Not Found');
  if (!c.token || !canAct(c.core.world, c.token, r)) return ghError(403, 'Must have admin rights to Repository.');
  if (!hasScope(c.token, scopes)) return ghError(403, 'Resource not accessible by personal access token', {}, { 'x-accepted-oauth-scopes': scopes.join(', '), 'x-oauth-scopes': c.token.scopes.join(', ') });
  if (opts.scanning && !r.secretScanning) return ghError(404, 'Secret scanning is disabled on this repository.');
  return r;
}
const isRes = (x: unknown): x is SimResponse => typeof x === 'object' && x !== null && 'status' in x && !('full_name' in x);

function alertJson(c: RouteCtx, r: GhRepo, a: GhAlert, withRepo: boolean): Record<string, unknown> {
  const known = c.core.world.tokens.get(a.secret);
  const validity = known ? (isLive(c.core.world, a.secret, c.core.now()) ? 'active' : 'inactive') : a.validity;
  const url = `${c.base}/repos/${r.full_name}/secret-scanning/alerts/${a.number}`;
  return {
    number: a.number,
    created_at: a.created_at,
    updated_at: a.updated_at,
    url,
    html_url: `https://github.com/${r.full_name}/security/secret-scanning/${a.number}`,
    locations_url: `${url}/locations`,
    state: a.state,
    resolution: a.resolution,
    resolved_at: a.resolved_at,
    resolved_by: a.resolved_by,
    resolution_comment: a.resolution_comment,
    secret_type: a.secret_type,
    secret_type_display_name: a.secret_type_display_name,
    secret: a.secret,
    validity,
    publicly_leaked: a.publicly_leaked,
    push_protection_bypassed: false,
    push_protection_bypassed_by: null,
    push_protection_bypassed_at: null,
    ...(withRepo ? { repository: { id: r.id, name: r.name, full_name: r.full_name, private: r.private, owner: { login: r.owner } } } : {}),
  };
}

function filterAlerts(c: RouteCtx, list: [GhRepo, GhAlert][]): [GhRepo, GhAlert][] {
  const q = c.req.query;
  const state = q.get('state');
  const types = q.get('secret_type')?.split(',').filter(Boolean);
  const validity = q.get('validity')?.split(',').filter(Boolean);
  return list.filter(([r, a]) => {
    if (state && a.state !== state) return false;
    if (types && !types.includes(a.secret_type)) return false;
    if (validity && !validity.includes(String(alertJson(c, r, a, false).validity))) return false;
    return true;
  });
}

function patGuard(c: RouteCtx, org: string): SimResponse | undefined {
  if (!c.core.world.orgs.has(org)) return ghError(404, 'Not Found');
  if (c.token?.kind !== 'installation') return ghError(403, 'Resource not accessible by personal access token');
  if (c.token.installationOrg !== org) return ghError(403, 'Resource not accessible by integration');
  return undefined;
}

export const repoRoutes: RouteDef[] = [
  ['GET', new RegExp(`^/repos/${SEG}/${SEG}$`), 'getRepo', 'optional', (c, [o, n]) => {
    const r = c.core.world.repos.get(`${o}/${n}`);
    if (!r || !canSee(c.core.world, c.token, r)) return ghError(404, 'Not Found');
    return { status: 200, body: { id: r.id, name: r.name, full_name: r.full_name, private: r.private, owner: { login: r.owner }, url: `${c.base}/repos/${r.full_name}` } };
  }],
  ['GET', new RegExp(`^/repos/${SEG}/${SEG}/secret-scanning/alerts$`), 'listAlertsForRepo', 'required', (c, [o, n]) => {
    const r = repoFor(c, o!, n!, ['repo', 'security_events'], { scanning: true });
    if (isRes(r)) return r;
    const p = paginate(c, filterAlerts(c, r.alerts.map((a) => [r, a])).map(([rr, a]) => alertJson(c, rr, a, false)));
    return { status: 200, headers: p.headers, body: p.body };
  }],
  ['GET', new RegExp(`^/orgs/${SEG}/secret-scanning/alerts$`), 'listAlertsForOrg', 'required', (c, [org]) => {
    const o = c.core.world.orgs.get(org!);
    if (!o) return ghError(404, 'Not Found');
    const t = c.token!;
    if (!(t.kind === 'installation' ? t.installationOrg === org : o.members.has(t.login))) return ghError(403, 'Must be an organization member.');
    if (!hasScope(t, ['repo', 'security_events'])) return ghError(403, 'Resource not accessible by personal access token', {}, { 'x-accepted-oauth-scopes': 'repo, security_events' });
    const all = [...c.core.world.repos.values()].filter((r) => r.owner === org && r.secretScanning).flatMap((r) => r.alerts.map((a) => [r, a] as [GhRepo, GhAlert]));
    const p = paginate(c, filterAlerts(c, all).map(([r, a]) => alertJson(c, r, a, true)));
    return { status: 200, headers: p.headers, body: p.body };
  }],
  ['GET', new RegExp(`^/repos/${SEG}/${SEG}/secret-scanning/alerts/(\\d+)$`), 'getAlert', 'required', (c, [o, n, num]) => {
    const r = repoFor(c, o!, n!, ['repo', 'security_events'], { scanning: true });
    if (isRes(r)) return r;
    const a = r.alerts.find((x) => x.number === Number(num));
    return a ? { status: 200, body: alertJson(c, r, a, false) } : ghError(404, 'Not Found');
  }],
  ['PATCH', new RegExp(`^/repos/${SEG}/${SEG}/secret-scanning/alerts/(\\d+)$`), 'updateAlert', 'required', (c, [o, n, num]) => {
    const r = repoFor(c, o!, n!, ['repo', 'security_events'], { scanning: true });
    if (isRes(r)) return r;
    const a = r.alerts.find((x) => x.number === Number(num));
    if (!a) return ghError(404, 'Not Found');
    const b = c.req.json<{ state?: unknown; resolution?: unknown; resolution_comment?: unknown }>() ?? {};
    if (b.state !== 'open' && b.state !== 'resolved') return ghError(422, 'Validation Failed', { errors: [{ field: 'state', code: 'invalid' }] });
    if (b.state === 'resolved' && !RESOLUTIONS.includes(String(b.resolution))) return ghError(422, 'Validation Failed', { errors: [{ field: 'resolution', code: 'missing_field' }] });
    const now = iso(c.core.stamp());
    a.state = b.state;
    a.resolution = b.state === 'resolved' ? String(b.resolution) : null;
    a.resolution_comment = b.state === 'resolved' && typeof b.resolution_comment === 'string' ? b.resolution_comment : null;
    a.resolved_at = b.state === 'resolved' ? now : null;
    a.resolved_by = b.state === 'resolved' ? { login: c.token!.login } : null;
    a.updated_at = now;
    return { status: 200, body: alertJson(c, r, a, false) };
  }],
  ['GET', new RegExp(`^/repos/${SEG}/${SEG}/actions/secrets/public-key$`), 'getRepoPublicKey', 'required', (c, [o, n]) => {
    const r = repoFor(c, o!, n!, ['repo']);
    if (isRes(r)) return r;
    return { status: 200, body: { key_id: r.keyId, key: sodium().to_base64(r.publicKey, sodium().base64_variants.ORIGINAL) } };
  }],
  ['GET', new RegExp(`^/repos/${SEG}/${SEG}/actions/secrets/${SEG}$`), 'getRepoSecret', 'required', (c, [o, n, name]) => {
    const r = repoFor(c, o!, n!, ['repo']);
    if (isRes(r)) return r;
    const s = r.secrets.get(name!);
    return s ? { status: 200, body: { name, created_at: s.created_at, updated_at: s.updated_at } } : ghError(404, 'Not Found');
  }],
  ['PUT', new RegExp(`^/repos/${SEG}/${SEG}/actions/secrets/${SEG}$`), 'createOrUpdateRepoSecret', 'required', (c, [o, n, name]) => {
    const r = repoFor(c, o!, n!, ['repo']);
    if (isRes(r)) return r;
    if (!NAME_RE.test(name!) || /^GITHUB_/i.test(name!)) return ghError(422, 'Validation Failed', { errors: [{ field: 'secret_name', code: 'invalid' }] });
    const b = c.req.json<{ encrypted_value?: unknown; key_id?: unknown }>() ?? {};
    if (typeof b.encrypted_value !== 'string' || b.key_id !== r.keyId) return ghError(422, 'Bad request - key_id or encrypted_value is invalid');
    let value: string;
    try {
      const na = sodium();
      value = na.to_string(na.crypto_box_seal_open(na.from_base64(b.encrypted_value, na.base64_variants.ORIGINAL), r.publicKey, r.privateKey));
    } catch {
      return ghError(422, 'Bad request - could not decrypt encrypted_value');
    }
    const now = iso(c.core.stamp());
    const prev = r.secrets.get(name!);
    r.secrets.set(name!, { value, created_at: prev?.created_at ?? now, updated_at: now });
    return prev ? { status: 204 } : { status: 201, body: {} };
  }],
  ['GET', new RegExp(`^/repos/${SEG}/${SEG}/keys/(\\d+)$`), 'getDeployKey', 'required', (c, [o, n, id]) => {
    const r = repoFor(c, o!, n!, ['repo', 'admin:public_key', 'read:public_key']);
    if (isRes(r)) return r;
    const k = r.deployKeys.get(Number(id));
    return k ? { status: 200, body: { ...k, url: `${c.base}/repos/${r.full_name}/keys/${k.id}`, verified: true, added_by: null, last_used: null } } : ghError(404, 'Not Found');
  }],
  ['DELETE', new RegExp(`^/repos/${SEG}/${SEG}/keys/(\\d+)$`), 'deleteDeployKey', 'required', (c, [o, n, id]) => {
    const r = repoFor(c, o!, n!, ['repo', 'admin:public_key']);
    if (isRes(r)) return r;
    return r.deployKeys.delete(Number(id)) ? { status: 204 } : ghError(404, 'Not Found');
  }],
  ['GET', new RegExp(`^/orgs/${SEG}/personal-access-tokens$`), 'listPatGrants', 'required', (c, [org]) => {
    const refused = patGuard(c, org!);
    if (refused) return refused;
    const grants = c.core.world.patGrants.filter((g) => g.org === org).map((g) => ({
      id: g.id,
      owner: { login: g.owner, id: c.core.world.users.get(g.owner)?.id ?? 0 },
      repository_selection: 'all',
      repositories_url: `${c.base}/orgs/${org}/personal-access-tokens/${g.id}/repositories`,
      permissions: { organization: {}, repository: { contents: 'read' }, other: {} },
      access_granted_at: g.access_granted_at,
      token_id: g.token_id,
      token_name: g.token_name,
      token_expired: false,
      token_expires_at: g.token_expires_at,
      token_last_used_at: null,
    }));
    const p = paginate(c, grants);
    return { status: 200, headers: p.headers, body: p.body };
  }],
  ['POST', new RegExp(`^/orgs/${SEG}/personal-access-tokens/(\\d+)$`), 'updatePatAccess', 'required', (c, [org, id]) => {
    const refused = patGuard(c, org!);
    if (refused) return refused;
    if (c.req.json<{ action?: unknown }>()?.action !== 'revoke') return ghError(422, 'Validation Failed', { errors: [{ field: 'action', code: 'invalid' }] });
    const w = c.core.world;
    const i = w.patGrants.findIndex((g) => g.org === org && g.id === Number(id));
    if (i < 0) return ghError(404, 'Not Found');
    const [g] = w.patGrants.splice(i, 1);
    if (g?.token_value) {
      if (!w.orgRevoked.has(org!)) w.orgRevoked.set(org!, new Set());
      w.orgRevoked.get(org!)!.add(g.token_value);
    }
    return { status: 204 };
  }],
];
