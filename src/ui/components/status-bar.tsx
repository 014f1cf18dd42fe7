/**
 * One line that says what is going on between prompts: stopping, a retry countdown, what
 * the engine waits for, how many prompts queue behind this one, the latest note.
 */
import { Text } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { useRunStore } from '../store.js';
import { useTheme } from '../theme.js';
import { useNow } from '../hooks/use-now.js';
import { useDrill } from '../context.js';
import { duration, fit } from '../text.js';
import type { RunStoreState } from '../store/types.js';
import { activePrompt, othersWaiting } from '../status.js';

function retryOf(s: RunStoreState): { step: string; item: string; attempt: number; until: number; reason: string } | undefined {
  const id = s.current;
  const st = id ? s.steps.get(id) : undefined;
  if (!st || st.status !== 'running' || st.counts.retrying === 0) return undefined;
  for (const k of st.itemOrder) {
    const r = st.items[k]?.retry;
    if (r) return { step: st.info.id, item: k, attempt: r.attempt, until: r.at + r.delayMs, reason: r.reason };
  }
  return undefined;
}

/** A note of the drill's attacker (src/drill/session.ts: `drill: adversary <what> …`). */
const ATTACKER_NOTE = /^drill: adversary /;

/**
 * An attacker's note, short enough for the status line with its outcome in view: what it did, on
 * what, and how it went (`attacker huggingface.read_space on acme-ml/support-bot — blocked: …`).
 */
export function noteLine(text: string): string {
  const m = /^drill: adversary (\S+) with \S+(?: on (\S+))? at \d+s — (\w+): (.*)$/s.exec(text);
  return m ? `attacker ${m[1]!}${m[2] ? ` on ${m[2]}` : ''} — ${m[3]!}: ${m[4]!}` : text;
}

/** The latest note to show; before a drill's clock starts nothing of the attacker has happened yet (the header shows its next move). */
export function lastNote(notes: readonly { text: string }[], clockStarted: boolean): string | undefined {
  for (let i = notes.length - 1; i >= 0; i--) {
    const t = notes[i]!.text;
    if (clockStarted || !ATTACKER_NOTE.test(t)) return t;
  }
  return undefined;
}

export function StatusBar({ width }: { width: number }) {
  const theme = useTheme();
  const drill = useDrill();
  const clockStarted = !drill || drill.running() || drill.now() > 0;
  const v = useRunStore(
    useShallow((s) => {
      const r = retryOf(s);
      return {
        phase: s.phase,
        prompts: s.prompts.length,
        shown: activePrompt(s) !== undefined,
        others: othersWaiting(s),
        follow: s.ui.follow,
        waiting: s.waiting && s.prompts.length === 0 ? `${s.waiting.step}${s.waiting.item ? ' / ' + s.waiting.item : ''}: ${s.waiting.hint}` : undefined,
        retryStep: r ? `${r.step}${r.item !== '-' ? ' / ' + r.item : ''}` : undefined,
        retryAttempt: r?.attempt,
        retryUntil: r?.until,
        retryReason: r?.reason,
        autoRun: s.ui.autoRun,
        note: lastNote(s.notes, clockStarted),
        system: s.system[s.system.length - 1],
        begun: s.begun,
        watching: s.watching,
        live: s.mode === 'live',
        keyHint: s.ui.keyHint,
      };
    }),
  );
  const now = useNow(250, v.retryUntil !== undefined || v.watching !== undefined);
  let text = '';
  let style = theme.seg.dim;
  if (v.keyHint && v.phase !== 'quitting') {
    // the key just pressed did nothing: what does (gone with the next key)
    text = v.keyHint;
    style = theme.seg.warn;
  } else if (v.phase === 'quitting') {
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
  } else if (v.others > 0) {
    // the steps ready now are listed in the prompt pane ("Also ready now"): only the rest is counted here
    text = `${v.others} more thing${v.others > 1 ? 's' : ''} waiting for you after this one`;
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
    text = `last note: ${noteLine(v.note)}`;
  } else if (!v.begun) {
    text = 'starting…';
  }
  return (
    <Text wrap="truncate-end" {...style}>
      {fit(text || ' ', width)}
    </Text>
  );
}
