/** Small, deterministic formatting helpers shared by the report model and renderers. */

/** ISO time → `2024-05-31 10:02:11Z` (seconds precision, UTC). Unparseable input is returned as is. */
export function fmtTime(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Milliseconds → `850ms`, `45s`, `2m 05s`, `1h 02m`, `3d 04h`. */
export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '—';
  const neg = ms < 0;
  if (Math.abs(ms) < 1000) return `${neg ? '-' : ''}${Math.round(Math.abs(ms))}ms`;
  let s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const txt = d > 0 ? `${d}d ${two(h)}h` : h > 0 ? `${h}h ${two(m)}m` : m > 0 ? `${m}m ${two(s)}s` : `${s}s`;
  return neg ? `-${txt}` : txt;
}

/** Normalised ISO time, or undefined when the value is not a time. */
export function isoOf(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  if (typeof v === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const t = typeof v === 'number' ? v : Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function between(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const a = Date.parse(from);
  const b = Date.parse(to);
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : b - a;
}

export function earliest(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

export function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** One line, at most n characters (an ellipsis marks a cut). */
export function oneLine(s: string, n = 200): string {
  const flat = s.replace(/\s*\r?\n\s*/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

/** `fp 3f9a1c2b… ending …wxyz` style short credential label. */
export function credLabel(fingerprint: string, last4: string | undefined): string {
  return `${fingerprint.slice(0, 12)}${fingerprint.length > 12 ? '…' : ''}${last4 ? ` …${last4}` : ''}`;
}
