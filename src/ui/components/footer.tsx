/** Footer: the keys that apply right now, from the same table that dispatches them. */
import { Text } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { useRunStore } from '../store.js';
import { useTheme } from '../theme.js';
import { activeBindings, keyContext, keysOf, labelOf } from '../keymap.js';

export function Footer({ width }: { width: number }) {
  const theme = useTheme();
  const ctx = useRunStore(useShallow(keyContext));
  const phase = ctx.phase;
  if (phase === 'closed') return <Text> </Text>;
  if (phase === 'quitting') {
    return (
      <Text wrap="truncate-end" {...theme.seg.dim}>
        {'stopping… Ctrl-C leaves at once'}
      </Text>
    );
  }
  const bindings = activeBindings(ctx);
  let used = 0;
  const parts: { k: string; l: string }[] = [];
  for (const b of bindings) {
    const k = keysOf(b);
    const l = labelOf(b, ctx);
    const len = k.length + l.length + 3;
    if (used + len > width) break;
    used += len;
    parts.push({ k, l });
  }
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
