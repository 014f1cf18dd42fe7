/**
 * The GitHub simulator's world: users, orgs, tokens (live / revoked / revoke pending, scopes),
 * repos with secret-scanning alerts, Actions secrets (sealed on the wire; the world keeps each
 * repo's keypair and the decrypted value, so tests can prove the right value landed), deploy
 * keys, and fine-grained PAT grants of orgs. Built from a plain seed object.
 */
import { loadSodium } from './sodium.js';

export type TokenKind = 'classic' | 'fine-grained' | 'oauth' | 'app-user' | 'installation';

export interface GhToken {
  value: string;
  /** the user behind it (for installation tokens: the app's bot login) */
  login: string;
  kind: TokenKind;
  scopes: string[];
  expiresAt?: string;
  revoked: boolean;
  /** set by the credentials-revoke endpoint: the token dies at this time (ms) */
  revokeAt?: number;
  /** installation tokens act for this org */
  installationOrg?: string;
}

export interface GhAlert {
  number: number;
  secret_type: string;
  secret_type_display_name: string;
  secret: string;
  state: 'open' | 'resolved';
  resolution: string | null;
  resolution_comment: string | null;
  resolved_at: string | null;
  resolved_by: { login: string } | null;
  created_at: string;
  updated_at: string;
  validity: 'active' | 'inactive' | 'unknown';
  publicly_leaked: boolean;
}

export interface GhActionsSecret {
  value: string;
  created_at: string;
  updated_at: string;
}

export interface GhDeployKey {
  id: number;
  title: string;
  key: string;
  read_only: boolean;
  created_at: string;
}

