/**
 * THE table of credential kinds. One entry per kind: its shape, whether it is a secret or an
 * identifier, checksum and placeholder rules, the provider it belongs to, how its liveness can
 * be checked, and how to revoke it (a shipped runbook, or where to do it by hand).
 *
 * Used by the scanner (src/providers/scan), the redactor (./shapes.ts: every `secret` kind is
 * masked even when nobody registered the value; `identifier` kinds such as AWS access key ids
 * are never masked — AWS documents the key id as an identifier, the secret access key as the
 * secret) and `runbook validate` (src/core/runbook/credentials.ts: a runbook must not hold one).
 *
 * Covers secretlint's recommended preset (12.0: `secretlint` names the rule) plus npm, PyPI,
 * Stripe, Google API keys, Azure, Twilio, Datadog, JWTs and credentials in URLs.
 *
 * A pattern's whole match is the value, or its named group `v` when the value needs context
 * (`aws_secret_access_key = …`). Every pattern starts at a boundary `B`: not after a letter or
 * digit — except right after a JSON-escaped `\n`, `\r` or `\t` (`"line\nhf_…"`).
 */
import { base62ChecksumOk, decodeJwt, isExampleJwt, isPlaceholderBody, isRealPrivateKey, withBase62Checksum } from './kind-checks.js';

export const PROVIDERS = [
  'huggingface', 'github', 'aws', 'slack', 'openai', 'anthropic', 'npm', 'pypi', 'stripe', 'gitlab', 'google', 'gcp', 'azure',
  'docker', 'twilio', 'sendgrid', 'datadog', 'shopify', 'linear', 'groq', 'notion', 'grafana', 'vault', 'vercel', 'databricks',
  'figma', '1password', 'private-key', 'jwt', 'url', 'generic',
] as const;
export type KindProvider = (typeof PROVIDERS)[number];

/** How a finding of this kind can be checked: a service call (src/providers/scan/liveness.ts) or a local test. */
export type LivenessCheck = 'huggingface' | 'github' | 'slack' | 'aws' | 'jwt';

/** Random characters from an alphabet (tests and benchmarks pass a crypto-random one). */
export type Rnd = (alphabet: string, n: number) => string;

export interface CredentialKind {
  id: string;
  /** "a GitHub token" — for messages */
  label: string;
  provider: KindProvider;
  /** `identifier`: shown in full everywhere (AWS access key id); `secret`: always masked */
  role: 'secret' | 'identifier';
  /** regex source (see the file comment); compiled with `g` (+ `flags`) */
  pattern: string;
  flags?: string;
  /** a match always contains one of these (case-insensitively with `i`): a cheap pre-check */
  keywords: readonly string[];
  /** the fixed part at the start of a value: kept visible when masked, not tested for placeholders */
  keep: RegExp;
  /** a checksum the value must pass (else it is reported as `checksum`, not as a finding) */
  checksum?: (value: string) => boolean;
  /** kind-specific placeholder test (the common one, on the part after `keep`, always runs) */
  placeholder?: (value: string) => boolean;
  /** the common placeholder test does not apply (structured values: keys, JWTs) */
  noCommonPlaceholder?: boolean;
  liveness?: LivenessCheck;
  /** a shipped runbook that handles this kind, and where to revoke it by hand */
  revoke: { runbook?: string; byHand: string };
  /** the secretlint recommended-preset rule that covers the same kind */
  secretlint?: string;
  /** masked by the redactor without registration (default: every `secret` kind) */
  redact?: boolean;
  /** a well-formed, random value of this kind, with its context when the pattern needs one */
  sample(r: Rnd): string;
}

/** Boundary: not after a letter or digit, unless after a JSON-escaped newline or tab. */
const B = '(?:(?<![A-Za-z0-9])|(?<=\\\\[nrt]))';
/** End: not followed by a letter or digit (`_old` after a token is fine). */
const E = '(?![A-Za-z0-9])';
/** `name = `, `name: "`, `"name": "`, `name => '` between a name and its value */
const ASSIGN = `["']?\\s*(?::=|=>|=|:)\\s*["']?`;

