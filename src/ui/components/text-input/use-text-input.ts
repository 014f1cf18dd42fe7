/** Keys → text entry actions. Enter submits, Esc cancels, Ctrl-U clears what is before the cursor, Ctrl-W a word; other Ctrl combinations are left alone. */
import { useSafeInput } from '../../hooks/use-safe-input.js';
import { useSyncReducer } from '../../hooks/use-sync-reducer.js';
import { initialText, prevBoundary, textReducer, type TextState } from './state.js';

export interface UseTextInput {
  isActive: boolean;
  onSubmit(value: string): void;
  onCancel?(): void;
  /** called as the value is edited (in order with submits: an error about the last submit then no longer applies) */
  onEdit?(): void;
}

export function useTextInput({ isActive, onSubmit, onCancel, onEdit }: UseTextInput): TextState {
  const [state, apply, latest] = useSyncReducer(textReducer, () => initialText());
  const dispatch: typeof apply = (a) => {
    const before = latest().value;
    apply(a);
    if (latest().value !== before) onEdit?.();
  };
  useSafeInput(
    (input, key) => {
      // Ink reports Esc with meta set: check it before leaving modified keys alone
      if (key.escape) return onCancel?.();
      if (key.ctrl && input === 'u') return dispatch({ type: 'kill-line' });
      if (key.ctrl && input === 'w') return dispatch({ type: 'kill-word' });
      if (key.ctrl || key.meta) return;
      if (key.return) return onSubmit(latest().value);
      if (key.backspace || key.delete) return dispatch({ type: 'backspace' });
      if (key.leftArrow) return dispatch({ type: 'left' });
      if (key.rightArrow) return dispatch({ type: 'right' });
      if (key.home) return dispatch({ type: 'home' });
      if (key.end) return dispatch({ type: 'end' });
      if (key.upArrow || key.downArrow || key.pageUp || key.pageDown || key.tab) return;
      if (!input) return;
      // several keys in one chunk (fast typing, tmux send-keys, two backspaces at once): in order
      let text = '';
      const flush = () => {
        if (text) dispatch({ type: 'insert', text });
        text = '';
      };
      for (const c of input) {
        if (c === '\x15' || c === '\x17') {
          // Ctrl-U / Ctrl-W typed along with other keys (tmux send-keys, a paste): in order
          flush();
          dispatch({ type: c === '\x15' ? 'kill-line' : 'kill-word' });
        } else if (c === '\x7f' || c === '\b') {
          if (text) text = text.slice(0, prevBoundary(text, text.length));
          else dispatch({ type: 'backspace' });
        } else if (c === '\r' || c === '\n') {
          if (text) dispatch({ type: 'insert', text });
          return onSubmit(latest().value);
        } else text += c;
      }
      if (text) dispatch({ type: 'insert', text });
    },
    { isActive },
  );
  return state;
}
