/** The arguments that ask runbook something rather than run a command (cli.ts, cli-answers.ts). Imports nothing. */
export const VERSION_FLAGS: ReadonlySet<string> = new Set(['--version', '-V', '-v', 'version']);
export const HELP_FLAGS: ReadonlySet<string> = new Set(['--help', '-h']);

/** `argv` asks for the help or the version (or for nothing): src/cli-answers.ts answers, no command runs */
export function isQuestion(argv: readonly string[]): boolean {
  const [name, ...rest] = argv;
  return name === undefined || name === 'help' || HELP_FLAGS.has(name) || VERSION_FLAGS.has(name) || rest.some((a) => HELP_FLAGS.has(a));
}
