/** Small, deterministic formatting helpers shared by the report model and renderers. */
import { formatDuration } from '../core/duration.js';

/** ISO time → `2024-05-31 10:02:11Z` (seconds precision, UTC). Unparseable input is returned as is. */
export function fmtTime(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Milliseconds in the one duration format (src/core/duration.ts); `—` when unknown. */
export function fmtDuration(ms: number | undefined): string {
  return ms === undefined || Number.isNaN(ms) ? '—' : formatDuration(ms);
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

/**
 * One line, at most n characters (an ellipsis marks a cut). Every line break goes (CR alone, VT,
 * FF, NEL and U+2028/9 too): a title rendering an input that holds one would otherwise start a
 * line of its own in status or the scripted output — one that reads like the tool's
 * (`✓ revoke-tokens ok`, `runbook: incident … done`).
 */
export function oneLine(s: string, n = 200): string {
  const flat = s.replace(/\s*[\r\n\v\f\u0085\u2028\u2029]\s*/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

/** `fp 3f9a1c2b… ending …wxyz` style short credential label. */
export function credLabel(fingerprint: string, last4: string | undefined): string {
  return `${fingerprint.slice(0, 12)}${fingerprint.length > 12 ? '…' : ''}${last4 ? ` …${last4}` : ''}`;
}

/**
 * A step (or item) skipped because its `if:` was false did not apply: it is not an open item,
 * nor "skipped" by anyone (the engine's reason reads `condition is false: …`).
 */
export const didNotApply = (reason: string | undefined): boolean => reason !== undefined && reason.startsWith('condition is false');
