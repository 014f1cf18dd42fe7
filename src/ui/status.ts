/**
 * What the checklist says about a step: an icon AND a word (never colour alone), and for a
 * fan-out its item counts, e.g. `3/5, 1 in doubt`.
 */
import type { ItemStatus, Prompt, RunStoreState, StepView } from './store/types.js';
import { didNotApply } from '../report/format.js';

export type DisplayStatus = 'pending' | 'running' | 'waiting' | 'retrying' | 'done' | 'failed' | 'skipped' | 'in doubt';

export const ICON: Record<DisplayStatus, string> = {
  pending: '○',
  running: '◐',
  waiting: '◆',
  retrying: '↻',
  done: '✓',
  failed: '✗',
  skipped: '↷',
  'in doubt': '?',
};

export const ITEM_WORD: Record<ItemStatus, DisplayStatus> = {
  pending: 'pending',
  running: 'running',
  ok: 'done',
  failed: 'failed',
  skipped: 'skipped',
  'in-doubt': 'in doubt',
};

/** Whether a prompt or a `waiting` event is about this step. */
export function isWaitingOn(s: RunStoreState, id: string): boolean {
  return s.prompts.some((p) => p.step === id) || s.waiting?.step === id;
}

export function displayStatus(step: StepView, waiting: boolean): DisplayStatus {
  switch (step.status) {
    case 'ok':
      return 'done';
    case 'failed':
      return 'failed';
    case 'skipped':
      return 'skipped';
    default:
      break;
  }
  if (waiting) return 'waiting';
  if (step.counts.inDoubt > 0) return 'in doubt';
  if (step.status === 'running') {
    return step.counts.retrying > 0 ? 'retrying' : 'running';
  }
  return 'pending';
}

/** `3/5, 1 skipped, 1 in doubt, 1 failed` for a fan-out (or any step with several items); '' otherwise. */
export function countsText(step: StepView): string {
  const c = step.counts;
  if (!step.info.fanOut && c.total <= 1) return '';
  if (c.total === 0) return '';
  // ok / all, and the skipped said apart (an item denied at the gate is not done: `status` says `1/2 ok, 1 skipped` too)
  const parts = [`${c.ok}/${c.total}`];
  if (c.skipped > 0) parts.push(`${c.skipped} skipped`);
  if (c.running > 0) parts.push(`${c.running} running`);
  if (c.inDoubt > 0) parts.push(`${c.inDoubt} in doubt`);
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  return parts.join(', ');
}

export interface Progress {
  total: number;
  finished: number;
  done: number;
  failed: number;
  skipped: number;
  /** of the skipped: those whose `if:` was false (they did not apply; nobody skipped them) */
  notApplied: number;
}

export function progressOf(s: RunStoreState): Progress {
  const p: Progress = { total: s.stepOrder.length, finished: 0, done: 0, failed: 0, skipped: 0, notApplied: 0 };
  for (const id of s.stepOrder) {
    const step = s.steps.get(id);
    const st = step?.status;
    if (st === 'ok') p.done++;
    else if (st === 'failed') p.failed++;
    else if (st === 'skipped') {
      p.skipped++;
      if (didNotApply(step?.reason)) p.notApplied++;
    }
  }
  p.finished = p.done + p.failed + p.skipped;
  return p;
}

const FINISHED = new Set(['ok', 'failed', 'skipped']);

/** A question about this step is still to come: its gate (after ⏎), its tick-off (a manual step). */
export function expectsPrompt(s: RunStoreState, id: string): boolean {
  if (s.phase !== 'running' && s.phase !== 'starting') return false;
  const st = s.steps.get(id);
  if (!st || FINISHED.has(st.status)) return false;
  if (st.info.kind === 'manual') return true;
  return st.info.confirm && !st.approval;
}

/**
 * The step the screen follows: the one the operator just answered while its next question is
 * due (so ⏎ on a gated step opens that step's gate, not another step's prompt), else the one
 * asking, else the one running, else the next pending.
 */
export function focusStep(s: RunStoreState): string | null {
  const acted = s.ui.acted;
  if (acted && (s.prompts.some((p) => p.step === acted) || expectsPrompt(s, acted))) return acted;
  const asking = s.prompts[0]?.step;
  if (asking) return asking;
  if (s.waiting) return s.waiting.step;
  if (s.current && s.steps.get(s.current)?.status === 'running') return s.current;
  for (const id of s.stepOrder) {
    const st = s.steps.get(id)?.status;
    if (st === 'running') return id;
  }
  for (const id of s.stepOrder) if (s.steps.get(id)?.status === 'pending') return id;
  return s.stepOrder[s.stepOrder.length - 1] ?? null;
}

export function selectedStep(s: RunStoreState): string | null {
  if (!s.ui.follow && s.ui.selected && s.steps.has(s.ui.selected)) return s.ui.selected;
  return focusStep(s);
}

/**
 * The question the keys answer: the one shown. A runbook input or a secret (no step) when first;
 * otherwise the question about the selected step — none when the selected step asks nothing
 * (then ⏎ does nothing, and the status line says what waits elsewhere).
 */
export function activePrompt(s: RunStoreState): Prompt | undefined {
  if (s.prompts.length === 0) return undefined;
  const front = s.prompts[0]!;
  if (front.step === undefined) return front;
  const sel = selectedStep(s);
  return sel === null ? undefined : s.prompts.find((p) => p.step === sel);
}

/** The other steps ready now that the prompt pane lists under the one shown ("Also ready now"): its step ids. */
export function alsoReady(s: RunStoreState): (string | undefined)[] {
  const prompt = activePrompt(s);
  if (prompt?.kind !== 'proceed') return [];
  return s.prompts.filter((p) => p.kind === 'proceed' && p.id !== prompt.id).map((p) => p.step);
}

/**
 * How many prompts wait besides the one shown that the prompt pane does not already list in
 * view (said once, on the status line): its "Also ready now" list is last, so a pane cut below
 * hides it.
 */
export function othersWaiting(s: RunStoreState): number {
  if (s.prompts.length === 0 || activePrompt(s) === undefined) return 0;
  const listed = s.ui.showDetail || s.ui.promptMore ? 0 : alsoReady(s).length;
  return s.prompts.length - 1 - listed;
}
