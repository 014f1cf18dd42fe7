/**
 * useReducer whose latest state is readable at once: several keys can arrive in one stdin
 * chunk (a paste, or `typed text` + Enter), and Enter must submit what was just typed, not
 * the state of the last render.
 */
import { useCallback, useRef, useState } from 'react';

export function useSyncReducer<S, A>(reducer: (s: S, a: A) => S, init: () => S): [S, (a: A) => void, () => S] {
  const ref = useRef<S | null>(null);
  if (ref.current === null) ref.current = init();
  const [state, setState] = useState<S>(ref.current);
  const dispatch = useCallback(
    (a: A) => {
      const next = reducer(ref.current as S, a);
      if (next !== ref.current) {
        ref.current = next;
        setState(next);
      }
    },
    [reducer],
  );
  const latest = useCallback(() => ref.current as S, []);
  return [state, dispatch, latest];
}
