/**
 * Component-test helpers: a fresh store, ports and controller per test, rendered with
 * ink-testing-library; key presses as terminal bytes; waiting for a frame condition (never a
 * fixed sleep).
 */
import { render } from 'ink-testing-library';
import { vi } from 'vitest';
import { App } from '../../src/ui/app.js';
import { createController } from '../../src/ui/controller.js';
import { createTuiPorts } from '../../src/ui/ports.js';
import { createObserver, createRunStore } from '../../src/ui/store.js';
import { createTheme } from '../../src/ui/theme.js';
import type { EngineEvent, StepInfo } from '../../src/core/engine/events.js';
import type { RecordBody } from '../../src/core/journal/records.js';
import type { RunState } from '../../src/core/journal/fold.js';
import type { UiMode } from '../../src/ui/store/types.js';
import type { DrillView } from '../../src/ui/context.js';
import type { CommandContext } from '../../src/commands/context.js';
import { Redactor } from '../../src/core/secrets/redactor.js';
import { FakeIn, FakeOut, plain } from './fake-tty.js';
import { loadMarkdown } from '../../src/ui/markdown.js';

// the TUI loads marked right after its first frame (src/ui/markdown.ts): these screens are read
// as a person would read them by then, instructions styled (test/ui/markdown-load.test.tsx: before)
await loadMarkdown();

export { FakeIn, FakeOut, plain };

export const KEY = {
  enter: '\r',
  esc: '\u001b',
  up: '\u001b[A',
  down: '\u001b[B',
  pgdn: '\u001b[6~',
  pgup: '\u001b[5~',
  tab: '\t',
  backspace: '\u007f',
  ctrlC: '\u0003',
  space: ' ',
} as const;

