/** The pane that says what is asked now; the item picker takes it over while choosing items. */
import { Box } from 'ink';
import { useMemo } from 'react';
import { useRunStore } from '../../store.js';
import { useController } from '../../context.js';
import { keyContext } from '../../keymap.js';
import { line, seg } from '../../text.js';
import { Lines, Rule } from '../lines.js';
import { ItemPicker } from '../item-picker/item-picker.js';
import { promptLines, promptTitle } from './prompt-lines.js';

export function PromptPanel({ width, height }: { width: number; height: number }) {
  const controller = useController();
  const prompt = useRunStore((s) => s.prompts[0]);
  const more = useRunStore((s) => s.prompts.length - 1);
  const step = useRunStore((s) => (prompt?.step ? s.steps.get(prompt.step) : undefined));
  const scroll = useRunStore((s) => s.ui.promptScroll);
  const picking = useRunStore((s) => s.ui.picker !== null && s.ui.picker === s.prompts[0]?.id);
  const pickerActive = useRunStore((s) => keyContext(s).focus === 'picker');
  const error = useRunStore((s) => s.ui.entryError);
  const inner = Math.max(10, width - 1);
  const lines = useMemo(() => (prompt ? promptLines(prompt, step, inner) : []), [prompt, step, inner]);
  if (!prompt) return null;
  const rows = Math.max(1, height - 1);
  const right = more > 0 ? `${more} more waiting` : undefined;
  if (picking && prompt.kind === 'approval') {
    const inputs = prompt.req.inputs;
    const describe = (k: string) => {
      const v = inputs[k];
      return v === undefined ? '' : JSON.stringify(v).slice(0, 80);
    };
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Rule title={promptTitle(prompt)} right={right} width={width} />
        <ItemPicker
          key={prompt.id}
          items={prompt.req.items}
          describe={describe}
          width={inner}
          height={rows}
          isActive={pickerActive}
          error={error}
          onSubmit={controller.submitPicker}
          onCancel={controller.cancelPicker}
        />
      </Box>
    );
  }
  const max = Math.max(0, lines.length - rows);
  const at = Math.min(scroll, max);
  const shown = lines.length > rows ? [...lines.slice(at, at + rows - 1), line(seg(at < max ? `… ${max - at} more lines (PgDn)` : '(end — PgUp)', 'dim'))] : lines;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Rule title={promptTitle(prompt)} right={right} width={width} />
      <Lines lines={shown} width={inner} />
    </Box>
  );
}
