/**
 * The scanner's rules: every kind of the one credential-kind table (src/core/secrets/kinds.ts,
 * with its placeholder and checksum tests), plus a generic rule for a random value assigned to
 * a credential-looking name.
 *
 * A rule sees the whole text and returns raw hits (value + offset); the caller turns each
 * value into a Secret at once. Nothing here logs or keeps a value.
 */
import { KIND_BY_ID, KINDS, matchKinds, type CredentialKind, type KindProvider } from '../../core/secrets/kinds.js';
import { isPlaceholderBody } from '../../core/secrets/kind-checks.js';

export type ProviderHint = KindProvider;

export interface RawHit {
  rule: string;
  hint: ProviderHint;
  value: string;
  /** offset of the value in the scanned text */
  index: number;
  /** lower wins when two rules find the same value (table order, then secretlint, then generic) */
  priority: number;
  /** a placeholder or a failed checksum: reported apart, never as a finding */
  rejected?: 'placeholder' | 'checksum';
}

const PRIORITY = new Map<CredentialKind, number>(KINDS.map((k, i) => [k, i / 1000]));

/** Hits of the table's kinds (all of them, or the ones a prefilter let through) in `text`. */
export function shapeHits(text: string, kinds: readonly CredentialKind[] = KINDS): RawHit[] {
  return matchKinds(text, kinds).map((m) => ({ rule: m.kind.id, hint: m.kind.provider, value: m.value, index: m.index, priority: PRIORITY.get(m.kind) ?? 0, ...(m.rejected ? { rejected: m.rejected } : {}) }));
}

