/**
 * Our own detection rules, for the shapes in PROVIDERS.md ("Secret detection rules") that
 * secretlint's recommended preset misses or only half covers (HF tokens, AWS key ids, a few
 * GitHub/Slack/OpenAI variants), plus an entropy check for generic secret assignments.
 *
 * A rule sees the whole text and returns raw hits (value + offset); the caller turns each
 * value into a Secret at once. Nothing here logs or keeps a value.
 */

export type ProviderHint = 'huggingface' | 'github' | 'aws' | 'slack' | 'openai' | 'generic';

export interface RawHit {
  rule: string;
  hint: ProviderHint;
  value: string;
  /** offset of the value in the scanned text */
  index: number;
  /** lower wins when two rules find the same value (specific shapes before generic) */
  priority: number;
}

interface ShapeRule {
  rule: string;
  hint: ProviderHint;
  re: RegExp;
  /** capture group holding the value (default 0) */
  group?: number;
  reject?: (v: string) => boolean;
}

export const SHAPE_RULES: readonly ShapeRule[] = [
  { rule: 'huggingface-token', hint: 'huggingface', re: /\bhf_[A-Za-z0-9]{34}\b/g },
  { rule: 'huggingface-org-token', hint: 'huggingface', re: /\bapi_org_[A-Za-z0-9]{34}\b/g },
  { rule: 'github-token', hint: 'github', re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b/g },
  { rule: 'github-fine-grained-pat', hint: 'github', re: /\bgithub_pat_\w{82}\b/g },
  { rule: 'aws-access-key-id', hint: 'aws', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g, reject: (v) => v.endsWith('EXAMPLE') },
  {
    rule: 'aws-secret-access-key',
    hint: 'aws',
    re: /(?:aws)?_?secret_?access_?key["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
    reject: (v) => v.includes('EXAMPLEKEY'),
  },
  { rule: 'slack-token', hint: 'slack', re: /\bxox[baprs]-[0-9A-Za-z-]{10,}/g },
  { rule: 'slack-app-token', hint: 'slack', re: /\bxapp-[0-9A-Za-z-]{10,}/g },
  { rule: 'slack-webhook', hint: 'slack', re: /https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9_]+\/B[A-Za-z0-9_]+\/[A-Za-z0-9_]+/g },
  { rule: 'openai-key', hint: 'openai', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]*T3BlbkFJ[A-Za-z0-9_-]+/g },
];

export function shapeHits(text: string): RawHit[] {
  const out: RawHit[] = [];
  for (const r of SHAPE_RULES) {
    r.re.lastIndex = 0;
    for (const m of text.matchAll(r.re)) {
      const value = m[r.group ?? 0];
      if (!value || r.reject?.(value)) continue;
      const index = (m.index ?? 0) + m[0].lastIndexOf(value);
      out.push({ rule: r.rule, hint: r.hint, value, index, priority: 0 });
    }
  }
  return out;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

export interface EntropyOptions {
  /** bits per character a value must exceed (default 3.5) */
  threshold: number;
  /** shortest value considered (default 16) */
  minLength: number;
}

export const DEFAULT_ENTROPY: EntropyOptions = { threshold: 3.5, minLength: 16 };

/**
 * `NAME_KEY=value`, `api_token: "value"`, `"password": "value"`, `secret => value`: a name that
 * says it holds a credential, an assignment, and a value of at least minLength characters.
 */
const ASSIGNMENT =
  /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*?(?:key|token|secret|passw(?:or)?d|pwd|credentials?|auth)[A-Za-z0-9_.-]*)["']?[ \t]*(?::=|=>|=|:)[ \t]*(["'`]?)([^\s"'`,;]+)\2/gi;
/** cheap pre-check: no credential word, no assignment to look at */
const KEYWORD = /key|token|secret|passw|pwd|credential|auth/i;

const PLACEHOLDER = /example|sample|dummy|changeme|change_me|placeholder|your[_-]|xxxx|\*\*\*|<|>|\.\.\.|^null$|^none$|^true$|^false$/i;
/** references, not values: `${{ secrets.x }}`, `${VAR}`, `$(cmd)`, `process.env.X`, `os.environ[...]` */
const REFERENCE = /\$\{|\$\(|^\$[A-Za-z_]|\{\{|%\(|process\.env|os\.environ|getenv|^env\.|^secrets\./i;

function looksRandom(v: string): boolean {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(v)).length;
  if (classes >= 2) return true;
  // long hex or long lower-case+digits strings still count
  return /^[0-9a-f]{32,}$/i.test(v);
}

/** Is this value, assigned to a credential-looking name, random enough to be a secret? */
export function isHighEntropySecret(value: string, opts: EntropyOptions = DEFAULT_ENTROPY): boolean {
  if (value.length < opts.minLength || value.length > 1024) return false;
  if (PLACEHOLDER.test(value) || REFERENCE.test(value)) return false;
  // identifiers and dotted paths (`settings.API_KEY`, `my_token_name`) are names, not values
  if (/^[A-Za-z_][A-Za-z_.]*$/.test(value)) return false;
  if (!looksRandom(value)) return false;
  return shannonEntropy(value) > opts.threshold;
}

export function entropyHits(text: string, opts: EntropyOptions = DEFAULT_ENTROPY): RawHit[] {
  const out: RawHit[] = [];
  if (!KEYWORD.test(text)) return out;
  ASSIGNMENT.lastIndex = 0;
  for (const m of text.matchAll(ASSIGNMENT)) {
    const value = m[3];
    if (!value || !isHighEntropySecret(value, opts)) continue;
    const index = (m.index ?? 0) + m[0].lastIndexOf(value);
    out.push({ rule: 'generic-high-entropy', hint: 'generic', value, index, priority: 2 });
  }
  return out;
}
