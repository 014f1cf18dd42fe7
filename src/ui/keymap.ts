/**
 * Every key the TUI answers, in one table. The same table dispatches key presses, fills the
 * footer with the keys that apply now and lists everything in the `?` overlay — so what the
 * screen says and what the keys do cannot drift apart.
 */
import type { Key } from 'ink';
import type { PromptKind, RunStoreState } from './store/types.js';
import { activePrompt } from './status.js';

export type Focus = 'main' | 'entry' | 'picker' | 'help' | 'quit';

export interface KeyCtx {
  focus: Focus;
  prompt: PromptKind | null;
  phase: RunStoreState['phase'];
  begun: boolean;
  autoRun: boolean;
  follow: boolean;
  /** evidence asked by the pending manual step */
  evidence: 'none' | 'note' | 'link';
  /** the pending approval covers several items */
  fanOut: boolean;
  /** a prompt is pending but the operator is looking at the step detail */
  showDetail: boolean;
  /** `runbook attach`: another process runs the steps; only answers and notes are ours */
  attached: boolean;
  /** what is asked, or the step's detail, is cut below: PgDn shows more (offered on the footer) */
  more?: boolean;
}

export type ActionId =
  | 'up'
  | 'down'
  | 'scroll-up'
  | 'scroll-down'
  | 'follow'
  | 'toggle-pane'
  | 'note'
  | 'help'
  | 'close-help'
  | 'help-scroll'
  | 'help-back'
  | 'quit'
  | 'quit-confirm'
  | 'quit-cancel'
  | 'exit'
  | 'pause'
  | 'run-step'
  | 'run-all'
  | 'skip-step'
  | 'approve-all'
  | 'pick-items'
  | 'deny'
  | 'tick'
  | 'skip-manual'
  | 'settle-done'
  | 'settle-redo'
  | 'settle-verify'
  | 'settle-later'
  | 'retry'
  | 'continue'
  | 'stop'
  // handled inside widgets (text entry, item picker); listed for the footer and help
  | 'submit'
  | 'cancel'
  | 'interrupt'
  | 'pick-move'
  | 'pick-toggle'
  | 'pick-all'
  | 'pick-submit';

export interface Binding {
  action: ActionId;
  keys: string[];
  /** how the keys are shown (default: the first key) */
  show?: string;
  label: string | ((c: KeyCtx) => string);
  help: string;
  when(c: KeyCtx): boolean;
  /** dispatched by a widget's own hook, not by the app */
  widget?: boolean;
  /** kept out of the footer (still in help); a function: out of it unless it says otherwise */
  quiet?: boolean | ((c: KeyCtx) => boolean);
  /** described by its pair (down by up, scroll-down by scroll-up) */
  paired?: boolean;
}

const main = (c: KeyCtx) => c.focus === 'main';
const on = (k: PromptKind) => (c: KeyCtx) => main(c) && c.prompt === k;
const running = (c: KeyCtx) => c.phase === 'running' || c.phase === 'starting';
/** how the run goes on (run all, pause, skip, decide later, re-verify) is the runner's call: not offered on the attach screen */
const runner = (when: (c: KeyCtx) => boolean) => Object.assign((c: KeyCtx) => !c.attached && when(c), { runnerOnly: true });
/** a key only the process running the steps has (never offered, nor listed in help, on the attach screen) */
export const runnerOnly = (b: Binding): boolean => 'runnerOnly' in b.when;

