/** Text entry state: a value and a cursor. Pure reducer (ink-ui's use-*-state pattern). */
import { sanitize } from '../../store/logs.js';
import { graphemes } from '../../graphemes.js';

export interface TextState {
  value: string;
  cursor: number;
}

export type TextAction =
  | { type: 'insert'; text: string }
  | { type: 'backspace' }
  | { type: 'left' }
  | { type: 'right' }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'clear' }
  /** Ctrl-W: the word before the cursor (and the spaces after it), as in a shell */
  | { type: 'kill-word' }
  /** Ctrl-U: everything before the cursor, as in a shell */
  | { type: 'kill-line' };

export const MAX_ENTRY = 2_000;


/** The start of the character (grapheme: an emoji, a flag, é as e + accent) before index i. */
export function prevBoundary(v: string, i: number): number {
  let last = 0;
  for (const g of graphemes.segment(v)) {
    if (g.index >= i) break;
    last = g.index;
  }
  return last;
}

/** The end of the character (grapheme) that starts at or covers index i. */
export function nextBoundary(v: string, i: number): number {
  for (const g of graphemes.segment(v)) if (g.index > i) return g.index;
  return v.length;
}

export function initialText(value = ''): TextState {
  return { value, cursor: value.length };
}

export function textReducer(s: TextState, a: TextAction): TextState {
  switch (a.type) {
    case 'insert': {
      const text = sanitize(a.text).slice(0, Math.max(0, MAX_ENTRY - s.value.length));
      if (!text) return s;
      return { value: s.value.slice(0, s.cursor) + text + s.value.slice(s.cursor), cursor: s.cursor + text.length };
    }
    // by character, not by UTF-16 unit: half an emoji is neither deleted nor stepped into
    case 'backspace': {
      if (s.cursor === 0) return s;
      const at = prevBoundary(s.value, s.cursor);
      return { value: s.value.slice(0, at) + s.value.slice(s.cursor), cursor: at };
    }
    case 'left':
      return { ...s, cursor: prevBoundary(s.value, s.cursor) };
    case 'right':
      return { ...s, cursor: nextBoundary(s.value, s.cursor) };
    case 'home':
      return { ...s, cursor: 0 };
    case 'end':
      return { ...s, cursor: s.value.length };
    case 'clear':
      return initialText();
    case 'kill-word': {
      const before = s.value.slice(0, s.cursor);
      const at = before.replace(/\S*\s*$/, '').length;
      return { value: s.value.slice(0, at) + s.value.slice(s.cursor), cursor: at };
    }
    case 'kill-line':
      return { value: s.value.slice(s.cursor), cursor: 0 };
  }
}
