/**
 * The app's one key router: Ctrl-C always quits; otherwise the key is looked up in the keymap
 * against the store's state at the moment of the key press (not the last render), unless a
 * text entry or the item picker has the focus (they read keys themselves).
 */
import { useSafeInput } from './use-safe-input.js';
import { useRunStoreApi } from '../store.js';
import { keyContext, keyName, resolveKey } from '../keymap.js';
import type { Controller } from '../controller.js';

export function useAppKeys(controller: Controller): void {
  const store = useRunStoreApi();
  useSafeInput((input, key) => {
    const name = keyName(input, key);
    if (name === 'ctrl+c') return controller.interrupt();
    const ctx = keyContext(store.getState());
    if (ctx.focus === 'entry' || ctx.focus === 'picker' || ctx.phase === 'quitting') return;
    const b = resolveKey(name, ctx);
    if (b) controller.dispatch(b.action);
  });
}
