/**
 * A runbook's instructions often show what an earlier step found with `toJSON(...)` in a
 * fenced ```json block (the keys of a user, the events of a trail). Raw JSON on one line —
 * `[{"access_key_id":"AKIA…","status":"Active",…}]` — is hard to read at 3 a.m.; the TUI and
 * the scripted reporter show such a block as a list instead: one bullet per element, its
 * fields as `field: value` separated by ` · ` (underscores read as spaces). Anything that is
 * not a JSON list or object of plain values stays as written.
 */

const MAX_ITEMS = 50;

function plain(v: unknown): string | undefined {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v.replace(/[\r\n]+/g, ' ');
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map((x) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? `(${inner(x as Record<string, unknown>)})` : plain(x))).join(', ');
  // a nested object: its fields in parentheses (never braces and quotes)
  return `(${inner(v as Record<string, unknown>)})`;
}

const inner = (o: Record<string, unknown>): string =>
  Object.entries(o)
    .filter(([, x]) => x !== undefined && x !== null)
    .map(([k, x]) => `${label(k)}: ${plain(x)}`)
    .join(', ');

const label = (k: string) => k.replace(/_/g, ' ');

function fields(o: Record<string, unknown>): string {
  return Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${label(k)}: ${plain(v)}`)
    .join(' · ');
}

/**
 * The text of a JSON code block as readable lines (`• …` per element of a list, `field: value`
 * per key of an object), or undefined when it is not JSON of that shape. An empty list reads
 * `(none)`; past 50 elements the rest is counted.
 */
export function jsonBlockAsList(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[') && !t.startsWith('{')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return ['(none)'];
    const out = v.slice(0, MAX_ITEMS).map((x) => `• ${x !== null && typeof x === 'object' && !Array.isArray(x) ? fields(x as Record<string, unknown>) : plain(x)}`);
    if (v.length > MAX_ITEMS) out.push(`… and ${v.length - MAX_ITEMS} more`);
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length === 0 ? ['(none)'] : entries.map(([k, x]) => `${label(k)}: ${plain(x)}`);
  }
  return undefined;
}

const FENCE = /^([ \t]*)```json[ \t]*\n([\s\S]*?)\n[ \t]*```[ \t]*$/gm;

/** Markdown with each ```json block of list/object shape replaced by its readable lines (same indent); plain text for the scripted reporter. */
export function jsonFencesAsText(md: string): string {
  return md.replace(FENCE, (whole, indent: string, body: string) => {
    const lines = jsonBlockAsList(body);
    return lines ? lines.map((l) => `${indent}${l}`).join('\n') : whole;
  });
}
