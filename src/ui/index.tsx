/**
 * runTui — the interactive face of `runbook run` (loaded only when stdin and stdout are TTYs,
 * so --help, --version and scripted runs never load Ink).
 *
 * Lifecycle: mount Ink → start the engine with the TUI's ports and observer → when the run
 * ends the screen stays until the operator leaves; on quit: abort the engine, answer every
 * pending prompt so it can stop, wait for start() to settle (it journals run.stopped),
 * unmount, leave raw mode, then print the resume command to stderr. Ctrl-C quits the same way
 * (twice: without waiting). Nothing but Ink writes to the terminal while it is mounted:
 * console output of libraries is redacted into the status line instead.
 */
import { loadMarkdown } from './markdown.js';
import { Box, Text, render, type Instance } from 'ink';
import type { EngineObserver, RunStatus } from '../core/engine/events.js';
import type { OperatorPorts } from '../core/engine/ports.js';
import type { RunState } from '../core/journal/fold.js';
import { App } from './app.js';
import { createController } from './controller.js';
import { createTuiPorts } from './ports.js';
import { StoreProvider, createObserver, createRunStore, type RunStore } from './store.js';
import { useStore } from 'zustand';
import { seedFromRunState } from './store/apply.js';
import { Header } from './components/header.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { sanitize } from './store/logs.js';
import { ThemeContext, colorFromEnv, createTheme, type Theme } from './theme.js';
import { setUi } from './store.js';
import type { DrillView } from './context.js';
import { readUiState, writeUiState } from './resume-state.js';
import wrapAnsi from 'wrap-ansi';
import { INK_OPTIONS } from './ink-options.js';
import { KeyRoot, enterRawMode, type KeyHandler, type KeyRouter } from './key-root.js';
import { appKeys } from './hooks/use-app-keys.js';

/**
 * Lines for the terminal after Ink leaves, wrapped at word boundaries (wrap-ansi, by display
 * width). A line laid out as `  label   value` continues under its value; others under their indent.
 */
export function wrapLines(lines: string[], columns: number): string {
  const cols = Math.max(20, columns);
  return lines
    .map((l) => {
      const lead = /^ */.exec(l)![0].length;
      const label = /^ *\S+(?: \S+)*? {2,}/.exec(l)?.[0].length ?? lead;
      const hang = label <= cols / 2 ? label : lead;
      const body = wrapAnsi(l.slice(hang), cols - hang, { hard: true }).split('\n');
      return body.map((x, i) => (i === 0 ? l.slice(0, hang) : ' '.repeat(hang)) + x).join('\n');
    })
    .join('\n');
}

/**
 * The summary printed after the TUI: its sentences wrapped at word boundaries (never `(you qu` /
 * `it)` at the terminal's edge); a `→` line holding a command is left whole — a command broken
 * by a newline would, pasted, run its first half (a resume without its `--incident` starts a
 * new incident). The terminal soft-wraps it, and copies it back as one line.
 */
export function afterLines(text: string, columns: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.map((l) => (/^\s*→ /.test(l) ? l : wrapLines([l], columns))).join('\n') + '\n';
}

export interface TuiResult {
  status: RunStatus;
  exitCode: number;
  incident: string;
  detail?: string;
}

export interface TuiOptions {
  /** starts the engine with the TUI's ports and observer; resolves when the run ends */
  start(ports: OperatorPorts, observe: EngineObserver): Promise<TuiResult>;
  /** adds a timeline note to the journal (engine.note) */
  note(text: string): void;
  /** e.g. `runbook run runbooks/x.yaml --incident inc-123` — shown on quit and at the end */
  resumeCommand: string;
  /** e.g. `runbook report inc-123` — shown at the end */
  reportCommand: string;
  mode: 'live' | 'drill' | 'dry-run';
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** aborts the engine (quit) */
  abort(): void;
  /** optional: on resume, the journal so far (fold(records)) — the engine does not replay it */
  initial?: RunState;
  /** optional: the process redactor (for console output of libraries and the final summary) */
  redact?: (text: string) => string;
  /** optional: environment (NO_COLOR); default process.env */
  env?: NodeJS.ProcessEnv;
  /** optional: aborted on SIGINT/SIGTERM from outside — the TUI then quits as if the operator had */
  signal?: AbortSignal;
  /** optional: a drill's clock and attacker (shown in the header; the first key starts the clock) */
  drill?: DrillView;
  /** optional: where the screen's mode is kept for resume (beside the journal) */
  uiStateFile?: string;
  /** optional: lines to print after the TUI closes (a drill's scorecard), wrapped to the terminal at word boundaries */
  finish?: () => string[];
  /** optional: the screen openTui() put up while the runbook loaded — runTui takes it over */
  early?: EarlyTui;
  /** optional: called once the first frame that asks something (or shows the end) is on the terminal — a new drill then starts its world */
  shown?: () => void;
}

