/** The item picker view: a scrolling window of `[x] key — input summary` rows. */
import { Box, Text } from 'ink';
import { useTheme } from '../../theme.js';
import { fit } from '../../text.js';
import { useItemPicker } from './use-item-picker.js';

export interface ItemPickerProps {
  items: readonly string[];
  describe?(key: string): string;
  width: number;
  height: number;
  isActive: boolean;
  error?: string | null;
  onSubmit(items: string[]): void;
  onCancel(): void;
}

export function ItemPicker({ items, describe, width, height, isActive, error, onSubmit, onCancel }: ItemPickerProps) {
  const theme = useTheme();
  const rows = Math.max(1, height - 2);
  const state = useItemPicker({ items, isActive, pageSize: rows, onSubmit, onCancel });
  const start = Math.max(0, Math.min(state.cursor - Math.floor(rows / 2), items.length - rows));
  const windowed = items.slice(start, start + rows);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" {...theme.seg.title}>
        {fit(`Approve which items? ${state.selected.size} of ${items.length} selected`, width)}
      </Text>
      {windowed.map((k, i) => {
        const at = start + i === state.cursor;
        const box = state.selected.has(k) ? '[x]' : '[ ]';
        const text = fit(`${at ? '›' : ' '} ${box} ${k}${describe ? `  ${describe(k)}` : ''}`, width);
        return (
          <Text key={k} wrap="truncate-end" {...(at ? theme.seg.selected : {})}>
            {text}
          </Text>
        );
      })}
      {error ? (
        <Text wrap="truncate-end" {...theme.seg.error}>
          {`! ${error}`}
        </Text>
      ) : (
        <Text wrap="truncate-end" {...theme.seg.dim}>
          {fit(items.length > rows ? `${start + 1}–${start + windowed.length} of ${items.length}` : ' ', width)}
        </Text>
      )}
    </Box>
  );
}
