/**
 * One shared timer per period: every subscriber of the same period is called in the same timer
 * callback, so what they change lands in one React commit (one frame). The clocks (useNow)
 * tick on it, and a large fan-out's progress flushes on the 1 s tick (store/observer.ts), so
 * the counts and the clocks move in one frame a second, not two.
 */
const tickers = new Map<number, { subs: Set<(now: number) => void>; timer: ReturnType<typeof setInterval> }>();

/** Call `fn` every `ms` with the time, on the timer shared by every subscriber of that period; returns the unsubscribe. */
export function onTick(ms: number, fn: (now: number) => void): () => void {
  let t = tickers.get(ms);
  if (!t) {
    const subs = new Set<(now: number) => void>();
    const timer = setInterval(() => {
      const now = Date.now();
      for (const f of [...subs]) f(now);
    }, ms);
    t = { subs, timer };
    tickers.set(ms, t);
  }
  const ticker = t;
  ticker.subs.add(fn);
  return () => {
    ticker.subs.delete(fn);
    if (ticker.subs.size === 0 && tickers.get(ms) === ticker) {
      clearInterval(ticker.timer);
      tickers.delete(ms);
    }
  };
}
