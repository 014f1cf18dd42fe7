/**
 * Styled lines: the unit every pane renders. A pane builds `Line[]` with a pure function,
 * takes the window that fits its height, and renders each line truncated to its width — so
 * a frame never grows past the terminal, whatever the content.
 */
import stringWidth from 'string-width';
import cliTruncate from 'cli-truncate';
import { formatDuration } from '../core/duration.js';
import { neutralise } from '../core/terminal-text.js';
import { graphemes, isSimpleText } from './graphemes.js';

export type SegStyle =
  | 'bold'
  | 'italic'
  | 'code'
  | 'link'
  | 'heading'
  | 'dim'
  | 'error'
  | 'warn'
  | 'ok'
  | 'key'
  | 'accent'
  | 'selected'
  | 'title';
export interface Seg {
  text: string;
  style?: SegStyle;
}
export type Line = Seg[];

export const seg = (text: string, style?: SegStyle): Seg => (style ? { text, style } : { text });
export const line = (...segs: (Seg | string)[]): Line => segs.map((s) => (typeof s === 'string' ? seg(s) : s));
export const blank = (): Line => [];
export const lineText = (l: Line): string => l.map((s) => s.text).join('');

const PLAIN = /^[\u0020-\u007E]*$/;
const widths = new Map<string, number>();

/**
 * Display width in terminal columns (CJK and emoji take two), as Ink measures it. Plain ASCII
 * is its length; other strings are measured once (string-width segments them: the frame's rules,
 * icons and bars would otherwise be measured again on every render).
 */
export function width(text: string): number {
  if (PLAIN.test(text)) return text.length;
  let w = widths.get(text);
  if (w === undefined) {
    w = stringWidth(text);
    if (widths.size > 20_000) widths.clear();
    widths.set(text, w);
  }
  return w;
}

/** Split `text` at `cols` display columns (never inside a grapheme): [head, rest]. */
export function splitAt(text: string, cols: number): [string, string] {
  let w = 0;
  let i = 0;
  for (const { segment } of graphemes.segment(text)) {
    const sw = width(segment);
    if (w + sw > cols) break;
    w += sw;
    i += segment.length;
  }
  return [text.slice(0, i), text.slice(i)];
}

/** Word-wrap styled segments to `width` display columns; continuation lines start with `indent` spaces. */
export function wrap(segs: Line, cols: number, indent = 0): Line[] {
  const w = Math.max(4, cols);
  const out: Line[] = [];
  let cur: Line = [];
  let col = 0;
  const push = (text: string, style?: SegStyle) => {
    const last = cur[cur.length - 1];
    if (last && last.style === style) last.text += text;
    else cur.push(seg(text, style));
    col += width(text);
  };
  const newline = () => {
    out.push(cur);
    cur = indent > 0 ? [seg(' '.repeat(Math.min(indent, w - 2)))] : [];
    col = Math.min(indent, w - 2);
  };
  for (const s of segs) {
    // a no-break space (U+00A0) joins what must stay on one line (an icon and its word)
    for (const token of s.text.split(/([^\S\u00a0]+)/)) {
      if (token === '') continue;
      if (/^[^\S\u00a0]+$/.test(token)) {
        const space = token.replace(/[^ ]/g, ' ');
        // leading spaces of the text are kept; those at a break are dropped
        const atBreak = out.length > 0 && col <= Math.min(indent, w - 2);
        if (atBreak || col + space.length > w) continue;
        push(space, s.style);
        continue;
      }
      let word = token;
      let ww = width(word);
      if (col + ww > w && col > Math.min(indent, w - 2)) {
        // drop the trailing space of the line we leave
        const last = cur[cur.length - 1];
        if (last) last.text = last.text.replace(/ +$/, '');
        newline();
      }
      while (col + ww > w) {
        let [head, rest] = splitAt(word, Math.max(1, w - col));
        if (head === '') {
          // a wide character that does not fit the last column: it starts the next line
          if (col > Math.min(indent, w - 2)) {
            newline();
            continue;
          }
          const first = graphemes.segment(word)[Symbol.iterator]().next().value?.segment ?? word;
          [head, rest] = [first, word.slice(first.length)];
        }
        push(head, s.style);
        word = rest;
        ww = width(word);
        newline();
      }
      if (word) push(word, s.style);
    }
  }
  if (cur.length > 0 || out.length === 0) out.push(cur);
  return out;
}

/** Fit plain text to `cols` display columns, with an ellipsis when cut (escape sequences neutralised). */
export function fit(text: string, cols: number): string {
  if (cols <= 0) return '';
  text = neutralise(text);
  if (width(text) <= cols) return text;
  if (PLAIN.test(text)) return text.slice(0, Math.max(0, cols - 1)) + '…';
  // one grapheme per character (no ANSI, no emoji or combining marks): cut at the display width
  if (isSimpleText(text)) return splitAt(text, cols - 1)[0] + '…';
  // cli-truncate can land one column over when its cut falls on a wide character (a CJK title
  // cut to 64 came back 65 wide: the header then lost its severity): ask again one column shorter
  let out = cliTruncate(text, cols);
  for (let c = cols - 1; width(out) > cols && c > 0; c--) out = cliTruncate(text, c);
  return out;
}

