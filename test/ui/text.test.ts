import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import cliTruncate from 'cli-truncate';
import { loadMarkdown, renderMarkdown } from '../../src/ui/markdown.js';
import { clock, fit, lineText, valueLines, width, wrap, line, seg } from '../../src/ui/text.js';

await loadMarkdown();
import { createTheme, colorFromEnv } from '../../src/ui/theme.js';

const text = (lines: ReturnType<typeof renderMarkdown>) => lines.map(lineText);

describe('markdown instructions', () => {
  it('renders headings, emphasis, code, links, lists and code blocks as styled plain text', () => {
    const md = '# Rotate the key\n\nOpen **the console** and run `aws iam` — see [the guide](https://example.test/g).\n\n- first\n- [ ] second\n\n1. one\n2. two\n\n```sh\naws sts get-caller-identity\n```\n\n> careful &amp; slow';
    const lines = renderMarkdown(md, 60);
    const all = text(lines);
    expect(all[0]).toBe('Rotate the key');
    expect(lines[0]?.[0]?.style).toBe('heading');
    expect(all).toContain('• first');
    expect(all).toContain('• [ ] second');
    expect(all).toContain('1. one');
    expect(all).toContain('  aws sts get-caller-identity');
    expect(all).toContain('│ careful & slow');
    const para = all.find((l) => l.startsWith('Open'))!;
    expect(para).toContain('the console');
    expect(para).toContain('aws iam');
    const styles = lines.flat().map((s) => s.style);
    expect(styles).toEqual(expect.arrayContaining(['bold', 'code', 'link']));
    expect(all.join('\n')).toContain('(https://example.test/g)');
    expect(all.join('\n')).not.toContain('**');
    for (const l of all) expect(l.length).toBeLessThanOrEqual(60);
  });

  it('wraps to the width and never lets escape sequences through', () => {
    const lines = renderMarkdown(`${'word '.repeat(40)}\n\n\u001b[2Jevil\u001b[0m`, 30);
    for (const l of text(lines)) expect(l.length).toBeLessThanOrEqual(30);
    expect(text(lines).join('')).not.toContain('\u001b');
  });
});

describe('text helpers', () => {
  it('wraps styled segments, keeping styles and hanging indents', () => {
    const out = wrap(line(seg('abc ', 'bold'), 'def ghi jkl mno'), 8, 2);
    expect(out.map(lineText)).toEqual(['abc def', '  ghi', '  jkl', '  mno']);
    expect(out[0]?.[0]).toEqual({ text: 'abc ', style: 'bold' });
    expect(wrap(line('x'.repeat(20)), 8).map(lineText)).toEqual(['xxxxxxxx', 'xxxxxxxx', 'xxxx']);
  });

  it('shows values as key: value lines with stored secrets as fingerprint…last4', () => {
    const out = valueLines({ user: 'alice', token: { $secret: 'secrets.hf', fingerprint: 'ab12', last4: 'WXYZ' }, ids: [1, 2] }, 60).map(lineText);
    expect(out).toEqual(['user: alice', 'token: ‹secret secrets.hf …WXYZ›', 'ids: [1, 2]']);
  });

  it('formats the incident clock', () => {
    expect(clock(3_723_000)).toBe('1:02:03');
    expect(clock(5_000)).toBe('0:00:05');
  });
});

describe('fit', () => {
  it('cuts text to the columns by display width, as much of it as fits and an ellipsis (CJK, symbols, emoji)', () => {
    const ch = fc.constantFrom('a', 'Z', ' ', '·', '✓', '—', '×', '漢', '한', 'ア', 'Ａ', 'é', 'e\u0301', '👍🏽', '🇫🇷');
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 30 }).map((xs) => xs.join('')), fc.integer({ min: 1, max: 40 }), (text, cols) => {
        const out = fit(text, cols);
        expect(width(out)).toBeLessThanOrEqual(cols);
        if (width(text) <= cols) {
          expect(out).toBe(text);
          return;
        }
        expect(out.endsWith('…')).toBe(true);
        const kept = out.slice(0, -1);
        expect(text.startsWith(kept)).toBe(true);
        // no shorter than cli-truncate's cut (the one the text takes when it has escapes or emoji)
        let other = cliTruncate(text, cols);
        for (let c = cols - 1; width(other) > cols && c > 0; c--) other = cliTruncate(text, c);
        expect(width(out)).toBeGreaterThanOrEqual(width(other));
      }),
      { numRuns: 3000 },
    );
    expect(fit('drill clock 0:00:00 ×0.25 — starts with your first key', 20)).toBe('drill clock 0:00:00…');
    expect(fit('漢字漢字漢字', 6)).toBe('漢字…');
  });
});

describe('theme', () => {
  it('drops colours under NO_COLOR but keeps inverse and bold', () => {
    expect(colorFromEnv({ NO_COLOR: '1' })).toBe(false);
    expect(colorFromEnv({ NO_COLOR: '' })).toBe(true);
    expect(colorFromEnv({})).toBe(true);
    const plain = createTheme({ color: false });
    expect(plain.badge.live).toEqual({ bold: true, inverse: true });
    expect(JSON.stringify(plain)).not.toMatch(/"color":"|backgroundColor/);
    expect(createTheme({ color: true }).badge.live).toMatchObject({ color: 'red', inverse: true });
  });
});

describe('code blocks', () => {
  it('keep their indentation and break long lines instead of cutting them', () => {
    const lines = renderMarkdown('```\nif x:\n    deploy --token-id 0123456789abcdef0123456789abcdef\n```\n', 30).map(lineText);
    expect(lines[0]).toBe('  if x:');
    expect(lines[1]).toMatch(/^ {6}deploy/);
    expect(lines.join('')).toContain('0123456789abcdef');
    expect(lines.every((l) => l.length <= 30)).toBe(true);
    expect(lines.at(-1)?.trim()).not.toBe('');
  });
});

