/**
 * `runbook run FILE` — opens the TUI on a terminal; otherwise runs scripted (progress on
 * stderr, `--json` events on stdout, approvals from flags, never waits on stdin).
 */
import { join, relative, resolve } from 'node:path';
import { Engine, type EngineOptions, type RunResult } from '../core/engine/engine.js';
import type { EngineEvent, EngineObserver } from '../core/engine/events.js';
import type { OperatorPorts } from '../core/engine/ports.js';
import { checkInputNames, coerceInput, parseInputFlags, resolveInputs } from '../core/engine/inputs.js';
import { checkStepFlags } from '../core/engine/flags.js';
import { FileJournal, checkIncidentId } from '../core/journal/store.js';
import type { JournalRecord } from '../core/journal/records.js';
import { isShared, storeOf, type Store } from './team-store.js';
import { teamPorts, type Question, type RunnerMode } from '../core/engine/team-answers.js';
import { durationMs } from '../core/runbook/step-rules.js';
import { formatDuration } from '../core/duration.js';
import type { LoadedRunbook } from '../core/runbook/load.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { fold } from '../core/journal/fold.js';
import { SecretRegistry } from '../core/secrets/registry.js';
import { JournalError, UsageError, ownerName } from '../core/errors.js';
import type { TakenLock } from '../core/journal/lock.js';
import { scriptedPorts, parseDoneFlags, parseSettleFlags } from '../scripted/ports.js';
import { jsonReporter, textReporter } from '../scripted/reporters.js';
import { err, parseFlags, type Command, type CommandContext } from './context.js';
import { commandLine, program, withProgram } from './invocation.js';
import type { DrillView } from '../ui/context.js';
import type { EarlyTui } from '../ui/index.js';
import { COMMANDS } from './spec.js';
import { collect, fingerprintKey, loadWithPlugins, newIncidentId, secretsResolver, stateDirOf } from './shared.js';

/** run's flags: the command table's (src/commands/spec.ts), which is also `runbook run --help`. */
export const RUN_FLAGS = COMMANDS.run.flags;

/** What `prepare` gets to set up a run's environment (a drill's simulated world). */
export interface PrepareContext {
  flags: Record<string, unknown>;
  loaded: LoadedRunbook;
  registry: ProviderRegistry;
  store: Store;
  stateDir: string;
  fresh: boolean;
  /** the incident's journal as the command read it under its lock (one decode: [] when fresh) */
  records: JournalRecord[];
  interactive: boolean;
  secrets: SecretRegistry;
  fingerprintKey: Buffer;
  /** the `--input` flags */
  inputs: Record<string, string>;
  ctx: CommandContext;
}

/** The environment `prepare` made; every hook is optional. */
export interface RunEnv {
  cleanup(): Promise<void>;
  /** inputs for the engine (replace the `--input` flags) */
  inputs?: Record<string, string>;
  configFor?: EngineOptions['configFor'];
  resolveSecrets?: EngineOptions['resolveSecrets'];
  wrapPorts?(ports: OperatorPorts): OperatorPorts;
  /** wrap the observer (TUI store or scripted reporter) */
  observe?(inner: EngineObserver): EngineObserver;
  attach?(engine: Engine): void;
  /** lines for stderr once the run is over (scripted mode, and after the TUI closes) */
  finish?(): string[];
  /** what the TUI's end screen says about the run (given the engine's detail) */
  endDetail?(detail: string | undefined): string | undefined;
  /** flags the resume command needs beyond the runbook and the incident (a drill's --scenario) */
  resumeFlags?: string[];
  /** a drill's clock and attacker, for the TUI's header (the TUI starts the clock on the first key) */
  drill?: DrillView;
  /** start what the first complete frame did not wait for (a new drill's world): the TUI calls it once that frame is up */
  begin?(): void;
  /** wait until what begin() started is up (or failed): before the run's end is reported */
  settled?(): Promise<void>;
}

export interface RunSetup {
  mode: 'live' | 'drill';
  /** drill: a different command name, extra flags, and an environment made before the engine starts */
  commandName?: string;
  configFor?: EngineOptions['configFor'];
  flags?: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
  prepare?: (p: PrepareContext) => Promise<RunEnv>;
}

