/**
 * The Hugging Face simulator's world: users, orgs, tokens (classic read/write, fine-grained,
 * legacy `api_org_`), Spaces with secrets and variables. Built from a plain seed object so
 * drills and tests describe a world as data. Secret values are write-only on the wire, but the
 * world keeps them, so a test or a drill can check which value a Space holds (and which value
 * it loaded at its last restart).
 */

export type OrgRole = 'admin' | 'write' | 'contributor' | 'read';
export type TokenRole = 'read' | 'write' | 'fineGrained';

export interface ScopedEntry {
  entity: { type: 'user' | 'org' | 'space' | 'model' | 'dataset'; name: string };
  /** e.g. `repo.content.read`, `repo.write`, `inference.serverless.write` */
  permissions: string[];
}

export interface HfUser {
  name: string;
  email?: string;
  fullname?: string;
  orgs: { name: string; role: OrgRole }[];
}

export interface HfOrg {
  name: string;
  fullname?: string;
}

export interface HfToken {
  value: string;
  /** a user name, or an org name for legacy `api_org_` tokens */
  owner: string;
  role: TokenRole;
  displayName: string;
  createdAt: string;
  scoped: ScopedEntry[];
  revoked: boolean;
  revokedAt?: string;
}

export interface HfEntry {
  value: string;
  description?: string;
  updatedAt: string;
}

export type SpaceStage = 'BUILDING' | 'APP_STARTING' | 'RUNNING' | 'RUNTIME_ERROR' | 'PAUSED' | 'SLEEPING' | 'NO_APP_FILE';

export interface HfSpace {
  /** `owner/name` */
  id: string;
  owner: string;
  sdk: 'gradio' | 'streamlit' | 'docker' | 'static';
  private: boolean;
  lastModified: string;
  secrets: Record<string, HfEntry>;
  variables: Record<string, HfEntry>;
  stage: SpaceStage;
  /** the stage becomes RUNNING at this time (ms) after a restart */
  readyAt: number;
  restarts: number;
  /** secret values the running app loaded at its last (re)start */
  running: Record<string, string>;
  hardware: string;
}

export interface HfWorld {
  users: Map<string, HfUser>;
  orgs: Map<string, HfOrg>;
  /** by token value */
  tokens: Map<string, HfToken>;
  /** by `owner/name` */
  spaces: Map<string, HfSpace>;
}

/** The seed: a plain object (YAML/JSON friendly). */
export interface HfSeed {
  users?: { name: string; email?: string; fullname?: string; orgs?: { name: string; role?: OrgRole }[] }[];
  orgs?: { name: string; fullname?: string }[];
  tokens?: {
    value: string;
    owner: string;
    role?: TokenRole;
    name?: string;
    createdAt?: string;
    scoped?: ScopedEntry[];
    revoked?: boolean;
  }[];
  spaces?: {
    id: string;
    sdk?: HfSpace['sdk'];
    private?: boolean;
    lastModified?: string;
    stage?: SpaceStage;
    secrets?: SeedEntries;
    variables?: SeedEntries;
  }[];
}

export type SeedEntries = Record<string, string | { value: string; description?: string; updatedAt?: string }>;

function entries(src: SeedEntries | undefined, at: string): Record<string, HfEntry> {
  const out: Record<string, HfEntry> = {};
  for (const [k, v] of Object.entries(src ?? {})) out[k] = typeof v === 'string' ? { value: v, updatedAt: at } : { value: v.value, description: v.description, updatedAt: v.updatedAt ?? at };
  return out;
}

