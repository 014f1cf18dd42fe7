/** Renders styled lines, each cut to the pane's width: a pane never wraps past its height. */
import { Box, Text } from 'ink';
import { memo } from 'react';
import { useTheme } from '../theme.js';
import { fit, width as widthOf, type Line } from '../text.js';

function LineView({ line, width }: { line: Line; width: number }) {
  const theme = useTheme();
  let room = width;
  const parts: { text: string; style?: keyof typeof theme.seg }[] = [];
  for (const s of line) {
    if (room <= 0) break;
    const t = fit(s.text, room);
    room -= widthOf(t);
    parts.push({ text: t, style: s.style });
  }
  return (
    <Text wrap="truncate-end">
      {parts.length === 0 ? ' ' : parts.map((p, i) => (p.style ? <Text key={i} {...theme.seg[p.style]}>{p.text}</Text> : p.text))}
    </Text>
  );
}

export const Lines = memo(function Lines({ lines, width }: { lines: Line[]; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((l, i) => (
        <LineView key={i} line={l} width={width} />
      ))}
    </Box>
  );
});

/** A titled rule: `── Title ───────` */
export function Rule({ title, width, right }: { title: string; width: number; right?: string }) {
  const theme = useTheme();
  const head = `── ${title} `;
  const tail = right ? ` ${right} ──` : '';
  const fill = Math.max(0, width - widthOf(head) - widthOf(tail));
  return (
    <Text wrap="truncate-end">
      <Text {...theme.rule}>{'── '}</Text>
      <Text {...theme.seg.title}>{title}</Text>
      <Text {...theme.rule}>{' ' + '─'.repeat(fill)}</Text>
      {right ? <Text {...theme.seg.dim}>{tail}</Text> : null}
    </Text>
  );
}
