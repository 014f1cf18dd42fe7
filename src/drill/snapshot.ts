/**
 * The world's mutable state, saved so that a stopped drill resumes where it was: tokens
 * revoked, Space secrets rotated and restarts, alerts resolved, keys deactivated or deleted,
 * messages and mails delivered, pages open. Credential values are never saved: a value is
 * saved as a reference (`{c: id}` for a world credential, `{g: label}` for a generated value,
 * `{a: n}` for one the attacker made) and rebuilt from the seed; a value the world cannot name
 * (e.g. a key the runbook created) comes back as a fresh placeholder. Message bodies are not
 * kept (only what the read-back endpoints answer with).
 */
import type { Redactor } from '../core/secrets/redactor.js';
import type { Adversary } from './adversary.js';
import type { LiveWorld } from './world/live.js';
import type { ValueMaker } from './world/values.js';

type Ref = { c: string } | { g: string } | { a: number } | { u: string };

export interface WorldSnapshot {
  hf?: {
    tokens: { ref: Ref; revoked: boolean; revokedAt?: string; owner: string; role: string }[];
    spaces: { id: string; secrets: Record<string, { ref: Ref; updatedAt: string }>; running: Record<string, Ref>; variables: Record<string, { value: string; updatedAt: string }>; restarts: number }[];
  };
  github?: { tokens: { ref: Ref; revoked: boolean }[]; alerts: { repo: string; number: number; state: string; resolution: string | null }[]; secrets: { repo: string; name: string; ref: Ref }[] };
  aws?: { keys: { ref: Ref; status: string; present: boolean }[] };
  slack?: { tokens: { ref: Ref; state: string }[]; messages: { channel: string; ts: string; metadata?: unknown }[] };
  /* slack message `channel` is the channel's name (ids are made anew at each start) */
  smtp?: { messages: { from: string; to: string[]; messageId: string; dedupeId: string | undefined; subject: string; receivedAt: string }[] };
  pagerduty?: { incidents: unknown[]; events: unknown[] };
}

/** value ↔ reference for everything the world can name. */
function naming(w: LiveWorld, adv: Adversary, generated: Map<string, string>) {
  const byValue = new Map<string, Ref>();
  for (const c of w.built.credentials.values()) byValue.set(c.value, { c: c.id });
  for (const [label, v] of generated) byValue.set(v, { g: label });
  for (const x of adv.created) if (x.service === 'huggingface') byValue.set(x.value, { a: x.n });
  return (v: string, where: string): Ref => byValue.get(v) ?? { u: where };
}

export function captureWorld(w: LiveWorld, adv: Adversary, redactor: Redactor): WorldSnapshot {
  const ref = naming(w, adv, w.built.generated);
  const s: WorldSnapshot = {};
  if (w.hf) {
    const st = w.hf.state;
    s.hf = {
      tokens: [...st.tokens.values()].map((t) => ({ ref: ref(t.value, `token:${t.owner}`), revoked: t.revoked, revokedAt: t.revokedAt, owner: t.owner, role: t.role })),
      spaces: [...st.spaces.values()].map((sp) => ({
        id: sp.id,
        secrets: Object.fromEntries(Object.entries(sp.secrets).map(([k, e]) => [k, { ref: ref(e.value, `${sp.id}/${k}`), updatedAt: e.updatedAt }])),
        running: Object.fromEntries(Object.entries(sp.running).map(([k, v]) => [k, ref(v, `${sp.id}/${k}`)])),
        variables: Object.fromEntries(Object.entries(sp.variables).map(([k, e]) => [k, { value: redactor.redact(e.value), updatedAt: e.updatedAt }])),
        restarts: sp.restarts,
      })),
    };
  }
  if (w.github) {
    const st = w.github.state;
    s.github = {
      tokens: [...st.tokens.values()].map((t) => ({ ref: ref(t.value, `gh:${t.login}`), revoked: !w.github!.isLive(t.value) })),
      alerts: [...st.repos.values()].flatMap((r) => r.alerts.map((a) => ({ repo: r.full_name, number: a.number, state: a.state, resolution: a.resolution }))),
      secrets: [...st.repos.values()].flatMap((r) => [...r.secrets.entries()].map(([name, x]) => ({ repo: r.full_name, name, ref: ref(x.value, `${r.full_name}/${name}`) }))),
    };
  }
  if (w.aws) {
    const keys = w.aws.world.keys;
    const known = [...w.built.credentials.values()].filter((c) => c.service === 'aws');
    s.aws = { keys: known.map((c) => ({ ref: { c: c.id } as Ref, status: keys.get(c.value)?.status ?? 'Inactive', present: keys.has(c.value) })) };
  }
  if (w.slack) {
    const names = new Map([...w.slack.channels.values()].map((c) => [c.id, c.name]));
    s.slack = {
      tokens: [...w.slack.tokens.entries()].map(([v, t]) => ({ ref: ref(v, `slack:${t.user}`), state: t.state })),
      messages: w.slack.messages.filter((m) => !adv.posted.has(m.ts)).map((m) => ({ channel: names.get(m.channel) ?? m.channel, ts: m.ts, metadata: m.metadata })),
    };
  }
  if (w.smtp) s.smtp = { messages: w.smtp.messages.map((m) => ({ from: m.from, to: m.to, messageId: m.messageId, dedupeId: m.dedupeId, subject: redactor.redact(m.subject), receivedAt: m.receivedAt })) };
  if (w.pagerduty) s.pagerduty = { incidents: w.pagerduty.incidents.map((i) => ({ ...i })), events: w.pagerduty.events.map((e) => ({ ...e })) };
  return s;
}

