/** Text entry state: a value and a cursor. Pure reducer (ink-ui's use-*-state pattern). */
import { sanitize } from '../../store/logs.js';

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
    case 'backspace':
      if (s.cursor === 0) return s;
      return { value: s.value.slice(0, s.cursor - 1) + s.value.slice(s.cursor), cursor: s.cursor - 1 };
    case 'left':
      return { ...s, cursor: Math.max(0, s.cursor - 1) };
    case 'right':
      return { ...s, cursor: Math.min(s.value.length, s.cursor + 1) };
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
