/**
 * The engine: opens or resumes an incident, then runs the runbook's steps as a DAG (`needs`,
 * default: the previous step) with independent branches in parallel under a global
 * concurrency limit. Every durable fact goes to the journal first, then to the observers.
 */
import { boundHeapGrowth } from './heap.js';
import { groupCommitter } from './group-commit.js';
import { askAfter, journalWriter } from './journal-writer.js';
import { ExitCode, UsageError, InterruptedError } from '../errors.js';
import { evidenceOf, needsConfirm, type Step } from '../runbook/step-rules.js';
import type { LoadedRunbook } from '../runbook/load.js';
import type { Scope } from '../runbook/expressions.js';
import { previewText, stepLevelTitle } from './text.js';
import { fold, foldRecord, SINGLE_ITEM, type RunState } from '../journal/fold.js';
import { FileJournal, type JournalStore } from '../journal/store.js';
import type { JournalRecord, Mode, StoredSecret } from '../journal/records.js';
import type { SecretRegistry } from '../secrets/registry.js';
import type { Secret } from '../secrets/secret.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { EngineEvent, EngineObserver, RunStatus, StepInfo } from './events.js';
import type { OperatorPorts } from './ports.js';
import { makeEmitter, type RunContext, type StepResult } from './run-context.js';
import { coerceInput, resolveInputs } from './inputs.js';
import { runStep } from './step.js';
import { maskedByRedaction, toStored } from './stored.js';
import { fingerprintValue } from '../secrets/secret.js';
import { sealerFor } from './seal.js';
import { checkSettleFlags } from './flags.js';
import { StepOutputs } from './outputs.js';
import { ReadyQueue } from './ready.js';

export interface EngineOptions {
  loaded: LoadedRunbook;
  registry: ProviderRegistry;
  store: JournalStore;
  secrets: SecretRegistry;
  /** resolved runbook secrets by name (already registered with the redactor) */
  resolveSecrets: (ports: OperatorPorts) => Promise<Record<string, Secret>>;
  /** raw `--input` values */
  inputs: Record<string, string>;
  mode: Mode;
  ports: OperatorPorts;
  observers?: EngineObserver[];
  /** global limit of steps running at once */
  concurrency?: number;
  signal: AbortSignal;
  fingerprintKey: Buffer;
  acceptChangedRunbook?: boolean;
  breakLock?: boolean;
  configFor?: RunContext['configFor'];
  /** `--settle` decisions: honoured for items in doubt, refused (exit 2) where they cannot apply */
  settle?: ReadonlyMap<string, 'done' | 'redo'>;
  /** the journal's records as the command read them under this run's lock (FileJournal.openRead): one decode per command; read again if anything was written since */
  journal?: readonly JournalRecord[];
}

export interface RunResult {
  status: RunStatus;
  exitCode: number;
  detail?: string;
  incident: string;
  resumed: boolean;
  state: RunState | undefined;
}

