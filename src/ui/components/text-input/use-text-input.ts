/** Keys → text entry actions. Enter submits, Esc cancels; Ctrl combinations are left alone. */
import { useSafeInput } from '../../hooks/use-safe-input.js';
import { useSyncReducer } from '../../hooks/use-sync-reducer.js';
import { initialText, textReducer, type TextState } from './state.js';

export interface UseTextInput {
  isActive: boolean;
  onSubmit(value: string): void;
  onCancel?(): void;
}

export function useTextInput({ isActive, onSubmit, onCancel }: UseTextInput): TextState {
  const [state, dispatch, latest] = useSyncReducer(textReducer, () => initialText());
  useSafeInput(
    (input, key) => {
      // Ink reports Esc with meta set: check it before leaving modified keys alone
      if (key.escape) return onCancel?.();
      if (key.ctrl && input === 'u') return dispatch({ type: 'clear' });
      if (key.ctrl || key.meta) return;
      if (key.return) return onSubmit(latest().value);
      if (key.backspace || key.delete) return dispatch({ type: 'backspace' });
      if (key.leftArrow) return dispatch({ type: 'left' });
      if (key.rightArrow) return dispatch({ type: 'right' });
      if (key.home) return dispatch({ type: 'home' });
      if (key.end) return dispatch({ type: 'end' });
      if (key.upArrow || key.downArrow || key.pageUp || key.pageDown || key.tab) return;
      if (!input) return;
      // typed text and Enter in one chunk (fast typing, tmux send-keys): insert, then submit
      const submit = input.length > 1 && /[\r\n]$/.test(input);
      dispatch({ type: 'insert', text: submit ? input.replace(/[\r\n]+$/, '') : input });
      if (submit) onSubmit(latest().value);
    },
    { isActive },
  );
  return state;
}
