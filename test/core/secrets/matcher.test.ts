/**
 * The compact window-hash matcher against a naive model (indexOf over every needle), and the
 * redactor's streaming guarantee with many registered secrets: every registered value and every
 * variant of it is masked wherever it sits and however the stream is cut into writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WINDOW, WindowMatcher, type Span } from '../../../src/core/secrets/matcher.js';
import { MASK, Redactor, variants } from '../../../src/core/secrets/redactor.js';

const fold = (s: string) => s.replace(/-/g, '+').replace(/_/g, '/');

/** Merged spans of every occurrence of every needle (equal modulo the base64 fold), the slow way. */
function naiveSpans(needles: string[], text: string): Span[] {
  const t = fold(text);
  const all: Span[] = [];
  for (const n of needles) {
    const f = fold(n);
    for (let at = t.indexOf(f); at >= 0; at = t.indexOf(f, at + 1)) all.push([at, at + n.length]);
  }
  all.sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last && last[1] >= s) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

describe('WindowMatcher', () => {
  it('property: finds exactly the spans of a naive search, overlapping and repeated needles included', () => {
    // a small alphabet makes overlaps, shared windows and hash-bucket collisions common; `€`
    // (beyond Latin-1) puts some needles on the side instead of in the packed bytes
    const unit = fc.constantFrom('a', 'b', '-', '+', '_', '/', 'é', '€');
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit, minLength: WINDOW, maxLength: WINDOW + 12 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.oneof(fc.string({ unit, maxLength: 20 }), fc.nat()), { maxLength: 20 }),
        (needles, pieces) => {
          const m = new WindowMatcher();
          for (const n of needles) m.add(n);
          const text = pieces.map((p) => (typeof p === 'number' ? needles[p % needles.length]! : p)).join('');
          expect(m.spans(text)).toEqual(naiveSpans(needles, text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stores a needle once: again, or in the URL-safe base64 alphabet, adds nothing', () => {
    const m = new WindowMatcher();
    expect(m.add('abc+def/ghi+jkl/mno')).toBe(true);
    expect(m.add('abc+def/ghi+jkl/mno')).toBe(false);
    expect(m.add('abc-def_ghi-jkl_mno')).toBe(false);
    expect(m.count).toBe(1);
    expect(m.spans('x abc-def_ghi-jkl_mno y')).toEqual([[2, 21]]);
  });

  it('keeps Latin-1 needles packed outside the JS heap, one byte a character, and wider ones on the side', () => {
    const m = new WindowMatcher();
    // a token-shaped needle built at run time (no credential-shaped literal in the tree)
    const ascii = ['aGZfYWJjZGVmZ2hpamtsbW5vcA', '68665f6162636465666768696a6b6c', ['hf', 'abcdefghijklmnopqrstuvwxyzABCDEFGH'].join('_')];
    for (const n of ascii) m.add(n);
    m.add('passéword-café-été-123');
    m.add('€€-euro-secret-value-1');
    expect(m.stats()).toEqual({ needles: 5, packed: ascii.join('').length + 'passéword-café-été-123'.length, wide: 1 });
    // both kinds still match, URL-safe and standard base64 alike
    expect(m.spans('x €€+euro+secret+value+1 y')).toEqual([[2, 24]]);
    expect(m.spans('[hf/abcdefghijklmnopqrstuvwxyzABCDEFGH]')).toEqual([[1, 38]]);
  });

  it('grows its table past thousands of needles without losing any', () => {
    const m = new WindowMatcher();
    const needles = Array.from({ length: 5000 }, (_, i) => `needle-number-${String(i).padStart(6, "0")}-${"x".repeat(i % 7)}`);
    for (const n of needles) expect(m.add(n)).toBe(true);
    expect(m.count).toBe(5000);
    for (const n of [needles[0]!, needles[2500]!, needles[4999]!]) expect(m.spans(`<${n}>`)).toEqual([[1, 1 + n.length]]);
  });
});

describe('Redactor with many secrets, streamed', () => {
  const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-!"\\ é\n';
  const secretArb = fc.oneof(
    fc.string({ unit: fc.constantFrom(...ALPHA.replace('\n', '')), minLength: 6, maxLength: 60 }),
    fc.string({ unit: 'grapheme', minLength: 6, maxLength: 20 }).filter((s) => !s.includes('*')),
  );

  it('property: every registered secret and every variant of it is masked at any position and any cut of the stream', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(secretArb, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        fc.string({ unit: fc.constantFrom(...ALPHA), maxLength: 30 }),
        fc.string({ unit: fc.constantFrom(...ALPHA), maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 0, max: 2 }),
        (secrets, which, variant, before, after, cuts, mode) => {
          const r = new Redactor();
          for (const s of secrets) r.add(s);
          const secret = secrets[which % secrets.length]!;
          const forms = [...variants(secret)];
          const needle = forms[variant % forms.length]!;
          const text = `${before}${needle}${after}`;
          // cut the text into writes at random points
          const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const writes: string[] = [];
          let prev = 0;
          for (const c of at) {
            writes.push(text.slice(prev, c));
            prev = c;
          }
          writes.push(text.slice(prev));
          const got: string[] = [];
          // mode 0: whole lines; 1: a tiny maxLine, so long lines are flushed in pieces; 2: lineSink with partial pieces
          if (mode === 2) {
            const sink = r.lineSink((l) => got.push(l + '\n'), { maxLine: 8, maxShape: 64 });
            for (const w of writes) sink.line(w, true);
            sink.flush();
          } else {
            const s = r.stream((t) => got.push(t), mode === 1 ? { maxLine: 8, maxShape: 64 } : {});
            for (const w of writes) s.write(w);
            s.flush();
          }
          const out = got.join('');
          const plain = mode === 2 ? out.replace(/\n/g, '') : out;
          // a line-by-line or cut-up emission never shows the needle, nor does it hide the mask
          expect(plain.includes(needle.replace(/\n/g, mode === 2 ? '' : '\n')), JSON.stringify({ needle, out })).toBe(false);
          expect(out).toContain(MASK);
        },
      ),
      { numRuns: 200 },
    );
  });
});
