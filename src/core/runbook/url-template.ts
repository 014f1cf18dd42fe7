/**
 * URL templates: `https://api.example.com/users/${{ inputs.user }}/keys?tag=${{ inputs.tag }}`.
 * A value rendered into a URL is encoded for the component it lands in, so it can never change
 * the URL's shape: in a path segment `../../admin?x=1` stays one segment (`..%2F..%2Fadmin%3Fx%3D1`),
 * in a query key or value `&`, `=` and `#` are encoded, and so on.
 *
 * A template is a URL template when its literal text holds no whitespace and it starts with
 * `scheme://` — or with an expression (a base URL such as `${{ inputs.api }}`, inserted as it is)
 * whose value starts with `scheme://`. Values are placed by what precedes them:
 * authority, path, query key, query value, fragment — each encoded with encodeURIComponent.
 * A value that would be a whole `.` or `..` path segment is refused (URL parsers resolve those
 * even when encoded as `%2e`). Documented in docs/runbook-format.md ("URL templates").
 */
import type { TemplatePart } from './expr-parse.js';

export type UrlComponent = 'base' | 'authority' | 'path' | 'query-key' | 'query-value' | 'fragment';

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** Could this template be a URL? (decided for good once the text before the first value is known) */
export function maybeUrlTemplate(parts: readonly TemplatePart[]): boolean {
  if (parts.length < 2) return false;
  if (parts.some((p) => p.kind === 'text' && /\s/.test(p.text))) return false;
  const first = parts[0]!;
  return first.kind === 'expr' || SCHEME.test(first.text);
}

/** Where a value lands, given the URL text before it. */
export function componentAt(prefix: string): UrlComponent {
  const m = SCHEME.exec(prefix);
  if (!m) return 'base';
  const rest = prefix.slice(m[0].length);
  if (rest.includes('#')) return 'fragment';
  const q = rest.indexOf('?');
  if (q >= 0) {
    const pair = rest.slice(Math.max(rest.lastIndexOf('&'), q) + 1);
    return pair.includes('=') ? 'query-value' : 'query-key';
  }
  return rest.includes('/') ? 'path' : 'authority';
}

/** Replace lone surrogates (which cannot be encoded) with U+FFFD. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export class UrlValueError extends Error {}

/**
 * Encode `value` for `component`. `wholeSegment`: the value is a path segment on its own (the text
 * before ends with `/`, the text after starts with `/`, `?`, `#` or ends the URL).
 */
export function encodeForUrl(value: string, component: UrlComponent, wholeSegment: boolean): string {
  if (component === 'base') return value;
  if (component === 'path' && wholeSegment && (value === '.' || value === '..'))
    throw new UrlValueError(`the value "${value}" would be a whole path segment of the URL, which moves to another path; it is refused`);
  return encodeURIComponent(wellFormed(value));
}

/** Is a value placed between `before` and `after` a whole path segment? */
export function isWholeSegment(before: string, after: string | undefined): boolean {
  return before.endsWith('/') && (after === undefined || after === '' || /^[/?#]/.test(after));
}
