/** Keys → picker actions: ↑↓ (j/k) move, space toggles, a all/none, ⏎ submits, esc goes back. */
import { useSafeInput } from '../../hooks/use-safe-input.js';
import { useSyncReducer } from '../../hooks/use-sync-reducer.js';
import { initialPicker, pickerReducer, selectedItems, type PickerState } from './state.js';

export interface UseItemPicker {
  items: readonly string[];
  isActive: boolean;
  pageSize: number;
  onSubmit(items: string[]): void;
  onCancel(): void;
}

export function useItemPicker({ items, isActive, pageSize, onSubmit, onCancel }: UseItemPicker): PickerState {
  const [state, dispatch, latest] = useSyncReducer(pickerReducer, () => initialPicker(items));
  useSafeInput(
    (input, key) => {
      // several keys in one chunk (fast typing): one by one
      if (input.length > 1 && !key.ctrl && !key.meta && !/[\r\n]/.test(input)) {
        for (const c of input) {
          if (c === 'k') dispatch({ type: 'move', delta: -1 });
          else if (c === 'j') dispatch({ type: 'move', delta: 1 });
          else if (c === ' ') dispatch({ type: 'toggle' });
          else if (c === 'a') dispatch({ type: 'all' });
        }
        return;
      }
      if (key.upArrow || input === 'k') return dispatch({ type: 'move', delta: -1 });
      if (key.downArrow || input === 'j') return dispatch({ type: 'move', delta: 1 });
      if (key.pageUp) return dispatch({ type: 'move', delta: -pageSize });
      if (key.pageDown) return dispatch({ type: 'move', delta: pageSize });
      if (input === ' ') return dispatch({ type: 'toggle' });
      if (input === 'a') return dispatch({ type: 'all' });
      if (key.return || input === '\n') return onSubmit(selectedItems(latest()));
      if (key.escape) return onCancel();
    },
    { isActive },
  );
  return state;
}
