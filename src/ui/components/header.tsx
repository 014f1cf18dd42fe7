/**
 * Header: mode badge (LIVE in inverse red — unmistakable even without colour), incident id,
 * runbook title, severity; then the incident clock, progress and how the run proceeds.
 */
import { Box, Text } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { useRunStore } from '../store.js';
import { useTheme } from '../theme.js';
import { useNow } from '../hooks/use-now.js';
import { progressOf } from '../status.js';
import { clock, fit } from '../text.js';
import type { UiMode } from '../store/types.js';

const BADGE: Record<UiMode, string> = { live: ' ● LIVE ', drill: '[DRILL]', 'dry-run': '[DRY-RUN]' };

function Clock({ openedAt }: { openedAt?: string }) {
  const now = useNow(1000, openedAt !== undefined);
  const since = openedAt ? Date.parse(openedAt) : NaN;
  return <Text bold>{Number.isNaN(since) ? '-:--:--' : clock(now - since)}</Text>;
}

export function Header({ width }: { width: number }) {
  const theme = useTheme();
  const h = useRunStore(
    useShallow((s) => ({
      mode: s.mode,
      incident: s.incident,
      title: s.runbook?.title,
      severity: s.runbook?.severity,
      openedAt: s.openedAt,
      resumed: s.resumed,
      phase: s.phase,
      autoRun: s.ui.autoRun,
      ...progressOf(s),
    })),
  );
  const badge = BADGE[h.mode];
  const title = `${h.incident ?? 'starting…'}  ${h.title ?? ''}`;
  const sev = h.severity ? `  severity ${h.severity.toUpperCase()}` : '';
  const barWidth = Math.max(6, Math.min(24, width - 70));
  const filled = h.total === 0 ? 0 : Math.round((h.finished / h.total) * barWidth);
  const pct = h.total === 0 ? 0 : Math.round((h.finished / h.total) * 100);
  const how = h.phase === 'ended' || h.phase === 'closed' ? 'run over' : h.phase === 'quitting' ? 'stopping…' : h.autoRun ? 'running all' : 'step by step';
  const extra = [h.failed ? `${h.failed} failed` : '', h.skipped ? `${h.skipped} skipped` : '', h.resumed ? 'resumed' : ''].filter(Boolean).join(' · ');
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text {...theme.badge[h.mode]}>{badge}</Text>
        <Text bold>{' ' + fit(title, Math.max(10, width - badge.length - sev.length - 2))}</Text>
        <Text {...(h.severity === 'critical' || h.severity === 'high' ? theme.seg.error : theme.seg.warn)}>{sev}</Text>
      </Text>
      <Text wrap="truncate-end">
        <Text {...theme.seg.dim}>{'elapsed '}</Text>
        <Clock openedAt={h.openedAt} />
        <Text>{`  ${h.finished}/${h.total} steps `}</Text>
        <Text {...theme.seg.ok}>{'█'.repeat(filled)}</Text>
        <Text {...theme.seg.dim}>{'░'.repeat(barWidth - filled)}</Text>
        <Text>{` ${pct}%`}</Text>
        <Text {...theme.seg.dim}>{`  ${how}${extra ? ' · ' + extra : ''}`}</Text>
      </Text>
    </Box>
  );
}
