/**
 * Help text, generated from the command table (src/commands/spec.ts): the same table the
 * argument parser reads, so the help lists exactly the flags a command accepts. Imported by
 * cli.ts on every start, so it imports no package (node:fs only when run from source).
 */
import { readFileSync } from 'node:fs';
import { COMMANDS, ENVIRONMENT, type CommandSpec, type FlagSpec } from './commands/spec.js';

declare const __RUNBOOK_VERSION__: string | undefined;

/** package.json's version: inlined by scripts/build.mjs; read from package.json when run from source (tsx, vitest). */
export const VERSION: string =
  typeof __RUNBOOK_VERSION__ === 'string' ? __RUNBOOK_VERSION__ : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const COL = 26;

function row(left: string, right: string, indent = '  '): string {
  const l = indent + left;
  return l.length + 1 >= COL ? `${l}\n${' '.repeat(COL)}${right}` : `${l.padEnd(COL)}${right}`;
}

export function flagLabel(name: string, f: FlagSpec): string {
  return `${f.short ? `-${f.short}, ` : ''}--${name}${f.type === 'string' ? ` ${f.arg ?? 'VALUE'}` : ''}`;
}

const EXIT_CODES = `Exit codes: 0 done · 1 a step failed · 2 invalid input or usage · 3 waiting on an approval,
manual step or in-doubt item · 4 incident locked · 70 internal error · 130 interrupted`;

export function mainHelp(): string {
  const cmds = Object.entries(COMMANDS as Record<string, CommandSpec>)
    .filter(([name]) => name !== 'help' && name !== 'version')
    .map(([name, c]) => row(`${name}${c.args ? ` ${c.args}` : ''}`, c.summary));
  return `runbook ${VERSION} — walk security responders through an incident

Usage: runbook <command> [options]

Commands:
${cmds.join('\n')}

Global options:
${row('-h, --help', 'help (also: runbook help COMMAND, runbook COMMAND --help)')}
${row('-V, -v, --version', 'print the version (also: runbook version)')}

Environment:
${ENVIRONMENT.map((e) => row(e.name, e.help)).join('\n')}

${EXIT_CODES}
`;
}

export function commandHelp(name: string): string | undefined {
  const c = Object.hasOwn(COMMANDS, name) ? (COMMANDS as Record<string, CommandSpec>)[name] : undefined;
  if (!c) return undefined;
  const flags = Object.entries(c.flags).map(([n, f]) => row(flagLabel(n, f), f.help));
  flags.push(row('-h, --help', 'this help'));
  const examples = c.examples?.length ? `\nExamples:\n${c.examples.map((e) => `  ${e}`).join('\n')}\n` : '';
  const env = 'state-dir' in c.flags ? `\nState directory: --state-dir, else $RUNBOOK_STATE_DIR, else state_dir: in the config file, else\n$XDG_STATE_HOME/runbook (~/.local/state/runbook). \`runbook incidents\` says which it used.\n` : '';
  return `Usage: runbook ${name}${c.args ? ` ${c.args}` : ''}${Object.keys(c.flags).length ? ' [options]' : ''}

${c.description}

Options:
${flags.join('\n')}
${examples}${env}`;
}
