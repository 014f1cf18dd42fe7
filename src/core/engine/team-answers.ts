/**
 * Team mode (docs/team-mode.md): the runner acts on the answers of attached operators LIVE.
 * Answers are journal records written without the lease (`runbook attach`, `runbook approve`);
 * the shared store follows them (LISTEN/NOTIFY) and this wrapper around the run's own ports
 * (TUI or scripted) hands the first matching one to the engine as if the runner's operator had
 * answered — with the answering operator and record named in `via`, so the journal and the
 * report say who decided. The engine is unchanged but for four-eyes gates, which wait through
 * `answered()` and read the store again.
 *
 *   gate (approve)      ← an approval record for the step (approved or denied)
 *   manual step         ← a manual record for the step (and item), with the evidence it requires
 *   in-doubt (settle)   ← a settled record for the step and item (done or redo)
 *
 * The TUI asks its own operator at the same time; whichever answers first wins, and the TUI's
 * question is withdrawn. Scripted mode waits only when told to (`waitMs`, --wait-for-answers).
 */
import type { JournalRecord } from '../journal/records.js';
import type { ApprovalAnswer, ApprovalRequest, DoubtAnswer, DoubtRequest, ManualAnswer, ManualRequest, OperatorPorts, ProceedAnswer, QuestionRef } from './ports.js';

type ProceedRequest = Parameters<NonNullable<OperatorPorts['proceed']>>[0];

/** Where answers come from: the shared store (PgJournal.follow / holdOpen). */
export interface AnswerFeed {
  follow(after: number, fn: (r: JournalRecord) => void): () => void;
  /** keep the process alive while a question waits on the feed */
  holdOpen(on: boolean): void;
}

export interface TeamAnswerOptions {
  /** the journal's last seq when the run began (earlier answers are the run's prior state) */
  after: number;
  signal: AbortSignal;
  /** the TUI: its operator is there, so a four-eyes gate waits (until quit) */
  interactive: boolean;
  /** scripted mode: how long to wait for an answer when no flag gives one (undefined: stop at once, exit 3) */
  waitMs?: number;
  /**
   * the questions the runner waits on now, for attached operators (runbook attach shows them as
   * its prompts), and how the runner goes on: `step` — its own operator starts each step (a
   * `proceed` question is open while they have not), `all` — it runs the steps by itself
   */
  asking?(questions: Question[], runs: RunnerMode): void;
  /** scripted mode: told when it starts waiting (with the question's hint unless the engine already showed it) */
  onWait?(hint?: string): void;
}

/**
 * A question the runner waits on, as the TUI's prompts hold it (without the id). `proceed`: step
 * by step, the runner's own operator has not started the step yet — only they can (attach shows
 * what it waits on, and answers nothing).
 */
export type Question =
  | { kind: 'approval'; step: string; req: ApprovalRequest; fourEyes?: string }
  | { kind: 'manual'; step: string; req: ManualRequest }
  | { kind: 'doubt'; step: string; req: DoubtRequest }
  | { kind: 'proceed'; step: string; req: ProceedRequest };

/** How the runner goes on: its operator starts each step, or it runs them all by itself. */
export type RunnerMode = 'step' | 'all';

type Answer = Extract<JournalRecord, { type: 'approval' | 'manual' | 'settled' }>;

const via = (r: JournalRecord & { via: string }) => `answer #${r.seq} by ${r.op} (${r.via})`;

function manualMatch(req: ManualRequest, r: JournalRecord): ManualAnswer | undefined {
  if (r.type !== 'manual' || r.step !== req.step || (r.item ?? undefined) !== req.item) return undefined;
  const ev = req.evidence;
  if (ev.required && ev.type === 'link' && !r.link) return undefined;
  if (ev.required && ev.type === 'note' && !r.note && !r.link) return undefined;
  return { done: true, via: via(r), ...(r.note ? { note: r.note } : {}), ...(r.link ? { link: r.link } : {}) };
}

function refOf(q: Exclude<Question, { kind: 'proceed' }>): QuestionRef {
  if (q.kind === 'approval') return { kind: 'approval', step: q.step };
  if (q.kind === 'manual') return { kind: 'manual', step: q.step, ...(q.req.item !== undefined ? { item: q.req.item } : {}) };
  return { kind: 'doubt', step: q.step, item: q.req.item };
}

