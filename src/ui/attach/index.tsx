/**
 * `runbook attach ID` on a terminal (team mode, docs/team-mode.md): the run screen — the same
 * checklist, step detail, prompt panel, keys and footer as `runbook run` — fed by the shared
 * store instead of a local engine. The caller (src/commands/attach.ts) follows the incident
 * (LISTEN/NOTIFY) and pushes each committed record and the runner's view (its steps, the
 * questions it waits on) here; every answer given on this screen (approve or deny a gate,
 * tick a manual step with its evidence, settle an item in doubt, a note) is a journal record
 * written under this operator's name, which the waiting runner acts on at once.
 */
import { render } from 'ink';
import type { EngineEvent } from '../../core/engine/events.js';
import type { Question, RunnerMode } from '../../core/engine/team-answers.js';
import type { JournalRecord, RecordBody } from '../../core/journal/records.js';
import { App } from '../app.js';
import { createController } from '../controller.js';
import { createObserver, createRunStore } from '../store.js';
import { sanitize } from '../store/logs.js';
import { colorFromEnv, createTheme } from '../theme.js';
import { createAttachPorts } from './ports.js';

/** What the runner publishes for attached operators (run.ts). */
export interface RunnerView {
  begin?: EngineEvent;
  asking?: Question[];
  /** how the runner goes on: its operator starts each step, or it runs them all */
  runs?: RunnerMode;
  /** who runs it (the lease holder), added by attach from the holder entry */
  operator?: string;
}

export interface AttachTuiOptions {
  incident: string;
  operator: string;
  /** write an answer or a note (a journal record under this operator's name) */
  write(body: RecordBody): void;
  reportCommand: string;
  /** the command that attaches again (shown when the operator leaves) */
  attachCommand?: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  signal: AbortSignal;
  redact(text: string): string;
  env?: NodeJS.ProcessEnv;
}

export interface AttachTui {
  /** records as they are committed, in order */
  records(rs: readonly JournalRecord[]): void;
  /** the runner's view (null: no runner holds the incident now) */
  view(v: RunnerView | null): void;
  /** a line for the status bar (a connection problem) */
  say(line: string): void;
  /** resolves when the operator leaves */
  done: Promise<void>;
}

export function startAttachTui(opts: AttachTuiOptions): AttachTui {
  const store = createRunStore({ mode: 'live' });
  // one record at a time is cheap; a burst (catching up) is batched like the run screen's events
  const observer = createObserver(store);
  const say = (line: string) => store.setState((s) => ({ system: [...s.system, sanitize(opts.redact(line), 300)].slice(-50) }));
  const ports = createAttachPorts(store, opts.write, say);
  let leave!: () => void;
  const left = new Promise<void>((r) => (leave = r));
  const controller = createController({
    store,
    ports,
    note: (text) => opts.write({ type: 'note', text: opts.redact(text) }),
    quit: () => leave(),
    exit: () => leave(),
  });
  // how the run goes on (run all, pause, skip, decide later) is the runner's call: the keymap offers
  // none of it here, so the footer and help list only what an attached operator can do
  store.setState({ attached: true });
  let begun: EngineEvent | undefined;
  const restoreTty = () => {
    try {
      if (opts.stdin.isTTY) opts.stdin.setRawMode(false);
    } catch {
      /* the terminal is gone */
    }
  };
  process.once('exit', restoreTty);
  const theme = createTheme({ color: colorFromEnv(opts.env ?? process.env) });
  const ink = render(<App store={store} controller={controller} theme={theme} commands={{ resume: opts.attachCommand ?? '', report: opts.reportCommand }} />, {
    stdin: opts.stdin,
    stdout: opts.stdout,
    stderr: opts.stderr,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 20,
  });
  // one status line at 80 columns (the incident is in the header)
  say(`attached as ${opts.operator} — the runner runs the steps; you answer what it asks`);
  const onAbort = () => leave();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const done = (async () => {
    await left;
    opts.signal.removeEventListener('abort', onAbort);
    observer.flush();
    observer.dispose();
    store.setState({ phase: 'closed' });
    await new Promise((r) => setImmediate(r));
    ink.unmount();
    await ink.waitUntilExit().catch(() => undefined);
    restoreTty();
    process.off('exit', restoreTty);
  })();

  return {
    records(rs) {
      for (const r of rs) {
        observer.observe({ type: 'record', record: r });
        if (r.type === 'run.stopped' && r.reason === 'done') observer.observe({ type: 'run.end', status: 'done', exitCode: 0 });
      }
      // attached: the screen is live (notes, answers) from the first record on, with or without a runner
      if (!store.getState().begun) store.setState({ begun: true, phase: 'running' });
      if (rs.some((r) => r.type === 'run.stopped' || r.type === 'step.started')) observer.flush();
    },
    view(v) {
      if (v?.begin && v.begin !== begun && JSON.stringify(v.begin) !== JSON.stringify(begun)) {
        begun = v.begin;
        observer.observe(v.begin);
      }
      observer.flush();
      // the header says how the RUNNER goes on (running all / step by step), not this screen's default
      if (v?.runs && store.getState().ui.autoRun !== (v.runs === 'all')) store.setState((s) => ({ ui: { ...s.ui, autoRun: v.runs === 'all' } }));
      ports.setQuestions(v?.asking ?? [], v?.operator);
    },
    say,
    done,
  };
}
