// Small helpers shared by the benchmarks: timing, medians, ratios, peak memory.
export async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Run `fn` `n` times (after one warm-up) and return the median in ms. */
export async function median(n, fn) {
  await fn();
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await time(fn));
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

export const ms = (x) => `${x.toFixed(1)} ms`;
export const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

export function row(name, value, baseline, baseName) {
  console.log(`  ${name.padEnd(44)} ${ms(value).padStart(10)}   ${baseline ? `${ratio(value, baseline)} of ${baseName}` : ''}`);
}
