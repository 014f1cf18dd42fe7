/**
 * What a gate item is about, from what the run already found (pure): which credential — its
 * owner, role, last 4 characters and where it was found — gathered from earlier steps' results
 * for the same item key, and from any earlier result that holds the same secret (matched by
 * its keyed fingerprint, never by value). Identifiers are shown in full; secrets as …last4.
 */
import type { StepView } from '../../store/types.js';

interface StoredSecretLike {
  $secret: string;
  fingerprint?: string;
  last4?: string;
}

const isSecretRef = (v: unknown): v is StoredSecretLike => !!v && typeof v === 'object' && typeof (v as { $secret?: unknown }).$secret === 'string';

/** Fields worth showing, in the order shown: who owns it, what it may do, where it was. */
const OWNER = ['owner', 'user', 'login', 'name', 'account', 'user_name', 'UserName'];
const KIND = ['type'];
const ROLE = ['role', 'scopes', 'permissions', 'policy'];
const LABEL = ['token_name', 'display_name', 'label', 'key_id', 'access_key_id', 'AccessKeyId', 'id'];
const WHERE = ['file', 'path', 'location', 'source', 'repo', 'space'];

type Facts = Record<string, string>;

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '' && v.length <= 200) return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length > 0 && v.length <= 8 && v.every((x) => typeof x === 'string')) return v.join(', ');
  return undefined;
}

function take(into: Facts, o: Record<string, unknown>): void {
  for (const k of [...OWNER, ...KIND, ...ROLE, ...LABEL, ...WHERE, 'line', 'live']) {
    const v = scalar(o[k]);
    if (v !== undefined && into[k] === undefined) into[k] = v;
  }
}

/** Secrets (as stored: fingerprint + last4) inside a value. */
export function secretsIn(v: unknown, out: StoredSecretLike[] = [], depth = 0): StoredSecretLike[] {
  if (depth > 12 || v === null || typeof v !== 'object') return out;
  if (isSecretRef(v)) {
    out.push(v);
    return out;
  }
  for (const x of Array.isArray(v) ? v : Object.values(v)) secretsIn(x, out, depth + 1);
  return out;
}

/** Objects (at any depth) that hold a secret with one of these fingerprints. */
function holders(v: unknown, fps: ReadonlySet<string>, out: Record<string, unknown>[], depth = 0): void {
  if (depth > 12 || v === null || typeof v !== 'object' || isSecretRef(v)) return;
  if (!Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (Object.values(o).some((x) => isSecretRef(x) && x.fingerprint !== undefined && fps.has(x.fingerprint))) out.push(o);
  }
  for (const x of Array.isArray(v) ? v : Object.values(v)) holders(x, fps, out, depth + 1);
}

function shortPath(p: string): string {
  const parts = p.split('/').filter(Boolean);
  return parts.length > 4 ? `…/${parts.slice(-4).join('/')}` : p;
}

/** The facts about one item of a gated step, from the other steps' results in the store. */
export function itemFacts(steps: ReadonlyMap<string, StepView>, stepId: string, key: string, input: unknown, kind?: string): Facts {
  const facts: Facts = {};
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    // the input names what the call acts on (a Space, a repo, a user): shown as its target
    const own: Facts = {};
    take(own, input as Record<string, unknown>);
    const target = WHERE.map((k) => own[k]).find(Boolean);
    for (const k of WHERE) delete own[k];
    Object.assign(facts, own);
    if (target) facts.target = target;
  }
  const secrets = secretsIn(input);
  const fps = new Set(secrets.map((s) => s.fingerprint).filter((x): x is string => !!x));
  const last4 = secrets.find((s) => s.last4)?.last4;
  if (last4) facts[kind === 'rotate' ? 'newLast4' : 'last4'] = last4;
  for (const [id, st] of steps) {
    if (id === stepId) continue;
    const it = key !== '-' ? st.items[key] : undefined;
    if (it?.output && typeof it.output === 'object' && !Array.isArray(it.output)) take(facts, it.output as Record<string, unknown>);
    if (fps.size > 0) {
      const found: Record<string, unknown>[] = [];
      holders(st.outputs, fps, found);
      for (const k of st.itemOrder) {
        const other = st.items[k];
        holders(other?.output, fps, found);
        // an earlier call made with the same secret (a liveness check): what it found is about this credential (whose it is)
        const out = other?.output;
        if (out && typeof out === 'object' && !Array.isArray(out) && secretsIn(other?.input).some((x) => x.fingerprint !== undefined && fps.has(x.fingerprint))) found.push(out as Record<string, unknown>);
      }
      for (const o of found) take(facts, o);
    }
  }
  return facts;
}

/** One line: `alice (user) · role write · token laptop · …FOJD · found in …/HF_TOKEN:1` */
export function factsText(f: Facts): string {
  const parts: string[] = [];
  const owner = OWNER.map((k) => f[k]).find(Boolean);
  if (owner) parts.push(`${owner}${f.type ? ` (${f.type})` : ''}`);
  const role = ROLE.map((k) => f[k]).find(Boolean);
  if (role) parts.push(`role ${role}`);
  const label = LABEL.map((k) => f[k]).find(Boolean);
  if (label) parts.push(`${f.token_name ? 'token ' : ''}${label}`);
  if (f.last4) parts.push(`…${f.last4}`);
  if (f.target) parts.push(`in ${f.target}`);
  if (f.newLast4) parts.push(`new value …${f.newLast4}`);
  const where = WHERE.map((k) => f[k]).find(Boolean);
  if (where) parts.push(`found in ${shortPath(where)}${f.line ? `:${f.line}` : ''}`);
  if (f.live === 'false') parts.push('already dead');
  return parts.join(' · ');
}
