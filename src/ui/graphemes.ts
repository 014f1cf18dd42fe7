/**
 * Grapheme segmentation that costs nothing for ordinary terminal text. The first
 * `new Intl.Segmenter()` of a process sets up ICU's break iterators (~12 ms here), and the TUI's
 * width libraries (string-width, slice-ansi, Ink's ANSI tokenizer) each build one when they are
 * imported — on the way to the first frame, whose text is ASCII, `·`, `✓`, box drawing and the
 * like. `lazySegmenter()` has the same `segment()` result for grapheme segmentation: a string made
 * only of characters that are each a grapheme of their own whatever their neighbours (SIMPLE_TEXT,
 * plus ESC and CSI, which are controls) is split one UTF-16 unit at a time; anything else (emoji,
 * combining marks, joiners, Hangul jamo, CR LF, astral planes) goes to a real Intl.Segmenter,
 * built on first use. The bundle (scripts/bundle-patches.mjs) gives the three libraries this
 * segmenter too; test/ui/graphemes.test.ts checks both paths against Intl.Segmenter.
 */

/**
 * Character ranges where no character joins a neighbour into one grapheme cluster and none is
 * zero-width or a control: printable ASCII and Latin, Greek, Cyrillic, general punctuation,
 * currency, letterlike and technical symbols, arrows, box drawing, geometric shapes, dingbats,
 * CJK symbols (not the combining tone marks), kana (not the combining sound marks), the common
 * CJK ideographs, Hangul syllables, fullwidth forms. All in the Basic Multilingual Plane.
 */
export const SIMPLE_TEXT_RANGES = String.raw`\u0020-\u007E\u00A0-\u00AC\u00AE-\u02FF\u0370-\u0482\u048A-\u052F\u2010-\u2027\u2030-\u205E\u2070-\u20CF\u2100-\u2BFF\u3000-\u3029\u3030-\u3098\u309B-\u30FF\u4E00-\u9FFF\uAC00-\uD7A3\uFF01-\uFF60`;

const SIMPLE_TEXT = new RegExp(`^[${SIMPLE_TEXT_RANGES}]*$`);

/** Is `text` made only of SIMPLE_TEXT_RANGES characters (each one grapheme, its width its East Asian Width)? */
export function isSimpleText(text: string): boolean {
  return SIMPLE_TEXT.test(text);
}

/** only SIMPLE_TEXT_RANGES characters, ESC (0x1B) and CSI (0x9B): one grapheme per UTF-16 unit */
const SIMPLE = new RegExp(`^[\\u001B\\u009B${SIMPLE_TEXT_RANGES}]*$`);

export interface GraphemeSegment {
  segment: string;
  index: number;
  input: string;
}

export interface GraphemeSegments extends Iterable<GraphemeSegment> {
  containing(index?: number): GraphemeSegment | undefined;
}

/** the segments of a string whose every UTF-16 unit is a grapheme */
class UnitSegments implements GraphemeSegments {
  constructor(readonly input: string) {}

  containing(index = 0): GraphemeSegment | undefined {
    const i = Math.trunc(Number(index)) || 0;
    if (i < 0 || i >= this.input.length) return undefined;
    return { segment: this.input[i]!, index: i, input: this.input };
  }

  *[Symbol.iterator](): Iterator<GraphemeSegment> {
    const s = this.input;
    for (let i = 0; i < s.length; i++) yield { segment: s[i]!, index: i, input: s };
  }
}

/** A grapheme segmenter (Intl.Segmenter's `segment()`), ICU's only for text that needs it. */
export function lazySegmenter(locales?: string | string[], options?: Intl.SegmenterOptions): { segment(input: string): GraphemeSegments } {
  let real: Intl.Segmenter | undefined;
  const grapheme = (options?.granularity ?? 'grapheme') === 'grapheme';
  return {
    segment(input: string): GraphemeSegments {
      const s = String(input);
      if (grapheme && SIMPLE.test(s)) return new UnitSegments(s);
      return (real ??= new Intl.Segmenter(locales, options)).segment(s);
    },
  };
}

/** the graphemes of `text` (as Intl.Segmenter splits them) */
export const graphemes = lazySegmenter();
