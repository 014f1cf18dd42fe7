/**
 * runbook — argv → command. The ONLY place that sets the exit code or exits.
 * Commands are loaded lazily so `--version` and `--help` load no Ink and no SDKs.
 */
import { Redactor } from './core/secrets/redactor.js';
import { ExitCode, isRunbookError } from './core/errors.js';
import type { Command, CommandContext } from './commands/context.js';
import { VERSION, HELP, COMMAND_HELP } from './help.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// `runbook report ID | head`: the reader went away — not an error, and not a bug to report
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const commands: Record<string, () => Promise<{ default: Command }>> = {
  validate: () => import('./commands/validate.js'),
  schema: () => import('./commands/schema.js'),
  list: () => import('./commands/list.js'),
  run: () => import('./commands/run.js'),
  drill: () => import('./commands/drill.js'),
  plan: () => import('./commands/plan.js'),
  status: () => import('./commands/status.js'),
  incidents: () => import('./commands/incidents.js'),
  report: () => import('./commands/report.js'),
  providers: () => import('./commands/providers.js'),
  scan: () => import('./commands/scan.js'),
  triage: () => import('./commands/triage.js'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    process.stdout.write((topic && COMMAND_HELP[topic]) || HELP);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(VERSION + '\n');
    return ExitCode.ok;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    process.stderr.write(`runbook: unknown command "${name}"\n  → Run \`runbook --help\` to see the commands.\n`);
    return ExitCode.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(COMMAND_HELP[name] ?? HELP);
    return ExitCode.ok;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      // a second Ctrl-C: the journal is fsynced record by record, so leaving now loses nothing
      process.stderr.write(`\nrunbook: ${sig} again — stopping now.\n`);
      process.exit(ExitCode.interrupted);
    }
    controller.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal); // the terminal closed: stop cleanly so the lock is released
  const ctx: CommandContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    redactor: new Redactor(),
    signal: controller.signal,
  };
  const mod = await load();
  return await mod.default(rest, ctx).catch((e: unknown) => report(e, ctx.redactor));
}

function report(e: unknown, redactor: Redactor): number {
  if (isRunbookError(e)) {
    process.stderr.write(redactor.redact(`runbook: ${e.message}\n`));
    for (const step of e.nextSteps) process.stderr.write(redactor.redact(`  → ${step}\n`));
    return e.exitCode;
  }
  // never print a raw error object: it can carry request headers and argv
  const name = (e as { name?: string })?.name ?? 'Error';
  const msg = (e as { message?: string })?.message?.split('\n')[0] ?? String(e);
  process.stderr.write(redactor.redact(`runbook: internal error (${name}): ${msg}\n  → This is a bug in runbook; incident state on disk is kept.\n`));
  if (process.env.RUNBOOK_DEBUG) process.stderr.write(redactor.redact(String((e as Error)?.stack ?? '')) + '\n');
  return ExitCode.internal;
}

process.on('uncaughtException', (e) => {
  process.exitCode = report(e, new Redactor());
  process.exit();
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = report(e, new Redactor());
  },
);