export async function runCommand(argv: string[], ctx: CommandContext, setup: RunSetup): Promise<number> {
  const name = setup.commandName ?? 'run';
  const { values: f, positionals } = parseFlags(name, argv, { ...RUN_FLAGS, ...setup.flags } as typeof RUN_FLAGS);
  const file = positionals[0];
  if (!file)
    throw new UsageError(`runbook ${name}: which runbook? Give a runbook file or the id of a shipped runbook`, {
      nextSteps: [`For example: \`runbook ${name} ${name === 'drill' ? 'hf-spaces-secrets-exposure' : 'leaked-token-triage'}\` (\`runbook list\` shows the shipped runbooks).`],
    });
  // on a terminal, the TUI's code loads while the runbook is read and the drill's world starts
  const tuiModule = !f['non-interactive'] && !f.json && ctx.stdin.isTTY === true && ctx.stdout.isTTY === true ? import('../ui/index.js') : undefined;
  tuiModule?.catch(() => undefined);
  if (positionals.length > 1) throw new UsageError(`runbook ${name}: one runbook at a time (got ${positionals.length})`);
  const concurrency = f.concurrency === undefined ? 4 : Number(f.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency must be a whole number from 1 to 64');
  let settle;
  try {
    settle = parseSettleFlags(collect(f.settle));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const inputs = parseInputFlags(collect(f.input));
  const waitMs = waitForAnswers(f['wait-for-answers']);
  // on a terminal the first frame (the header, "loading …") goes up before the runbook is parsed
  // and a drill's world starts; the TUI takes that screen over, or it is cleared if the run
  // cannot start (so the error prints on a clean terminal)
  const opened = ctx.earlyTui;
  await using early = opened ? { tui: opened, [Symbol.asyncDispose]: () => opened.close() } : tuiModule ? await openEarly(tuiModule, setup.mode, file, ctx) : undefined;
  const { loaded, registry } = await loadWithPlugins(file, collect(f.plugin), ctx);
  // a drill's world can take a while to start (10,000 leaked tokens: seconds): say so meanwhile
  early?.tui.status(setup.mode === 'drill' ? `starting the drill's simulated world for ${loaded.runbook.id}…` : `opening the incident of ${loaded.runbook.id}…`);
  checkStepFlags(loaded.runbook, { done: parseDoneFlags(collect(f.done)).keys(), settle, approve: collect(f.approve) });
  // before the incident's folder exists: a bad flag leaves no empty incident behind
  checkInputNames(loaded.runbook.inputs, inputs);
  checkInputValues(loaded.runbook.inputs, inputs);
  const stateDir = await stateDirOf(f['state-dir'], ctx);
  const given = f.incident;
  const incident = given ? checkIncidentId(given) : newIncidentId(loaded.runbook.id);
  const store = await storeOf(f, ctx, incident);
  if (waitMs !== undefined && !isShared(store)) throw new UsageError('--wait-for-answers needs the shared store (team mode): give --store postgres://… or set RUNBOOK_STORE', { nextSteps: ['Without it, a scripted run stops at a question with exit 3 and the command that resumes it.'] });
  const interactive = !f['non-interactive'] && !f.json && ctx.stdin.isTTY === true && ctx.stdout.isTTY === true;
  // a new live incident run scripted cannot ask: a missing required input is refused before its folder exists
  if (!interactive && !setup.prepare && (!given || (store instanceof FileJournal && !store.exists()))) await resolveInputs(loaded.runbook.inputs, inputs, {});
  const secrets = new SecretRegistry(ctx.redactor);
  // a shipped runbook given by id is resumed by its id
  const shownFile = resolve(ctx.cwd, file) !== loaded.file ? file : relative(ctx.cwd, loaded.file) || loaded.file;
  const stateFlag = [...(f['state-dir'] ? ['--state-dir', f['state-dir']] : []), ...(f.store ? ['--store', f.store] : [])];
  const pluginFlags = collect(f.plugin).flatMap((x) => ['--plugin', x]);
  let resumeCommand = commandLine(ctx, name, shownFile, '--incident', incident, ...stateFlag, ...pluginFlags);
  const reportCommand = commandLine(ctx, 'report', incident, ...stateFlag);
  const controller = new AbortController();
  const signal = AbortSignal.any([ctx.signal, controller.signal]);
  const fpKey = fingerprintKey(stateDir);
  // nothing may touch the incident's folder (journal, drill workspace, state) before its lock is held
  const { fresh, records } = openIncident(store, ctx, f['break-lock'] === true, controller, interactive);
  let env: RunEnv | undefined;
  try {
    env = await setup.prepare?.({ flags: f, loaded, registry, store, stateDir, fresh, records, interactive, secrets, fingerprintKey: fpKey, inputs, ctx });
  } catch (e) {
    store.unlock();
    throw diskFull(e, store.dir);
  }
  // every flag resuming needs (a drill's --scenario), so the printed command runs as printed
  if (env?.resumeFlags?.length) resumeCommand = commandLine(ctx, name, shownFile, '--incident', incident, ...stateFlag, ...pluginFlags, ...env.resumeFlags);
  // team mode: the answers of attached operators reach the waiting runner live (engine/team-answers.ts)
  let team: ReturnType<typeof teamPorts> | undefined;
  // …and attached operators see its steps and the questions it waits on (runbook attach's TUI)
  // a scripted runner runs every step by itself; the TUI starts step by step (team-answers.ts tells when that changes)
  const view: { begin?: EngineEvent; asking: Question[]; runs: RunnerMode } = { asking: [], runs: interactive ? 'step' : 'all' };
  const publish = () => {
    if (isShared(store)) store.publish(JSON.parse(ctx.redactor.redact(JSON.stringify(view))));
  };
  const viewObserver: EngineObserver = (e) => {
    if (e.type !== 'run.begin') return;
    view.begin = e;
    publish();
  };
  const teamed = (ports: OperatorPorts): OperatorPorts => {
    if (!isShared(store)) return ports;
    team = teamPorts(ports, store, {
      asking: (q, runs) => {
        view.asking = q;
        view.runs = runs;
        publish();
      },
      after: records.at(-1)?.seq ?? 0,
      signal,
      interactive,
      // the TUI's operator answers there; the flag is for scripted runs
      waitMs: interactive ? undefined : waitMs,
      onWait: (hint) => err(ctx, `${hint ? `⏸ ${hint}\n` : ''}  → waiting up to ${formatDuration(waitMs ?? 0)} for an answer from the team: ${commandLine(ctx, 'attach', incident, ...(f.store ? ['--store', f.store] : []))}`),
    });
    return team;
  };
  const make = (own: OperatorPorts, given: EngineObserver[]) => {
    const ports = teamed(own);
    const observers = isShared(store) ? [...given, viewObserver] : given;
    const engine = new Engine({
      loaded,
      registry,
      store,
      secrets,
      resolveSecrets: env?.resolveSecrets ?? secretsResolver(loaded, secrets, ctx),
      inputs: env?.inputs ?? inputs,
      mode: setup.mode,
      ports: env?.wrapPorts ? env.wrapPorts(ports) : ports,
      observers: env?.observe ? observers.map((o) => env.observe!(o)) : observers,
      concurrency,
      signal,
      fingerprintKey: fpKey,
      acceptChangedRunbook: f['accept-changed-runbook'],
      breakLock: f['break-lock'],
      settle,
      configFor: env?.configFor ?? setup.configFor,
      // the engine starts from this command's one decode of the journal, not another
      journal: records,
    });
    env?.attach?.(engine);
    return engine;
  };
  try {
    if (interactive) {
      const { runTui } = await (tuiModule ?? import('../ui/index.js'));
      let engine: Engine | undefined;
      const { exitCode } = await runTui({
        start: async (ports, observe) => {
          engine = make(ports, [observe]);
          const r = await engine.run();
          await env?.settled?.();
          return { status: r.status, exitCode: r.exitCode, incident: r.incident, detail: env?.endDetail ? env.endDetail(r.detail) : r.detail };
        },
        note: (text) => engine?.note(text),
        resumeCommand,
        reportCommand,
        mode: setup.mode,
        stdin: ctx.stdin as NodeJS.ReadStream,
        stdout: ctx.stdout as NodeJS.WriteStream,
        stderr: ctx.stderr as NodeJS.WriteStream,
        abort: () => controller.abort(new Error('quit')),
        // the engine does not replay the journal: seed the checklist with it on resume
        initial: fresh ? undefined : fold(records),
        drill: env?.drill,
        uiStateFile: join(store.dir, 'tui.json'),
        redact: (text) => ctx.redactor.redact(text),
        signal: ctx.signal,
        finish: env?.finish,
        early: early?.tui,
        shown: () => {
          env?.begin?.();
          // the providers the first step will call, imported while the operator reads the screen
          registry.ready().catch(() => undefined); // a failure is the engine's to report, when it binds one
        },
      });
      return exitCode;
    }
    if (fresh && !given) err(ctx, `runbook: new incident ${incident}`);
    const observer = f.json ? jsonReporter(ctx.stdout, ctx.redactor) : textReporter(ctx.stderr, ctx.redactor, { verbose: f.verbose });
    const ports = scriptedPorts({ yes: !!f.yes, approve: new Set(collect(f.approve)), done: parseDoneFlags(collect(f.done)), settle }, { onManual: observer.manual });
    const result = await make(ports, [observer]).run();
    for (const l of env?.finish?.() ?? []) err(ctx, l);
    summarize(ctx, result, resumeCommand, reportCommand, (step) => commandLine(ctx, 'approve', incident, step, ...stateFlag));
    return result.exitCode;
  } finally {
    team?.stop();
    try {
      await env?.cleanup();
    } finally {
      store.unlock();
    }
  }
}

/**
 * Every `--input` value typed and matched against its input's pattern before anything is
 * written: a bad value is a usage error naming the flag, and leaves no incident folder (nor
 * any other file) behind. The engine types them again when it resolves the inputs.
 */
function checkInputValues(specs: LoadedRunbook['runbook']['inputs'], given: Record<string, string>): void {
  for (const [name, raw] of Object.entries(given)) {
    const spec = specs[name];
    if (!spec) continue;
    try {
      coerceInput(name, spec, raw);
    } catch (e) {
      if (!(e instanceof UsageError) || e.nextSteps.length > 0) throw e;
      const what = spec.description ? ` (${spec.description})` : '';
      throw new UsageError(e.message, { nextSteps: [`Give a value that matches ${spec.pattern ?? 'it'}: --input ${name}=VALUE${what}. Nothing was written.`] });
    }
  }
}

/** --wait-for-answers DURATION, in ms (undefined: not given). */
function waitForAnswers(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = durationMs(v);
  if (!Number.isFinite(ms) || ms <= 0 || ms > 2_147_483_647) throw new UsageError(`--wait-for-answers: "${v.slice(0, 40)}" is not a duration; give one such as 30s, 10m or 1h`);
  return ms;
}

/** The screen put up while the runbook loads (undefined when the TUI cannot load: runTui reports that later). */
async function openEarly(tui: Promise<typeof import('../ui/index.js')>, mode: 'live' | 'drill', file: string, ctx: CommandContext): Promise<(AsyncDisposable & { tui: EarlyTui }) | undefined> {
  try {
    const m = await tui;
    const early = m.openTui({ mode, what: file, stdin: ctx.stdin as NodeJS.ReadStream, stdout: ctx.stdout as NodeJS.WriteStream, stderr: ctx.stderr as NodeJS.WriteStream });
    return { tui: early, [Symbol.asyncDispose]: () => early.close() };
  } catch {
    return undefined;
  }
}

/**
 * Take the incident's lock (held until the command ends), say so when it was taken over from a
 * process that is gone, open the journal (refusing links, folders, empty and tampered journals;
 * dropping a torn last line with a warning). Returns whether the incident is new.
 */
function openIncident(store: Store, ctx: CommandContext, breakLock: boolean, controller: AbortController, interactive: boolean): { fresh: boolean; records: JournalRecord[] } {
  store.lock({ breakLock });
  try {
    const taken = store.takenOver;
    // the TUI shows the take-over as a note (its lock.broken record); on stderr it would garble the loading screen
    if (taken && !interactive) err(ctx, ctx.redactor.redact(takeoverLine(store.incident, taken)));
    store.onLockLost = (why) => {
      err(ctx, `runbook: ${why} — stopping; this process calls nothing more.`);
      controller.abort(new Error('lock lost'));
    };
    // the one decode of this command: passed down to prepare, the checklist and the engine
    const opened = store instanceof FileJournal ? store.openRead() : { warnings: store.open(), records: undefined };
    const written: JournalRecord[] = [];
    for (const w of opened.warnings) {
      err(ctx, ctx.redactor.redact(`runbook: warning: ${w}`));
      written.push(store.append({ type: 'note', text: `warning: ${w}` }));
    }
    const fresh = !store.exists();
    return { fresh, records: fresh ? [] : [...(opened.records ?? store.read()), ...(opened.records ? written : [])] };
  } catch (e) {
    store.unlock();
    throw e;
  }
}

/** What the operator reads when the lock of a process that is gone was taken over. */
export function takeoverLine(incident: string, t: TakenLock): string {
  const who = `pid ${t.pid} (${ownerName(t)}, since ${t.startedAt})`;
  return t.forced
    ? `runbook: --break-lock: took the lock of incident ${incident} from ${who}: ${t.why}. The take-over is journaled.`
    : `runbook: the lock of incident ${incident} was held by ${who}, which is gone: ${t.why}. Taking it over (journaled) and resuming.`;
}

/** A full disk is the operator's to fix, not a bug: say which path and what to do. */
export function diskFull(e: unknown, where: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return e;
  const path = (e as NodeJS.ErrnoException).path ?? where;
  return new JournalError(`disk full writing ${path}: free space and re-run the same command`, { nextSteps: ['Nothing was called. Free disk space (or use another --state-dir), then run the same command again.'] });
}

/**
 * The commands that answer what a run waits on, complete (the resume command plus the flag the
 * hint names), so each runs as printed: --approve STEP; --done KEY (with the evidence example the
 * hint shows); --settle KEY=done or =redo (both: the operator decides).
 */
export function answerLines(detail: string, resume: string, approveCommand?: (step: string) => string): string {
  // a four-eyes gate: another operator approves through the store (with the same --store/--state-dir)
  const fourEyes = /runbook approve \S+ (\S+)/.exec(detail)?.[1];
  if (fourEyes && approveCommand) return `  → Another operator approves: ${approveCommand(fourEyes)}\n  → Then resume: ${resume}`;
  const approve = /--approve (\S+)/.exec(detail)?.[1];
  if (approve) return `  → Approve and resume: ${resume} --approve ${approve}`;
  const settle = /--settle (\S+?)=done/.exec(detail)?.[1];
  if (settle) return `  → It took effect: ${resume} --settle ${settle}=done\n  → It did not (call it again): ${resume} --settle ${settle}=redo`;
  const done = /--done ([^\s=]+)(='[^']*'|="[^"]*"|=\S+)?/.exec(detail);
  if (done) return `  → When it is done: ${resume} --done ${done[1]}${done[2] ?? ''}`;
  return `  → Resume: ${resume}`;
}

function summarize(ctx: CommandContext, r: RunResult, resume: string, report: string, approveCommand: (step: string) => string): void {
  const steps = r.state ? Object.values(r.state.steps) : [];
  const count = (s: string) => steps.filter((x) => x.status === s).length;
  const tally = `${count('ok')} ok, ${count('skipped')} skipped, ${count('failed')} failed`;
  switch (r.status) {
    case 'done':
      err(ctx, `runbook: incident ${r.incident} done (${tally}).\n  → Report: ${report}`);
      break;
    case 'failed':
      err(ctx, `runbook: incident ${r.incident} stopped: a step failed — ${r.detail ?? ''} (${tally}).\n  → Fix the cause, then resume: ${resume}\n  → Report so far: ${report}`);
      break;
    case 'waiting':
      err(ctx, `runbook: incident ${r.incident} is waiting — ${withProgram(r.detail ?? '', program(ctx))}\n${answerLines(r.detail ?? '', resume, approveCommand)}`);
      break;
    case 'interrupted':
      err(ctx, `runbook: incident ${r.incident} interrupted; state is kept.\n  → Resume: ${resume}`);
      break;
  }
}

const command: Command = (argv, ctx) => runCommand(argv, ctx, { mode: 'live' });
export default command;