export function buildWorld(seed: HfSeed = {}, now = Date.now()): HfWorld {
  const at = new Date(now).toISOString();
  const w: HfWorld = { users: new Map(), orgs: new Map(), tokens: new Map(), spaces: new Map() };
  for (const o of seed.orgs ?? []) w.orgs.set(o.name, { name: o.name, fullname: o.fullname });
  for (const u of seed.users ?? []) {
    for (const m of u.orgs ?? []) if (!w.orgs.has(m.name)) w.orgs.set(m.name, { name: m.name });
    w.users.set(u.name, { name: u.name, email: u.email, fullname: u.fullname, orgs: (u.orgs ?? []).map((m) => ({ name: m.name, role: m.role ?? 'write' })) });
  }
  for (const t of seed.tokens ?? []) {
    const legacy = t.value.startsWith('api_org_');
    if (legacy ? !w.orgs.has(t.owner) : !w.users.has(t.owner)) throw new Error(`seed: token owner ${t.owner} is not a known ${legacy ? 'org' : 'user'}`);
    w.tokens.set(t.value, {
      value: t.value,
      owner: t.owner,
      role: t.role ?? (legacy ? 'write' : 'fineGrained'),
      displayName: t.name ?? (legacy ? 'org api token' : 'token'),
      createdAt: t.createdAt ?? at,
      scoped: t.scoped ?? [],
      revoked: t.revoked ?? false,
    });
  }
  for (const s of seed.spaces ?? []) {
    const [owner] = s.id.split('/');
    if (!owner || !s.id.includes('/')) throw new Error(`seed: Space id ${s.id} must be owner/name`);
    const secrets = entries(s.secrets, at);
    w.spaces.set(s.id, {
      id: s.id,
      owner,
      sdk: s.sdk ?? 'gradio',
      private: s.private ?? false,
      lastModified: s.lastModified ?? at,
      secrets,
      variables: entries(s.variables, at),
      stage: s.stage ?? 'RUNNING',
      readyAt: 0,
      restarts: 0,
      running: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, v.value])),
      hardware: 'cpu-basic',
    });
  }
  return w;
}

/** The token behind a bearer value, if it exists and is live. */
export function liveToken(w: HfWorld, value: string | undefined): HfToken | undefined {
  if (!value) return undefined;
  const t = w.tokens.get(value);
  return t && !t.revoked ? t : undefined;
}

function memberRole(w: HfWorld, t: HfToken, org: string): OrgRole | undefined {
  if (t.value.startsWith('api_org_')) return t.owner === org ? 'write' : undefined;
  return w.users.get(t.owner)?.orgs.find((o) => o.name === org)?.role;
}

/** Can this token see the Space (public, or the token's user/org can)? */
export function canRead(w: HfWorld, t: HfToken | undefined, s: HfSpace): boolean {
  if (!s.private) return true;
  if (!t) return false;
  return t.owner === s.owner || memberRole(w, t, s.owner) !== undefined;
}

function scopeAllows(t: HfToken, s: HfSpace, perm: string): boolean {
  return t.scoped.some(
    (e) =>
      e.permissions.includes(perm) &&
      ((e.entity.type === 'space' && e.entity.name === s.id) || ((e.entity.type === 'user' || e.entity.type === 'org') && e.entity.name === s.owner)),
  );
}

/** Can this token change the Space's settings (secrets, variables, restart)? */
export function canWrite(w: HfWorld, t: HfToken, s: HfSpace): boolean {
  if (t.role === 'read') return false;
  const owns = t.owner === s.owner || ['admin', 'write'].includes(memberRole(w, t, s.owner) ?? '');
  if (!owns) return false;
  return t.role === 'fineGrained' ? scopeAllows(t, s, 'repo.write') : true;
}

/** whoami-v2 body for a live token (documented shape, PROVIDERS.md). */
export function whoamiBody(w: HfWorld, t: HfToken): Record<string, unknown> {
  const accessToken: Record<string, unknown> = { displayName: t.displayName, role: t.role, createdAt: t.createdAt };
  if (t.role === 'fineGrained') {
    accessToken.fineGrained = {
      canReadGatedRepos: false,
      global: [],
      scoped: t.scoped.map((e) => ({ entity: { _id: `${e.entity.type}-${e.entity.name}`, type: e.entity.type, name: e.entity.name }, permissions: e.permissions })),
    };
  }
  const auth = { type: 'access_token', accessToken };
  if (t.value.startsWith('api_org_')) {
    const o = w.orgs.get(t.owner);
    return { type: 'org', id: `org-${t.owner}`, name: t.owner, fullname: o?.fullname ?? t.owner, auth };
  }
  const u = w.users.get(t.owner);
  return {
    type: 'user',
    id: `user-${t.owner}`,
    name: t.owner,
    fullname: u?.fullname ?? t.owner,
    email: u?.email ?? null,
    emailVerified: true,
    isPro: false,
    canPay: false,
    avatarUrl: '',
    periodEnd: null,
    orgs: (u?.orgs ?? []).map((m) => ({ type: 'org', id: `org-${m.name}`, name: m.name, fullname: w.orgs.get(m.name)?.fullname ?? m.name, roleInOrg: m.role })),
    auth,
  };
}