export const pad = (text: string, cols: number): string => {
  const w = width(text);
  return w >= cols ? text : text + ' '.repeat(cols - w);
};

/** `${{ }}` parts left in a title or instructions, as far as they are known now: see src/core/engine/text.ts. */
export { placeholders, type KnownStep } from '../core/engine/text.js';

/** 0:07:03 / 1:02:09 — an incident clock. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** 800ms / 4s / 2m05s — the one duration format (src/core/duration.ts); never negative */
export function duration(ms: number): string {
  return formatDuration(Math.max(0, ms));
}

/** A JSON-like value as short `key: value` lines; stored secrets show as fingerprint…last4. */
export function valueLines(v: unknown, width: number, maxLines = 40): Line[] {
  const out: Line[] = [];
  const emit = (depth: number, key: string | null, val: unknown) => {
    if (out.length >= maxLines) return;
    const prefix = '  '.repeat(depth) + (key === null ? '' : `${key}: `);
    if (val && typeof val === 'object' && typeof (val as { $secret?: unknown }).$secret === 'string') {
      const sv = val as { $secret: string; last4?: string };
      out.push(line(prefix, seg(`‹secret ${sv.$secret} …${sv.last4 ?? '????'}›`, 'dim')));
      return;
    }
    if (Array.isArray(val) && val.every((x) => x === null || typeof x !== 'object')) {
      out.push(...wrap(line(prefix, seg(`[${val.map((x) => scalar(x)).join(', ')}]`, 'accent')), width, prefix.length));
      return;
    }
    if (val && typeof val === 'object') {
      if (key !== null) out.push(line(prefix));
      // null fields say nothing (a manual step's missing note): left out, not printed as `null`
      const entries = Array.isArray(val) ? val.map((x, i) => [`- [${i}]`, x] as const) : Object.entries(val).filter(([, x]) => x !== null && x !== undefined);
      for (const [k, x] of entries) emit(depth + (key === null ? 0 : 1), k, x);
      return;
    }
    out.push(...wrap(line(prefix, seg(scalar(val), 'accent')), width, prefix.length));
  };
  emit(0, null, v);
  if (out.length >= maxLines) out.splice(maxLines - 1, Infinity, line(seg('…', 'dim')));
  return out;
}

function scalar(x: unknown): string {
  if (typeof x === 'string') return x.replace(/[\r\n]+/g, ' ');
  if (x === undefined) return '';
  return JSON.stringify(x) ?? String(x);
}

/** The shell words of a printed command line (a single-quoted word, spaces and all, is one word). */
export function shellWords(cmd: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of cmd) {
    if (c === "'") quoted = !quoted;
    if (c === ' ' && !quoted) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * A command to copy from the screen, after its `label`: whole on one line when it fits; else
 * broken between its shell words, each line but the last ending in ` \` (continued lines start
 * with `indent` spaces) — pasted into a shell, the lines run as the one command (a command
 * hard-wrapped by the terminal pastes as two, and runs its first half). A single word wider
 * than the pane keeps a line of its own.
 */
export function commandLines(label: Line, cmd: string, cols: number, indent: number): Line[] {
  const lead = label.reduce((n, s) => n + width(s.text), 0);
  if (lead + width(cmd) <= cols) return [[...label, seg(cmd, 'code')]];
  const pad = Math.min(indent, Math.max(0, cols - 12));
  const out: Line[] = [];
  let cur: string[] = [];
  let at = lead;
  const flush = (last: boolean) => {
    const text = cur.join(' ') + (last ? '' : ' \\');
    out.push(out.length === 0 ? [...label, seg(text, 'code')] : [seg(' '.repeat(pad)), seg(text, 'code')]);
    cur = [];
    at = pad;
  };
  for (const w of shellWords(cmd)) {
    // the word, a space before it when not first, and room for ` \` after it
    const need = (cur.length ? 1 : 0) + width(w) + 2;
    if (cur.length > 0 && at + need > cols) flush(false);
    at += (cur.length ? 1 : 0) + width(w);
    cur.push(w);
  }
  if (cur.length) flush(true);
  return out;
}

/**
 * A fan-out step's title where its items are known (its gate, the checklist once they are listed): the step-level "each item" (or
 * "each of N items") counted — `Revoke the token of the one item`, `… of each of 4 items`.
 */
export function countedTitle(title: string, n: number): string {
  return title.replace(/\beach (?:of \d+ )?items?\b/g, n === 1 ? 'the one item' : `each of ${n} items`);
}
