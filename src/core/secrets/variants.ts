/**
 * The encoded forms in which a secret value can turn up in output (SECURITY.md, "encoded
 * forms"): each one is registered with the redactor next to the raw value.
 *
 * Base64 at any offset: when a value sits at byte offset p inside a larger blob, the blob's
 * base64 contains, verbatim, the base64 of the value's bytes from the first 3-byte group
 * boundary inside the value to the last one. With k = (3 - p mod 3) mod 3 ∈ {0,1,2}, that is
 * `base64(bytes[k .. k + 3·⌊(n-k)/3⌋])` — the aligned core for offset k. Registering the three
 * cores masks the value at every offset; only the partial groups at either edge (at most two
 * bytes of the value, mixed with neighbouring bytes) stay visible.
 */

/** Values shorter than this are not registered (they would mask ordinary text). */
export const MIN_SECRET_LENGTH = 6;
/** Shortest encoded needle (a base64 core of a short value can be as short as one group). */
const MIN_CORE = 4;

/** Aligned base64 cores of `bytes` for offsets k = 0, 1, 2 (standard alphabet, no padding). */
export function base64Cores(bytes: Uint8Array): string[] {
  const out: string[] = [];
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < 3; k++) {
    const n = Math.floor((buf.length - k) / 3) * 3;
    if (n <= 0) continue;
    const core = buf.subarray(k, k + n).toString('base64');
    if (core.length >= MIN_CORE) out.push(core);
  }
  return out;
}

const toUrlSafe = (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Every base64 needle for `value`: the full encoding (±padding) and the three aligned cores, std and url-safe. */
function base64Forms(value: string): string[] {
  const full = b64(value);
  const forms = [full, full.replace(/=+$/, ''), ...base64Cores(Buffer.from(value, 'utf8'))];
  return [...forms, ...forms.map(toUrlSafe)];
}

/** Double base64: the outer encoding of every inner form, at every outer offset. */
function doubleBase64Forms(value: string): string[] {
  const full = b64(value);
  const inners = [full, ...base64Cores(Buffer.from(value, 'utf8'))];
  const out: string[] = [];
  for (const inner of inners) {
    const outer = b64(inner);
    const forms = [outer, outer.replace(/=+$/, ''), ...base64Cores(Buffer.from(inner, 'utf8'))].filter((f) => f.length >= 8);
    out.push(...forms, ...forms.map(toUrlSafe));
  }
  return out;
}

function jsonForms(value: string): string[] {
  const once = JSON.stringify(value).slice(1, -1);
  const out = [once, JSON.stringify(once).slice(1, -1)];
  // encoders that escape `/` (PHP) or every non-ASCII character (Python's ensure_ascii)
  if (value.includes('/')) out.push(once.replace(/\//g, '\\/'));
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(value)) out.push(once.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return out;
}

function urlForms(value: string): string[] {
  const once = encodeURIComponent(value);
  return [
    once,
    once.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ v: value }).toString().slice(2),
    encodeURIComponent(once),
  ];
}

function hexForms(value: string): string[] {
  const hex = Buffer.from(value, 'utf8').toString('hex');
  return [hex, hex.toUpperCase()];
}

/** Encoded forms of a value that could end up in output (only needles long enough to be specific). */
export function variants(value: string): Set<string> {
  const out = new Set<string>();
  if (value.length < MIN_SECRET_LENGTH) return out;
  const add = (s: string, min = MIN_SECRET_LENGTH) => {
    if (s.length >= min) out.add(s);
  };
  // a multi-line value: as written, with the other line ending, and each line on its own
  const multiLine = /\r?\n/.test(value);
  const forms = multiLine ? [value, value.replace(/\r?\n/g, '\n'), value.replace(/\r?\n/g, '\r\n')] : [value];
  for (const form of new Set(forms)) {
    add(form);
    for (const f of jsonForms(form)) add(f);
    for (const f of urlForms(form)) add(f);
    for (const f of hexForms(form)) add(f);
    for (const f of base64Forms(form)) add(f, MIN_CORE);
    for (const f of doubleBase64Forms(form)) add(f, 8);
  }
  if (multiLine) {
    for (const line of value.split(/\r?\n/)) {
      const t = line.trim();
      if (t.length < MIN_SECRET_LENGTH) continue;
      add(t);
      for (const f of jsonForms(t)) add(f);
    }
  }
  return out;
}