export const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UP32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64 = AN + '+/';
const URLSAFE = AN + '_-';
const j = (...parts: string[]) => parts.join('');

/** A PEM block; the body may hold real or JSON-escaped newlines. */
const PEM = (label: string) =>
  `-----BEGIN ${label}PRIVATE KEY(?: BLOCK)?-----(?:\\\\[nr]|\\s)*[A-Za-z0-9+/=\\s\\\\]{64,20000}?-----END ${label}PRIVATE KEY(?: BLOCK)?-----`;

function pemSample(r: Rnd, sep = '\n'): string {
  const body = 'MII' + r(B64, 1200);
  const lines = body.match(/.{1,64}/g) ?? [];
  return ['-----BEGIN ' + 'RSA PRIVATE KEY-----', ...lines, '-----END RSA PRIVATE KEY-----'].join(sep);
}

// claims drawn from letters that cannot spell what isExampleJwt takes for an example (foo, bar,
// test…): a random `sub` spelled "foo" about once in 700 samples, and the sample was refused
const CLAIM = 'ghijklmnpquvwxyzGHIJKLMNPQUVWXYZ';

function jwtSample(r: Rnd): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return [enc({ alg: 'HS256', typ: 'JWT' }), enc({ sub: r(CLAIM, 12), iss: `https://${r('ghijklmnpquvwxyz', 8)}.invalid`, exp: 4102444800 }), r(URLSAFE, 43)].join('.');
}

const GH = { runbook: 'github-token-leak', byHand: 'the owner deletes it under GitHub Settings → Developer settings → Personal access tokens (or report it to POST https://api.github.com/credentials/revoke)' };
const SLACK = { runbook: 'slack-token-leak', byHand: 'revoke it at https://api.slack.com/apps → the app → OAuth & Permissions (or call auth.revoke with it)' };

