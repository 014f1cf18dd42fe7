/**
 * runbook — argv → command. The ONLY place that sets the exit code or exits.
 * --version and --help are answered by src/cli-answers.ts, which loads nothing else (no Ink, no
 * SDKs). A command runs in src/command-runner.ts: from the build, dist/runner.cjs through its V8
 * code cache (src/code-cache.ts); from source, the module itself. The commands load lazily from
 * there. Built as CommonJS (dist/cli.js, scripts/build.mjs): no ES-module loader at start-up.
 */
import { ExitCode } from './core/errors.js';
import { requireCached } from './code-cache.js';
import { isQuestion } from './cli-flags.js';
import { fileURLToPath } from 'node:url';

// set by scripts/build.mjs: the runner's file beside dist/cli.js, and the build's id
declare const __RUNBOOK_RUNNER__: string | undefined;
declare const __RUNBOOK_BUILD__: string | undefined;

type Runner = typeof import('./command-runner.js');

/** the runner once loaded: its report() knows its own error classes */
let runner: Runner | undefined;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * The reader of stdout or stderr went away (`runbook report ID | head`): not an error, and not a
 * bug to report. A command that only prints ends at once. One that acts — `run`, `drill`,
 * `attach`, `push`, `approve` — does not die between a call's intent and its outcome (`run … |
 * head -1` left the step in doubt, the state 'running', and said exit 0): it stops as on Ctrl-C —
 * the call under way is cancelled and journaled so, the lock released — and ends with 130 (resume
 * with the same command); what it still writes goes nowhere.
 */
let readerGone: (() => void) | undefined;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    if (!readerGone) process.exit(process.exitCode ?? 0);
    readerGone();
  });
}
const ACTING = new Set(['run', 'drill', 'attach', 'push', 'approve']);

/** The command whose name prefixes error messages (`runbook run: …`). */
let current = '';

async function main(argv: string[]): Promise<number> {
  if (isQuestion(argv)) return (await import('./cli-answers.js')).answer(argv);
  const [name, ...rest] = argv as [string, ...string[]];
  current = name;
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1 || finished) {
      // a second Ctrl-C: the journal is fsynced record by record, so leaving now loses nothing
      process.stderr.write(`\nrunbook: ${sig} again — stopping now.\n`);
      process.exit(ExitCode.interrupted);
    }
    controller.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal); // the terminal closed: stop cleanly so the lock is released
  if (ACTING.has(name)) readerGone = () => controller.signal.aborted || controller.abort(new Error('EPIPE'));
  runner = await loadRunner();
  return runner.runCommand(name, rest, { signal: controller.signal, script: process.argv[1] });
}

/** src/command-runner.ts: the build's dist/runner.cjs (through its code cache), or the source module */
async function loadRunner(): Promise<Runner> {
  if (typeof __RUNBOOK_RUNNER__ === 'string') {
    const file = fileURLToPath(new URL(__RUNBOOK_RUNNER__, import.meta.url));
    const cache = fileURLToPath(new URL(`code-cache/runner-${__RUNBOOK_BUILD__}-${process.version}-${process.arch}.bin`, import.meta.url));
    // the runner's import() calls (provider plugins, Node built-ins loaded lazily) are this module's
    return requireCached(file, cache, { importModule: (s) => import(s), beforeWrite: (r) => (r as Runner).beforeCodeCache() }).exports as Runner;
  }
  return import('./command-runner.js');
}

/**
 * What `e` says on stderr: the exit code it means. The runner's report once it is loaded (its
 * errors are its own classes; it redacts). Before that nothing secret was read: the error's name
 * and first line (a runner that cannot load says why), without control characters.
 */
function report(e: unknown): number {
  if (runner) return runner.report(e, undefined, current);
  // eslint-disable-next-line no-control-regex
  const plain = (x: unknown) => String(x).replace(/[\x00-\x1f\x7f-\x9f]/g, ' ');
  const name = plain((e as { name?: string })?.name ?? 'Error');
  const msg = plain((e as { message?: string })?.message?.split('\n')[0] ?? e);
  process.stderr.write(`runbook: internal error (${name}) before the command started: ${msg}\n  → This is a bug in runbook, or a broken install: in a checkout run \`npm run build\`, else reinstall runbook. Incident state on disk is kept.\n`);
  return ExitCode.internal;
}

process.on('uncaughtException', (e) => {
  process.exitCode = report(e);
  process.exit();
});

/** The command is over: whatever is still open (a server a failed setup left behind) must not keep the process alive. */
let finished = false;
function over(): void {
  finished = true;
  const t = setInterval(() => {
    if (!process.stdout.writableLength && !process.stderr.writableLength) process.exit();
  }, 2000);
  t.unref();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    over();
  },
  (e: unknown) => {
    process.exitCode = report(e);
    over();
  },
);
