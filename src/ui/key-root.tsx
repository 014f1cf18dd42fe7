/**
 * One reader of the keyboard for the whole life of a TUI's Ink instance: the loading screen
 * (openTui) and the run's screen (runTui) are both drawn under a <KeyRoot>, so Ink keeps the
 * same input listener (and raw mode) across the hand-over, and a key goes to whichever handler
 * the router holds at the moment it is read. runTui points the router at the run's keys in the
 * same turn as it draws the run's screen: no key pressed after that frame reaches the loading
 * screen's handler, and none pressed before it reaches the run's (issue 12: a ⏎ read in the
 * moment between — the terminal still cooked, ⏎ turned into a line feed — started the drill's
 * clock but not the step).
 *
 * Raw mode is entered before the first frame (`enterRawMode`): Ink enables it only in an effect
 * that runs after the frame is written, and a key pressed in between was read cooked (⏎ as a
 * line feed, echoed onto the frame).
 */
import { createContext, useCallback, useContext, type ReactNode } from 'react';
import type { Key } from 'ink';
import { useSafeInput } from './hooks/use-safe-input.js';

export type KeyHandler = (input: string, key: Key) => void;

export interface KeyRouter {
  current: KeyHandler;
}

/** Inside a <KeyRoot>: the root reads the keys (the app's own key hook stays off). */
export const RoutedContext = createContext(false);
export const useKeysRouted = (): boolean => useContext(RoutedContext);

export function KeyRoot({ router, children }: { router: KeyRouter; children: ReactNode }) {
  const onKey = useCallback<KeyHandler>((input, key) => router.current(input, key), [router]);
  useSafeInput(onKey);
  return <RoutedContext.Provider value={true}>{children}</RoutedContext.Provider>;
}

/** Raw mode now, before Ink's first frame (a no-op without a TTY); returns how to leave it. */
export function enterRawMode(stdin: NodeJS.ReadStream): () => void {
  if (stdin.isTTY !== true || typeof stdin.setRawMode !== 'function') return () => undefined;
  try {
    stdin.setRawMode(true);
  } catch {
    return () => undefined;
  }
  return () => {
    try {
      stdin.setRawMode(false);
    } catch {
      /* the terminal is gone */
    }
  };
}
