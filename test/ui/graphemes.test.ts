import { describe, expect, it, beforeAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import stringWidth from 'string-width';
import sliceAnsi from 'slice-ansi';
import { eastAsianWidth } from 'get-east-asian-width';
import { SIMPLE_TEXT_RANGES, isSimpleText, lazySegmenter } from '../../src/ui/graphemes.js';

// src/ui/graphemes.ts and the bundle's patches of string-width, slice-ansi and Ink's tokenizer
// (scripts/bundle-patches.mjs): the same segments and widths as the packages as published.

const intl = new Intl.Segmenter();
const plain = (it: Iterable<{ segment: string; index: number }>) => [...it].map(({ segment, index }) => ({ segment, index }));

/** every character of SIMPLE_TEXT_RANGES */
const simpleChars: string[] = [];
for (const m of SIMPLE_TEXT_RANGES.matchAll(/\\u([0-9A-F]{4})-\\u([0-9A-F]{4})/g)) {
  for (let c = parseInt(m[1]!, 16); c <= parseInt(m[2]!, 16); c++) simpleChars.push(String.fromCharCode(c));
}

// what terminal text is made of: the simple characters, and what must take the full path
const hard = ['\u001B[1m', '\u001B[22m', '\u009B31m', '\r\n', '\n', '\t', 'e\u0301', '\u200D', '👍🏽', '👩‍👩‍👧', '🇫🇷', '❤️', '1️⃣', '\u1100\u1161\u11A8', 'ｶﾞ', '\u00AD', '\uD800', '𠀋', 'क्षि'];
const char = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...simpleChars) },
  { weight: 3, arbitrary: fc.constantFrom('a', ' ', '·', '✓', '◐', '─', '│', '—', '…', '漢', '한', 'ア', '\u001B', '\u009B', '[', 'm', '1', ';') },
  { weight: 1, arbitrary: fc.constantFrom(...hard) },
);
const text = fc.array(char, { maxLength: 40 }).map((xs) => xs.join(''));

describe('lazySegmenter', () => {
  it('segments like Intl.Segmenter (graphemes), with and without ICU', () => {
    const seg = lazySegmenter();
    fc.assert(
      fc.property(text, fc.nat(60), (s, i) => {
        expect(plain(seg.segment(s))).toEqual(plain(intl.segment(s)));
        const a = seg.segment(s).containing(i);
        const b = intl.segment(s).containing(i);
        expect(a && { segment: a.segment, index: a.index }).toEqual(b && { segment: b.segment, index: b.index });
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the one-unit path only for text it covers, and a word segmenter is never replaced', () => {
    expect(plain(lazySegmenter().segment('✓ done'))).toHaveLength(6);
    expect(plain(lazySegmenter().segment('👍🏽 ok'))).toEqual(plain(intl.segment('👍🏽 ok')));
    const words = lazySegmenter(undefined, { granularity: 'word' });
    expect(plain(words.segment('two words'))).toEqual(plain(new Intl.Segmenter(undefined, { granularity: 'word' }).segment('two words')));
  });

  it('every simple character is a grapheme of its own next to any other, and string-width measures it by East Asian Width', () => {
    expect(simpleChars.length).toBeGreaterThan(30_000);
    for (const c of simpleChars) {
      expect(isSimpleText(c)).toBe(true);
      for (const ambiguousIsNarrow of [true, false]) {
        expect(stringWidth(c, { ambiguousIsNarrow }), `U+${c.charCodeAt(0).toString(16)}`).toBe(eastAsianWidth(c.charCodeAt(0), { ambiguousAsWide: !ambiguousIsNarrow }));
      }
    }
    fc.assert(
      fc.property(fc.constantFrom(...simpleChars), fc.constantFrom(...simpleChars), (a, b) => {
        expect([...intl.segment(a + b)]).toHaveLength(2);
      }),
      { numRuns: 20_000 },
    );
    for (const h of hard) expect(isSimpleText(h)).toBe(false);
  });
});

describe('the bundle’s string-width and slice-ansi (scripts/bundle-patches.mjs)', () => {
  let patched: { stringWidth: typeof stringWidth; sliceAnsi: typeof sliceAnsi };
  beforeAll(async () => {
    const { bundlePatches } = (await import('../../scripts/bundle-patches.mjs' as string)) as { bundlePatches: () => Plugin };
    const dir = mkdtempSync(join(tmpdir(), 'runbook-patched-'));
    const out = join(dir, 'patched.mjs');
    await build({
      stdin: { contents: "export { default as stringWidth } from 'string-width'; export { default as sliceAnsi } from 'slice-ansi';", resolveDir: process.cwd(), loader: 'js' },
      outfile: out,
      bundle: true,
      format: 'esm',
      platform: 'node',
      plugins: [bundlePatches()],
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    patched = (await import(pathToFileURL(out).href)) as typeof patched;
  });

  it('measures every string as the published string-width does', () => {
    fc.assert(
      fc.property(text, fc.boolean(), fc.boolean(), (s, ambiguousIsNarrow, countAnsiEscapeCodes) => {
        expect(patched.stringWidth(s, { ambiguousIsNarrow, countAnsiEscapeCodes })).toBe(stringWidth(s, { ambiguousIsNarrow, countAnsiEscapeCodes }));
      }),
      { numRuns: 5000 },
    );
    expect(patched.stringWidth('漢字 ✓ 👍🏽')).toBe(9); // 2 + 2 + 1 + 1 + 1 + 2
  });

  it('slices every string as the published slice-ansi does', () => {
    fc.assert(
      fc.property(text, fc.nat(30), fc.nat(30), (s, a, b) => {
        expect(patched.sliceAnsi(s, a, a + b)).toBe(sliceAnsi(s, a, a + b));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses to build when a package no longer has the code a patch replaces', async () => {
    const { patchStringWidth, patchSegmenter } = (await import('../../scripts/bundle-patches.mjs' as string)) as { patchStringWidth: (s: string, p: string) => string; patchSegmenter: (s: string, p: string) => string };
    expect(() => patchStringWidth('export default () => 0;', 'x/index.js')).toThrow(/x\/index\.js: the ASCII fast path to patch was not found/);
    expect(() => patchSegmenter('const a = 1;', 'y.js')).toThrow(/y\.js: 0 `new Intl\.Segmenter\(`/);
  });
});
