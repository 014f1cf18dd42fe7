/**
 * What runbook answers without running a command: the help, the version, an unknown command.
 * cli.ts loads it only for those (a command's run does not pay for the help text); the runner
 * (src/command-runner.ts) uses unknownCommand for a name that is no command.
 */
import { ExitCode } from './core/errors.js';
import { COMMANDS, didYouMean, isCommand } from './commands/spec.js';
import { VERSION, mainHelp, commandHelp } from './help.js';
import { program } from './commands/invocation.js';
import { neutralise } from './core/terminal-text.js';
import { HELP_FLAGS, VERSION_FLAGS } from './cli-flags.js';


/** The answer to `argv` (isQuestion, cli-flags.ts) on stdout, or the unknown command on stderr: the exit code. */
export function answer(argv: readonly string[]): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || HELP_FLAGS.has(name)) {
    const topic = name === 'help' ? (rest[0] !== undefined && HELP_FLAGS.has(rest[0]) ? 'help' : rest[0]) : undefined;
    if (topic !== undefined && !isCommand(topic)) return unknownCommand(topic);
    process.stdout.write((topic && commandHelp(topic)) || mainHelp());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (VERSION_FLAGS.has(name)) {
    if (rest.some((a) => HELP_FLAGS.has(a))) process.stdout.write(commandHelp('version')!);
    else process.stdout.write(rest.includes('--json') ? JSON.stringify({ version: VERSION }) + '\n' : VERSION + '\n');
    return ExitCode.ok;
  }
  if (!isCommand(name) || !('load' in COMMANDS[name])) return unknownCommand(name);
  process.stdout.write(commandHelp(name)!);
  return ExitCode.ok;
}

/** `name` is no command (or an option where the command goes): said on stderr with what to run instead */
export function unknownCommand(name: string): number {
  const guess = name.startsWith('-') ? undefined : didYouMean(name, Object.keys(COMMANDS));
  const what = name.startsWith('-') ? `unknown option "${name}"` : `unknown command "${name}"`;
  const prog = program({ env: process.env, cwd: process.cwd(), script: process.argv[1] });
  process.stderr.write(neutralise(`runbook: ${what}\n`) + `${guess ? `  → Did you mean \`${prog} ${guess}\`?\n` : ''}  → Run \`${prog} --help\` to see the commands.\n`);
  return ExitCode.usage;
}
