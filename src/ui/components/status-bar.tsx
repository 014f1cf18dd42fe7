/**
 * One line that says what is going on between prompts: stopping, a retry countdown, what
 * the engine waits for, how many prompts queue behind this one, the latest note.
 */
import { Text } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { useRunStore } from '../store.js';
import { useTheme } from '../theme.js';
import { useNow } from '../hooks/use-now.js';
import { duration, fit } from '../text.js';
import type { RunStoreState } from '../store/types.js';
import { activePrompt } from '../status.js';

function retryOf(s: RunStoreState): { step: string; item: string; attempt: number; until: number; reason: string } | undefined {
  const id = s.current;
  const st = id ? s.steps.get(id) : undefined;
  if (!st || st.status !== 'running') return undefined;
  for (const k of st.itemOrder) {
    const r = st.items[k]?.retry;
    if (r) return { step: st.info.id, item: k, attempt: r.attempt, until: r.at + r.delayMs, reason: r.reason };
  }
  return undefined;
}

export function StatusBar({ width }: { width: number }) {
  const theme = useTheme();
  const v = useRunStore(
    useShallow((s) => {
      const r = retryOf(s);
      return {
        phase: s.phase,
        prompts: s.prompts.length,
        shown: activePrompt(s) !== undefined,
        follow: s.ui.follow,
        waiting: s.waiting && s.prompts.length === 0 ? `${s.waiting.step}${s.waiting.item ? ' / ' + s.waiting.item : ''}: ${s.waiting.hint}` : undefined,
        retryStep: r ? `${r.step}${r.item !== '-' ? ' / ' + r.item : ''}` : undefined,
        retryAttempt: r?.attempt,
        retryUntil: r?.until,
        retryReason: r?.reason,
        autoRun: s.ui.autoRun,
        note: s.notes[s.notes.length - 1]?.text,
        system: s.system[s.system.length - 1],
        begun: s.begun,
        watching: s.watching,
        live: s.mode === 'live',
      };
    }),
  );
  const now = useNow(250, v.retryUntil !== undefined || v.watching !== undefined);
  let text = '';
  let style = theme.seg.dim;
  if (v.phase === 'quitting') {
    text = 'Stopping: the engine journals what it was doing and stops…';
    style = theme.seg.warn;
  } else if (v.retryUntil !== undefined) {
    const left = v.retryUntil - now;
    text = `↻ ${v.retryStep}: retry ${v.retryAttempt} ${left > 0 ? `in ${duration(left)}` : 'now'} — ${v.retryReason}`;
    style = theme.seg.warn;
  } else if (v.watching && v.prompts === 0) {
    // the countdown runs on real time in a live run; in a drill (drill time) it moves at each check
    const w = v.watching;
    const gone = v.live ? Math.max(0, now - w.at) : 0;
    const next = Math.max(0, w.nextCheckMs - gone);
    text = `⏱ ${w.step}: watching · ${duration(Math.max(0, w.remainingMs - gone))} left · ${w.checks} check${w.checks === 1 ? '' : 's'} · next ${next > 0 ? `in ${duration(next)}` : 'now'}`;
  } else if (v.prompts > 0 && !v.shown) {
    text = `${v.prompts} thing${v.prompts > 1 ? 's' : ''} waiting for you on other steps — ${v.follow ? 'one moment…' : 'f goes to the next'}`;
    style = theme.seg.warn;
  } else if (v.prompts > 1) {
    text = `${v.prompts - 1} more thing${v.prompts > 2 ? 's' : ''} waiting for you after this one`;
    style = theme.seg.warn;
  } else if (v.waiting) {
    text = `waiting — ${v.waiting}`;
    style = theme.seg.warn;
  } else if (v.system) {
    text = v.system;
    style = theme.seg.warn;
  } else if (v.autoRun && v.phase === 'running') {
    text = 'running all remaining steps (gates still ask) — p pauses';
  } else if (v.note) {
    text = `last note: ${v.note}`;
  } else if (!v.begun) {
    text = 'starting…';
  }
  return (
    <Text wrap="truncate-end" {...style}>
      {fit(text || ' ', width)}
    </Text>
  );
}
