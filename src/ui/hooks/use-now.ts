/**
 * The current time, re-read every `ms` while `active` (a clock re-renders only itself). Every
 * clock of the same period shares one timer (ticker.ts), so the header's clock and the running
 * step's "running for" move in ONE commit (and one frame) per tick, not one each.
 */
import { useEffect, useState } from 'react';
import { onTick } from '../ticker.js';

export function useNow(ms: number, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => (active ? onTick(ms, setNow) : undefined), [ms, active]);
  return now;
}
