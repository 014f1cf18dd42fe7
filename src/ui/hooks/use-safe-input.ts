/**
 * useInput, but only where raw mode exists: Ink's useInput throws when stdin is not a TTY.
 */
import { useInput, useStdin, type Key } from 'ink';

export function useSafeInput(handler: (input: string, key: Key) => void, opts: { isActive?: boolean } = {}): void {
  const { isRawModeSupported } = useStdin();
  useInput(handler, { isActive: (opts.isActive ?? true) && isRawModeSupported === true });
}
