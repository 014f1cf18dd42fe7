/**
 * The TUI's OperatorPorts: each call puts a prompt (data) into the store and returns a promise
 * that an action resolves when the operator answers with a key press. Resolvers stay here,
 * outside the store. After close() (quit), pending and later calls get an answer that stops
 * the run without deciding anything (approval/settle: wait, manual: not done, failure: stop).
 */
import { NOTHING_ASKED_HINT } from './keymap.js';
import type {
  ApprovalAnswer,
  DoubtAnswer,
  FailureAnswer,
  ManualAnswer,
  OperatorPorts,
  ProceedAnswer,
} from '../core/engine/ports.js';
import type { StepKind } from '../core/runbook/schema.js';
import type { RunStore } from './store.js';
import { insertAt, newStep, placeholderInfo } from './store/apply.js';
import type { Prompt, PromptKind } from './store/types.js';
import { activePrompt } from './status.js';

export interface AnswerOf {
  approval: ApprovalAnswer;
  manual: ManualAnswer;
  doubt: DoubtAnswer;
  input: string;
  secret: string;
  proceed: ProceedAnswer;
  failure: FailureAnswer;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type NewPrompt = DistributiveOmit<Prompt, 'id'>;

export interface TuiPorts {
  ports: OperatorPorts;
  /** resolve the prompt `id` (ignored when it was already answered) */
  answer<K extends PromptKind>(id: number, kind: K, value: AnswerOf[K]): boolean;
  /** answer everything pending (and everything asked later) so the engine can stop */
  close(hint: string): void;
  readonly closed: boolean;
}

export class QuitError extends Error {
  override name = 'AbortError';
}

/**
 * `beforeAsk` runs before a prompt enters the store: the run command passes the observer's
 * flush, so what led to a question (the step that just finished) is on screen with it.
 */
export function createTuiPorts(store: RunStore, opts: { beforeAsk?: () => void } = {}): TuiPorts {
  let seq = 0;
  let closed: string | null = null;
  const pending = new Map<number, { kind: PromptKind; resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  const cancelAnswer = (kind: PromptKind, hint: string): { value?: unknown; error?: Error } => {
    switch (kind) {
      case 'approval':
        return { value: { decision: 'wait', hint } satisfies ApprovalAnswer };
      case 'manual':
        return { value: { done: false, hint } satisfies ManualAnswer };
      case 'doubt':
        return { value: { decision: 'wait', hint } satisfies DoubtAnswer };
      case 'failure':
        return { value: 'stop' satisfies FailureAnswer };
      default:
        return { error: new QuitError(hint) };
    }
  };

  function ask<K extends PromptKind>(p: Extract<NewPrompt, { kind: K }>): Promise<AnswerOf[K]> {
    if (closed !== null) {
      const c = cancelAnswer(p.kind, closed);
      return c.error ? Promise.reject(c.error) : Promise.resolve(c.value as AnswerOf[K]);
    }
    const id = ++seq;
    opts.beforeAsk?.();
    return new Promise<AnswerOf[K]>((resolve, reject) => {
      pending.set(id, { kind: p.kind, resolve: resolve as (v: unknown) => void, reject });
      const prompt = { ...p, id } as Prompt;
      store.setState((s) => ({
        prompts: [...s.prompts, prompt],
        // a question now where there was none: "⏎: nothing to do" is stale (the loading screen's hint stays until a key)
        ui: s.prompts.length === 0 ? { ...s.ui, promptScroll: 0, showDetail: false, entryError: null, keyHint: s.ui.keyHint === NOTHING_ASKED_HINT ? null : s.ui.keyHint } : s.ui,
      }));
    });
  }

  const remove = (id: number) => {
    store.setState((s) => {
      const wasFront = activePrompt(s)?.id === id || s.ui.picker === id;
      return {
        prompts: s.prompts.filter((p) => p.id !== id),
        ui: wasFront ? { ...s.ui, promptScroll: 0, picker: null, entry: null, entryError: null, showDetail: false } : s.ui,
      };
    });
  };

  const refreshInfo = (id: string, title: string, instructions: string | undefined, kind?: StepKind, more: { uses?: string; confirm?: boolean } = {}) => {
    store.setState((s) => {
      const st = s.steps.get(id);
      if (!st) {
        // a repeat's round step (`eradicate#1.disable`) is first heard of when it is ready: it joins
        // the checklist under its repeat step, so the step asked about is the one selected there
        if (kind === undefined) return {};
        const steps = new Map(s.steps);
        steps.set(id, newStep({ ...placeholderInfo(id), kind, title, instructions, ...more }));
        const stepOrder = [...s.stepOrder];
        stepOrder.splice(insertAt(stepOrder, id), 0, id);
        return { steps, stepOrder };
      }
      // a round step first listed by its start (a placeholder: its id for a title) learns what it uses and whether it is gated
      const learn = st.info.title === id ? more : {};
      if (st.info.title === title && st.info.instructions === instructions && (kind === undefined || st.info.kind === kind) && Object.keys(learn).length === 0) return {};
      const steps = new Map(s.steps);
      steps.set(id, { ...st, info: { ...st.info, title, instructions, ...(kind !== undefined ? { kind } : {}), ...learn } });
      return { steps };
    });
  };

  const ports: OperatorPorts = {
    approve: (req) => ask<'approval'>({ kind: 'approval', step: req.step, req }),
    manual: (req) => {
      // the engine renders a manual step's text when it asks (with what earlier steps found):
      // the step's detail shows that text from now on, not the one rendered when the run began
      if (req.item === undefined) refreshInfo(req.step, req.title, req.instructions, 'manual');
      return ask<'manual'>({ kind: 'manual', step: req.step, req });
    },
    settle: (req) => ask<'doubt'>({ kind: 'doubt', step: req.step, req }),
    promptSecret: (question) => ask<'secret'>({ kind: 'secret', question }),
    askInput: (req) => ask<'input'>({ kind: 'input', req }),
    proceed: (step) => {
      // when a step is ready every value its title and instructions read is known: show them filled in
      refreshInfo(step.id, step.title, step.instructions, step.kind, { ...(step.uses ? { uses: step.uses } : {}), ...(step.confirm !== undefined ? { confirm: step.confirm } : {}) });
      const s = store.getState();
      if (s.ui.autoRun && closed === null) return Promise.resolve({ action: 'run' } as const);
      // resume: the operator chose to run this step before leaving (its start is journaled) —
      // go straight back to where it was (its gate, its tick-off) without asking again
      const st = s.steps.get(step.id);
      if (closed === null && s.resumed && st?.startedAt && st.status === 'pending') {
        // and the screen goes with it: its gate or tick-off is what is shown when it comes
        if (!s.ui.autoRun) store.setState((x) => ({ ui: { ...x.ui, acted: step.id, follow: true, selected: null } }));
        return Promise.resolve({ action: 'run' } as const);
      }
      return ask<'proceed'>({ kind: 'proceed', step: step.id, req: step });
    },
    onFailure: (step, error) => ask<'failure'>({ kind: 'failure', step: step.id, req: { step, error } }),
    // team mode: another operator answered it through the shared store — the question leaves the screen
    withdraw: (q) => {
      const p = store.getState().prompts.find((x) => x.kind === q.kind && x.step === q.step && (x.kind === 'approval' || (x.kind === 'manual' || x.kind === 'doubt' ? x.req.item : undefined) === (q.kind === 'approval' ? undefined : q.item)));
      const w = p && pending.get(p.id);
      if (!p || !w) return;
      pending.delete(p.id);
      remove(p.id);
      const c = cancelAnswer(w.kind, 'answered by another operator');
      if (c.error) w.reject(c.error);
      else w.resolve(c.value);
    },
  };

  return {
    ports,
    answer(id, kind, value) {
      const p = pending.get(id);
      if (!p || p.kind !== kind) return false;
      pending.delete(id);
      remove(id);
      p.resolve(value);
      return true;
    },
    close(hint) {
      if (closed !== null) return;
      closed = hint;
      for (const [id, p] of pending) {
        const c = cancelAnswer(p.kind, hint);
        if (c.error) p.reject(c.error);
        else p.resolve(c.value);
        pending.delete(id);
      }
      store.setState((s) => ({ prompts: [], ui: { ...s.ui, picker: null, entry: null, entryError: null } }));
    },
    get closed() {
      return closed !== null;
    },
  };
}