export function stepNeeds(steps: readonly Step[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  steps.forEach((s, i) => m.set(s.id, s.needs ?? (i > 0 ? [steps[i - 1]!.id] : [])));
  return m;
}

export function stepInfos(steps: readonly Step[], scope: Scope = {}): StepInfo[] {
  const needs = stepNeeds(steps);
  return steps.map((s) => ({
    id: s.id,
    kind: s.kind,
    title: stepLevelTitle(s.title, undefined, (t) => previewText(t, scope) ?? t),
    uses: s.uses,
    needs: needs.get(s.id) ?? [],
    confirm: needsConfirm(s),
    fanOut: s.for_each !== undefined,
    instructions: previewText(s.instructions ?? s.description, scope),
    evidence: evidenceOf(s),
  }));
}

export class Engine {
  readonly #o: EngineOptions;
  #rc: RunContext | undefined;
  #end: EndState | undefined;
  #observerErrors = 0;
  /** everything written is durable and reported (see ./journal-writer.ts) */
  #idle: () => Promise<void> = () => Promise.resolve();

  constructor(o: EngineOptions) {
    this.#o = o;
  }

  get incident(): string {
    return this.#o.store.incident;
  }

  /** Add a timeline note (any time during the run). */
  note(text: string): void {
    this.#rc?.write({ type: 'note', text: this.#o.secrets.redactor.redact(text) });
  }

  async run(): Promise<RunResult> {
    const o = this.#o;
    const { broken } = o.store.lock({ breakLock: o.breakLock });
    const release = boundHeapGrowth();
    try {
      return await this.#run(broken);
    } finally {
      await this.#idle().catch(() => undefined); // the error, if any, was thrown by #run
      this.#end?.stop();
      o.store.unlock();
      release();
    }
  }

  async #run(broken: { pid: number; host: string; user: string; startedAt: string } | undefined): Promise<RunResult> {
    const o = this.#o;
    const { runbook } = o.loaded;
    // records are reported once durable; every event keeps its place behind them
    const journal = journalWriter(o.store, makeEmitter(o.observers ?? [], () => this.#observerErrors++));
    const emit = journal.emit;
    this.#idle = journal.idle;
    const { prior, end } = readJournal(o.store, o.journal);
    this.#end = end;
    if (prior && prior.mode !== o.mode) {
      throw new UsageError(`incident ${o.store.incident} is a ${prior.mode} incident; it cannot be resumed as a ${o.mode}`, { nextSteps: ['Use another --incident id.'] });
    }
    if (prior && prior.runbook.id !== runbook.id) {
      throw new UsageError(`incident ${o.store.incident} runs runbook "${prior.runbook.id}", not "${runbook.id}"`, { nextSteps: [`Resume it with ${prior.runbook.path}, or use another --incident id.`] });
    }
    const changed = prior !== undefined && prior.runbook.hash !== o.loaded.hash;
    if (changed && !o.acceptChangedRunbook) {
      throw new UsageError(`the runbook changed since incident ${o.store.incident} started (${o.loaded.file})`, {
        nextSteps: ['Review the change; steps are resumed by id, so renamed steps run again.', 'Resume anyway with --accept-changed-runbook.'],
      });
    }
    if (o.settle?.size) checkSettleFlags(prior, o.settle);
    const inputs = prior ? await this.#resumeInputs(prior) : await resolveInputs(runbook.inputs, o.inputs, o.ports);
    const inputFingerprints: Record<string, string> = {};
    for (const [k, v] of Object.entries(inputs)) if (maskedByRedaction(v, o.secrets.redactor)) inputFingerprints[k] = fingerprintValue(JSON.stringify(v), o.fingerprintKey);
    const secrets = await o.resolveSecrets(o.ports);
    const storedSecrets: Record<string, StoredSecret> = {};
    for (const [name, s] of Object.entries(secrets)) storedSecrets[name] = { $secret: `secrets.${name}`, fingerprint: s.fingerprint(o.fingerprintKey), last4: s.last4 };

    const write = journal.write;
    const writeIntent = groupCommitter(journal.commit);
    const outputs = new StepOutputs();
    const openedAt = prior?.openedAt ?? new Date().toISOString();
    let stepIndex: Map<string, Step> | undefined;
    const rc: RunContext = {
      loaded: o.loaded,
      registry: o.registry,
      store: o.store,
      secrets: o.secrets,
      ports: askAfter(o.ports, journal.idle),
      mode: o.mode,
      incident: o.store.incident,
      fingerprintKey: o.fingerprintKey,
      signal: o.signal,
      prior,
      inputs,
      outputs,
      storedForms: new WeakMap(),
      bindings: new Map(),
      configFor: o.configFor,
      sealer: sealerFor(o.store as JournalStore & { dir?: unknown }),
      presettled: (step, item) => o.settle?.get(`${step}/${item}`) ?? (item === SINGLE_ITEM ? o.settle?.get(step) : undefined),
      write,
      writeIntent,
      emit,
      scope: (extra?: Partial<Scope>): Scope => ({
        inputs,
        secrets,
        steps: outputs.view(),
        incident: { id: o.store.incident, mode: o.mode, drill: o.mode === 'drill', opened_at: openedAt, runbook: runbook.id },
        // now(): the clock's time of day when it has one (a drill: the drill world's time)
        ...(o.ports.clock?.wall ? { now: o.ports.clock.wall } : {}),
        ...extra,
      }),
      stepById: (id) => (stepIndex ??= new Map(runbook.steps.map((s) => [s.id, s]))).get(id),
    };
    this.#rc = rc;
    if (!prior) {
      write({
        type: 'incident.opened',
        incident: o.store.incident,
        mode: o.mode,
        runbook: { id: runbook.id, title: runbook.title, severity: runbook.severity, path: o.loaded.file, hash: o.loaded.hash },
        inputs: toStored(inputs, o.fingerprintKey, o.secrets.redactor) as Record<string, unknown>,
        secrets: storedSecrets,
        ...(Object.keys(inputFingerprints).length ? { inputFingerprints } : {}),
      });
    } else {
      for (const [name, s] of Object.entries(storedSecrets)) {
        const was = prior.secrets[name];
        if (was && was.fingerprint !== s.fingerprint) write({ type: 'note', text: `secret ${name} has a different value than when the incident opened (…${was.last4} → …${s.last4})` });
      }
    }
    if (broken) write({ type: 'lock.broken', previous: broken });
    write({ type: 'run.started', resumed: prior !== undefined, pid: process.pid, runbookHash: o.loaded.hash, ...(changed ? { acceptedChangedRunbook: true } : {}) });
    emit({
      type: 'run.begin',
      incident: o.store.incident,
      mode: o.mode,
      dryRun: false,
      runbook: { id: runbook.id, title: runbook.title, severity: runbook.severity, path: o.loaded.file },
      steps: stepInfos(runbook.steps, rc.scope()),
      resumed: prior !== undefined,
      openedAt,
    });

    const outcome = await this.#schedule(rc);
    const reason = outcome.status === 'done' ? 'done' : outcome.status;
    try {
      write({ type: 'run.stopped', reason, detail: outcome.detail });
      // the incident is closed: nothing sealed is needed any more
      if (reason === 'done') rc.sealer?.wipe();
    } catch {
      /* the journal is already failing; the outcome below still reports */
    }
    const exitCode = { done: ExitCode.ok, failed: ExitCode.failed, waiting: ExitCode.waiting, interrupted: ExitCode.interrupted }[outcome.status];
    const last: EngineEvent = { type: 'run.end', status: outcome.status, detail: outcome.detail, exitCode };
    // not enumerable: never written by --json, never copied by a spread
    if (end) Object.defineProperty(last, 'state', { get: () => end.state, enumerable: false });
    emit(last);
    await journal.idle();
    return { status: outcome.status, exitCode, detail: outcome.detail, incident: o.store.incident, resumed: prior !== undefined, state: end ? end.stop() : fold(o.store.read()) };
  }

  /**
   * Inputs are fixed when an incident opens. An input the journal keeps masked (it looked like
   * a credential, e.g. an AWS access key id) must be given again; its fingerprint is checked.
   */
  async #resumeInputs(prior: RunState): Promise<Record<string, unknown>> {
    const o = this.#o;
    const specs = o.loaded.runbook.inputs;
    const inputs = { ...prior.inputs };
    for (const [k, fp] of Object.entries(prior.inputFingerprints)) {
      const spec = specs[k];
      let raw = o.inputs[k];
      if (raw === undefined && o.ports.askInput && spec) raw = await o.ports.askInput({ name: k, type: spec.type, description: spec.description, prompt: `${k} (kept masked in the journal — give it again)`, pattern: spec.pattern, secret: false });
      if (raw === undefined) {
        throw new UsageError(`input ${k} is kept masked in the journal of incident ${o.store.incident} (it looks like a credential): give it again to resume`, { nextSteps: [`Add --input ${k}=VALUE (the same value the incident started with).`] });
      }
      const value = spec ? coerceInput(k, spec, raw) : raw;
      if (fingerprintValue(JSON.stringify(value), o.fingerprintKey) !== fp) {
        throw new UsageError(`--input ${k} is not the value incident ${o.store.incident} started with`, { nextSteps: ['Inputs are fixed when an incident opens: give the same value, or start a new incident.'] });
      }
      inputs[k] = value;
    }
    for (const [k, v] of Object.entries(o.inputs)) {
      if (Object.hasOwn(prior.inputFingerprints, k)) continue;
      if (String(inputs[k]) !== v && JSON.stringify(inputs[k]) !== v) {
        throw new UsageError(`--input ${k} differs from the value incident ${o.store.incident} started with`, { nextSteps: ['Inputs are fixed when an incident opens: drop the flag, or start a new incident.'] });
      }
    }
    return inputs;
  }

  async #schedule(rc: RunContext): Promise<{ status: RunStatus; detail?: string }> {
    const steps = rc.loaded.runbook.steps;
    const state = new Map<string, 'pending' | 'running' | 'ok' | 'failed' | 'skipped'>(steps.map((s) => [s.id, 'pending']));
    const limit = Math.max(1, this.#o.concurrency ?? 4);
    const running = new Map<string, Promise<void>>();
    let halt: StepResult | undefined;
    let haltStep: string | undefined;
    let continuedFailures = 0;
    // a step may start once each of its needs is ok, failed or skipped; the ready ones start in runbook order
    const ready = new ReadyQueue(steps, stepNeeds(steps));
    const settle = (s: Step, to: 'ok' | 'failed' | 'skipped' | 'pending') => {
      state.set(s.id, to);
      if (to !== 'pending') ready.finished(s.id);
    };
    const start = (s: Step) => {
      state.set(s.id, 'running');
      const p = runStep(rc, s)
        .then((r) => {
          if (r.status === 'ok' || r.status === 'skipped') settle(s, r.status);
          else if (r.status === 'failed' && r.continued) {
            settle(s, 'failed');
            continuedFailures++;
          } else {
            settle(s, r.status === 'failed' ? 'failed' : 'pending');
            if (!halt || r.status === 'interrupted') {
              halt = r;
              haltStep = s.id;
            }
          }
        })
        .catch((e: unknown) => {
          settle(s, 'failed');
          halt = { status: 'failed', message: (e as Error).message, items: [] };
          haltStep = s.id;
          if (!(e instanceof Error) || !('exitCode' in e)) return;
          throw e; // a RunbookError (journal failure, usage) ends the run with its own code
        })
        .finally(() => running.delete(s.id));
      running.set(s.id, p);
    };
    let fatal: unknown;
    for (;;) {
      if (!halt && !rc.signal.aborted) {
        while (running.size < limit) {
          const s = ready.next();
          if (!s) break;
          start(s);
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values()).catch((e: unknown) => {
        fatal ??= e;
        halt ??= { status: 'interrupted' };
      });
    }
    if (fatal) throw fatal;
    if (rc.signal.aborted || halt?.status === 'interrupted') {
      const err = new InterruptedError();
      return { status: 'interrupted', detail: err.message };
    }
    const h = halt as StepResult | undefined;
    if (h?.status === 'waiting') return { status: 'waiting', detail: `${haltStep}: ${h.hint}` };
    if (h?.status === 'failed') return { status: 'failed', detail: `${haltStep}: ${h.message}` };
    const left = steps.filter((s) => state.get(s.id) === 'pending').map((s) => s.id);
    if (left.length) return { status: 'failed', detail: `steps not run: ${left.join(', ')}` };
    if (continuedFailures) return { status: 'failed', detail: `${continuedFailures} step(s) failed (on_failure: continue)` };
    return { status: 'done' };
  }
}

/**
 * The journal as this run holds it, read once: `prior`, the state folded from the records read at
 * the start (what the run resumes from; never changed), and for a file journal `end`, the state
 * of the whole journal kept up to date as records are written. The file has one writer at a time
 * — this run, under its lock — so its journal is the records read here plus those written
 * through the store since (the engine's and its observers', e.g. a drill's scorecard): the state
 * at the end is folded as they are written, without keeping the records (30,000 decoded records
 * at 10,000 items: ~30 MB of heap) or decoding the journal again (~100 MiB and seconds).
 */
function readJournal(store: JournalStore, given: readonly JournalRecord[] | undefined): { prior: RunState | undefined; end: EndState | undefined } {
  const records = given && store instanceof FileJournal && store.holdsOnly(given) ? given : store.read();
  const prior = fold(records);
  // folded again (not a copy of prior): prior must stay as it was when the run started
  return { prior, end: store instanceof FileJournal ? new EndState(fold(records), store) : undefined };
}

/** The state of a file journal, folded record by record as the store writes them (FileJournal.follow). */
class EndState {
  #state: RunState | undefined;
  #unfollow: (() => void) | undefined;

  constructor(state: RunState | undefined, store: FileJournal) {
    this.#state = state;
    this.#unfollow = store.follow((recs) => {
      for (const r of recs) this.#state = foldRecord(this.#state, r);
    });
  }

  /** the state so far (later writes go on changing it until stop) */
  get state(): RunState | undefined {
    return this.#state;
  }

  /** Stop following the store; the state as it is then. */
  stop(): RunState | undefined {
    this.#unfollow?.();
    this.#unfollow = undefined;
    return this.#state;
  }
}
