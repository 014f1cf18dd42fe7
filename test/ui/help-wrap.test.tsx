/**
 * Help at 80×24 (issue 12): every explanation is wrapped to the terminal, never cut with "…",
 * and the last page says "↑ back", not "↓ more".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import stringWidth from 'string-width';
import { begin, KEY, setup, step } from './helpers.js';

afterEach(() => cleanup());

describe('help at 80×24', () => {
  it('wraps every line: the drill clock explanation reads in full, no line is cut', async () => {
    const t = setup({ columns: 80, rows: 24 });
    t.emit(begin([step('find', { kind: 'detect', title: 'List the Spaces', uses: 'hf.listSpaces' })]));
    await t.until((f) => f.includes('List the Spaces'), 'the checklist');
    t.press('?');
    await t.until((f) => f.includes('── Help'), 'help');
    const pages: string[] = [];
    for (let i = 0; i < 20; i++) {
      const f = t.frame();
      pages.push(f);
      if (f.includes('↑ back')) break;
      t.press(KEY.down);
      await t.until((x) => x !== f, 'the next page');
    }
    const all = pages.join('\n');
    for (const l of all.split('\n')) {
      expect(stringWidth(l), l).toBeLessThanOrEqual(80);
      if (!l.startsWith('──')) expect(l, 'a help line cut short').not.toMatch(/…$/);
    }
    const prose = all.replace(/\s+/g, ' ');
    expect(prose).toContain('it counts only the time you spend on the drill.');
    expect(prose).toContain('stands still while this help is open');
    expect(pages.at(-1)).toContain('↑ back');
    expect(pages.at(-1)).not.toContain('↓ more');
  });
});