/** Apply a snapshot to a freshly started world (same seed). */
export function restoreWorld(w: LiveWorld, snap: WorldSnapshot, v: ValueMaker, adv: Adversary): void {
  const generated = w.built.generated;
  const value = (r: Ref, owner = ''): string => {
    if ('c' in r) return w.built.credentials.get(r.c)?.value ?? v.generated(`missing:${r.c}`, 'opaque');
    if ('g' in r) return generated.get(r.g) ?? v.generated(r.g, 'opaque');
    if ('a' in r) return adv.attackerToken(r.a, owner);
    return v.generated(`restored:${r.u}`, 'opaque');
  };
  if (w.hf && snap.hf) {
    const st = w.hf.state;
    for (const t of snap.hf.tokens) {
      const val = value(t.ref, t.owner);
      const cur = st.tokens.get(val);
      if (cur) Object.assign(cur, { revoked: t.revoked, revokedAt: t.revokedAt });
      else if (st.users.has(t.owner) || st.orgs.has(t.owner)) st.tokens.set(val, { value: val, owner: t.owner, role: t.role as 'write', displayName: 'restored', createdAt: new Date().toISOString(), scoped: [], revoked: t.revoked, revokedAt: t.revokedAt });
    }
    for (const sp of snap.hf.spaces) {
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
    for (const t of snap.github.tokens) {
      const cur = st.tokens.get(value(t.ref));
      if (cur) cur.revoked = t.revoked;
    }
    for (const a of snap.github.alerts) {
      const cur = st.repos.get(a.repo)?.alerts.find((x) => x.number === a.number);
      if (cur) Object.assign(cur, { state: a.state, resolution: a.resolution });
    }
    for (const x of snap.github.secrets) {
      const cur = st.repos.get(x.repo)?.secrets.get(x.name);
      if (cur) cur.value = value(x.ref);
    }
  }
  if (w.aws && snap.aws) {
    for (const k of snap.aws.keys) {
      const val = value(k.ref);
      const cur = w.aws.world.keys.get(val);
      if (!cur) continue;
      if (!k.present) w.aws.world.keys.delete(val);
      else cur.status = k.status as 'Active' | 'Inactive';
    }
  }
  if (w.slack && snap.slack) {
    for (const t of snap.slack.tokens) {
      const cur = w.slack.tokens.get(value(t.ref));
      if (cur) cur.state = t.state as 'live' | 'revoked';
    }
    const ids = new Map([...w.slack.channels.values()].map((c) => [c.name, c.id]));
    w.slack.messages.push(...snap.slack.messages.map((m) => ({ ...m, channel: ids.get(m.channel) ?? m.channel, via: 'api' as const, metadata: m.metadata as never })));
  }
  if (w.smtp && snap.smtp) w.smtp.messages.push(...snap.smtp.messages.map((m) => ({ ...m, headers: {}, text: undefined, html: undefined, user: undefined, raw: '' })));
  if (w.pagerduty && snap.pagerduty) {
    w.pagerduty.restore(snap.pagerduty.incidents as typeof w.pagerduty.incidents);
    w.pagerduty.events.push(...(snap.pagerduty.events as typeof w.pagerduty.events));
  }
}
