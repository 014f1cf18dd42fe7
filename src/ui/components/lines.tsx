/** Renders styled lines, each cut to the pane's width: a pane never wraps past its height. */
import { Box, Text } from 'ink';
import { memo } from 'react';
import { useTheme, type TextStyle } from '../theme.js';
import { fit, isPlain, width as widthOf, type Line, type SegStyle } from '../text.js';

type Part = { text: string; style?: SegStyle };

/**
 * The parts of a line in runs that Ink measures apart: printable ASCII, and the rest. Ink measures
 * every text of every frame again (string-width, which segments any text with one character
 * outside ASCII: ~1.4 µs a character); a line is drawn as one text for each run (at most 3), so
 * the icon of an item's row is measured, not the whole row.
 */
export function runsOf(parts: Part[]): Part[][] | undefined {
  const runs: Part[][] = [];
  let plain: boolean | undefined;
  for (const p of parts) {
    const pl = isPlain(p.text);
    // a part that starts with a mark or a joiner stays with what it joins (one grapheme, measured whole)
    if (runs.length === 0 || (pl !== plain && !JOINS.test(p.text))) runs.push([]);
    runs[runs.length - 1]!.push(p);
    plain = pl;
  }
  return runs.length > 1 && runs.length <= 3 ? runs : undefined;
}

/** A combining mark, a zero-width joiner or a variation selector: the end of the grapheme before it. */
const JOINS = /^(?:\p{M}|\u200c|\u200d|[\ufe00-\ufe0f])/u;

/**
 * One line of text in one style, drawn as runs Ink measures apart (as a line's parts: runsOf):
 * words of printable ASCII, and words with anything else (`—`, `…`, an icon), cut at spaces.
 */
export function TextRuns({ text, style }: { text: string; style?: TextStyle }) {
  const runs: string[] = [];
  let plain: boolean | undefined;
  for (const w of text.split(/( +)/)) {
    if (w === '') continue;
    const pl = w.startsWith(' ') ? plain : isPlain(w);
    if (runs.length === 0 || (pl !== plain && !JOINS.test(w))) runs.push(w);
    else runs[runs.length - 1] += w;
    plain = pl;
  }
  if (runs.length <= 1 || runs.length > 5) {
    return (
      <Text wrap="truncate-end" {...style}>
        {text}
      </Text>
    );
  }
  return (
    <Box>
      {runs.map((r, i) => (
        <Text key={i} wrap="truncate-end" {...style}>
          {r}
        </Text>
      ))}
    </Box>
  );
}

function LineView({ line, width }: { line: Line; width: number }) {
  const theme = useTheme();
  let room = width;
  const parts: Part[] = [];
  for (const s of line) {
    if (room <= 0) break;
    const t = fit(s.text, room);
    room -= widthOf(t);
    parts.push({ text: t, style: s.style });
  }
  const draw = (ps: Part[]) => ps.map((p, i) => (p.style ? <Text key={i} {...theme.seg[p.style]}>{p.text}</Text> : p.text));
  const runs = runsOf(parts);
  if (runs) {
    // one row of texts, as wide together as the line (each part is cut to the room left above)
    return (
      <Box width={width}>
        {runs.map((r, i) => (
          <Text key={i} wrap="truncate-end">
            {draw(r)}
          </Text>
        ))}
      </Box>
    );
  }
  return <Text wrap="truncate-end">{parts.length === 0 ? ' ' : draw(parts)}</Text>;
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

/**
 * A titled rule: `── Title ───────`. The run of `─` is drawn as the top border of a box, not as
 * text: Ink measures every text of every frame again, and 90 of `─` cost it ~0.12 ms a frame each
 * (string-width segments any text outside ASCII). A title that leaves no room for it: one text, cut.
 */
export function Rule({ title, width, right }: { title: string; width: number; right?: string }) {
  const theme = useTheme();
  const head = `── ${title} `;
  const tail = right ? ` ${right} ──` : '';
  const fill = Math.max(0, width - widthOf(head) - widthOf(tail));
  if (fill > 0) {
    return (
      <Box width={width} height={1}>
        <Text {...theme.rule}>{'── '}</Text>
        <Text {...theme.seg.title}>{title}</Text>
        <Text {...theme.rule}>{' '}</Text>
        <Box width={fill} height={1} flexShrink={0} borderStyle="single" borderTop borderBottom={false} borderLeft={false} borderRight={false} borderColor={theme.rule.color} borderDimColor={theme.rule.dimColor} />
        {right ? <Text {...theme.seg.dim}>{` ${right}`}</Text> : null}
        {right ? <Text {...theme.seg.dim}>{' ──'}</Text> : null}
      </Box>
    );
  }
  return (
    <Text wrap="truncate-end">
      <Text {...theme.rule}>{'── '}</Text>
      <Text {...theme.seg.title}>{title}</Text>
      <Text {...theme.rule}>{' ' + '─'.repeat(fill)}</Text>
      {right ? <Text {...theme.seg.dim}>{tail}</Text> : null}
    </Text>
  );
}