/** The screen shown while the runbook loads (openTui): the header and what is being read. */
export interface EarlyTui {
  readonly store: RunStore;
  /** who gets the keys (the screen's one reader: key-root.tsx); runTui points it at the run's keys */
  readonly keys: KeyRouter;
  readonly ink: Instance;
  readonly theme: Theme;
  /** the run could not start: take the screen down (cleared) so the error prints on a clean terminal; a no-op once runTui took it over */
  close(): Promise<void>;
  /** runTui takes the screen over (close() does nothing after this) */
  adopt(): void;
  /** what is happening until then (`starting the drill's world…`); a no-op once taken over */
  status(doing: string): void;
  /** called after each frame Ink writes (runTui: to know when the first complete frame is up) */
  onFrame(fn: (() => void) | undefined): void;
}

function Loading({ store, theme, doing }: { store: RunStore; theme: Theme; doing: string }) {
  const width = useTerminalSize().columns - 1;
  const hint = useStore(store, (s) => s.ui.keyHint);
  return (
    <StoreProvider store={store}>
      <ThemeContext.Provider value={theme}>
        <Box flexDirection="column" width={width}>
          <Header width={width} />
          <Text wrap="truncate-end" {...theme.seg.dim}>{`  ${doing}`}</Text>
          {hint ? <Text wrap="truncate-end" {...theme.seg.warn}>{`  ${hint}`}</Text> : null}
        </Box>
      </ThemeContext.Provider>
    </StoreProvider>
  );
}

/** what the loading screen (and, until the next key, the run's status line) says of a key pressed while it is up */
export const LOADING_KEY_HINT = 'a key while loading does nothing — keys work once the run is on screen';

/**
 * Keys while the loading screen is up: nothing is asked yet, so a key is ignored, and said so
 * (it does not start a drill's clock). Ctrl-C stops the command as it does on a cooked terminal.
 */
function loadingKeys(store: RunStore): KeyHandler {
  return (input, key) => {
    if ((key.ctrl && input === 'c') || input.includes('\u0003')) {
      process.kill(process.pid, 'SIGINT');
      return;
    }
    setUi(store, { keyHint: LOADING_KEY_HINT });
  };
}

/**
 * Put the first frame up at once — the header and "loading <what>…" — before the runbook is
 * parsed and a drill's world starts (both take most of the time to the first complete frame).
 * runTui({ early }) then takes over this Ink instance and its store.
 */
export function openTui(o: { mode: TuiOptions['mode']; what: string; stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; env?: NodeJS.ProcessEnv }): EarlyTui {
  const store = createRunStore({ mode: o.mode });
  const theme = createTheme({ color: colorFromEnv(o.env ?? process.env) });
  const keys: KeyRouter = { current: loadingKeys(store) };
  const loading = (doing: string) => (
    <KeyRoot router={keys}>
      <Loading store={store} theme={theme} doing={sanitize(doing, 200)} />
    </KeyRoot>
  );
  let onFrame: (() => void) | undefined;
  // raw from the first frame: a key pressed before Ink's input effect runs is read as typed, not cooked
  const cooked = enterRawMode(o.stdin);
  const ink = render(loading(`loading ${o.what}…`), { stdin: o.stdin, stdout: o.stdout, stderr: o.stderr, ...INK_OPTIONS, onRender: () => onFrame?.() });
  let closed = false;
  return {
    store,
    keys,
    ink,
    theme,
    onFrame(fn) {
      onFrame = fn;
    },
    adopt() {
      closed = true;
    },
    status(doing) {
      if (!closed) ink.rerender(loading(doing));
    },
    async close() {
      if (closed) return;
      closed = true;
      ink.clear();
      ink.unmount();
      await ink.waitUntilExit().catch(() => undefined);
      cooked();
    },
  };
}

const CONSOLE = ['log', 'info', 'warn', 'error', 'debug'] as const;

