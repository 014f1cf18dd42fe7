#!/usr/bin/env node
// Data shaping for runbooks/hf-spaces-secrets-exposure.yaml (read-only, no network; runs in
// drills too: `drill.safe`). Prints JSON on stdout; never prints a secret value.
//
// The JSON document (SPACES, VERIFY) comes on stdin, or in the environment variable when it is set;
// stdin because it grows with the incident, and one environment value is limited to 128 KiB.
//
//   scope   SPACES=<toJSON of the find-secrets step's outputs>  EXPORT_DIR=<folder>
//           → which in-scope Space secrets hold a Hugging Face token (per the team's export of
//             secret values, one file per secret: <owner>/<space>/<KEY>), which hold something
//             else, and which Spaces need a restart.
//   owners  VERIFY=<toJSON of the verify step's outputs>  CONTACTS=<JSON file: name → e-mail>
//           → one entry per owner of a live token, with their e-mail (each is mailed once).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const HF_TOKEN = /^(?:hf_|api_org_)[A-Za-z0-9]{34}$/;

function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    process.stderr.write(`hf-spaces-scope: ${name} is not set\n`);
    process.exit(2);
  }
  return v;
}

/** The JSON document: from the environment variable when set, else from stdin. */
function doc(name) {
  const v = process.env[name];
  const text = v !== undefined && v !== '' ? v : readFileSync(0, 'utf8');
  if (text.trim() === '') {
    process.stderr.write(`hf-spaces-scope: give ${name} on stdin (or in the environment)\n`);
    process.exit(2);
  }
  return JSON.parse(text);
}

function scope() {
  const listed = doc('SPACES');
  const dir = resolve(env('EXPORT_DIR'));
  const out = { token_files: [], rotate: [], review: [], spaces: [], unlisted: [], missing: [] };
  for (const s of listed.items ?? []) {
    if (!s) continue;
    if (!s.supported) {
      out.unlisted.push(s.space);
      continue;
    }
    let restart = false;
    for (const sec of s.secrets ?? []) {
      if (!sec.in_scope) continue;
      const file = join(dir, ...s.space.split('/'), sec.key);
      if (!existsSync(file) || !statSync(file).isFile()) {
        out.missing.push({ space: s.space, key: sec.key });
        continue;
      }
      const value = readFileSync(file, 'utf8').trim();
      if (HF_TOKEN.test(value)) {
        out.token_files.push(file);
        out.rotate.push({ space: s.space, key: sec.key, id: `${s.space}/${sec.key}` });
        restart = true;
      } else out.review.push({ space: s.space, key: sec.key, id: `${s.space}/${sec.key}` });
    }
    if (restart) out.spaces.push(s.space);
  }
  out.review_list = out.review.map((r) => `- ${r.space}: ${r.key}`).join('\n') || '- (none)';
  out.summary = `${out.rotate.length} Space secret(s) hold a Hugging Face token in ${out.spaces.length} Space(s); ${out.review.length} other secret(s) in scope; ${out.missing.length} not in the export; ${out.unlisted.length} Space(s) could not be listed`;
  return out;
}

function owners() {
  const verified = doc('VERIFY');
  const contacts = JSON.parse(readFileSync(resolve(env('CONTACTS')), 'utf8'));
  const by = new Map();
  for (const t of verified.items ?? []) {
    if (!t || !t.live || !t.name) continue;
    const o = by.get(t.name) ?? { user: t.name, email: contacts[t.name] ?? null, tokens: 0, replace: 0 };
    o.tokens++;
    if (t.replace) o.replace++;
    by.set(t.name, o);
  }
  const all = [...by.values()].sort((a, b) => a.user.localeCompare(b.user));
  const notify = all.filter((o) => o.email);
  return {
    notify,
    no_contact: all.filter((o) => !o.email).map((o) => o.user),
    owners: all.map((o) => `${o.user} (${o.tokens} token${o.tokens === 1 ? '' : 's'}${o.replace ? `, ${o.replace} classic or legacy` : ''})`).join(', ') || 'nobody',
    // for a chat message (Slack takes 40,000 characters): the first 20 owners and a count
    owners_brief: (all.length > 20 ? `${all.slice(0, 20).map((o) => o.user).join(', ')} and ${all.length - 20} more` : all.map((o) => o.user).join(', ')) || 'nobody',
    live: (verified.items ?? []).filter((t) => t && t.live).length,
  };
}

const mode = process.argv[2];
if (mode !== 'scope' && mode !== 'owners') {
  process.stderr.write('usage: hf-spaces-scope.mjs scope|owners (see the header)\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(mode === 'scope' ? scope() : owners()) + '\n');
