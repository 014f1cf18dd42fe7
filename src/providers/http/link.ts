/**
 * The `Link` response header (RFC 8288, section 3): a comma-separated list of
 * `<URI-Reference>; param=value; param="quoted value"`. Several `Link` header lines arrive
 * joined by ", " (Okta sends `rel="self"` and `rel="next"` as two lines). `rel` holds one or
 * more space-separated relation types, compared case-insensitively. A URI inside `<…>` may hold
 * commas and semicolons, so the header is scanned rather than split.
 */

export interface LinkValue {
  uri: string;
  rels: string[];
  params: Record<string, string>;
}

export function parseLinkHeader(header: string): LinkValue[] {
  const out: LinkValue[] = [];
  const s = header;
  let i = 0;
  const ws = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  while (i < s.length) {
    ws();
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] !== '<') {
      // not a link-value: skip to the next comma outside quotes
      let q = false;
      while (i < s.length && (q || s[i] !== ',')) {
        if (s[i] === '"') q = !q;
        else if (q && s[i] === '\\') i++;
        i++;
      }
      continue;
    }
    const end = s.indexOf('>', i + 1);
    if (end < 0) break;
    const link: LinkValue = { uri: s.slice(i + 1, end), rels: [], params: {} };
    i = end + 1;
    for (;;) {
      ws();
      if (s[i] !== ';') break;
      i++;
      ws();
      let name = '';
      while (i < s.length && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(s[i]!)) name += s[i++];
      ws();
      let value = '';
      if (s[i] === '=') {
        i++;
        ws();
        if (s[i] === '"') {
          i++;
          while (i < s.length && s[i] !== '"') {
            if (s[i] === '\\' && i + 1 < s.length) i++;
            value += s[i++];
          }
          i++;
        } else {
          while (i < s.length && !/[;,\s]/.test(s[i]!)) value += s[i++];
        }
      }
      const key = name.toLowerCase();
      // RFC 8288 3.3: only the first occurrence of rel counts
      if (key && !Object.hasOwn(link.params, key)) Object.defineProperty(link.params, key, { value, enumerable: true, writable: true, configurable: true });
    }
    link.rels = (link.params.rel ?? '').split(/\s+/).filter(Boolean).map((r) => r.toLowerCase());
    out.push(link);
    // anything else before the next comma is ignored
    while (i < s.length && s[i] !== ',') i++;
  }
  return out;
}

/** The URL of the first link with relation `rel`, resolved against `base`; undefined when none. */
export function linkTarget(header: string | null, rel: string, base: string): string | undefined {
  if (!header) return undefined;
  const l = parseLinkHeader(header).find((x) => x.rels.includes(rel.toLowerCase()));
  if (!l) return undefined;
  try {
    return new URL(l.uri, base).href;
  } catch {
    return undefined;
  }
}