/** Route console.* and process warnings into the store (redacted, bounded) while Ink owns the terminal. */
/* eslint-disable no-console -- replaces console methods so nothing writes past Ink; never prints */
function captureConsole(store: RunStore, redact: (s: string) => string): () => void {
  const saved = CONSOLE.map((k) => [k, console[k]] as const);
  for (const k of CONSOLE) {
    console[k] = (...args: unknown[]) => {
      const text = sanitize(redact(args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : String(a))).join(' ')), 300);
      store.setState((s) => ({ system: [...s.system, text].slice(-50) }));
    };
  }
  // process warnings (deprecations from SDKs…) would print to stderr through the frame
  const emitWarning = process.emitWarning;
  process.emitWarning = ((w: string | Error) => {
    const text = sanitize(redact(`warning: ${typeof w === 'string' ? w : w.message}`), 300);
    store.setState((s) => ({ system: [...s.system, text].slice(-50) }));
  }) as typeof process.emitWarning;
  return () => {
    for (const [k, f] of saved) console[k] = f;
    process.emitWarning = emitWarning;
  };
}
/* eslint-enable no-console */

function summary(r: TuiResult | undefined, quit: boolean, forced: boolean, o: TuiOptions): string {
  if (forced || !r) return `runbook: left without waiting for the engine; the journal is kept record by record.\n  → Resume: ${o.resumeCommand}\n`;
  const inc = `incident ${r.incident}`;
  switch (r.status) {
    case 'done':
      return `runbook: ${inc} done.\n  → Report: ${o.reportCommand}\n`;
    case 'failed':
      return `runbook: ${inc} stopped: a step failed${r.detail ? ` — ${r.detail}` : ''}.\n  → Fix the cause, then resume: ${o.resumeCommand}\n  → Report so far: ${o.reportCommand}\n`;
    case 'waiting':
      return `runbook: ${inc} is waiting${r.detail ? ` — ${r.detail}` : ''}.\n  → Resume: ${o.resumeCommand}\n`;
    case 'interrupted':
      return `runbook: ${inc} interrupted${quit ? ' (you quit)' : ''}; its state is kept.\n  → Resume: ${o.resumeCommand}\n`;
  }
}

