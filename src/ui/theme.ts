/**
 * Themes are plain objects of Ink Text props (ink-ui's approach). NO_COLOR drops colours but
 * keeps bold / inverse / dim, so status is never carried by colour alone (words and icons
 * carry it) and the LIVE badge stays unmistakable.
 */
import { createContext, useContext } from 'react';
import type { SegStyle } from './text.js';
import type { UiMode } from './store/types.js';
import type { DisplayStatus } from './status.js';

export interface TextStyle {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  dimColor?: boolean;
}

export interface Theme {
  color: boolean;
  seg: Record<SegStyle, TextStyle>;
  badge: Record<UiMode, TextStyle>;
  status: Record<DisplayStatus, TextStyle>;
  rule: TextStyle;
}

const strip = (s: TextStyle, color: boolean): TextStyle => {
  if (color) return s;
  const { color: _c, backgroundColor: _b, ...rest } = s;
  return rest;
};

export function createTheme(opts: { color: boolean }): Theme {
  const c = opts.color;
  const m = <K extends string>(o: Record<K, TextStyle>): Record<K, TextStyle> =>
    Object.fromEntries(Object.entries<TextStyle>(o).map(([k, v]) => [k, strip(v, c)])) as Record<K, TextStyle>;
  return {
    color: c,
    seg: m<SegStyle>({
      bold: { bold: true },
      italic: { italic: true },
      code: { color: 'cyan' },
      link: { color: 'blue', underline: true },
      heading: { bold: true, underline: true },
      dim: { dimColor: true },
      error: { color: 'red', bold: true },
      warn: { color: 'yellow' },
      ok: { color: 'green' },
      key: { bold: true, color: 'cyan' },
      accent: { color: 'magenta' },
      selected: { inverse: true },
      title: { bold: true },
    }),
    badge: m<UiMode>({
      live: { bold: true, inverse: true, color: 'red' },
      drill: { bold: true, color: 'yellow' },
      'dry-run': { bold: true, color: 'cyan' },
    }),
    status: m<DisplayStatus>({
      pending: { dimColor: true },
      running: { color: 'cyan', bold: true },
      waiting: { color: 'yellow', bold: true },
      retrying: { color: 'yellow' },
      done: { color: 'green' },
      failed: { color: 'red', bold: true },
      skipped: { dimColor: true },
      'in doubt': { color: 'magenta', bold: true },
    }),
    rule: strip({ color: 'gray' }, c),
  };
}

/** NO_COLOR (https://no-color.org): present and non-empty disables colour. */
export function colorFromEnv(env: NodeJS.ProcessEnv): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

export const ThemeContext = createContext<Theme>(createTheme({ color: true }));
export const useTheme = (): Theme => useContext(ThemeContext);
