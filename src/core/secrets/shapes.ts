/**
 * Known token shapes, masked even when nobody registered them. They come from the one table
 * of credential kinds (./kinds.ts): every kind whose role is `secret` (identifiers such as AWS
 * access key ids are shown in full). The recognisable prefix is kept (`hf_***`, `xoxb-***`) so a
 * reader can still tell what kind of credential was there.
 *
 * The redactor's patterns are a little wider than the scanner's: no trailing boundary, and a
 * fixed-length tail (`{34}`) may be longer (`{34,}`) — masking a few characters too many is
 * harmless, showing a token because it was one character longer than expected is not.
 * Placeholders and checksum failures are masked too: the redactor does not judge.
 */
import type { Span } from './matcher.js';
import { KINDS, compileKind, type CredentialKind } from './kinds.js';

export interface TokenShape {
  name: string;
  re: RegExp;
  /** the part of a match that is kept in front of the mask */
  keep: RegExp;
  kind: CredentialKind;
}

const END = '(?![A-Za-z0-9])';

function widen(pattern: string): string {
  let p = pattern.split(END).join('');
  p = p.replace(/\{(\d+)\}$/, '{$1,}');
  return p;
}

/** (the boundary before a token is not checked here: masking `xhf_…` too is harmless) */
export const TOKEN_SHAPES: readonly TokenShape[] = KINDS.filter((k) => k.redact ?? k.role === 'secret').map((k) => ({
  name: k.id,
  re: compileKind({ ...k, pattern: widen(k.pattern) }).re,
  keep: k.keep,
  kind: k,
}));

/** per shape of a case-insensitive kind: its keywords, case-insensitively (a match holds one: see CredentialKind.keywords) */
const CI_GATE: readonly (RegExp | undefined)[] = TOKEN_SHAPES.map((s) =>
  s.kind.flags?.includes('i') ? new RegExp(s.kind.keywords.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') || '(?:)', 'i') : undefined,
);

function holdsAny(text: string, words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) if (text.includes(words[i]!)) return true;
  return false;
}

export interface ShapeMatch {
  start: number;
  end: number;
  /** characters at the start of the match that stay visible */
  keep: number;
  shape: string;
}

/** Every token-shaped substring of `text` (the value part), in order, non-overlapping (earlier table entries win ties). */
export function shapeMatches(text: string): ShapeMatch[] {
  const all: ShapeMatch[] = [];
  // (plain loops: this runs for every string the redactor sees — a closure per shape per call was
  // most of what a 10,000-token drill allocated)
  for (let i = 0; i < TOKEN_SHAPES.length; i++) {
    const s = TOKEN_SHAPES[i]!;
    // a pattern runs only when the text holds one of its kind's keywords (memchr-fast; a case-insensitive kind's: one regex test)
    const ci = CI_GATE[i];
    if (ci ? !ci.test(text) : !holdsAny(text, s.kind.keywords)) continue;
    s.re.lastIndex = 0;
    for (let m = s.re.exec(text); m !== null; m = s.re.exec(text)) {
      const span = m.indices?.groups?.v ?? m.indices?.[0];
      if (!span || span[1] <= span[0]) {
        if (m[0].length === 0) s.re.lastIndex++;
        continue;
      }
      const value = text.slice(span[0], span[1]);
      const keep = Math.min(s.keep.exec(value)?.[0].length ?? 0, value.length - 1);
      all.push({ start: span[0], end: span[1], keep, shape: s.name });
    }
  }
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: ShapeMatch[] = [];
  for (const m of all) {
    const last = out[out.length - 1];
    if (last && m.start < last.end) {
      if (m.end > last.end) last.end = m.end;
      continue;
    }
    out.push(m);
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
