/**
 * The world's mutable state as plain data: tokens revoked, Space secrets rotated and restarts,
 * alerts resolved, keys deactivated, created or deleted, Secrets Manager versions, messages and
 * mails delivered, pages open. Used whole (the snapshot in `state.json`) and in parts (an effect
 * in `effects.jsonl` carries only the objects a request changed: ./world/durable.ts).
 *
 * Credential values are never saved: a value is saved as a reference (`{c: id}` for a world
 * credential, `{g: label}` for a generated value — keys the simulator created included — `{a: n}`
 * for one the attacker made) and rebuilt from the seed; a value the world cannot name comes back
 * as a placeholder. Text that holds such values (a Secrets Manager version) keeps each one as
 * `⟦ref⟧`, the rest redacted. Message bodies are not kept (only what read-backs answer with).
 *
 * Restoring is "set": a keyed object replaces its namesake (or is added); listed messages, mails
 * and events are appended. So a snapshot followed by its effects, in order, rebuilds the world.
 */
import type { Redactor } from '../core/secrets/redactor.js';
import type { Adversary } from './adversary.js';
import type { LiveWorld } from './world/live.js';
import type { ValueMaker } from './world/values.js';
import type { TrailEvent } from './simulators/aws/world.js';

export type Ref = { c: string } | { g: string } | { a: number } | { u: string };

export interface WorldSnapshot {
  hf?: {
    tokens: { ref: Ref; revoked: boolean; revokedAt?: string; owner: string; role: string }[];
    spaces: { id: string; secrets: Record<string, { ref: Ref; updatedAt: string }>; running: Record<string, Ref>; variables: Record<string, { value: string; updatedAt: string }>; restarts: number }[];
  };
  github?: {
    /** `revoked`: dead now; `revokeAt`: a revoke accepted, taking effect then (ms) */
    tokens: { ref: Ref; revoked: boolean; revokeAt?: number; gone?: boolean }[];
    alerts: { repo: string; number: number; state: string; resolution: string | null }[];
    secrets: { repo: string; name: string; ref: Ref }[];
  };
  /** `keys`: the scenario's keys; `created`: keys CreateAccessKey made (the runbook's or the attacker's) */
  aws?: {
    keys: { ref: Ref; status: string; present: boolean }[];
    created?: { n: number; user: string; status: string; present: boolean }[];
    secrets?: { name: string; versions: { id: string; value: string; stages: string[] }[] }[];
    /** inline policies of users and roles (deny-all, AWSRevokeOlderSessions) */
    inline?: { holder: string; policies: Record<string, string> }[];
    /** role sessions the attacker assumed (ids come from the seed: `n` names one) */
    sessions?: { n: number; role: string; issued: string; source: string }[];
    /** CloudTrail events (appended) */
    trail?: TrailEvent[];
  };
  /* slack message `channel` is the channel's name (ids are made anew at each start) */
  slack?: { tokens: { ref: Ref; state: string }[]; messages: { channel: string; ts: string; metadata?: unknown }[] };
  smtp?: { messages: { from: string; to: string[]; messageId: string; dedupeId: string | undefined; subject: string; receivedAt: string }[] };
  pagerduty?: { incidents: unknown[]; events: unknown[] };
}

export type Section = keyof WorldSnapshot;
export const SECTIONS: readonly Section[] = ['hf', 'github', 'aws', 'slack', 'smtp', 'pagerduty'];

/**
 * value ↔ reference for everything the world can name. Kept up to date by counters (how many
 * credentials, generated values and attacker tokens it has taken in), so a lookup is O(1): a
 * drill names a value on every effect, and a rescan per lookup made a 10,000-token drill
 * quadratic per effect (issue 15).
 */
