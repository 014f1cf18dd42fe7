/**
 * The app's one key router: Ctrl-C always quits; otherwise the key is looked up in the keymap
 * against the store's state at the moment of the key press (not the last render), unless a
 * text entry or the item picker has the focus (they read keys themselves). Several keys that
 * arrive in one chunk (fast typing, tmux send-keys) are taken one by one, and the rest is
 * dropped as soon as one of them moves the focus away from the main screen.
 *
 * A key is acted on or visibly ignored, never half-applied: a drill's clock starts with a key
 * that acts (before it acts: ⏎ on the first step counts), never with one that does nothing
 * (the status line then says so).
 */
import { useSafeInput } from './use-safe-input.js';
import { setUi, useRunStoreApi, type RunStore } from '../store.js';
import { keyContext, keyName, resolveKey, unboundHint, type ActionId } from '../keymap.js';
import type { Controller } from '../controller.js';
import { useKeysRouted, type KeyHandler } from '../key-root.js';

/** keys that do not start a drill's clock: help, opening the quit question and answering it (reading them costs no drill time) */
const NO_CLOCK = new Set<ActionId>(['help', 'quit', 'quit-cancel', 'quit-confirm']);

const CHAR_NAMES: Record<string, string> = { '\r': 'enter', '\n': 'enter', '\t': 'tab', ' ': 'space' };

/** What a key press does on the run's screen (plain: runTui hands it to the key router before the screen is drawn). */
export function appKeys(store: RunStore, controller: Controller): KeyHandler {
  return (input, key) => {
    const name = keyName(input, key);
    if (name === 'ctrl+c' || input.includes('\u0003')) return controller.interrupt();
    // a hint about the last key lasts until the next one
    if (store.getState().ui.keyHint) setUi(store, { keyHint: null });
    // a text entry or the item picker already acted on this key press (it submitted, or went back)
    if (controller.consumed) return;
    const plainChars = input.length > 1 && !key.ctrl && !key.meta && name === input;
    const names = plainChars ? [...input].map((c) => CHAR_NAMES[c] ?? c) : [name];
    for (const n of names) {
      const ctx = keyContext(store.getState());
      if (ctx.phase === 'quitting' || ctx.phase === 'closed') return;
      if (ctx.focus === 'entry' || ctx.focus === 'picker') {
        // the widget acts on it: typing an answer is a key that acts
        controller.keyPressed();
        return;
      }
      const b = resolveKey(n, ctx);
      if (b) {
        if (!NO_CLOCK.has(b.action)) controller.keyPressed();
        controller.dispatch(b.action);
      } else if (ctx.focus === 'main') setUi(store, { keyHint: unboundHint(n, ctx) });
    }
  };
}

/** The key router as a hook (an App drawn on its own); under a <KeyRoot> the root reads the keys instead. */
export function useAppKeys(controller: Controller): void {
  const store = useRunStoreApi();
  const routed = useKeysRouted();
  useSafeInput(appKeys(store, controller), { isActive: !routed });
}
