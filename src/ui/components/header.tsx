/**
 * Header: mode badge (LIVE in inverse red — unmistakable even without colour), runbook title,
 * severity; then progress, how the run proceeds, the incident clock and the incident id; in a
 * drill a third line: the drill clock (its speed, whether it runs) and the attacker's next move.
 */
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useRunStore } from '../store.js';
import { useTheme } from '../theme.js';
import { useNow } from '../hooks/use-now.js';
import { useDrill, type DrillView } from '../context.js';
import { progressOf } from '../status.js';
import { clock, fit, width as widthOf } from '../text.js';
import { BADGE, STARTING } from '../first-line.js';


/** Rows the header takes: a drill has its clock line. */
export const headerRows = (drill: boolean): number => (drill ? 3 : 2);

function Clock({ openedAt }: { openedAt?: string }) {
  const now = useNow(1000, openedAt !== undefined);
  const since = openedAt ? Date.parse(openedAt) : NaN;
  return <Text bold>{Number.isNaN(since) ? '-:--:--' : clock(now - since)}</Text>;
}

/** What the drill line says (pure, for tests): clock, speed, state, the attacker's next move — the move first to go when cut. */
export function drillLine(d: Pick<DrillView, 'speed' | 'now' | 'running' | 'next'>, phase: string, help: boolean, cols = 200): { text: string; warn: boolean } {
  const now = d.now();
  const over = phase === 'ended' || phase === 'closed' || phase === 'quitting';
  const state = over ? ' stopped' : d.running() ? '' : help ? ' paused (help)' : now === 0 ? ' — starts with your first key' : ' paused — your next key starts it';
  const clockPart = `drill clock ${clock(now)} ×${d.speed}${state}`;
  const next = d.next();
  // no move due: the scenario has none left, or none at all (a drill without an attacker) — said so that it is true of both; cut short, never mid-word
  if (!next) {
    const short = over ? ' stopped' : d.running() ? '' : help ? ' paused (help)' : ' paused';
    const none = [`${clockPart} · no attacker move to come`, `drill ${clock(now)} ×${d.speed}${short} · no attacker move to come`, `drill ${clock(now)} ×${d.speed}${short}`];
    return { text: none.find((c) => widthOf(c) <= cols) ?? none[none.length - 1]!, warn: false };
  }
  const what = next.what.replace(/ with \S+$/, '');
  if (over) return { text: fit(`${clockPart} · the attacker's next move (${clock(next.at)}: ${what}) never came`, cols), warn: false };
  const inT = d.running() && next.at > now ? ` (in ${clock(next.at - now)})` : '';
  const candidates = [
    `${clockPart} · attacker at ${clock(next.at)}${inT}: ${next.what}`,
    `${clockPart} · attacker at ${clock(next.at)}${inT}: ${what}`,
    // narrow: the countdown says more than the time it is due
    inT ? `drill ${clock(now)} ×${d.speed} · attacker in ${clock(next.at - now)}: ${what}` : `drill ${clock(now)} ×${d.speed}${state} · attacker ${clock(next.at)}: ${what}`,
  ];
  return { text: candidates.find((c) => widthOf(c) <= cols) ?? candidates[candidates.length - 1]!, warn: d.running() && next.at - now < 30_000 };
}

function DrillClockLine({ drill, width }: { drill: DrillView; width: number }) {
  const theme = useTheme();
  const phase = useRunStore((s) => s.phase);
  const help = useRunStore((s) => s.ui.overlay === 'help');
  useNow(500, phase === 'running' || phase === 'starting');
  const l = drillLine(drill, phase, help, width);
  return (
    <Text wrap="truncate-end" {...(l.warn ? theme.seg.warn : theme.seg.dim)}>
      {fit(l.text, width)}
    </Text>
  );
}

/** a clock as the header shows it (`0:12:34`; a run open for days has more digits): the room kept for it */
const CLOCK_COLS = 8;

/**
 * Which parts of the header's second row fit `width`, the incident id last to go — it is what
 * resuming and reporting need: the " incl. time away", the bar, the incident clock, the word
 * "incident", what follows the mode (`· 2 skipped`: `howShort` is the mode alone), the count and
 * the mode give way first (pure, for tests).
 */
