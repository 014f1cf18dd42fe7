/**
 * The one screen: header, checklist + (what is asked | step detail | end of run), a status
 * line, the text entry when one is open, and the footer. Every region gets an exact line
 * budget from the terminal size, so the frame always fits (80×24 and up; resize re-budgets).
 */
import { Box } from 'ink';
import { memo } from 'react';
import { useRunStore } from '../store.js';
import { useController, useDrill } from '../context.js';
import { useAppKeys } from '../hooks/use-app-keys.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { keyContext } from '../keymap.js';
import type { RunStoreState } from '../store/types.js';
import { activePrompt } from '../status.js';
import { Header as HeaderView, headerRows } from '../components/header.js';
import { Checklist as ChecklistView } from '../components/checklist.js';
import { Detail as DetailPane, useDetailView, type DetailView } from '../components/detail.js';
import { Footer as FooterView } from '../components/footer.js';
import { StatusBar as StatusBarView } from '../components/status-bar.js';
import { EntryBar as EntryBarView, ENTRY_ROWS } from '../components/entry-bar.js';
import { PromptPanel as PromptPanelView } from '../components/prompt/prompt-panel.js';
import { HelpOverlay as HelpOverlayView } from './help.js';
import { EndPanel as EndPanelView } from './end-panel.js';
import { QuitConfirm as QuitConfirmView } from './quit-confirm.js';

export const WIDE = 110;

// The run screen re-renders with the detail's window (a progress flush, the running step's
// clock): each region re-renders only when what it reads changes (its own store selectors).
const Header = memo(HeaderView);
const Checklist = memo(ChecklistView);
const Detail = memo(DetailPane);
const Footer = memo(FooterView);
const StatusBar = memo(StatusBarView);
const EntryBar = memo(EntryBarView);
const PromptPanel = memo(PromptPanelView);
const HelpOverlay = memo(HelpOverlayView);
const EndPanel = memo(EndPanelView);
const QuitConfirm = memo(QuitConfirmView);

export interface Layout {
  wide: boolean;
  body: number;
  listWidth: number;
  listHeight: number;
  paneWidth: number;
  paneHeight: number;
}

/** Line budget: header 2 (3 in a drill), status 1, footer 1, entry 3 when open, one spare row for Ink. */
export function layout(columns: number, rows: number, steps: number, entryOpen: boolean, header = 2): Layout {
  const body = Math.max(4, rows - 3 - header - (entryOpen ? ENTRY_ROWS : 0));
  const wide = columns >= WIDE;
  if (wide) {
    const listWidth = Math.min(60, Math.floor(columns * 0.4));
    return { wide, body, listWidth, listHeight: body, paneWidth: columns - listWidth - 1, paneHeight: body };
  }
  // the rule and at least one row: before the runbook is read (inputs asked first) the list says it waits for it
  const listHeight = Math.min(Math.max(1, steps) + 1, Math.max(4, Math.floor(body * 0.4)));
  return { wide, body, listWidth: columns, listHeight, paneWidth: columns, paneHeight: body - listHeight };
}

/** What the right-hand pane shows: what is asked, the end of the run, or the selected step's detail. */
function paneOf(s: RunStoreState): 'prompt' | 'end' | 'detail' {
  if (activePrompt(s) !== undefined && !s.ui.showDetail) return 'prompt';
  if (s.end !== undefined && s.prompts.length === 0 && s.ui.follow) return 'end';
  return 'detail';
}

function RightPane({ pane, detail, width, height }: { pane: ReturnType<typeof paneOf>; detail: DetailView; width: number; height: number }) {
  if (pane === 'prompt') return <PromptPanel width={width} height={height} />;
  if (pane === 'end') return <EndPanel width={width} height={height} />;
  return <Detail view={detail} width={width} height={height} />;
}

export function RunScreen() {
  const controller = useController();
  useAppKeys(controller);
  const { columns, rows } = useTerminalSize();
  const steps = useRunStore((s) => (s.begun ? s.stepOrder.length : 0));
  const focus = useRunStore((s) => keyContext(s).focus);
  const entryOpen = focus === 'entry' || focus === 'quit';
  const drill = useDrill() !== undefined;
  // until the engine says what the runbook's steps are, a resume knows only the journal's step ids
  // (no kinds, no titles): they are not shown as a checklist ("6/6 steps", each "manual")
  const begun = useRunStore((s) => s.begun || activePrompt(s) !== undefined);
  const l = layout(columns, rows, steps, entryOpen, headerRows(drill));
  const width = columns - 1;
  const pane = useRunStore(paneOf);
  const paneWidth = l.wide ? l.paneWidth - 1 : width;
  // the detail's window, worked out here: whether it is cut goes to the footer in this same render
  const detail = useDetailView(paneWidth, l.paneHeight, focus !== 'help' && begun && pane === 'detail');
  return (
    <Box flexDirection="column" width={columns}>
      <Header width={width} />
      {focus === 'help' ? (
        <HelpOverlay width={width} height={l.body} />
      ) : !begun ? (
        <Box height={l.body} />
      ) : (
        <Box flexDirection={l.wide ? 'row' : 'column'} height={l.body}>
          <Checklist width={l.wide ? l.listWidth : width} height={l.listHeight} />
          {l.wide ? <Box width={1} /> : null}
          <RightPane pane={pane} detail={detail} width={paneWidth} height={l.paneHeight} />
        </Box>
      )}
      <StatusBar width={width} />
      {focus === 'quit' ? <QuitConfirm width={width} /> : focus === 'entry' ? <EntryBar width={width} /> : null}
      <Footer width={width} more={detail.more} />
    </Box>
  );
}