export function teamPorts(inner: OperatorPorts, feed: AnswerFeed, opts: TeamAnswerOptions): OperatorPorts & { stop(): void } {
  const seen: Answer[] = [];
  const used = new Set<number>();
  const waiters = new Set<(r: Answer) => void>();
  const open: Question[] = [];
  // no proceed port (scripted): the runner runs every step by itself
  let runs: RunnerMode = inner.proceed ? 'step' : 'all';
  /** a question is open while the runner waits on it: attached operators see it */
  const asking = (q: Question) => {
    open.push(q);
    opts.asking?.([...open], runs);
    return () => {
      const i = open.indexOf(q);
      if (i >= 0) open.splice(i, 1);
      opts.asking?.([...open], runs);
    };
  };
  /**
   * Step by step: the runner's own operator starts each step. An answer given at once (the TUI
   * runs all) says the runner runs all; one still open after this turn of the event loop is a
   * question attached operators see (and cannot answer).
   */
  const proceed = inner.proceed?.bind(inner);
  const proceedAsked = proceed
    ? async (req: ProceedRequest): Promise<ProceedAnswer> => {
        let answered = false;
        const mine = proceed(req).finally(() => (answered = true));
        await new Promise((r) => setImmediate(r));
        if (answered) {
          if (runs !== 'all') {
            runs = 'all';
            opts.asking?.([...open], runs);
          }
          return mine;
        }
        runs = 'step';
        const done = asking({ kind: 'proceed', step: req.id, req });
        try {
          return await mine;
        } finally {
          done();
        }
      }
    : undefined;
  const stop = feed.follow(opts.after, (r) => {
    if (r.type !== 'approval' && r.type !== 'manual' && r.type !== 'settled') return;
    seen.push(r);
    for (const w of [...waiters]) w(r);
  });

  /** The first unused answer `match` takes (already received, or the next to arrive); undefined when `signal` aborts. */
  function answerOf<A>(match: (r: Answer) => A | undefined, signal: AbortSignal): Promise<A | undefined> {
    for (const r of seen) {
      const a = used.has(r.seq) ? undefined : match(r);
      if (a !== undefined) {
        used.add(r.seq);
        return Promise.resolve(a);
      }
    }
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (a: A | undefined) => {
        waiters.delete(w);
        signal.removeEventListener('abort', onAbort);
        feed.holdOpen(false);
        resolve(a);
      };
      const w = (r: Answer) => {
        const a = used.has(r.seq) ? undefined : match(r);
        if (a === undefined) return;
        used.add(r.seq);
        done(a);
      };
      const onAbort = () => done(undefined);
      feed.holdOpen(true);
      waiters.add(w);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Ask the run's own operator and the team at once; the first answer wins. */
  async function race<A>(q: Exclude<Question, { kind: 'proceed' }>, ask: () => Promise<A>, hintOf: (a: A) => string | undefined, match: (r: Answer) => A | undefined): Promise<A> {
    const done = asking(q);
    try {
      return await race1(q, ask, hintOf, match);
    } finally {
      done();
    }
  }

  async function race1<A>(q: Exclude<Question, { kind: 'proceed' }>, ask: () => Promise<A>, hintOf: (a: A) => string | undefined, match: (r: Answer) => A | undefined): Promise<A> {
    const ac = new AbortController();
    const signal = AbortSignal.any([ac.signal, opts.signal]);
    const theirs = answerOf(match, signal);
    const mine = ask();
    type First = { from: 'mine'; a: A } | { from: 'theirs'; a: A | undefined };
    const first: First = await Promise.race([theirs.then((a): First => ({ from: 'theirs', a })), mine.then((a): First => ({ from: 'mine', a }))]);
    if (first.from === 'theirs') {
      if (first.a === undefined) return mine;
      inner.withdraw?.(refOf(q));
      mine.catch(() => undefined);
      return first.a;
    }
    const hint = hintOf(first.a);
    if (hint === undefined || opts.waitMs === undefined) {
      ac.abort();
      return first.a;
    }
    opts.onWait?.(hint);
    const t = setTimeout(() => ac.abort(), opts.waitMs);
    try {
      return (await theirs) ?? first.a;
    } finally {
      clearTimeout(t);
    }
  }

  return {
    ...inner,
    ...(proceedAsked ? { proceed: proceedAsked } : {}),
    approve: (req) =>
      race<ApprovalAnswer>(
        { kind: 'approval', step: req.step, req },
        () => inner.approve(req),
        (a) => (a.decision === 'wait' ? a.hint : undefined),
        (r) => (r.type !== 'approval' || r.step !== req.step ? undefined : r.decision === 'approved' ? { decision: 'approved', via: via(r), ...(r.items ? { items: r.items.filter((k) => req.items.includes(k)) } : {}) } : { decision: 'denied', via: via(r), ...(r.reason ? { reason: r.reason } : {}) }),
      ),
    manual: (req) =>
      race<ManualAnswer>(
        { kind: 'manual', step: req.step, req },
        () => inner.manual(req),
        (a) => (a.done || a.skip ? undefined : (a.hint ?? `manual step ${req.step} is waiting`)),
        (r) => manualMatch(req, r),
      ),
    settle: (req) =>
      race<DoubtAnswer>(
        { kind: 'doubt', step: req.step, req },
        () => inner.settle(req),
        (a) => (a.decision === 'wait' ? a.hint : undefined),
        (r) => (r.type === 'settled' && r.step === req.step && r.item === req.item ? { decision: r.decision, via: via(r) } : undefined),
      ),
    // a four-eyes gate waits for approvals in the TUI (until quit aborts the run), in scripted mode only with --wait-for-answers
    ...(opts.interactive || opts.waitMs !== undefined
      ? {
          async answered(step: string, hint: string): Promise<boolean> {
            const done = asking({ kind: 'approval', step, fourEyes: hint, req: { step, title: step, kind: 'detect', plan: [hint], items: ['-'], inputs: {} } });
            const ac = new AbortController();
            const t = opts.waitMs === undefined ? undefined : setTimeout(() => ac.abort(), opts.waitMs);
            // the engine has shown the hint (its `waiting` event)
            if (opts.waitMs !== undefined) opts.onWait?.();
            try {
              return (await answerOf((r) => (r.type === 'approval' && r.step === step ? true : undefined), AbortSignal.any([ac.signal, opts.signal]))) === true;
            } finally {
              if (t) clearTimeout(t);
              done();
            }
          },
        }
      : {}),
    stop,
  };
}
