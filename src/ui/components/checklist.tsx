/**
 * The checklist: every step with its icon AND status word, kind, title and fan-out counts.
 * Only the rows that fit are built, so a 2,000-step runbook renders like a 20-step one.
 */
import { Box, Text } from 'ink';
import { useRunStore } from '../store.js';
import { useTheme } from '../theme.js';
import { countsText, displayStatus, ICON, selectedStep } from '../status.js';
import { countedTitle, fit, pad, placeholders } from '../text.js';
import { Rule } from './lines.js';

const NONE: string[] = [];

export function windowStart(index: number, total: number, rows: number): number {
  if (total <= rows) return 0;
  return Math.max(0, Math.min(index - Math.floor(rows / 3), total - rows));
}

export function Checklist({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  // before the runbook is read, a resume knows only the journal's step ids (no kind, no title): not listed as steps
  const order = useRunStore((s) => (s.begun ? s.stepOrder : NONE));
  const steps = useRunStore((s) => s.steps);
  const prompts = useRunStore((s) => s.prompts);
  const waiting = useRunStore((s) => s.waiting);
  const selected = useRunStore(selectedStep);
  const rows = Math.max(1, height - 1);
  const index = selected === null ? 0 : Math.max(0, order.indexOf(selected));
  const start = windowStart(index, order.length, rows);
  const visible = order.slice(start, start + rows);
  const waitingOn = new Set<string>(prompts.map((p) => p.step ?? ''));
  if (waiting) waitingOn.add(waiting.step);
  const right = order.length > rows ? `${start + 1}–${start + visible.length} of ${order.length}` : `${order.length} steps`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Rule title="Checklist" right={right} width={width} />
      {visible.length === 0 ? <Text {...theme.seg.dim}>{'  waiting for the runbook…'}</Text> : null}
      {visible.map((id) => {
        const step = steps.get(id);
        if (!step) return null;
        const st = displayStatus(step, waitingOn.has(id));
        const isSel = id === selected;
        const counts = countsText(step);
        const title = placeholders(step.info.title, steps);
        const rest = `${pad(step.info.kind, 7)} ${step.itemOrder.length > 0 ? countedTitle(title, step.itemOrder.length) : title}${counts ? ` · ${counts}` : ''}`;
        return (
          <Text key={id} wrap="truncate-end">
            <Text {...(isSel ? theme.seg.key : {})}>{isSel ? '›' : ' '}</Text>
            <Text {...theme.status[st]}>{` ${ICON[st]} ${pad(st, 8)} `}</Text>
            <Text {...(isSel ? theme.seg.selected : {})}>{fit(rest, Math.max(4, width - 13))}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
