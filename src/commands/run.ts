/**
 * `runbook run FILE` — opens the TUI on a terminal; otherwise runs scripted (progress on
 * stderr, `--json` events on stdout, approvals from flags, never waits on stdin).
 */
import { join, relative } from 'node:path';
import { Engine, type EngineOptions, type RunResult } from '../core/engine/engine.js';
import type { EngineObserver } from '../core/engine/events.js';
import type { OperatorPorts } from '../core/engine/ports.js';
import { parseInputFlags } from '../core/engine/inputs.js';
import { FileJournal, checkIncidentId } from '../core/journal/store.js';
import type { LoadedRunbook } from '../core/runbook/load.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { fold } from '../core/journal/fold.js';
import { SecretRegistry } from '../core/secrets/registry.js';
import { UsageError } from '../core/errors.js';
import { scriptedPorts, parseDoneFlags, parseSettleFlags } from '../scripted/ports.js';
import { jsonReporter, textReporter } from '../scripted/reporters.js';
import { err, parseFlags, type Command, type CommandContext } from './context.js';
import { collect, fingerprintKey, loadWithPlugins, newIncidentId, secretsResolver, stateDirOf } from './shared.js';

export const RUN_FLAGS = {
  incident: { type: 'string' },
  input: { type: 'string', multiple: true },
  yes: { type: 'boolean' },
  approve: { type: 'string', multiple: true },
  done: { type: 'string', multiple: true },
  settle: { type: 'string', multiple: true },
  'accept-changed-runbook': { type: 'boolean' },
  'break-lock': { type: 'boolean' },
  'non-interactive': { type: 'boolean' },
  json: { type: 'boolean' },
  concurrency: { type: 'string' },
  'state-dir': { type: 'string' },
  plugin: { type: 'string', multiple: true },
  verbose: { type: 'boolean' },
} as const;

/** What `prepare` gets to set up a run's environment (a drill's simulated world). */
export interface PrepareContext {
  flags: Record<string, unknown>;
  loaded: LoadedRunbook;
  registry: ProviderRegistry;
  store: FileJournal;
  stateDir: string;
  fresh: boolean;
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
  drill?: {
    speed: number;
    now(): number;
    running(): boolean;
    start(): void;
    pause(): void;
    next(): { at: number; what: string } | undefined;
    attackerLive(): number;
  };
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
  if (!file) throw new UsageError(`runbook ${name}: which runbook? e.g. runbook ${name} runbooks/examples/shell-demo.yaml`);
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
  const { loaded, registry } = await loadWithPlugins(file, collect(f.plugin), ctx);
  const stateDir = stateDirOf(f['state-dir'], ctx);
  const given = f.incident;
  const incident = given ? checkIncidentId(given) : newIncidentId(loaded.runbook.id);
  const store = new FileJournal(stateDir, incident);
  const secrets = new SecretRegistry(ctx.redactor);
  const interactive = !f['non-interactive'] && !f.json && ctx.stdin.isTTY === true && ctx.stdout.isTTY === true;
  const shownFile = relative(ctx.cwd, loaded.file) || loaded.file;
  const stateFlag = f['state-dir'] ? ` --state-dir ${f['state-dir']}` : '';
  const pluginFlags = collect(f.plugin).map((x) => ` --plugin ${x}`).join('');
  let resumeCommand = `runbook ${name} ${shownFile} --incident ${incident}${stateFlag}${pluginFlags}`;
  const reportCommand = `runbook report ${incident}${stateFlag}`;
  const fresh = !store.exists();
  const controller = new AbortController();
  const signal = AbortSignal.any([ctx.signal, controller.signal]);
  const fpKey = fingerprintKey(stateDir);
  const env = await setup.prepare?.({ flags: f, loaded, registry, store, stateDir, fresh, interactive, secrets, fingerprintKey: fpKey, inputs, ctx });
  // every flag resuming needs (a drill's --scenario), so the printed command runs as printed
  if (env?.resumeFlags?.length) resumeCommand += ` ${env.resumeFlags.join(' ')}`;
  const make = (ports: OperatorPorts, observers: EngineObserver[]) => {
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
      configFor: env?.configFor ?? setup.configFor,
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
        initial: fresh ? undefined : fold(store.read()),
        drill: env?.drill,
        uiStateFile: join(store.dir, 'tui.json'),
        redact: (text) => ctx.redactor.redact(text),
        signal: ctx.signal,
        finish: env?.finish,
      });
      return exitCode;
    }
    if (fresh && !given) err(ctx, `runbook: new incident ${incident}`);
    const observer = f.json ? jsonReporter(ctx.stdout, ctx.redactor) : textReporter(ctx.stderr, ctx.redactor, { verbose: f.verbose });
    const ports = scriptedPorts({ yes: !!f.yes, approve: new Set(collect(f.approve)), done: parseDoneFlags(collect(f.done)), settle }, { onManual: observer.manual });
    const result = await make(ports, [observer]).run();
    for (const l of env?.finish?.() ?? []) err(ctx, l);
    summarize(ctx, result, resumeCommand, reportCommand);
    return result.exitCode;
  } finally {
    await env?.cleanup();
  }
}

function summarize(ctx: CommandContext, r: RunResult, resume: string, report: string): void {
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
      err(ctx, `runbook: incident ${r.incident} is waiting — ${r.detail ?? ''}\n  → Resume: ${resume} <flag above>`);
      break;
    case 'interrupted':
      err(ctx, `runbook: incident ${r.incident} interrupted; state is kept.\n  → Resume: ${resume}`);
      break;
  }
}

const command: Command = (argv, ctx) => runCommand(argv, ctx, { mode: 'live' });
export default command;