export async function runTui(opts: TuiOptions): Promise<{ exitCode: number }> {
  const redact = opts.redact ?? ((s: string) => s);
  const early = opts.early;
  const store = early?.store ?? createRunStore({ mode: opts.mode, seed: opts.initial });
  if (early) {
    early.adopt();
    store.setState({ mode: opts.mode });
    if (opts.initial) store.setState(seedFromRunState(store.getState(), opts.initial), true);
  }
  // resume: the same mode as when the operator left (running all, or step by step)
  if (opts.initial && readUiState(opts.uiStateFile)?.autoRun) setUi(store, { autoRun: true });
  // the mode is saved as it changes (atomically), not only on quit: a run killed with kill -9 resumes in it too
  let savedMode = store.getState().ui.autoRun;
  const stopSavingMode = store.subscribe((s) => {
    if (s.ui.autoRun === savedMode) return;
    savedMode = s.ui.autoRun;
    writeUiState(opts.uiStateFile, { autoRun: savedMode });
  });
  const observer = createObserver(store);
  const drill = opts.drill;
  const observe: EngineObserver = (e) => {
    // a step that starts while running all (after a resume, no key pressed yet) starts a drill's clock too, unless help is open
    if (drill && e.type === 'record' && e.record.type === 'step.started' && !drill.running() && store.getState().ui.autoRun && store.getState().ui.overlay !== 'help') drill.start();
    observer.observe(e);
  };
  const ports = createTuiPorts(store, { beforeAsk: () => observer.flush() });
  const theme = early?.theme ?? createTheme({ color: colorFromEnv(opts.env ?? process.env) });

  let leave!: () => void;
  const left = new Promise<void>((r) => (leave = r));
  let quitting = false;
  let forced = false;
  let settled = false;
  const controller = createController({
    store,
    ports,
    note(text) {
      try {
        opts.note(text);
      } catch (e) {
        store.setState((s) => ({ system: [...s.system, sanitize(redact(`note not saved: ${(e as Error).message}`), 300)] }));
      }
    },
    quit(force) {
      if (!quitting && !settled) {
        quitting = true;
        store.setState({ phase: 'quitting' });
        opts.abort(); // first, so the answers below find the run aborted
        ports.close('the operator quit; resume to decide');
      }
      if (force) forced = !settled;
      if (force || settled) leave();
    },
    exit: () => leave(),
    drill,
  });

  const restoreTty = () => {
    try {
      if (opts.stdin.isTTY) opts.stdin.setRawMode(false);
    } catch {
      /* the terminal is gone */
    }
  };
  // whatever happens (an uncaught error, a second SIGINT that exits), never leave raw mode behind
  process.once('exit', restoreTty);
  // one reader of the keys for the Ink instance's whole life (the loading screen's, taken over)
  const keys: KeyRouter = early?.keys ?? { current: () => undefined };
  const runKeys = appKeys(store, controller);
  const app = (
    <KeyRoot router={keys}>
      <App store={store} controller={controller} theme={theme} commands={{ resume: opts.resumeCommand, report: opts.reportCommand }} drill={drill} />
    </KeyRoot>
  );
  /** draw the run's screen; from this turn on every key read is the run's (none is read between the two) */
  let appShown = false;
  const showApp = () => {
    keys.current = runKeys;
    appShown = true;
    ink.rerender(app);
    // marked, once the frame is out (instructions show as plain text for the few ms until then)
    setImmediate(() => void loadMarkdown());
  };
  // the first frame that asks something (or shows the end) is up: what it did not wait for may start
  let shown = opts.shown === undefined;
  const onFrame = () => {
    if (shown) return;
    const s = store.getState();
    if (s.prompts.length === 0 && (s.phase === 'starting' || s.phase === 'running')) return;
    shown = true;
    setImmediate(() => opts.shown?.());
  };
  let ink: Instance;
  let stopWaiting: (() => void) | undefined;
  if (early) {
    ink = early.ink;
    early.onFrame(onFrame);
    // the loading screen stays until the run has something to show — its plan, a question, its
    // end — and the run's screen then goes up in one cold render of the whole layout, not two
    // (an empty checklist first: ~40 ms before the first question's frame on a quiet machine)
    const showable = (s: ReturnType<RunStore['getState']>) => s.steps.size > 0 || s.prompts.length > 0 || (s.phase !== 'starting' && s.phase !== 'running');
    if (showable(store.getState())) showApp();
    else {
      const stop = store.subscribe((s) => {
        if (!showable(s)) return;
        stop();
        stopWaiting = undefined;
        // after what the same turn adds (the plan arrives just before the question it asks)
        queueMicrotask(showApp);
      });
      stopWaiting = stop;
    }
  } else {
    keys.current = runKeys;
    appShown = true;
    enterRawMode(opts.stdin); // left in restoreTty
    ink = render(app, { stdin: opts.stdin, stdout: opts.stdout, stderr: opts.stderr, ...INK_OPTIONS, onRender: onFrame });
    setImmediate(() => void loadMarkdown());
  }
  const releaseConsole = captureConsole(store, redact);
  let outside = false;
  const onOutsideAbort = () => {
    outside = true;
    controller.interrupt();
  };
  if (opts.signal?.aborted) onOutsideAbort();
  else opts.signal?.addEventListener('abort', onOutsideAbort, { once: true });

  let result: TuiResult | undefined;
  let error: unknown;
  const run = (async () => {
    try {
      result = await opts.start(ports.ports, observe);
    } catch (e) {
      error = e;
    } finally {
      settled = true;
      observer.flush();
      if (result) {
        observer.observe({ type: 'run.end', status: result.status, exitCode: result.exitCode, detail: result.detail });
        observer.flush();
        if (!quitting) store.setState({ phase: 'ended' });
      }
      // a failure to start, a quit, or an outside interrupt: nothing left to look at
      if (error !== undefined || quitting || result?.status === 'interrupted') leave();
    }
  })();

  try {
    await left;
    if (!forced) await run;
  } finally {
    observer.flush();
    observer.dispose();
    if (error !== undefined && appShown) {
      // the run's last frame stays, the error printed right under it: nothing asked any more, and the status line says why
      ports.close('the run stopped on an error');
      store.setState((s) => ({ ui: { ...s.ui, keyHint: null }, system: [...s.system, '✗ stopped by an error (printed below) — the incident state is kept'] }));
    }
    // the last frame stays on the terminal: it must not offer keys any more
    store.setState({ phase: 'closed' });
    stopWaiting?.();
    await new Promise((r) => setImmediate(r));
    releaseConsole();
    opts.signal?.removeEventListener('abort', onOutsideAbort);
    // an error before the run's screen was up: the loading screen goes (the error prints on a clean terminal)
    if (error !== undefined && !appShown) ink.clear();
    ink.unmount();
    await ink.waitUntilExit().catch(() => undefined);
    restoreTty();
    process.off('exit', restoreTty);
  }
  stopSavingMode();
  writeUiState(opts.uiStateFile, { autoRun: store.getState().ui.autoRun });
  if (error !== undefined && !forced) throw error;
  const after = opts.finish?.() ?? [];
  if (after.length > 0) opts.stderr.write(redact(wrapLines(after, opts.stdout.columns || 80)) + '\n');
  opts.stderr.write(redact(afterLines(summary(result, quitting && !outside, forced, opts), opts.stdout.columns || 80)));
  return { exitCode: forced || !result ? 130 : result.exitCode };
}