export interface GhRepo {
  id: number;
  owner: string;
  name: string;
  full_name: string;
  private: boolean;
  secretScanning: boolean;
  alerts: GhAlert[];
  secrets: Map<string, GhActionsSecret>;
  deployKeys: Map<number, GhDeployKey>;
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export interface GhPatGrant {
  id: number;
  org: string;
  owner: string;
  token_id: number;
  token_name: string;
  /** the token value, when the world knows it: a revoked grant cuts its access to the org */
  token_value?: string;
  access_granted_at: string;
  token_expires_at: string | null;
}

export interface GhWorld {
  users: Map<string, { login: string; id: number }>;
  orgs: Map<string, { login: string; id: number; members: Set<string> }>;
  tokens: Map<string, GhToken>;
  repos: Map<string, GhRepo>;
  patGrants: GhPatGrant[];
  /** org → token values whose fine-grained access to it was revoked */
  orgRevoked: Map<string, Set<string>>;
}

export interface GhSeed {
  users?: { login: string }[];
  orgs?: { login: string; members?: string[] }[];
  tokens?: { value: string; login: string; scopes?: string[]; expiresAt?: string; revoked?: boolean; installationOrg?: string }[];
  repos?: {
    full_name: string;
    private?: boolean;
    secret_scanning?: boolean;
    alerts?: { secret_type: string; secret: string; display_name?: string; state?: 'open' | 'resolved'; validity?: GhAlert['validity']; created_at?: string; publicly_leaked?: boolean }[];
    secrets?: Record<string, string>;
    deploy_keys?: { id?: number; title: string; key: string; read_only?: boolean }[];
  }[];
  pat_grants?: { org: string; id: number; owner: string; token_name?: string; token_value?: string; token_expires_at?: string }[];
}

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function kindOf(value: string): TokenKind {
  if (value.startsWith('github_pat_')) return 'fine-grained';
  if (value.startsWith('gho_')) return 'oauth';
  if (value.startsWith('ghu_')) return 'app-user';
  if (value.startsWith('ghs_')) return 'installation';
  return 'classic';
}

export async function buildWorld(seed: GhSeed = {}, now = Date.now()): Promise<GhWorld> {
  const sodium = await loadSodium();
  const at = iso(now);
  let ids = 1000;
  const w: GhWorld = { users: new Map(), orgs: new Map(), tokens: new Map(), repos: new Map(), patGrants: [], orgRevoked: new Map() };
  for (const u of seed.users ?? []) w.users.set(u.login, { login: u.login, id: ++ids });
  for (const o of seed.orgs ?? []) w.orgs.set(o.login, { login: o.login, id: ++ids, members: new Set(o.members ?? []) });
  for (const t of seed.tokens ?? []) {
    const kind = kindOf(t.value);
    if (kind !== 'installation' && !w.users.has(t.login)) throw new Error(`seed: token owner ${t.login} is not a known user`);
    w.tokens.set(t.value, { value: t.value, login: t.login, kind, scopes: t.scopes ?? [], expiresAt: t.expiresAt, revoked: t.revoked ?? false, installationOrg: t.installationOrg });
  }
  for (const r of seed.repos ?? []) {
    const [owner, name] = r.full_name.split('/');
    if (!owner || !name) throw new Error(`seed: repo ${r.full_name} must be owner/name`);
    const kp = sodium.crypto_box_keypair();
    const repo: GhRepo = {
      id: ++ids,
      owner,
      name,
      full_name: r.full_name,
      private: r.private ?? true,
      secretScanning: r.secret_scanning ?? true,
      alerts: [],
      secrets: new Map(Object.entries(r.secrets ?? {}).map(([k, v]) => [k, { value: v, created_at: at, updated_at: at }])),
      deployKeys: new Map(),
      keyId: String(++ids * 7919),
      publicKey: kp.publicKey,
      privateKey: kp.privateKey,
    };
    (r.alerts ?? []).forEach((a, i) =>
      repo.alerts.push({
        number: i + 1,
        secret_type: a.secret_type,
        secret_type_display_name: a.display_name ?? a.secret_type,
        secret: a.secret,
        state: a.state ?? 'open',
        resolution: null,
        resolution_comment: null,
        resolved_at: null,
        resolved_by: null,
        created_at: a.created_at ?? at,
        updated_at: a.created_at ?? at,
        validity: a.validity ?? 'unknown',
        publicly_leaked: a.publicly_leaked ?? false,
      }),
    );
    for (const k of r.deploy_keys ?? []) {
      const id = k.id ?? ++ids;
      repo.deployKeys.set(id, { id, title: k.title, key: k.key, read_only: k.read_only ?? true, created_at: at });
    }
    w.repos.set(r.full_name, repo);
  }
  for (const g of seed.pat_grants ?? []) {
    w.patGrants.push({ id: g.id, org: g.org, owner: g.owner, token_id: g.id + 50_000, token_name: g.token_name ?? `pat-${g.id}`, token_value: g.token_value, access_granted_at: at, token_expires_at: g.token_expires_at ?? null });
  }
  return w;
}

/** Is the token known and live at time `now`? (A pending revoke takes effect at `revokeAt`.) */
export function isLive(w: GhWorld, value: string | undefined, now: number): boolean {
  if (!value) return false;
  const t = w.tokens.get(value);
  if (!t || t.revoked) return false;
  if (t.revokeAt !== undefined && now >= t.revokeAt) {
    t.revoked = true;
    return false;
  }
  return true;
}

/** May this token see the repo? (Public repos: anyone.) */
export function canSee(w: GhWorld, t: GhToken | undefined, r: GhRepo): boolean {
  if (!r.private) return true;
  return !!t && canAct(w, t, r);
}

/** May this token act on the repo (membership, org access not revoked)? Scopes are checked by the route. */
export function canAct(w: GhWorld, t: GhToken, r: GhRepo): boolean {
  if (w.orgRevoked.get(r.owner)?.has(t.value)) return false;
  if (t.kind === 'installation') return t.installationOrg === r.owner;
  return t.login === r.owner || !!w.orgs.get(r.owner)?.members.has(t.login);
}

/** Classic and OAuth tokens need one of `scopes`; other kinds are governed by their grants. */
export function hasScope(t: GhToken, scopes: string[]): boolean {
  if (t.kind !== 'classic' && t.kind !== 'oauth') return true;
  return scopes.some((s) => t.scopes.includes(s));
}
