/** What is printed after the TUI closes (a drill's scorecard) wraps at word boundaries, by display width. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { wrapLines } from '../../src/ui/index.js';
import { wrap, lineText, line } from '../../src/ui/text.js';

describe('wrapLines (after exit)', () => {
  it('breaks between words, never inside one, and continues under the value column', () => {
    const out = wrapLines(['  attacker         2 succeeded before containment, 2 blocked, 1 not yet due — 1 attacker-made credential(s) still live'], 60).split('\n');
    expect(out.length).toBeGreaterThan(1);
    for (const l of out) expect(stringWidth(l)).toBeLessThanOrEqual(60);
    expect(out[1]).toMatch(/^ {19}\S/);
    const words = out.map((l) => l.trim()).join(' ').split(/\s+/);
    expect(words).toContain('attacker-made');
    expect(words).toContain('containment,');
  });

  it('keeps every word of any text, each line within the width', () => {
    const word = fc.stringMatching(/^[a-z漢字😀é]{1,4}$/u);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 30 }), fc.integer({ min: 20, max: 100 }), (words, cols) => {
        const text = `  label   ${words.join(' ')}`;
        const out = wrapLines([text], cols).split('\n');
        for (const l of out) expect(stringWidth(l)).toBeLessThanOrEqual(cols);
        expect(out.map((l) => l.trim()).join(' ').split(/\s+/).slice(1)).toEqual(words);
      }),
    );
  });
});

describe('wrap (panes) by display width', () => {
  it('CJK and emoji: no line wider than the pane, no character lost or reordered', () => {
    const text = fc.stringMatching(/^[a-z 漢字かな😀🔑é-]{0,120}$/u);
    fc.assert(
      fc.property(text, fc.integer({ min: 4, max: 60 }), fc.integer({ min: 0, max: 6 }), (t, cols, indent) => {
        const lines = wrap(line(t), cols, indent).map(lineText);
        for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(Math.max(4, cols));
        expect(lines.join('').replace(/\s/g, '')).toBe(t.replace(/\s/g, ''));
      }),
      // a line that reached the pane's width at an indent wider than the pane allows (found by fast-check)
      { examples: [['🔑é -', 4, 4]] },
    );
  });
});