export function secondRow(p: { width: number; barWidth: number; count: string; pct: string; how: string; howShort?: string; resumed: boolean; incident: string }): { count: boolean; bar: boolean; how: boolean; short: boolean; open: boolean; incl: boolean; lead: string; incident: string } {
  const variants = [
    { count: true, bar: true, how: true, short: false, open: true, incl: p.resumed, word: true },
    { count: true, bar: true, how: true, short: false, open: true, incl: false, word: true },
    { count: true, bar: false, how: true, short: false, open: true, incl: false, word: true },
    { count: true, bar: false, how: true, short: false, open: false, incl: false, word: true },
    { count: true, bar: false, how: true, short: false, open: false, incl: false, word: false },
    // the count (what is done) before the counts of failed/skipped that follow the mode
    { count: true, bar: false, how: true, short: true, open: false, incl: false, word: false },
    { count: false, bar: false, how: true, short: true, open: false, incl: false, word: false },
    { count: false, bar: false, how: false, short: false, open: false, incl: false, word: false },
  ];
  const cols = (v: (typeof variants)[number]) =>
    (v.count ? widthOf(`${p.count} steps `) + (v.bar ? p.barWidth + 1 : 0) + widthOf(p.pct) : 0) +
    (v.how ? 2 + widthOf(v.short ? (p.howShort ?? p.how) : p.how) : 0) +
    (v.open ? 7 + CLOCK_COLS + (v.incl ? 16 : 0) : 0) +
    (v.count || v.how || v.open ? 2 : 0) +
    (v.word ? 9 : 0) +
    widthOf(p.incident);
  const v = variants.find((x) => cols(x) <= p.width) ?? variants[variants.length - 1]!;
  const lead = `${v.count || v.how || v.open ? '  ' : ''}${v.word ? 'incident ' : ''}`;
  return { ...v, lead, incident: fit(p.incident, Math.max(4, p.width - widthOf(lead))) };
}

export function Header({ width }: { width: number }) {
  const theme = useTheme();
  const drill = useDrill();
  const h = useRunStore(
    useShallow((s) => ({
      mode: s.mode,
      incident: s.incident,
      title: s.runbook?.title,
      severity: s.runbook?.severity,
      openedAt: s.openedAt,
      resumed: s.resumed,
      phase: s.phase,
      begun: s.begun,
      autoRun: s.ui.autoRun,
      ...progressOf(s),
    })),
  );
  const badge = BADGE[h.mode];
  const sev = h.severity ? `  ${h.severity.toUpperCase()}` : '';
  const title = h.title ?? STARTING;
  const barWidth = Math.max(6, Math.min(20, width - 74));
  const filled = h.total === 0 ? 0 : Math.round((h.finished / h.total) * barWidth);
  const pct = h.total === 0 ? 0 : Math.round((h.finished / h.total) * 100);
  const how = h.phase === 'ended' || h.phase === 'closed' ? 'run over' : h.phase === 'quitting' ? 'stopping…' : h.autoRun ? 'running all' : 'step by step';
  const extra = [h.begun && h.failed ? `${h.failed} failed` : '', h.begun && h.skipped ? `${h.skipped} skipped` : '', h.resumed ? 'resumed' : ''].filter(Boolean).join(' · ');
  const count = h.begun ? `${h.finished}/${h.total}` : '…/…';
  const pctText = h.begun ? `${pct}%` : '…%';
  const howText = `${how}${extra ? ' · ' + extra : ''}`;
  const incident = h.incident ?? '…';
  // measured again only when one of its parts changes (not on every key press or progress frame)
  const row = useMemo(
    () => secondRow({ width, barWidth, count, pct: pctText, how: howText, howShort: how, resumed: h.resumed, incident }),
    [width, barWidth, count, pctText, howText, how, h.resumed, incident],
  );
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text {...theme.badge[h.mode]}>{badge}</Text>
        <Text bold>{' ' + fit(title, Math.max(10, width - widthOf(badge) - widthOf(sev) - 1))}</Text>
        <Text {...(h.severity === 'critical' || h.severity === 'high' ? theme.seg.error : theme.seg.warn)}>{sev}</Text>
      </Text>
      <Text wrap="truncate-end">
        {row.count ? (
          h.begun ? (
            <>
              <Text>{`${h.finished}/${h.total} steps `}</Text>
              {row.bar ? (
                <>
                  <Text {...theme.seg.ok}>{'█'.repeat(filled)}</Text>
                  <Text {...theme.seg.dim}>{'░'.repeat(barWidth - filled) + ' '}</Text>
                </>
              ) : null}
              <Text>{`${pct}%`}</Text>
            </>
          ) : (
            // the steps are not known yet (a resume knows only the journal's ids): no count that looks final
            <Text {...theme.seg.dim}>{`…/… steps ${row.bar ? '░'.repeat(barWidth) + ' ' : ''}…%`}</Text>
          )
        ) : null}
        {row.how ? <Text {...theme.seg.dim}>{`  ${how}${extra && !row.short ? ' · ' + extra : ''}`}</Text> : null}
        {row.open ? (
          <>
            <Text {...theme.seg.dim}>{'  open '}</Text>
            <Clock openedAt={h.openedAt} />
            {row.incl ? <Text {...theme.seg.dim}>{' incl. time away'}</Text> : null}
          </>
        ) : null}
        <Text {...theme.seg.dim}>{row.lead}</Text>
        <Text>{row.incident}</Text>
      </Text>
      {drill ? <DrillClockLine drill={drill} width={width} /> : null}
    </Box>
  );
}
