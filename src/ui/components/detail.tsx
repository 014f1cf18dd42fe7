/**
 * The detail pane of the selected step (see detail-lines.ts for what it shows).
 *
 * Its window is worked out by useDetailView() in the run screen, which hands it to <Detail> and
 * whether it is cut below (`more`: the footer then offers PgDn) to the footer in the same
 * render: no effect writes `more` to the store after the frame — that second commit drew every
 * key press twice (two of Ink's full-screen frames per j/k; bench/README.md, tui-scale).
 */
import { Box } from 'ink';
import { useMemo, useRef } from 'react';
import { useMarkdownReady } from '../markdown.js';
import { useRunStore } from '../store.js';
import { selectedStep, isWaitingOn } from '../status.js';
import { useNow } from '../hooks/use-now.js';
import { detailLog, detailTop, detailWindow } from './detail-lines.js';
import { Lines, Rule } from './lines.js';
import type { Line } from '../text.js';
import type { StepView } from '../store/types.js';

export interface DetailView {
  title: string;
  right?: string;
  lines: Line[];
  /** cut below: PgDn shows more */
  more: boolean;
}

const NONE: DetailView = { title: 'Step', lines: [], more: false };

/** A step's window and what it was built from. */
interface Built {
  step: StepView;
  waiting: boolean;
  inner: number;
  /** the clock, for a running step (0 otherwise) */
  at: number;
  steps: ReadonlyMap<string, StepView> | undefined;
  rows: number;
  scroll: number | null;
  /** marked was loaded (instructions styled) */
  markdown: boolean;
  view: DetailView;
}

/**
 * The detail pane's window for `width`×`height` — while `shown` (otherwise nothing is read
 * from the store, and nothing re-renders the caller for it).
 */
export function useDetailView(width: number, height: number, shown: boolean): DetailView {
  const id = useRunStore((s) => (shown ? selectedStep(s) : null));
  const step = useRunStore((s) => (id ? s.steps.get(id) : undefined));
  const waiting = useRunStore((s) => (id ? isWaitingOn(s, id) : false));
  const scroll = useRunStore((s) => (shown ? s.ui.detailScroll : null));
  // what a pending step's title and instructions read from the others, when they have finished
  const steps = useRunStore((s) => (step && step.status !== 'ok' ? s.steps : undefined));
  const ticking = step?.status === 'running';
  const now = useNow(1000, ticking);
  const inner = Math.max(10, width - 1);
  const rows = Math.max(1, height - 1);
  // the windows of the steps shown lately, kept while what they are built from is the same: j/k
  // back to a step (a 10,000-item fan-out between two progress flushes) builds nothing again,
  // and hands the same lines to <Lines> as before
  const kept = useRef(new Map<string, Built>());
  const at = ticking ? now : 0;
  const markdown = useMarkdownReady(); // a manual step's instructions are styled once marked is loaded
  return useMemo(() => {
    if (!shown) return NONE;
    if (!step) return NONE;
    const id = step.info.id;
    const was = kept.current.get(id);
    if (was && was.step === step && was.waiting === waiting && was.inner === inner && was.at === at && was.steps === steps && was.rows === rows && was.scroll === scroll && was.markdown === markdown) return was.view;
    // only the item rows that can be on screen (scrolled down to, at most) are built
    const top = detailTop(step, waiting, inner, now, steps, rows + (scroll ?? 0));
    const win = detailWindow(top, detailLog(step, inner), rows, scroll);
    const view: DetailView = {
      title: `Step ${id}`,
      right: scroll !== null && win.max > 0 ? `${win.scrolled}/${win.max} · f follows` : undefined,
      lines: win.lines,
      more: win.scrolled < win.max,
    };
    kept.current.delete(id);
    kept.current.set(id, { step, waiting, inner, at, steps, rows, scroll, markdown, view });
    // a few steps: those j/k moves between
    if (kept.current.size > 4) kept.current.delete(kept.current.keys().next().value!);
    return view;
  }, [shown, step, waiting, inner, at, now, steps, rows, scroll, markdown]);
}

export function Detail({ view, width, height }: { view: DetailView; width: number; height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Rule title={view.title} right={view.right} width={width} />
      <Lines lines={view.lines} width={Math.max(10, width - 1)} />
    </Box>
  );
}
