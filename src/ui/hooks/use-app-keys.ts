/**
 * The app's one key router: Ctrl-C always quits; otherwise the key is looked up in the keymap
 * against the store's state at the moment of the key press (not the last render), unless a
 * text entry or the item picker has the focus (they read keys themselves). Several keys that
 * arrive in one chunk (fast typing, tmux send-keys) are taken one by one, and the rest is
 * dropped as soon as one of them moves the focus away from the main screen.
 */
import { useSafeInput } from './use-safe-input.js';
import { setUi, useRunStoreApi } from '../store.js';
import { keyContext, keyName, resolveKey, unboundHint, type ActionId } from '../keymap.js';
import type { Controller } from '../controller.js';

/** keys that do not start a drill's clock: opening the quit question and answering it (as help costs no drill time) */
const NO_CLOCK = new Set<ActionId>(['quit', 'quit-cancel', 'quit-confirm']);

const CHAR_NAMES: Record<string, string> = { '\r': 'enter', '\n': 'enter', '\t': 'tab', ' ': 'space' };

export function useAppKeys(controller: Controller): void {
  const store = useRunStoreApi();
  useSafeInput((input, key) => {
    const name = keyName(input, key);
    if (name === 'ctrl+c' || input.includes('\u0003')) return controller.interrupt();
    // a hint about the last key lasts until the next one
    if (store.getState().ui.keyHint) setUi(store, { keyHint: null });
    // a text entry or the item picker already acted on this key press (it submitted, or went back)
    if (controller.consumed) return;
    // the first key starts a drill's clock (before it acts: ⏎ on the first step counts) — not help, nor asking to quit
    const first = resolveKey(name, keyContext(store.getState()))?.action;
    if (name !== '?' && !(first && NO_CLOCK.has(first))) controller.keyPressed();
    const plainChars = input.length > 1 && !key.ctrl && !key.meta && name === input;
    const names = plainChars ? [...input].map((c) => CHAR_NAMES[c] ?? c) : [name];
    for (const n of names) {
      const ctx = keyContext(store.getState());
      if (ctx.focus === 'entry' || ctx.focus === 'picker' || ctx.phase === 'quitting' || ctx.phase === 'closed') return;
      const b = resolveKey(n, ctx);
      if (b) controller.dispatch(b.action);
      else if (ctx.focus === 'main') setUi(store, { keyHint: unboundHint(n, ctx) });
    }
  });
}
