/**
 * Known token shapes (reference/PROVIDERS.md, gitleaks/trufflehog): masked even when nobody
 * registered them. The recognisable prefix is kept (`hf_***`, `xoxb-***`) so a reader can still
 * tell what kind of credential was there.
 *
 * The patterns are deliberately a little wider than the issuers' formats (no trailing word
 * boundary, `{n,}` instead of `{n}`): masking a few characters too many is harmless, showing a
 * token because it was one character longer than expected is not.
 */
import type { Span } from './matcher.js';

export interface TokenShape {
  name: string;
  re: RegExp;
  /** the part of a match that is kept in front of the mask */
  keep: RegExp;
}

/** Not preceded by a letter or digit (an underscore before a prefix is fine: `MY_TOKEN=hf_…`). */
const B = '(?<![A-Za-z0-9])';

export const TOKEN_SHAPES: TokenShape[] = [
  { name: 'huggingface', re: new RegExp(`${B}(?:hf|api_org)_[A-Za-z0-9]{34,}`, 'g'), keep: /^(?:hf|api_org)_/ },
  { name: 'huggingface-oauth', re: new RegExp(`${B}hf_oauth_[A-Za-z0-9_-]{20,}`, 'g'), keep: /^hf_oauth_/ },
  { name: 'huggingface-jwt', re: new RegExp(`${B}hf_jwt_[A-Za-z0-9._-]{20,}`, 'g'), keep: /^hf_jwt_/ },
  { name: 'github', re: new RegExp(`${B}(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}`, 'g'), keep: /^gh[a-z]_/ },
  { name: 'github-fine-grained', re: new RegExp(`${B}github_pat_\\w{82,}`, 'g'), keep: /^github_pat_/ },
  { name: 'aws-access-key', re: new RegExp(`${B}(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])`, 'g'), keep: /^[A-Z]{4}/ },
  { name: 'slack-token', re: new RegExp(`${B}xox[abeoprs]-[0-9A-Za-z-]{10,}`, 'g'), keep: /^xox[a-z]-/ },
  { name: 'slack-app-token', re: new RegExp(`${B}xapp-[0-9A-Za-z-]{10,}`, 'g'), keep: /^xapp-/ },
  {
    name: 'slack-webhook',
    re: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]+/g,
    keep: /^https?:\/\/hooks\.slack\.com\/[a-z]+\//,
  },
  { name: 'openai', re: new RegExp(`${B}sk-[A-Za-z0-9_-]*T3BlbkFJ[A-Za-z0-9_-]+`, 'g'), keep: /^sk-/ },
  { name: 'openai-project', re: new RegExp(`${B}sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}`, 'g'), keep: /^sk-[a-z]+-/ },
  { name: 'openai-legacy', re: new RegExp(`${B}sk-[A-Za-z0-9]{48}(?![A-Za-z0-9])`, 'g'), keep: /^sk-/ },
];

/** All shapes as one regex with one named group per shape, so a text is scanned once. */
const COMBINED = new RegExp(TOKEN_SHAPES.map((s, i) => `(?<s${i}>${s.re.source})`).join('|'), 'g');

export interface ShapeMatch {
  start: number;
  end: number;
  /** characters at the start of the match that stay visible */
  keep: number;
  shape: string;
}

/** Every token-shaped substring of `text`, in order, non-overlapping. */
export function shapeMatches(text: string): ShapeMatch[] {
  const out: ShapeMatch[] = [];
  COMBINED.lastIndex = 0;
  for (let m = COMBINED.exec(text); m !== null; m = COMBINED.exec(text)) {
    const groups = m.groups ?? {};
    let idx = 0;
    while (idx < TOKEN_SHAPES.length && groups[`s${idx}`] === undefined) idx++;
    const shape = TOKEN_SHAPES[idx] ?? TOKEN_SHAPES[0]!;
    const keep = shape.keep.exec(m[0])?.[0].length ?? 0;
    out.push({ start: m.index, end: m.index + m[0].length, keep, shape: shape.name });
  }
  return out;
}

/** The spans of `text` a shape mask will replace (the kept prefix excluded). */
export function shapeSpans(text: string): Span[] {
  return shapeMatches(text).map((m) => [m.start + m.keep, m.end] as Span);
}

/** Masks every known token shape in `text`, keeping its prefix: `hf_***`. */
export function redactShapes(text: string, mask = '***'): string {
  const matches = shapeMatches(text);
  if (matches.length === 0) return text;
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start + m.keep) + mask;
    at = m.end;
  }
  return out + text.slice(at);
}