export class Naming {
  readonly #byValue = new Map<string, Ref>();
  #creds = 0;
  #gen = 0;
  #adv = 0;
  constructor(
    private readonly w: LiveWorld,
    private readonly adv: Adversary,
  ) {}
  #refresh(): Map<string, Ref> {
    const m = this.#byValue;
    const { credentials, generated } = this.w.built;
    if (credentials.size !== this.#creds) {
      let i = 0;
      for (const c of credentials.values()) {
        if (i++ < this.#creds) continue;
        m.set(c.value, { c: c.id });
        if (c.secret) m.set(c.secret, { c: `${c.id}#secret` });
      }
      this.#creds = credentials.size;
    }
    if (generated.size !== this.#gen) {
      let i = 0;
      for (const [label, v] of generated) if (i++ >= this.#gen) m.set(v, { g: label });
      this.#gen = generated.size;
    }
    const made = this.adv.created;
    for (; this.#adv < made.length; this.#adv++) {
      const x = made[this.#adv]!;
      if (x.service === 'huggingface') m.set(x.value, { a: x.n });
    }
    return m;
  }
  ref(v: string, where: string): Ref {
    return this.#refresh().get(v) ?? { u: where };
  }
  /** text with every value the world can name as `⟦ref⟧`, the rest redacted */
  encode(text: string, redactor: Redactor): string {
    let out = text;
    const known = [...this.#refresh()].filter(([v]) => v.length >= 8).sort((a, b) => b[0].length - a[0].length);
    for (const [v, r] of known) if (out.includes(v)) out = out.split(v).join(`⟦${JSON.stringify(r)}⟧`);
    return redactor.redact(out);
  }
}

type HfState = NonNullable<LiveWorld['hf']>['state'];
type HfTokenSnap = NonNullable<WorldSnapshot['hf']>['tokens'][number];
type HfSpaceSnap = NonNullable<WorldSnapshot['hf']>['spaces'][number];

const hfToken = (t: HfState['tokens'] extends Map<string, infer T> ? T : never, n: Naming): HfTokenSnap => ({ ref: n.ref(t.value, `token:${t.owner}`), revoked: t.revoked, revokedAt: t.revokedAt, owner: t.owner, role: t.role });
const hfSpace = (sp: HfState['spaces'] extends Map<string, infer S> ? S : never, n: Naming, redactor: Redactor): HfSpaceSnap => ({
  id: sp.id,
  secrets: Object.fromEntries(Object.entries(sp.secrets).map(([k, e]) => [k, { ref: n.ref(e.value, `${sp.id}/${k}`), updatedAt: e.updatedAt }])),
  running: Object.fromEntries(Object.entries(sp.running).map(([k, v]) => [k, n.ref(v, `${sp.id}/${k}`)])),
  variables: Object.fromEntries(Object.entries(sp.variables).map(([k, e]) => [k, { value: redactor.redact(e.value), updatedAt: e.updatedAt }])),
  restarts: sp.restarts,
});

/** What one Hugging Face request can have changed: the tokens (by value) and Spaces (by id) it names. */
export interface HfTouched {
  tokens: readonly string[];
  spaces: readonly string[];
}

/**
 * The Hugging Face objects a request touched, captured exactly as the whole-section capture
 * would capture them — O(touched), not O(world): a drill commits an effect per request.
 */
export function captureHfTouched(w: LiveWorld, n: Naming, redactor: Redactor, touched: HfTouched): NonNullable<WorldSnapshot['hf']> | undefined {
  if (!w.hf) return undefined;
  const st = w.hf.state;
  const tokens: HfTokenSnap[] = [];
  const spaces: HfSpaceSnap[] = [];
  for (const v of touched.tokens) {
    const t = st.tokens.get(v);
    if (t) tokens.push(hfToken(t, n));
  }
  for (const id of touched.spaces) {
    const sp = st.spaces.get(id);
    if (sp) spaces.push(hfSpace(sp, n, redactor));
  }
  return { tokens, spaces };
}

const capture = {
  hf(w: LiveWorld, n: Naming, redactor: Redactor): WorldSnapshot['hf'] {
    const st = w.hf!.state;
    return {
      tokens: [...st.tokens.values()].map((t) => hfToken(t, n)),
      spaces: [...st.spaces.values()].map((sp) => hfSpace(sp, n, redactor)),
    };
  },
  github(w: LiveWorld, n: Naming): WorldSnapshot['github'] {
    const st = w.github!.state;
    return {
      tokens: [...st.tokens.values()].map((t) => ({ ref: n.ref(t.value, `gh:${t.login}`), revoked: !w.github!.isLive(t.value), ...(t.revokeAt !== undefined ? { revokeAt: t.revokeAt } : {}), ...(t.revoked ? { gone: true } : {}) })),
      alerts: [...st.repos.values()].flatMap((r) => r.alerts.map((a) => ({ repo: r.full_name, number: a.number, state: a.state, resolution: a.resolution }))),
      secrets: [...st.repos.values()].flatMap((r) => [...r.secrets.entries()].map(([name, x]) => ({ repo: r.full_name, name, ref: n.ref(x.value, `${r.full_name}/${name}`) }))),
    };
  },
  aws(w: LiveWorld, n: Naming, redactor: Redactor): WorldSnapshot['aws'] {
    const aw = w.aws!.world;
    const known = [...w.built.credentials.values()].filter((c) => c.service === 'aws');
    const created: NonNullable<NonNullable<WorldSnapshot['aws']>['created']> = [];
    for (let i = 1; i <= aw.created; i++) {
      const id = w.built.generated.get(`aws-key:${i}`);
      const k = id ? aw.keys.get(id) : undefined;
      created.push({ n: i, user: k?.user ?? '', status: k?.status ?? 'Inactive', present: !!k });
    }
    return {
      keys: known.map((c) => ({ ref: { c: c.id } as Ref, status: aw.keys.get(c.value)?.status ?? 'Inactive', present: aw.keys.has(c.value) })),
      ...(created.length ? { created } : {}),
      secrets: [...aw.secrets.values()].map((s) => ({ name: s.name, versions: s.versions.map((v) => ({ id: v.id, value: n.encode(v.value, redactor), stages: [...v.stages] })) })),
      inline: [
        ...[...aw.users.values()].map((u) => ({ holder: `user/${u.name}`, policies: Object.fromEntries(u.inline) })),
        ...[...aw.roles.values()].map((r) => ({ holder: `role/${r.name}`, policies: Object.fromEntries(r.inline) })),
      ],
      sessions: [...aw.sessions.values()].map((x) => ({ n: x.n, role: x.role, issued: x.issued.toISOString(), source: x.source })),
      trail: aw.trail.map((e) => ({ ...e })),
    };
  },
  slack(w: LiveWorld, n: Naming, _r: Redactor, adv: Adversary): WorldSnapshot['slack'] {
    const names = new Map([...w.slack!.channels.values()].map((c) => [c.id, c.name]));
    return {
      tokens: [...w.slack!.tokens.entries()].map(([v, t]) => ({ ref: n.ref(v, `slack:${t.user}`), state: t.state })),
      // the attacker's posts are not notifications (its records say what it did)
      messages: w.slack!.messages.filter((m) => !adv.posted.has(m.ts)).map((m) => ({ channel: names.get(m.channel) ?? m.channel, ts: m.ts, metadata: m.metadata })),
    };
  },
  smtp(w: LiveWorld, _n: Naming, redactor: Redactor): WorldSnapshot['smtp'] {
    return { messages: w.smtp!.messages.map((m) => ({ from: m.from, to: m.to, messageId: m.messageId, dedupeId: m.dedupeId, subject: redactor.redact(m.subject), receivedAt: m.receivedAt })) };
  },
  pagerduty(w: LiveWorld): WorldSnapshot['pagerduty'] {
    return { incidents: w.pagerduty!.incidents.map((i) => ({ ...i })), events: w.pagerduty!.events.map((e) => ({ ...e })) };
  },
};

const present: Record<Section, (w: LiveWorld) => boolean> = { hf: (w) => !!w.hf, github: (w) => !!w.github, aws: (w) => !!w.aws, slack: (w) => !!w.slack, smtp: (w) => !!w.smtp, pagerduty: (w) => !!w.pagerduty };

/** One section of the world (the one a simulator owns), or undefined when that simulator is not running. */
export function captureSection(w: LiveWorld, section: Section, naming: Naming, redactor: Redactor, adv: Adversary): unknown {
  if (!present[section](w)) return undefined;
  return (capture[section] as (w: LiveWorld, n: Naming, r: Redactor, a: Adversary) => unknown)(w, naming, redactor, adv);
}

export function captureWorld(w: LiveWorld, adv: Adversary, redactor: Redactor, naming = new Naming(w, adv)): WorldSnapshot {
  const s: Record<string, unknown> = {};
  for (const sec of SECTIONS) {
    const v = captureSection(w, sec, naming, redactor, adv);
    if (v !== undefined) s[sec] = v;
  }
  return s as WorldSnapshot;
}

/** Apply a snapshot (or an effect's part of one) to a world started from the same seed. */
export function restoreWorld(w: LiveWorld, snap: WorldSnapshot, v: ValueMaker, adv: Adversary): void {
  const generated = w.built.generated;
  const value = (r: Ref, owner = ''): string => {
    if ('c' in r) {
      const [id, part] = r.c.split('#');
      const c = w.built.credentials.get(id!);
      return (part === 'secret' ? c?.secret : c?.value) ?? v.generated(`missing:${r.c}`, 'opaque');
    }
    if ('g' in r) return generated.get(r.g) ?? v.generated(r.g, 'opaque');
    if ('a' in r) return adv.attackerToken(r.a, owner);
    return v.generated(`restored:${r.u}`, 'opaque');
  };
  const decode = (text: string) => text.replace(/⟦(\{[^⟧]*\})⟧/g, (_m, json: string) => value(JSON.parse(json) as Ref));
  if (w.hf && snap.hf) {
    const st = w.hf.state;
    for (const t of snap.hf.tokens ?? []) {
      const val = value(t.ref, t.owner);
      const cur = st.tokens.get(val);
      if (cur) Object.assign(cur, { revoked: t.revoked, revokedAt: t.revokedAt });
      else if (st.users.has(t.owner) || st.orgs.has(t.owner)) st.tokens.set(val, { value: val, owner: t.owner, role: t.role as 'write', displayName: 'restored', createdAt: new Date().toISOString(), scoped: [], revoked: t.revoked, revokedAt: t.revokedAt });
    }
    for (const sp of snap.hf.spaces ?? []) {
      const cur = st.spaces.get(sp.id);
      if (!cur) continue;
      cur.secrets = Object.fromEntries(Object.entries(sp.secrets).map(([k, e]) => [k, { value: value(e.ref), updatedAt: e.updatedAt }]));
      cur.running = Object.fromEntries(Object.entries(sp.running).map(([k, r]) => [k, value(r)]));
      cur.variables = sp.variables;
      cur.restarts = sp.restarts;
    }
  }
  if (w.github && snap.github) {
    const st = w.github.state;
    for (const t of snap.github.tokens ?? []) {
      const cur = st.tokens.get(value(t.ref));
      if (!cur) continue;
      // an older snapshot has `revoked` only
      cur.revoked = t.gone ?? (t.revokeAt === undefined ? t.revoked : false);
      cur.revokeAt = t.revokeAt;
    }
    for (const a of snap.github.alerts ?? []) {
      const cur = st.repos.get(a.repo)?.alerts.find((x) => x.number === a.number);
      if (cur) Object.assign(cur, { state: a.state, resolution: a.resolution });
    }
    for (const x of snap.github.secrets ?? []) {
      const cur = st.repos.get(x.repo)?.secrets.get(x.name);
      if (cur) cur.value = value(x.ref);
    }
  }
  if (w.aws && snap.aws) {
    const aw = w.aws.world;
    for (const k of snap.aws.created ?? []) {
      aw.created = Math.max(aw.created, k.n);
      const made = aw.keyMaker?.(k.n);
      if (!made) continue;
      const cur = aw.keys.get(made.id);
      if (!k.present) aw.keys.delete(made.id);
      else if (cur) cur.status = k.status as 'Active' | 'Inactive';
      else if (aw.users.has(k.user)) aw.keys.set(made.id, { id: made.id, secret: made.secret, user: k.user, status: k.status as 'Active', created: new Date() });
    }
    for (const k of snap.aws.keys ?? []) {
      const val = value(k.ref);
      const cur = w.aws.world.keys.get(val);
      if (!cur) continue;
      if (!k.present) w.aws.world.keys.delete(val);
      else cur.status = k.status as 'Active' | 'Inactive';
    }
    for (const s of snap.aws.secrets ?? []) {
      const cur = aw.secrets.get(s.name);
      if (cur) cur.versions = s.versions.map((x) => ({ id: x.id, value: decode(x.value), stages: [...x.stages], created: new Date() }));
    }
    for (const x of snap.aws.inline ?? []) {
      const [kind, name = ''] = x.holder.split('/');
      const h = kind === 'user' ? aw.users.get(name) : aw.roles.get(name);
      if (h) h.inline = new Map(Object.entries(x.policies));
    }
    for (const x of snap.aws.sessions ?? []) {
      const id = aw.sessionMaker?.(x.n);
      if (id) aw.sessions.set(id, { n: x.n, id, role: x.role, issued: new Date(x.issued), source: x.source });
    }
    aw.trail.push(...(snap.aws.trail ?? []));
  }
  if (w.slack && snap.slack) {
    for (const t of snap.slack.tokens ?? []) {
      const cur = w.slack.tokens.get(value(t.ref));
      if (cur) cur.state = t.state as 'live' | 'revoked';
    }
    const ids = new Map([...w.slack.channels.values()].map((c) => [c.name, c.id]));
    for (const m of snap.slack.messages ?? []) w.slack.messages.push({ channel: ids.get(m.channel) ?? m.channel, ts: m.ts, via: 'api' as const, metadata: m.metadata as never });
  }
  if (w.smtp && snap.smtp) w.smtp.messages.push(...snap.smtp.messages.map((m) => ({ ...m, headers: {}, text: undefined, html: undefined, user: undefined, raw: '' })));
  if (w.pagerduty && snap.pagerduty) {
    w.pagerduty.restore((snap.pagerduty.incidents ?? []) as typeof w.pagerduty.incidents);
    w.pagerduty.events.push(...((snap.pagerduty.events ?? []) as typeof w.pagerduty.events));
  }
}