export const BINDINGS: Binding[] = [
  // what the run is asking for first
  { action: 'run-step', keys: ['enter', 'r'], show: '⏎', label: 'run step', help: 'run the step shown (the selected one: ↑↓ picks among the steps ready now)', when: on('proceed') },
  { action: 'skip-step', keys: ['s'], label: 'skip…', help: 'skip the step shown, with a reason', when: on('proceed') },
  { action: 'approve-all', keys: ['y'], label: (c) => (c.fanOut ? 'approve all' : 'approve'), help: 'approve the gate (every item of a fan-out)', when: on('approval') },
  { action: 'pick-items', keys: ['i'], label: 'pick items…', help: 'approve a fan-out item by item', when: (c) => on('approval')(c) && c.fanOut },
  { action: 'deny', keys: ['d'], label: 'deny…', help: 'deny the gate, with an optional reason', when: on('approval') },
  { action: 'tick', keys: ['enter', 't'], show: '⏎', label: (c) => (c.evidence === 'none' ? 'done' : `done + ${c.evidence}…`), help: 'tick the manual step off (with its evidence)', when: on('manual') },
  { action: 'skip-manual', keys: ['s'], label: 'skip…', help: 'skip the manual step, with a reason', when: runner(on('manual')) },
  { action: 'settle-done', keys: ['m'], label: 'mark done', help: 'in doubt: the effect is in place (you checked)', when: on('doubt') },
  { action: 'settle-redo', keys: ['r'], label: 'redo', help: 'in doubt: do it again', when: on('doubt') },
  { action: 'settle-verify', keys: ['v'], label: 're-verify', help: 'in doubt: read it back from the provider again', when: runner(on('doubt')) },
  { action: 'settle-later', keys: ['l'], label: 'decide later', help: 'in doubt: leave it and stop the run (resume decides)', when: runner(on('doubt')) },
  { action: 'retry', keys: ['r'], label: 'retry', help: 'failed step: run it again', when: on('failure') },
  { action: 'continue', keys: ['c'], label: 'continue', help: 'failed step: go on past it', when: on('failure') },
  { action: 'stop', keys: ['x'], label: 'stop run', help: 'failed step: stop the run here', when: on('failure') },
  // widgets
  { action: 'submit', keys: ['enter'], show: '⏎', label: 'submit', help: 'text entry: submit', when: (c) => c.focus === 'entry', widget: true },
  { action: 'interrupt', keys: ['ctrl+c'], show: 'Ctrl-C', label: 'quit', help: 'quit at once, at any point (twice: without waiting for the engine); the state is kept', when: (c) => c.focus === 'entry' && (c.prompt === 'input' || c.prompt === 'secret'), widget: true },
  { action: 'cancel', keys: ['esc'], label: 'cancel', help: 'text entry / item picker: go back', when: (c) => (c.focus === 'entry' && c.prompt !== 'input' && c.prompt !== 'secret') || c.focus === 'picker', widget: true },
  { action: 'pick-move', keys: ['up', 'down'], show: '↑↓', label: 'move', help: 'item picker: move', when: (c) => c.focus === 'picker', widget: true },
  { action: 'pick-toggle', keys: ['space'], label: 'toggle', help: 'item picker: select or unselect the item', when: (c) => c.focus === 'picker', widget: true },
  { action: 'pick-all', keys: ['a'], label: 'all/none', help: 'item picker: select all or none', when: (c) => c.focus === 'picker', widget: true },
  { action: 'pick-submit', keys: ['enter'], show: '⏎', label: 'approve selected', help: 'item picker: approve the selected items', when: (c) => c.focus === 'picker', widget: true },
  // overlays
  { action: 'quit-confirm', keys: ['y'], label: 'quit', help: 'quit now; the incident state is kept', when: (c) => c.focus === 'quit' },
  { action: 'quit-cancel', keys: ['n', 'esc', 'q'], label: 'stay', help: 'go back to the run', when: (c) => c.focus === 'quit' },
  { action: 'close-help', keys: ['esc', '?', 'q', 'enter'], show: 'esc', label: 'close help', help: 'close this help', when: (c) => c.focus === 'help' },
  { action: 'help-scroll', keys: ['down', 'j', 'pagedown', 'space'], show: '↑↓', label: 'scroll', help: 'scroll this help (↑ back)', when: (c) => c.focus === 'help' },
  { action: 'help-back', keys: ['up', 'k', 'pageup'], label: 'back', help: 'scroll this help back', when: (c) => c.focus === 'help', quiet: true, paired: true },
  // always there
  { action: 'run-all', keys: ['a'], label: 'run all', help: 'run all remaining steps without asking again, the ones ready now included (gates still ask)', when: runner((c) => main(c) && c.begun && !c.autoRun && running(c)) },
  { action: 'pause', keys: ['p'], label: 'pause', help: 'stop running all: ask again before the next step', when: runner((c) => main(c) && c.autoRun && running(c)) },
  { action: 'toggle-pane', keys: ['tab'], label: (c) => (c.showDetail ? 'show prompt' : 'step detail'), help: 'switch between what is asked and the step detail', when: (c) => main(c) && c.prompt !== null },
  { action: 'up', keys: ['up', 'k'], show: '↑↓', label: 'select', help: 'select a step (↑ or k, ↓ or j)', when: main },
  { action: 'down', keys: ['down', 'j'], label: 'select', help: 'select a step', when: main, quiet: true, paired: true },
  { action: 'scroll-up', keys: ['pageup', 'K'], show: 'PgUp/Dn', label: 'scroll', help: 'scroll the detail or what is asked (PgUp or K, PgDn or J)', when: main, quiet: true },
  // on the footer while what is asked is cut below (the instructions scroll; what to type stays in view)
  { action: 'scroll-down', keys: ['pagedown', 'J'], show: 'PgDn', label: 'more', help: 'scroll the detail', when: main, quiet: (c) => !c.more, paired: true },
  { action: 'follow', keys: ['f'], label: 'follow', help: 'follow the run again (select what needs attention)', when: (c) => main(c) && !c.follow },
  { action: 'note', keys: ['n'], label: 'note…', help: 'add a note to the incident timeline', when: (c) => main(c) && c.begun && running(c) },
  { action: 'help', keys: ['?'], label: 'help', help: 'this help', when: main },
  // the end panel says "⏎ or q to leave": the footer says the same, in the same words
  { action: 'exit', keys: ['enter', 'q'], show: '⏎/q', label: 'leave', help: 'the run is over: leave (⏎ or q)', when: (c) => main(c) && c.phase === 'ended' && c.prompt === null },
  { action: 'quit', keys: ['q'], label: 'quit', help: 'quit at any point; the state is kept and the resume command shown (Ctrl-C: at once)', when: (c) => main(c) && running(c) },
];

