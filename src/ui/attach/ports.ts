/**
 * The attach TUI's side of the prompts (team mode, docs/team-mode.md). The run TUI's prompts
 * are questions of a local engine; here they are the questions the RUNNER waits on, as it
 * publishes them in the shared store (engine/team-answers.ts). The run screen and controller
 * are the same; an answer is not a resolved promise but a journal record written under this
 * operator's name — the runner acts on it at once.
 */
import type { RecordBody } from '../../core/journal/records.js';
import type { Question } from '../../core/engine/team-answers.js';
import type { OperatorPorts } from '../../core/engine/ports.js';
import type { RunStore } from '../store.js';
import type { Prompt, PromptKind } from '../store/types.js';
import type { AnswerOf, TuiPorts } from '../ports.js';

const VIA = 'runbook attach';

/** The answer the run screen gave, as the journal record the runner acts on (undefined: nothing to write). */
export function answerRecord<K extends PromptKind>(p: Prompt, kind: K, value: AnswerOf[K]): RecordBody | { refused: string } | undefined {
  if (p.kind === 'approval' && kind === 'approval') {
    const v = value as AnswerOf['approval'];
    if (v.decision === 'approved') return { type: 'approval', step: p.step, decision: 'approved', via: VIA, ...(v.items ? { items: v.items } : {}) };
    if (v.decision === 'denied') return { type: 'approval', step: p.step, decision: 'denied', via: VIA, ...(v.reason ? { reason: v.reason } : {}) };
    return undefined;
  }
  if (p.kind === 'manual' && kind === 'manual') {
    const v = value as AnswerOf['manual'];
    if (!v.done) return v.skip ? { refused: 'skipping a step is the runner’s call: add a note, or ask them' } : undefined;
    return { type: 'manual', step: p.step, ...(p.req.item !== undefined ? { item: p.req.item } : {}), ...(v.note ? { note: v.note } : {}), ...(v.link ? { link: v.link } : {}), via: VIA };
  }
  if (p.kind === 'doubt' && kind === 'doubt') {
    const v = value as AnswerOf['doubt'];
    if (v.decision === 'done' || v.decision === 'redo') return { type: 'settled', step: p.step, item: p.req.item, decision: v.decision, via: VIA };
    return v.decision === 'verify' ? { refused: 'the runner reads it back (verify); from here: settle it done or redo' } : undefined;
  }
  return undefined;
}

type Answerable = Exclude<Question, { kind: 'proceed' }>;
const keyOf = (q: Answerable) => `${q.kind}:${q.step}:${q.kind === 'approval' ? '' : (q.req.item ?? '')}`;

/** What the runner waits on that only its own operator answers (step by step: starting the next step), as the screen's `waiting` line. */
export function runnerWaiting(questions: readonly Question[], runner: string | undefined): { step: string; on: 'proceed'; hint: string } | undefined {
  const q = questions.find((x) => x.kind === 'proceed');
  if (!q) return undefined;
  return { step: q.step, on: 'proceed', hint: `${runner ?? 'the runner'} starts it (step by step): next step "${q.req.title}"` };
}

export interface AttachPorts extends TuiPorts {
  /** the runner's questions now: they become the screen's prompts (an answered one leaves) */
  setQuestions(questions: readonly Question[], runner?: string): void;
}

export function createAttachPorts(store: RunStore, write: (body: RecordBody) => void, say: (line: string) => void): AttachPorts {
  let seq = 0;
  let closed = false;
  const ids = new Map<string, number>();
  const none = () => Promise.reject(new Error('attach runs no engine'));
  const ports: OperatorPorts = { approve: none, manual: none, settle: none };
  return {
    ports,
    setQuestions(questions, runner) {
      const prompts: Prompt[] = [];
      const live = new Set<string>();
      for (const q of questions) {
        if (q.kind === 'proceed') continue;
        const k = keyOf(q);
        live.add(k);
        let id = ids.get(k);
        if (id === undefined) ids.set(k, (id = ++seq));
        // a four-eyes gate: its title and kind from the checklist (the runner sends the step id and the hint)
        const info = store.getState().steps.get(q.step)?.info;
        if (q.kind === 'approval') prompts.push({ id, kind: 'approval', step: q.step, req: info && q.fourEyes ? { ...q.req, title: info.title, kind: info.kind } : q.req });
        else if (q.kind === 'manual') prompts.push({ id, kind: 'manual', step: q.step, req: q.req });
        else prompts.push({ id, kind: 'doubt', step: q.step, req: q.req });
      }
      for (const k of [...ids.keys()]) if (!live.has(k)) ids.delete(k);
      const waiting = runnerWaiting(questions, runner);
      store.setState((s) => ({ prompts, waiting, ui: s.prompts.length === 0 && prompts.length > 0 ? { ...s.ui, promptScroll: 0, showDetail: false, entryError: null } : s.ui }));
    },
    answer(id, kind, value) {
      const p = store.getState().prompts.find((x) => x.id === id);
      if (!p || closed) return false;
      const body = answerRecord(p, kind, value);
      if (!body) return false;
      if ('refused' in body) {
        say(body.refused);
        return false;
      }
      try {
        write(body);
      } catch (e) {
        say(`not written: ${(e as Error).message}`);
        return false;
      }
      // the runner takes it off its list when it acts; until then it is answered here
      store.setState((s) => ({ prompts: s.prompts.filter((x) => x.id !== id), ui: { ...s.ui, promptScroll: 0, picker: null, entry: null, entryError: null, showDetail: false } }));
      return true;
    },
    close() {
      closed = true;
      store.setState((s) => ({ prompts: [], ui: { ...s.ui, picker: null, entry: null, entryError: null } }));
    },
    get closed() {
      return closed;
    },
  };
}