/** The kind of a rule id (table kinds, `generic-high-entropy`, secretlint rules by provider). */
export function kindOf(rule: string): CredentialKind | undefined {
  return KIND_BY_ID.get(rule);
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
 * Where a generic secret can be: a credential word ending a name, then an assignment
 * (`API_KEY=`, `"client_secret": `, `password => `). The name before it and the value after it
 * are read by hand (cheaper than one big regex, and easier to get right).
 */
const ANCHOR = /(?:key|token|secret|passw(?:or)?d|pwd|credentials?|auth)["']?[ \t]*(?::=|=>|=|:)[ \t]*/gi;
/** names that hold something else than a secret although they end in a credential word */
const NOT_SECRET_NAME = /public|publishable|cache|primary|foreign|sort|partition|idempoten|csrf|nonce|hash|checksum|integrity|lookup|index|column|field|keyof|site_?key|sitekey|recaptcha|turnstile|monkey|hotkey|shortcut|keycode|keyboard|event|storage_?key|object_?key|s3_?key|map_?key|cursor|page_?token|next_?token|continuation|sync_?token|max_?tokens?|tokenizer|token_?type|token_?url|token_?endpoint|auth_?url|auth_?type|auth_?method|author/i;
const NAME_CHAR = /[A-Za-z0-9_.-]/;
const VALUE_CHARS = /^[A-Za-z0-9+/=_\-.~!@#$%^&*?]+$/;
/** references, not values: `${{ secrets.x }}`, `${VAR}`, `$(cmd)`, `process.env.X`, `os.environ[...]` */
const REFERENCE = /\$\{|\$\(|^\$[A-Za-z_]|\{\{|%\(|process\.env|os\.environ|getenv|^env\.|^secrets\./i;
const PLACEHOLDER = /example|sample|dummy|changeme|change_me|placeholder|your[_-]|xxxx|\*\*\*|\.\.\.|^null$|^none$|^true$|^false$|^undefined$|^string$/i;

/**
 * A value reported by another tool that no kind of the table recognises: a placeholder or a
 * reference (`YOUR_API_KEY_HERE`, `xxxxxxxx`, `changeme`, `${API_KEY}`) rather than a credential?
 * Scan findings of the table's kinds get their kind's test; this is the one for the rest.
 */
export function isPlaceholderValue(value: string): boolean {
  return PLACEHOLDER.test(value) || REFERENCE.test(value) || isPlaceholderBody(value);
}

/** words joined by separators (`x-aws-ec2-metadata-token`, `oauth2_provision_cb`), or a word and a number (`Password123!`) */
const WORDISH = /^[a-z][a-z0-9]*(?:[-_.][a-z][a-z0-9]*)+$|^[A-Za-z]+\d{1,6}[^A-Za-z0-9]*$/i;
/** a real random value does not spell the name of what it is */
const SAYS_WHAT_IT_IS = /secret|passw|token|apikey|api_key|private/i;

function looksRandom(v: string): boolean {
  if (WORDISH.test(v) || SAYS_WHAT_IT_IS.test(v)) return false;
  // letters and digits interleave in random values; a word with a number appended does not
  let flips = 0;
  for (let i = 1; i < v.length; i++) if (/\d/.test(v[i]!) !== /\d/.test(v[i - 1]!)) flips++;
  if (/[A-Za-z]/.test(v) && /[0-9]/.test(v) && flips >= 3) return true;
  // long hex or long lower-case+digits strings still count
  return /^[0-9a-f]{32,}$/i.test(v);
}

/** Is this value, assigned to a credential-looking name, random enough to be a secret? */
export function isHighEntropySecret(value: string, opts: EntropyOptions = DEFAULT_ENTROPY): boolean {
  if (value.length < opts.minLength || value.length > 256) return false;
  if (!VALUE_CHARS.test(value)) return false;
  if (PLACEHOLDER.test(value) || REFERENCE.test(value) || isPlaceholderBody(value)) return false;
  // identifiers and dotted paths (`settings.API_KEY`, `my_token_name`, `a.b.c1`) are names, not values
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) || /^[A-Za-z_][A-Za-z_]*$/.test(value)) return false;
  // a path, a version, a date, a mime type, a URL
  if (/^\.{0,2}\/|\/\/|^v?\d+(?:\.\d+)+|^\d{4}-\d\d-\d\d|^[a-z]+\/[a-z.+-]+$/i.test(value)) return false;
  // short hex is an id, a fingerprint or a hash prefix; hex keys are 32 characters and more
  if (/^[0-9a-f]+$/i.test(value) && value.length < 32) return false;
  if (!looksRandom(value)) return false;
  return shannonEntropy(value) > opts.threshold;
}

/** Is `text[lineStart..nameStart]` only an indent, `export `, a YAML list dash or a quote? */
function atLineStart(text: string, nameStart: number): boolean {
  const lineStart = text.lastIndexOf('\n', nameStart - 1) + 1;
  return /^[ \t]*(?:export[ \t]+|-[ \t]+|set[ \t]+)?["']?$/.test(text.slice(lineStart, nameStart));
}

/** The value after an assignment: a quoted string literal, or (config-file style lines only) the rest of the line. */
function valueAt(text: string, pos: number, nameStart: number): { value: string; index: number } | undefined {
  const q = text[pos];
  if (q === '"' || q === "'" || q === '`') {
    const end = text.indexOf(q, pos + 1);
    if (end < 0 || end - pos > 300) return undefined;
    const value = text.slice(pos + 1, end);
    if (/[\s\\]/.test(value)) return undefined;
    return { value, index: pos + 1 };
  }
  if (!atLineStart(text, nameStart)) return undefined;
  const m = /^[^\s"'`,;(){}[\]<>]+/.exec(text.slice(pos, pos + 300));
  if (!m) return undefined;
  // the value must end the line (a trailing comment is fine)
  const rest = text.slice(pos + m[0].length, text.indexOf('\n', pos) < 0 ? undefined : text.indexOf('\n', pos));
  if (!/^[ \t]*(?:#.*|\/\/.*)?\r?$/.test(rest)) return undefined;
  return { value: m[0], index: pos };
}

export function entropyHits(text: string, opts: EntropyOptions = DEFAULT_ENTROPY): RawHit[] {
  const out: RawHit[] = [];
  ANCHOR.lastIndex = 0;
  for (let m = ANCHOR.exec(text); m !== null; m = ANCHOR.exec(text)) {
    let s = m.index;
    while (s > 0 && NAME_CHAR.test(text[s - 1]!)) s--;
    // the name must start at a word boundary (not in the middle of `foo$bar`)
    const word = /^(?:key|token|secret|passw(?:or)?d|pwd|credentials?|auth)/i.exec(text.slice(m.index))![0];
    const name = text.slice(s, m.index + word.length);
    if (name.length > 64 || NOT_SECRET_NAME.test(name)) continue;
    const v = valueAt(text, m.index + m[0].length, s);
    if (!v || !isHighEntropySecret(v.value, opts)) continue;
    out.push({ rule: 'generic-high-entropy', hint: 'generic', value: v.value, index: v.index, priority: 2 });
  }
  return out;
}
