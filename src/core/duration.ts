/**
 * The one duration format, for every place that shows one (TUI, scorecard, report):
 * `850ms`, `45s`, `2m05s`, `1h02m`, `3d04h` — two units at most, the second zero-padded, no
 * space (one word: it reads as one value in a sentence and in a table).
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const neg = ms < 0;
  const abs = Math.abs(ms);
  if (abs < 1000) return `${neg ? '-' : ''}${Math.round(abs)}ms`;
  let s = Math.round(abs / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const txt = d > 0 ? `${d}d${two(h)}h` : h > 0 ? `${h}h${two(m)}m` : m > 0 ? `${m}m${two(s)}s` : `${s}s`;
  return neg ? `-${txt}` : txt;
}

/** The inverse for a leading duration in a line (`2m05s did x`, also `2m 05s`, `850ms`): ms, or undefined. */
export function parseLeadingDuration(text: string): number | undefined {
  const ms = /^(\d+)ms(?=\s|$)/.exec(text);
  if (ms) return Number(ms[1]);
  const m = /^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?(?=\s|$)/.exec(text);
  if (!m || m.slice(1).every((x) => x === undefined)) return undefined;
  return (((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 1000;
}
