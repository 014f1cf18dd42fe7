/**
 * The current time, re-read every `ms` while `active` (a clock re-renders only itself). Every
 * clock of the same period shares one timer, so the header's clock and the running step's
 * "running for" move in ONE commit (and one frame) per tick, not one each.
 */
import { useEffect, useState } from 'react';

const tickers = new Map<number, { subs: Set<(now: number) => void>; timer: ReturnType<typeof setInterval> }>();

function subscribe(ms: number, fn: (now: number) => void): () => void {
  let t = tickers.get(ms);
  if (!t) {
    const subs = new Set<(now: number) => void>();
    const timer = setInterval(() => {
      const now = Date.now();
      for (const f of subs) f(now);
    }, ms);
    t = { subs, timer };
    tickers.set(ms, t);
  }
  const ticker = t;
  ticker.subs.add(fn);
  return () => {
    ticker.subs.delete(fn);
    if (ticker.subs.size === 0) {
      clearInterval(ticker.timer);
      tickers.delete(ms);
    }
  };
}

export function useNow(ms: number, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => (active ? subscribe(ms, setNow) : undefined), [ms, active]);
  return now;
}