/** A key press as a name: 'up', 'enter', 'esc', 'tab', 'space', 'pageup', 'ctrl+c', or the character. */
export function keyName(input: string, key: Key): string {
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  // a line feed is what a cooked terminal makes of ⏎ (a key read before raw mode was on)
  if (key.return || (input === '\n' && !key.meta)) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (input === ' ') return 'space';
  return input;
}

/** The binding a key press triggers now (widget keys are left to their widgets). */
export function resolveKey(name: string, c: KeyCtx): Binding | undefined {
  return BINDINGS.find((b) => !b.widget && b.keys.includes(name) && b.when(c));
}

/** ⏎ while nothing is asked (a step runs): stale once a question comes (ports.ts clears it then) */
export const NOTHING_ASKED_HINT = '⏎: nothing to do on this step — f goes to what is asked';

/**
 * What the status line says when a key does nothing where it was pressed: ⏎ at
 * a gate never approves — y does, deliberately another key; any other key: where the keys are.
 */
export function unboundHint(name: string, c: KeyCtx): string | null {
  if (name === 'enter' && c.prompt === 'approval') return '⏎ does not approve a gate: y approves, d denies (tab: the step detail)';
  if (name === 'enter' && c.prompt === 'doubt') return '⏎ does not settle it: m it is done, r redo' + (c.attached ? '' : ', v re-verify, l decide later');
  if (name === 'enter' && c.prompt === 'failure') return '⏎ does not choose: r retry, c continue, x stop the run';
  if (name === 'enter' && c.prompt === null && (c.phase === 'running' || c.phase === 'starting')) return NOTHING_ASKED_HINT;
  // a printable key (not a modifier, an arrow the app does not use, or a mouse report)
  if (name.length === 1 && name >= ' ') return `${name} does nothing here — the keys are at the bottom, ? lists them all`;
  // any other key (an arrow the app does not use, a function key): ignored, and said so
  return 'that key does nothing here — the keys are at the bottom, ? lists them all';
}

export function activeBindings(c: KeyCtx): Binding[] {
  return BINDINGS.filter((b) => b.when(c) && !(typeof b.quiet === 'function' ? b.quiet(c) : b.quiet));
}

export const labelOf = (b: Binding, c: KeyCtx): string => (typeof b.label === 'function' ? b.label(c) : b.label);
export const keysOf = (b: Binding): string => b.show ?? b.keys[0] ?? '';

export function keyContext(s: RunStoreState): KeyCtx {
  const front = activePrompt(s);
  const focus: Focus = s.ui.overlay
    ? s.ui.overlay
    : s.ui.entry || ((front?.kind === 'input' || front?.kind === 'secret') && s.phase !== 'quitting')
      ? 'entry'
      : s.ui.picker !== null
        ? 'picker'
        : 'main';
  return {
    focus,
    prompt: front?.kind ?? null,
    phase: s.phase,
    begun: s.begun,
    autoRun: s.ui.autoRun,
    follow: s.ui.follow,
    evidence: front?.kind === 'manual' ? front.req.evidence.type : 'none',
    fanOut: front?.kind === 'approval' ? front.req.items.length > 1 : false,
    showDetail: s.ui.showDetail,
    attached: s.attached === true,
    // what is asked is cut below (the pane says so while it is on screen); the step's detail says
    // so to the footer directly, in the same render (components/detail.tsx)
    more: s.ui.promptMore && !s.ui.showDetail && front !== undefined,
  };
}
