/** The detail pane of the selected step (see detail-lines.ts for what it shows). */
import { Box } from 'ink';
import { useEffect, useMemo } from 'react';
import { useMarkdownReady } from '../markdown.js';
import { setUi, useRunStore, useRunStoreApi } from '../store.js';
import { selectedStep, isWaitingOn } from '../status.js';
import { useNow } from '../hooks/use-now.js';
import { detailLog, detailTop, detailWindow } from './detail-lines.js';
import { Lines, Rule } from './lines.js';

export function Detail({ width, height }: { width: number; height: number }) {
  const id = useRunStore(selectedStep);
  const step = useRunStore((s) => (id ? s.steps.get(id) : undefined));
  const waiting = useRunStore((s) => (id ? isWaitingOn(s, id) : false));
  const scroll = useRunStore((s) => s.ui.detailScroll);
  // what a pending step's title and instructions read from the others, when they have finished
  const steps = useRunStore((s) => (step && step.status !== 'ok' ? s.steps : undefined));
  const ticking = step?.status === 'running';
  const now = useNow(1000, ticking);
  const inner = Math.max(10, width - 1);
  const rows = Math.max(1, height - 1);
  // only the item rows that can be on screen (scrolled down to, at most) are built
  const maxItems = rows + (scroll ?? 0);
  const markdown = useMarkdownReady(); // a manual step's instructions are styled once marked is loaded
  const top = useMemo(() => (step ? detailTop(step, waiting, inner, now, steps, maxItems) : []), [step, waiting, inner, ticking ? now : 0, steps, maxItems, markdown]);
  const log = useMemo(() => (step ? detailLog(step, inner) : null), [step, inner]);
  const win = log ? detailWindow(top, log, rows, scroll) : { lines: [], scrolled: 0, max: 0 };
  const right = scroll !== null && win.max > 0 ? `${win.scrolled}/${win.max} · f follows` : undefined;
  // the footer offers PgDn while the pane is cut below (as for what is asked: prompt-panel.tsx)
  const more = win.scrolled < win.max;
  const api = useRunStoreApi();
  useEffect(() => {
    if (api.getState().ui.detailMore !== more) setUi(api, { detailMore: more });
  }, [api, more]);
  useEffect(() => () => setUi(api, { detailMore: false }), [api]);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Rule title={step ? `Step ${step.info.id}` : 'Step'} right={right} width={width} />
      <Lines lines={win.lines} width={inner} />
    </Box>
  );
}