export async function waitFor(cond: () => boolean, what: string | (() => string), timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function step(id: string, over: Partial<StepInfo> = {}): StepInfo {
  return { id, kind: 'detect', title: `Title of ${id}`, needs: [], confirm: false, fanOut: false, evidence: { type: 'none', required: false }, ...over };
}

let seq = 0;
export function rec(body: RecordBody): EngineEvent {
  return { type: 'record', record: { ...body, seq: ++seq, ts: new Date().toISOString(), op: 'tester@host' } };
}

export function begin(steps: StepInfo[], over: Partial<Extract<EngineEvent, { type: 'run.begin' }>> = {}): EngineEvent {
  return {
    type: 'run.begin',
    incident: 'inc-42',
    mode: 'live',
    dryRun: false,
    runbook: { id: 'rb', title: 'Leaked token response', severity: 'high', path: 'rb.yaml' },
    steps,
    resumed: false,
    openedAt: new Date(Date.now() - 65_000).toISOString(),
    ...over,
  };
}

export interface SetupOptions {
  mode?: UiMode;
  color?: boolean;
  columns?: number;
  rows?: number;
  drill?: DrillView;
  /** the resume and report commands (default: short ones) */
  commands?: { resume: string; report: string };
}

export function setup(o: SetupOptions = {}) {
  const store = createRunStore({ mode: o.mode ?? 'live' });
  const obs = createObserver(store, { intervalMs: 5 });
  const ports = createTuiPorts(store);
  const note = vi.fn<(t: string) => void>();
  const quit = vi.fn<(force: boolean) => void>();
  const exit = vi.fn<() => void>();
  const controller = createController({ store, ports, note, quit, exit, drill: o.drill });
  const theme = createTheme({ color: o.color ?? false });
  const ui = render(<App store={store} controller={controller} theme={theme} commands={o.commands ?? { resume: 'runbook run rb.yaml --incident inc-42', report: 'runbook report inc-42' }} drill={o.drill} />);
  const size = { columns: o.columns ?? 100, rows: o.rows ?? 30 };
  Object.defineProperty(ui.stdout, 'columns', { get: () => size.columns, configurable: true });
  Object.defineProperty(ui.stdout, 'rows', { get: () => size.rows, configurable: true });
  ui.stdout.emit('resize');
  const emit = (...events: EngineEvent[]) => {
    for (const e of events) obs.observe(e);
    obs.flush();
  };
  return {
    store,
    obs,
    ports,
    note,
    quit,
    exit,
    ui,
    emit,
    frame: () => plain(ui.lastFrame()),
    press: (...keys: string[]) => {
      for (const k of keys) ui.stdin.write(k);
    },
    resize(columns: number, rows: number) {
      size.columns = columns;
      size.rows = rows;
      ui.stdout.emit('resize');
    },
    until: (cond: (f: string) => boolean, what: string) => waitFor(() => cond(plain(ui.lastFrame())), () => `${what}; last frame:\n${plain(ui.lastFrame())}`),
  };
}

/** The fake terminal `setup()` renders into, with what drives it. */
export type Tui = ReturnType<typeof setup>;

/**
 * Puts up the manual step `ask` (after `run.begin` of `steps`) and opens its evidence entry with
 * ⏎, waiting until `entry` shows; `answer` is what the step's prompt resolves to.
 */
export async function openEvidence(t: Tui, steps: StepInfo[], ask: Parameters<Tui['ports']['ports']['manual']>[0], entry: string) {
  t.emit(begin(steps));
  const answer = t.ports.ports.manual(ask);
  await t.until((f) => f.includes('Manual step'), 'the manual step');
  t.press(KEY.enter);
  await t.until((f) => f.includes(entry), 'the evidence entry');
  return { answer };
}

/** A step of the journal's folded state with the single item `-` (a step without for_each). */
export function oneItem(status: 'ok' | 'skipped', attempts: number, over: Record<string, unknown> = {}) {
  return { status, itemOrder: ['-'], items: { '-': { status, attempts } }, ...over };
}

/** What a resume seeds the store from: incident inc-42 of runbook rb, its steps in the order given. */
export function priorRun(mode: 'live' | 'drill', steps: Record<string, unknown>): RunState {
  return {
    incident: 'inc-42',
    mode,
    runbook: { id: 'rb', title: 'T', severity: 'high', path: 'rb.yaml', hash: 'h' },
    openedAt: new Date().toISOString(),
    stepOrder: Object.keys(steps),
    steps,
    secretsCreated: [],
    notes: [],
  } as unknown as RunState;
}

/** A drill's clock at ×0.25 that stands still until the first start (`running()` tells); the attacker's next move and how many of its credentials still work are given. */
export function fakeDrill(next: { at: number; what: string }, attackerLive: number): DrillView & { running(): boolean } {
  let on = false;
  let ms = 0;
  return {
    speed: 0.25,
    now: () => ms,
    running: () => on,
    start: () => {
      on = true;
      ms = Math.max(ms, 1);
    },
    pause: () => {
      on = false;
    },
    next: () => next,
    attackerLive: () => attackerLive,
  };
}

/**
 * A command's context on fake TTY streams (the real TUI renders into `stdout`): what the drill
 * tests hand to a command run in-process. `tty: false` makes every stream a pipe (scripted mode);
 * `stdin`: another model of the terminal's input (key-handover's cooked/raw one).
 */
export function terminal<In extends { isTTY: boolean } = FakeIn>(cwd: string, opts: { signal?: AbortSignal; tty?: boolean; stdin?: In; columns?: number; rows?: number } = {}) {
  const stdin = opts.stdin ?? (new FakeIn() as unknown as In);
  const stdout = new FakeOut();
  const stderr = new FakeOut();
  if (opts.columns) stdout.columns = opts.columns;
  if (opts.rows) stdout.rows = opts.rows;
  if (opts.tty === false) for (const s of [stdin, stdout, stderr]) (s as { isTTY: boolean }).isTTY = false;
  const ctx: CommandContext = {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    env: { ...process.env, NO_COLOR: '1' },
    cwd,
    redactor: new Redactor(),
    signal: opts.signal ?? new AbortController().signal,
    script: 'runbook',
  };
  return { stdin, stdout, stderr, ctx };
}