export const KINDS: readonly CredentialKind[] = [
  // ── services with a shipped runbook ─────────────────────────────────────────────
  { id: 'huggingface-token', label: 'a Hugging Face token', provider: 'huggingface', role: 'secret', pattern: `${B}hf_[A-Za-z0-9]{34}${E}`, keywords: ['hf_'], keep: /^hf_/, liveness: 'huggingface', revoke: { runbook: 'hf-spaces-secrets-exposure', byHand: 'the owner deletes it at https://huggingface.co/settings/tokens' }, secretlint: 'huggingface', sample: (r) => j('hf', '_', r(AN, 34)) },
  { id: 'huggingface-org-token', label: 'a Hugging Face org token', provider: 'huggingface', role: 'secret', pattern: `${B}api_org_[A-Za-z0-9]{34}${E}`, keywords: ['api_org_'], keep: /^api_org_/, liveness: 'huggingface', revoke: { runbook: 'hf-spaces-secrets-exposure', byHand: 'an org admin rotates it in the organisation settings on https://huggingface.co' }, sample: (r) => j('api', '_org_', r(AN, 34)) },
  { id: 'huggingface-oauth-token', label: 'a Hugging Face OAuth token', provider: 'huggingface', role: 'secret', pattern: `${B}hf_oauth_[A-Za-z0-9_-]{20,}`, keywords: ['hf_oauth_'], keep: /^hf_oauth_/, liveness: 'huggingface', revoke: { runbook: 'hf-spaces-secrets-exposure', byHand: 'revoke the app\'s access at https://huggingface.co/settings/connected-applications' }, sample: (r) => j('hf', '_oauth_', r(AN, 40)) },
  { id: 'huggingface-jwt', label: 'a Hugging Face JWT', provider: 'huggingface', role: 'secret', pattern: `${B}hf_jwt_[A-Za-z0-9._-]{20,}`, keywords: ['hf_jwt_'], keep: /^hf_jwt_/, revoke: { byHand: 'it expires by itself; revoke the token that issued it' }, sample: (r) => j('hf', '_jwt_', r(AN, 60)) },
  { id: 'github-token', label: 'a GitHub token', provider: 'github', role: 'secret', pattern: `${B}(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}${E}`, keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], keep: /^gh[a-z]_/, checksum: base62ChecksumOk, liveness: 'github', revoke: GH, secretlint: 'github', sample: (r) => withBase62Checksum(j('gh', 'p_'), r(AN, 30)) },
  { id: 'github-fine-grained-pat', label: 'a GitHub fine-grained token', provider: 'github', role: 'secret', pattern: `${B}github_pat_\\w{82}${E}`, keywords: ['github_pat_'], keep: /^github_pat_/, liveness: 'github', revoke: GH, secretlint: 'github', sample: (r) => j('github', '_pat_', r(AN, 22), '_', r(AN, 59)) },
  { id: 'aws-access-key-id', label: 'an AWS access key id', provider: 'aws', role: 'identifier', pattern: `${B}(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}${E}`, keywords: ['AKIA', 'ASIA', 'ABIA', 'ACCA'], keep: /^[A-Z]{4}/, liveness: 'aws', revoke: { runbook: 'aws-access-key-exposure', byHand: 'IAM console → Users → the user → Security credentials → make the key inactive, then delete it' }, secretlint: 'aws', sample: (r) => j('AK', 'IA', r(UP32, 16)) },
  {
    id: 'aws-secret-access-key', label: 'an AWS secret access key', provider: 'aws', role: 'secret',
    pattern: `(?:aws)?[_.-]?secret[_.-]?access[_.-]?key${ASSIGN}(?<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`, flags: 'i', keywords: ['', '_', '.', '-'].map((sep) => `secret${sep}access`), keep: /^/,
    // AWS's documented example secrets end in EXAMPLEKEY (the common test allows one word in a random value)
    placeholder: (v) => v.endsWith('EXAMPLEKEY'),
    liveness: 'aws', revoke: { runbook: 'aws-access-key-exposure', byHand: 'IAM console → the key pair of this secret → make inactive, then delete' }, secretlint: 'aws', redact: true,
    sample: (r) => `aws_secret_access_key = ${r(AN, 36)}${r('+/', 1)}${r(AN, 3)}`,
  },
  { id: 'slack-token', label: 'a Slack token', provider: 'slack', role: 'secret', pattern: `${B}xox[abeoprs]-[0-9A-Za-z-]{10,}`, keywords: ['xox'], keep: /^xox[a-z]-/, liveness: 'slack', revoke: SLACK, secretlint: 'slack', sample: (r) => j('xo', 'xb-', r('123456789', 12), '-', r('123456789', 13), '-', r(AN, 24)) },
  { id: 'slack-app-token', label: 'a Slack app token', provider: 'slack', role: 'secret', pattern: `${B}xapp-[0-9A-Za-z-]{10,}`, keywords: ['xapp-'], keep: /^xapp-/, revoke: SLACK, secretlint: 'slack', sample: (r) => j('xa', 'pp-1-', r('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 11), '-', r('0123456789', 13), '-', r('abcdef0123456789', 64)) },
  { id: 'slack-webhook', label: 'a Slack webhook URL', provider: 'slack', role: 'secret', pattern: 'https?://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9_]{6,}/[A-Za-z0-9_]{6,}/[A-Za-z0-9_/]{16,}', keywords: ['hooks.slack.com'], keep: /^https?:\/\/hooks\.slack\.com\/[a-z]+\//, revoke: { runbook: 'slack-token-leak', byHand: 'remove the webhook in the Slack app settings (Incoming Webhooks) and make a new one' }, secretlint: 'slack', sample: (r) => j('https://hooks.slack.com/services/T', r(AN, 10), '/B', r(AN, 10), '/', r(AN, 24)) },
  // ── other services (revoked by hand) ───────────────────────────────────────────
  { id: 'openai-key', label: 'an OpenAI API key', provider: 'openai', role: 'secret', pattern: `${B}sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9_-]{10,}T3BlbkFJ[A-Za-z0-9_-]{10,})`, keywords: ['sk-'], keep: /^sk-(?:[a-z]+-)?/, revoke: { byHand: 'delete it at https://platform.openai.com/api-keys' }, secretlint: 'openai', sample: (r) => j('sk-', 'proj-', r(URLSAFE, 58), 'T3Blbk', 'FJ', r(URLSAFE, 58)) },
  { id: 'anthropic-key', label: 'an Anthropic API key', provider: 'anthropic', role: 'secret', pattern: `${B}sk-ant-(?:api|admin)0\\d-[A-Za-z0-9_-]{80,128}AA(?![A-Za-z0-9_-])`, keywords: ['sk-ant-'], keep: /^sk-ant-[a-z]+\d\d-/, revoke: { byHand: 'delete it at https://console.anthropic.com/settings/keys' }, secretlint: 'anthropic', sample: (r) => j('sk-', 'ant-api03-', r(URLSAFE, 93), 'AA') },
  { id: 'npm-token', label: 'an npm access token', provider: 'npm', role: 'secret', pattern: `${B}npm_[A-Za-z0-9]{36}${E}`, keywords: ['npm_'], keep: /^npm_/, checksum: base62ChecksumOk, revoke: { byHand: 'npm token revoke <id> (ids: npm token list), or https://www.npmjs.com/settings/~/tokens' }, secretlint: 'npm', sample: (r) => withBase62Checksum(j('np', 'm_'), r(AN, 30)) },
  {
    id: 'npmrc-auth-token', label: 'an npm registry auth token (.npmrc)', provider: 'npm', role: 'secret', pattern: `_authToken=(?<v>(?!\\$)[^\\s"'\`]{16,})`, keywords: ['_authToken='], keep: /^/, redact: true,
    revoke: { byHand: 'revoke it in the registry it belongs to (npm: npm token revoke <id>)' }, secretlint: 'npm', sample: (r) => `//registry.example.test/:_authToken=${r(AN, 24)}${r('0123456789', 4)}`,
  },
  { id: 'pypi-token', label: 'a PyPI API token', provider: 'pypi', role: 'secret', pattern: `${B}pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}`, keywords: ['pypi-AgEIcHlwaS5vcmc'], keep: /^pypi-AgEIcHlwaS5vcmc/, revoke: { byHand: 'remove it at https://pypi.org/manage/account/token/' }, sample: (r) => j('pypi-', 'AgEIcHlwaS5vcmc', r(URLSAFE, 70)) },
  { id: 'stripe-key', label: 'a Stripe secret key', provider: 'stripe', role: 'secret', pattern: `${B}(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{20,99}${E}`, keywords: ['k_live_', 'k_test_', 'k_prod_'], keep: /^[a-z]+_[a-z]+_/, revoke: { byHand: 'roll it at https://dashboard.stripe.com/apikeys' }, sample: (r) => j('sk', '_live_', r(AN, 40)) },
  { id: 'gitlab-token', label: 'a GitLab token', provider: 'gitlab', role: 'secret', pattern: `${B}gl(?:pat|dt|rt|ptt|soat|cbt)-[A-Za-z0-9_-]{20,}(?:\\.[0-9a-z]{2}\\.[0-9a-z]{7,9})?(?![A-Za-z0-9_-])`, keywords: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glsoat-', 'glcbt-'], keep: /^gl[a-z]+-/, revoke: { byHand: 'revoke it under GitLab → Preferences → Access tokens (or the project/group access tokens page)' }, secretlint: 'gitlab', sample: (r) => j('gl', 'pat-', r(URLSAFE, 20)) },
  { id: 'google-api-key', label: 'a Google API key', provider: 'google', role: 'secret', pattern: `${B}AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])`, keywords: ['AIza'], keep: /^AIza/, revoke: { byHand: 'delete or regenerate it at https://console.cloud.google.com/apis/credentials' }, sample: (r) => j('AI', 'za', r(URLSAFE, 35)) },
  {
    id: 'gcp-service-account-key', label: 'a Google Cloud service-account key (JSON)', provider: 'gcp', role: 'secret',
    pattern: `"private_key"\\s*:\\s*"(?<v>${PEM('')})`, keywords: ['"private_key"'], keep: /^-----BEGIN [A-Z ]*-----/, noCommonPlaceholder: true, placeholder: (v) => !isRealPrivateKey(v),
    revoke: { byHand: 'gcloud iam service-accounts keys delete KEY_ID --iam-account=SA_EMAIL (KEY_ID is the file\'s private_key_id), or IAM console → Service accounts → Keys' }, secretlint: 'gcp',
    sample: (r) => JSON.stringify({ type: 'service_account', project_id: 'p-' + r('abcdefgh', 6), private_key_id: r(HEX, 40), private_key: pemSample(r).replace(/RSA /g, '') + '\n', client_email: `sa@p-${r('abcdefgh', 6)}.iam.gserviceaccount.com` }, null, 2),
  },
  {
    id: 'azure-storage-key', label: 'an Azure storage account key', provider: 'azure', role: 'secret', pattern: `AccountKey=(?<v>[A-Za-z0-9+/]{86}==)`, keywords: ['AccountKey='], keep: /^/, redact: true,
    revoke: { byHand: 'Azure portal → the storage account → Security + networking → Access keys → Rotate key' }, sample: (r) => `DefaultEndpointsProtocol=https;AccountName=acct${r('abcdefgh', 6)};AccountKey=${r(B64, 86)}==;EndpointSuffix=core.windows.net`,
  },
  { id: 'azure-client-secret', label: 'an Azure AD (Entra ID) client secret', provider: 'azure', role: 'secret', pattern: `(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])`, keywords: ['Q~'], keep: /^/, revoke: { byHand: 'Entra ID → App registrations → the app → Certificates & secrets → delete the secret' }, sample: (r) => j(r(AN, 3), r('0123456789', 1), 'Q~', r(AN + '_~.-', 34)) },
  { id: 'docker-hub-token', label: 'a Docker Hub access token', provider: 'docker', role: 'secret', pattern: `${B}dckr_(?:pat|oat)_[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])`, keywords: ['dckr_'], keep: /^dckr_[a-z]+_/, revoke: { byHand: 'delete it at https://app.docker.com/settings/personal-access-tokens' }, secretlint: 'docker', sample: (r) => j('dckr', '_pat_', r(URLSAFE, 27)) },
  { id: 'twilio-api-key-sid', label: 'a Twilio API key SID', provider: 'twilio', role: 'identifier', pattern: `${B}SK[0-9a-f]{32}${E}`, keywords: ['SK'], keep: /^SK/, revoke: { byHand: 'Twilio console → Account → API keys & tokens → delete this key (its secret goes with it)' }, sample: (r) => j('S', 'K', r(HEX, 32)) },
  { id: 'twilio-auth-token', label: 'a Twilio auth token', provider: 'twilio', role: 'secret', pattern: `twilio[\\w.-]{0,20}?(?:auth)?[_.-]?token${ASSIGN}(?<v>[0-9a-f]{32})${E}`, flags: 'i', keywords: ['twilio'], keep: /^/, redact: true, revoke: { byHand: 'Twilio console → Account → API keys & tokens → rotate the auth token' }, sample: (r) => `TWILIO_AUTH_TOKEN=${r(HEX, 32)}` },
  { id: 'sendgrid-key', label: 'a SendGrid API key', provider: 'sendgrid', role: 'secret', pattern: `${B}SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])`, keywords: ['SG.'], keep: /^SG\./, revoke: { byHand: 'delete it at https://app.sendgrid.com/settings/api_keys' }, secretlint: 'sendgrid', sample: (r) => j('S', 'G.', r(URLSAFE, 22), '.', r(URLSAFE, 43)) },
  { id: 'datadog-key', label: 'a Datadog API or application key', provider: 'datadog', role: 'secret', pattern: `(?:datadog|dd)[\\w.-]{0,20}?(?:api|app|application)[_.-]?key${ASSIGN}(?<v>[a-f0-9]{32}(?:[a-f0-9]{8})?)${E}`, flags: 'i', keywords: ['api', 'app', 'application'].flatMap((w) => ['', '_', '.', '-'].map((sep) => `${w}${sep}key`)), keep: /^/, redact: true, revoke: { byHand: 'Datadog → Organization settings → API keys / Application keys → revoke' }, sample: (r) => `DD_API_KEY=${r(HEX, 32)}` },
  { id: 'shopify-token', label: 'a Shopify access token', provider: 'shopify', role: 'secret', pattern: `${B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${E}`, keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'], keep: /^shp[a-z]+_/, revoke: { byHand: 'Shopify admin → Apps → the app → rotate or uninstall' }, secretlint: 'shopify', sample: (r) => j('shp', 'at_', r(HEX, 32)) },
  { id: 'linear-key', label: 'a Linear API key', provider: 'linear', role: 'secret', pattern: `${B}lin_api_[A-Za-z0-9]{40}${E}`, keywords: ['lin_api_'], keep: /^lin_api_/, revoke: { byHand: 'Linear → Settings → API → revoke' }, secretlint: 'linear', sample: (r) => j('lin', '_api_', r(AN, 40)) },
  { id: 'groq-key', label: 'a Groq API key', provider: 'groq', role: 'secret', pattern: `${B}gsk_[A-Za-z0-9]{52}${E}`, keywords: ['gsk_'], keep: /^gsk_/, revoke: { byHand: 'delete it at https://console.groq.com/keys' }, secretlint: 'groq', sample: (r) => j('gs', 'k_', r(AN, 52)) },
  { id: 'notion-token', label: 'a Notion integration token', provider: 'notion', role: 'secret', pattern: `${B}ntn_[0-9]{11}[A-Za-z0-9]{35}${E}`, keywords: ['ntn_'], keep: /^ntn_/, revoke: { byHand: 'https://www.notion.so/my-integrations → the integration → refresh the secret' }, secretlint: 'notion', sample: (r) => j('nt', 'n_', r('0123456789', 11), r(AN, 35)) },
  { id: 'grafana-token', label: 'a Grafana token', provider: 'grafana', role: 'secret', pattern: `${B}(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?![A-Za-z0-9+/=])`, keywords: ['glc_', 'glsa_'], keep: /^gl[a-z]+_/, revoke: { byHand: 'Grafana → Administration → Service accounts (or Cloud access policies) → delete the token' }, secretlint: 'grafana', sample: (r) => j('gl', 'sa_', r(AN, 32), '_', r(HEX, 8)) },
  { id: 'vault-token', label: 'a HashiCorp Vault token', provider: 'vault', role: 'secret', pattern: `${B}hv[sbr]\\.[A-Za-z0-9_-]{90,300}(?![A-Za-z0-9_-])`, keywords: ['hvs.', 'hvb.', 'hvr.'], keep: /^hv[a-z]\./, revoke: { byHand: 'vault token revoke with the token in VAULT_TOKEN (not on the command line), or revoke its accessor' }, secretlint: 'hashicorp-vault', sample: (r) => j('hv', 's.', r(URLSAFE, 95)) },
  { id: 'vercel-token', label: 'a Vercel token', provider: 'vercel', role: 'secret', pattern: `${B}vc[piark]_[A-Za-z0-9]{20,60}${E}`, keywords: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'], keep: /^vc[a-z]_/, revoke: { byHand: 'delete it at https://vercel.com/account/tokens' }, secretlint: 'vercel', sample: (r) => j('vc', 'p_', r(AN, 40)) },
  { id: 'databricks-token', label: 'a Databricks access token', provider: 'databricks', role: 'secret', pattern: `${B}dapi[a-f0-9]{32}(?:-\\d)?${E}`, keywords: ['dapi'], keep: /^dapi/, revoke: { byHand: 'Databricks → User settings → Developer → Access tokens → revoke' }, secretlint: 'databricks', sample: (r) => j('da', 'pi', r(HEX, 32)) },
  { id: 'figma-token', label: 'a Figma access token', provider: 'figma', role: 'secret', pattern: `${B}figd_[A-Za-z0-9_-]{40,200}(?![A-Za-z0-9_-])`, keywords: ['figd_'], keep: /^figd_/, revoke: { byHand: 'Figma → Settings → Security → Personal access tokens → revoke' }, secretlint: 'figma', sample: (r) => j('fi', 'gd_', r(URLSAFE, 43)) },
  { id: '1password-service-token', label: 'a 1Password service-account token', provider: '1password', role: 'secret', pattern: `${B}ops_eyJ[A-Za-z0-9+/=]{100,1280}(?![A-Za-z0-9+/=])`, keywords: ['ops_eyJ'], keep: /^ops_/, revoke: { byHand: '1Password → Developer → Service accounts → revoke the token' }, secretlint: '1password', sample: (r) => j('op', 's_eyJ', r(B64, 200)) },
  // ── structured secrets ──────────────────────────────────────────────────────────
  {
    id: 'private-key', label: 'a private key', provider: 'private-key', role: 'secret', pattern: PEM('(?:(?:RSA|DSA|EC|OPENSSH|PGP) )?'), keywords: ['PRIVATE KEY'], keep: /^-----BEGIN [A-Z ]*-----/,
    noCommonPlaceholder: true, placeholder: (v) => !isRealPrivateKey(v),
    revoke: { byHand: 'replace the key pair, and remove its public key wherever it is trusted (authorized_keys, deploy keys, CI, certificates: revoke the certificate)' }, secretlint: 'privatekey', sample: (r) => pemSample(r),
  },
  {
    id: 'jwt', label: 'a JSON Web Token', provider: 'jwt', role: 'secret', pattern: `${B}eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])`, keywords: ['eyJ'], keep: /^eyJ/,
    noCommonPlaceholder: true, placeholder: isExampleJwt, liveness: 'jwt',
    revoke: { byHand: 'revoke the session at its issuer (iss), or rotate the signing key; it dies by itself at exp' }, sample: jwtSample,
  },
  {
    id: 'url-credentials', label: 'a password in a URL', provider: 'url', role: 'secret',
    pattern: `://(?<=\\b[a-z][a-z0-9+.-]{1,15}://)[^\\s:/@"'<>\`]{1,128}:(?<v>[^\\s:/@"'<>\`]{6,256})@(?!(?:[a-z0-9-]+\\.)*example\\.(?:com|org|net)\\b)[A-Za-z0-9[]`, keywords: ['://'], keep: /^/,
    // `password`, `somepassword`, `my_secret1`, `${DB_PASSWORD}`, `%s`, `***`: documentation, not a password
    placeholder: (v) => /^(?:some|my|your|the)?[_-]?(?:pass(?:word)?|pwd|secret|x-oauth-basic|token|changeme|admin|root|guest|test|user(?:name)?|postgres|mysql|redis|mongo)\d{0,3}$|^(?:\$\{?[A-Za-z_]+\}?|%[a-z]|\*+|x+)$/i.test(v),
    revoke: { byHand: 'change the password at the service the URL names, and wherever else it is used' }, secretlint: 'basicauth, database-connection-string',
    sample: (r) => `postgres://app:${r(AN, 20)}@db.internal.invalid:5432/app`,
  },
];

/** Kinds by id. */
export const KIND_BY_ID: ReadonlyMap<string, CredentialKind> = new Map(KINDS.map((k) => [k.id, k]));

/** The generic rule (an assignment to a credential-looking name): not a shape, but a kind for reports and triage. */
export const GENERIC_KIND: CredentialKind = {
  id: 'generic-secret', label: 'a secret assigned to a credential-looking name', provider: 'generic', role: 'secret', pattern: '(?!)', keywords: [], keep: /^/, redact: false,
  revoke: { byHand: 'find the service from the name it was assigned to, and rotate it there' }, sample: (r) => `SERVICE_API_KEY = "${r(AN, 28)}${r('0123456789', 2)}"`,
};

export interface KindMatch {
  kind: CredentialKind;
  value: string;
  /** offset of the value in the text */
  index: number;
  /** why it is not a finding: a placeholder, or a failed checksum */
  rejected?: 'placeholder' | 'checksum';
}

/**
 * A pattern that starts with the boundary `B` is compiled without it and the boundary is
 * checked in code: a regex that starts with a lookbehind is tried at every position, one that
 * starts with a literal (`hf_`, `npm_`) lets the engine skip ahead — several times faster.
 */
export function compileKind(k: CredentialKind, extraFlags = ''): { re: RegExp; bounded: boolean } {
  const bounded = k.pattern.startsWith(B);
  return { re: new RegExp(bounded ? k.pattern.slice(B.length) : k.pattern, `gd${k.flags ?? ''}${extraFlags}`), bounded };
}

/** The boundary `B` before `index`: not after a letter or digit, unless after a JSON-escaped `\n`, `\r`, `\t`. */
export function boundaryBefore(text: string, index: number): boolean {
  const c = text.charCodeAt(index - 1);
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (!alnum) return true;
  return text[index - 2] === '\\' && (c === 110 || c === 114 || c === 116);
}

const COMPILED = new Map<CredentialKind, { re: RegExp; bounded: boolean }>();
function compiled(k: CredentialKind): { re: RegExp; bounded: boolean } {
  let c = COMPILED.get(k);
  if (!c) COMPILED.set(k, (c = compileKind(k)));
  return c;
}

function holdsKeyword(text: string, words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) if (text.includes(words[i]!)) return true;
  return false;
}

/** Case-sensitive kinds run only when the text holds one of their keywords (memchr-fast `includes`, as the redactor's shapes). Case-insensitive kinds run only when the text holds one of their keywords (one regex test each). */
const CI_KEYWORDS = new Map<CredentialKind, RegExp>(
  KINDS.filter((k) => k.flags?.includes('i')).map((k) => [k, new RegExp(k.keywords.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i')]),
);

const escapeRe = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** any keyword of any kind, case-insensitively (a superset of each kind's own pre-check) */
const ANY_KEYWORD = new RegExp(KINDS.flatMap((k) => k.keywords).map(escapeRe).join('|') || '(?!)', 'i');
/** kinds without keywords run on every text */
const WITHOUT_KEYWORDS = KINDS.filter((k) => k.keywords.length === 0);

/** Is this value of kind `k` a placeholder, or one that fails its checksum? */
export function rejection(k: CredentialKind, value: string): KindMatch['rejected'] {
  const body = value.slice(k.keep.exec(value)?.[0].length ?? 0);
  if (!k.noCommonPlaceholder && isPlaceholderBody(body)) return 'placeholder';
  if (k.placeholder?.(value)) return 'placeholder';
  if (k.checksum && !k.checksum(value)) return 'checksum';
  return undefined;
}

/**
 * Every value of every kind in `text`, in table order per kind (callers sort). Placeholders and
 * checksum failures are returned too, marked `rejected`, so they can be reported apart.
 */
export function matchKinds(text: string, kinds: readonly CredentialKind[] = KINDS): KindMatch[] {
  const out: KindMatch[] = [];
  // most strings (a runbook's titles, ids, commands) hold no kind's keyword: one test of them all first
  if (kinds === KINDS && !ANY_KEYWORD.test(text)) kinds = WITHOUT_KEYWORDS;
  for (const k of kinds) {
    const ci = CI_KEYWORDS.get(k);
    if (ci) {
      if (!ci.test(text)) continue;
    } else if (k.keywords.length > 0 && !holdsKeyword(text, k.keywords)) continue; // (a match holds one: see `keywords`)
    const { re, bounded } = compiled(k);
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const span = m.indices?.groups?.v ?? m.indices?.[0];
      if (!span || (bounded && !boundaryBefore(text, m.index))) continue;
      const value = text.slice(span[0], span[1]);
      out.push({ kind: k, value, index: span[0], rejected: rejection(k, value) });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return out;
}

/** When a JWT expires (seconds since the epoch), if it says. */
export function jwtExpiry(token: string): number | undefined {
  const exp = decodeJwt(token)?.claims.exp;
  return typeof exp === 'number' ? exp : undefined;
}
