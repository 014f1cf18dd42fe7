// A drill scenario for runbooks/hf-spaces-secrets-exposure.yaml with N leaked Hub tokens
// (issue 15: breach scale). Four token secrets per Space, four tokens per user; no value is
// written (the drill generates every credential at start).
//
//   node test/helpers/scale-world.mjs N OUT.scenario.yaml
//
// Used by test/drill/scale.e2e.test.ts; bench/ may carry its own generator.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export function scaleScenario(n) {
  const users = Math.max(1, Math.ceil(n / 4));
  const spaces = Math.max(1, Math.ceil(n / 4));
  const L = [];
  L.push('version: 1', `name: hf-spaces-scale-${n}`, `description: ${n} leaked Hub tokens in ${spaces} Spaces of acme-ml`, 'seed: 15', 'time_scale: 10', '');
  L.push('inputs:', '  org: acme-ml', '  exposed_before: "2024-05-31T00:00:00Z"', '  secrets_export: "{workspace}/space-secrets"', '  contacts: "{workspace}/contacts.json"', '  security_channel: security-incidents', '  mail_from: security@acme.example', '');
  L.push('secrets:', '  hf_token: { credential: secops-operator }', '  replacement_token: { credential: acme-spaces-runtime }', '  slack_token: { credential: runbook-bot }', '  pagerduty_routing_key: { generate: hex }', '');
  L.push('workspace:', '  space_secrets: space-secrets', '  contacts: contacts.json', '');
  L.push('huggingface:', '  orgs:', '    - { name: acme-ml, email: ml-admins@acme.example }', '  users:', '    - { name: secops, email: secops@acme.example, orgs: [{ name: acme-ml, role: admin }] }');
  for (let u = 0; u < users; u++) L.push(`    - { name: u${u}, email: u${u}@acme.example, orgs: [{ name: acme-ml, role: write }] }`);
  L.push('  tokens:');
  L.push('    - { id: secops-operator, owner: secops, name: incident-response, scoped: [{ entity: { type: org, name: acme-ml }, permissions: [repo.content.read, repo.write] }] }');
  L.push('    - { id: acme-spaces-runtime, owner: secops, name: acme-spaces-runtime, scoped: [{ entity: { type: org, name: acme-ml }, permissions: [repo.content.read] }] }');
  for (let i = 0; i < n; i++) L.push(`    - { id: t${i}, owner: u${i % users}, role: ${i % 3 ? 'write' : 'read'}, name: t${i}, leaked: true }`);
  L.push('  spaces:');
  for (let s = 0; s < spaces; s++) {
    L.push(`    - id: acme-ml/space-${s}`, '      last_modified: "2024-05-02T09:00:00Z"', '      secrets:');
    for (let k = 0; k < 4; k++) {
      const i = s * 4 + k;
      if (i < n) L.push(`        HF_TOKEN_${k}: { credential: t${i}, updated_at: "2024-03-02T10:00:00Z" }`);
    }
  }
  L.push('', 'slack:', '  channels:', '    - { name: security-incidents }', '  tokens:', '    - { id: runbook-bot, user: runbook, bot: true }', '', 'pagerduty: {}', 'mail: {}', '');
  L.push('adversary:', '  - { at: 1m, credential: t0, do: huggingface.read_space, target: acme-ml/space-0 }', '');
  return L.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [n, out] = process.argv.slice(2);
  if (!n || !out || !(Number(n) > 0)) {
    console.error('usage: node test/helpers/scale-world.mjs N OUT.scenario.yaml');
    process.exitCode = 2;
  } else writeFileSync(out, scaleScenario(Number(n)));
}
