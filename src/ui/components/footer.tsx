/** Footer: the keys that apply right now, from the same table that dispatches them. */
import { Text } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { useRunStore } from '../store.js';
import { useTheme } from '../theme.js';
import { activeBindings, keyContext, keysOf, labelOf } from '../keymap.js';
import { width as widthOf } from '../text.js';

/** `more`: the step's detail on screen is cut below (PgDn shows more; what is asked says so through the store). */
export function Footer({ width, more = false }: { width: number; more?: boolean }) {
  const theme = useTheme();
  const stored = useRunStore(useShallow(keyContext));
  const ctx = more && !stored.more ? { ...stored, more } : stored;
  const phase = ctx.phase;
  // the run's last frame stays on the terminal: what follows it (the summary, an error) comes right under its status line
  if (phase === 'closed') return null;
  if (phase === 'quitting') {
    return (
      <Text wrap="truncate-end" {...theme.seg.dim}>
        {'stopping… Ctrl-C leaves at once'}
      </Text>
    );
  }
  const bindings = activeBindings(ctx);
  // help and quit/exit always fit (80 columns included), and PgDn when what is asked is cut: the others take the room that is left
  const PINNED = new Set(['help', 'quit', 'exit', 'scroll-down']);
  const size = (b: (typeof bindings)[number]) => widthOf(keysOf(b)) + widthOf(labelOf(b, ctx)) + 3;
  const pinned = bindings.filter((b) => PINNED.has(b.action));
  let used = pinned.reduce((n, b) => n + size(b), 0);
  const parts: { k: string; l: string }[] = [];
  for (const b of bindings) {
    if (PINNED.has(b.action)) continue;
    if (used + size(b) > width) continue;
    used += size(b);
    parts.push({ k: keysOf(b), l: labelOf(b, ctx) });
  }
  for (const b of pinned) parts.push({ k: keysOf(b), l: labelOf(b, ctx) });
  return (
    <Text wrap="truncate-end">
      {parts.map((p, i) => (
        <Text key={i}>
          <Text {...theme.seg.key}>{p.k}</Text>
          <Text>{` ${p.l}${i < parts.length - 1 ? '  ' : ''}`}</Text>
        </Text>
      ))}
    </Text>
  );
}
