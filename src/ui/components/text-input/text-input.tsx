/** A one-line text entry: label, value (masked for secrets) with a visible cursor, error. */
import { Box, Text } from 'ink';
import { useTheme } from '../../theme.js';
import { useTextInput } from './use-text-input.js';
import { width as widthOf } from '../../text.js';
import { graphemes } from '../../graphemes.js';


export interface TextInputProps {
  label: string;
  width: number;
  isActive: boolean;
  mask?: boolean;
  hint?: string;
  error?: string | null;
  onSubmit(value: string): void;
  onCancel?(): void;
  /** the value was edited (typed, deleted, Ctrl-U/Ctrl-W): an error about the value submitted no longer applies */
  onEdit?(): void;
}

export function TextInput({ label, width, isActive, mask, hint, error, onSubmit, onCancel, onEdit }: TextInputProps) {
  const theme = useTheme();
  const { value, cursor } = useTextInput({ isActive, onSubmit, onCancel, onEdit });
  // by character (grapheme) and display width: an emoji or a CJK character is one step, two columns
  const chars = [...graphemes.segment(value)];
  const shown = chars.map((g) => (mask ? '•' : g.segment));
  const at0 = chars.filter((g) => g.index < cursor).length;
  const room = Math.max(8, width - 4);
  // keep the cursor in view on long values
  let start = 0;
  while (start < at0 && widthOf(shown.slice(start, at0 + 1).join('')) > room) start++;
  const visible = shown.slice(start);
  const at = at0 - start;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" {...theme.seg.title}>
        {label}
      </Text>
      <Text wrap="truncate-end">
        <Text {...theme.seg.key}>{'› '}</Text>
        <Text>{visible.slice(0, at).join('')}</Text>
        <Text inverse>{visible[at] ?? ' '}</Text>
        <Text>{visible.slice(at + 1).join('')}</Text>
      </Text>
      {error ? (
        <Text wrap="truncate-end" {...theme.seg.error}>
          {`! ${error}`}
        </Text>
      ) : hint ? (
        <Text wrap="truncate-end" {...theme.seg.dim}>
          {hint}
        </Text>
      ) : null}
    </Box>
  );
}
