/** The terminal's size, updated on resize (Ink re-lays out; we re-budget lines). */
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface Size {
  columns: number;
  rows: number;
}

const read = (s: { columns?: number; rows?: number }): Size => ({
  columns: Math.max(40, s.columns || 80),
  rows: Math.max(12, s.rows || 24),
});

export function useTerminalSize(): Size {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => read(stdout));
  useEffect(() => {
    const on = () => setSize(read(stdout));
    stdout.on('resize', on);
    on();
    return () => {
      stdout.off('resize', on);
    };
  }, [stdout]);
  return size;
}
