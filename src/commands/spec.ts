/**
 * The command table: every command's usage, summary, description and flags, in one place.
 * The argument parser (context.ts `parseCommandFlags`), the help text (help.ts), the shell
 * completions (completion.ts) and did-you-mean all read this table, so a flag exists in the
 * parser exactly when it is in the help. Adding a command is one entry here (with its lazy
 * `load`). Imports nothing: cli.ts reads it on every start (--version and --help load no
 * package).
 */
import type { Command } from './context.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  default?: string | boolean;
  /** the value's name in the help (`--incident ID`) */
  arg?: string;
  help: string;
  /** completions for the value: a fixed list, or `file` / `dir` */
  complete?: readonly string[] | 'file' | 'dir';
}

export interface CommandSpec {
  /** positional arguments as shown in the usage line */
  args: string;
  summary: string;
  description: string;
  flags: Readonly<Record<string, FlagSpec>>;
  /** completion for the positional arguments */
  complete?: 'runbook' | 'file' | 'incident' | 'command' | 'shell' | 'provider';
  examples?: readonly string[];
  /** the module that implements it (a dynamic import: nothing is loaded until it runs) */
  load?: () => Promise<{ default: Command }>;
}

const json = { type: 'boolean', help: 'machine-readable JSON on stdout' } as const;
/** a fan-out with more items than this is summarised by `status` and the Markdown report */
export const STATUS_ITEMS = 20;
const stateDir = { type: 'string', arg: 'DIR', complete: 'dir', help: 'where incidents live (default: see ENVIRONMENT in `runbook --help`)' } as const;
const plugin = { type: 'string', multiple: true, arg: 'PATH|PACKAGE', complete: 'file', help: "load a provider plugin besides the runbook's plugins: (repeatable)" } as const;
const input = { type: 'string', multiple: true, arg: 'KEY=VALUE', help: 'set an input (repeatable)' } as const;
const store = { type: 'string', arg: 'postgres://USER@HOST:PORT/DB', help: 'the shared journal of team mode (default: $RUNBOOK_STORE, else store: in the config file, else the local file journal); passwords only from PGPASSWORD / PGPASSFILE, never in the URL — docs/team-mode.md' } as const;
const operator = { type: 'string', arg: 'NAME', help: 'who is named in each journal record (default: operator: in the config file, else the OS user@host)' } as const;

const RUN_FLAGS = {
  incident: { type: 'string', arg: 'ID', help: 'incident id; an existing incident is resumed (default: a new id, printed)' },
  input,
  yes: { type: 'boolean', help: 'approve every gate' },
  approve: { type: 'string', multiple: true, arg: 'STEP', help: 'approve the gate of one step (repeatable)' },
  done: { type: 'string', multiple: true, arg: 'STEP[=NOTE]', help: 'record a manual step as done, with an optional note or link (repeatable)' },
  settle: { type: 'string', multiple: true, arg: 'STEP[/ITEM]=done|redo', help: 'settle an in-doubt item without a verify (repeatable)' },
  'accept-changed-runbook': { type: 'boolean', help: 'resume although the runbook changed since the incident started' },
  'break-lock': { type: 'boolean', help: "take a lock whose owner cannot be proven alive or dead (another host's expired lease); a dead owner's lock is taken without it, a live one's never" },
  'non-interactive': { type: 'boolean', help: 'scripted mode even on a terminal' },
  json: { type: 'boolean', help: 'one JSON event per line on stdout (scripted mode)' },
  verbose: { type: 'boolean', help: "scripted mode: also print providers' debug lines" },
  concurrency: { type: 'string', arg: 'N', help: 'global limit of steps running at once (default 4)' },
  plugin,
  'state-dir': stateDir,
  store,
  operator,
  'wait-for-answers': { type: 'string', arg: 'DURATION', help: 'team mode, scripted: wait up to DURATION (e.g. 10m) for an attached operator to answer a gate, manual step or in-doubt item (runbook attach / approve) instead of stopping with exit 3' },
} as const;

const SCAN_FLAGS = {
  git: { type: 'boolean', default: false, help: 'scan every line ever added on every ref of the repositories PATH… (merge resolutions included) instead of the files' },
  since: { type: 'string', arg: 'REV', help: 'with --git: only commits REV does not hold (what a branch adds)' },
  exclude: { type: 'string', multiple: true, arg: 'NAME', help: 'skip files or folders with this exact name (repeatable; .git always)' },
  verify: { type: 'boolean', default: false, help: 'check each finding with its service (live, dead or unknown)' },
  from: { type: 'string', arg: 'FORMAT', complete: ['gitleaks', 'trufflehog', 'github-alerts'], help: 'read findings from gitleaks (JSON), trufflehog (--json lines) or GitHub secret-scanning alert reports (PATH… are the report files)' },
  format: { type: 'string', default: 'text', arg: 'text|json|sarif|github', complete: ['text', 'json', 'sarif', 'github'], help: 'text (default), json, sarif (SARIF 2.1.0) or github (Actions annotations)' },
  json: { type: 'boolean', help: 'the same as --format json' },
  secretlint: { type: 'boolean', default: false, help: "also run secretlint's recommended preset (slower; a second opinion)" },
  'github-url': { type: 'string', arg: 'URL', help: 'where --verify checks GitHub tokens (GitHub Enterprise: https://HOST/api/v3)' },
  'hf-url': { type: 'string', arg: 'URL', help: 'where --verify checks Hugging Face tokens' },
  'slack-url': { type: 'string', arg: 'URL', help: 'where --verify checks Slack tokens' },
  'aws-endpoint': { type: 'string', arg: 'URL', help: 'where --verify checks AWS keys (STS)' },
} as const;

const DRILL_ONLY = {
  scenario: { type: 'string', arg: 'FILE', complete: 'file', help: "the world (default: the runbook's drill.scenario or inline drill.world)" },
  faults: { type: 'string', arg: 'SPEC', help: 'inject faults: PROVIDER.ACTION:FAULT[@RATE|xCOUNT],… e.g. huggingface.revokeToken:ambiguous (none = no faults)' },
  seed: { type: 'string', arg: 'N', help: "same seed, same world and same faults (default: the scenario's, else random)" },
  speed: { type: 'string', arg: 'X', help: "drill seconds per real second (default: the scenario's time_scale, else 1)" },
} as const;

const RUNBOOK_ARG = `FILE|ID`;
const RUNBOOK_NOTE = `FILE is a runbook file; ID is the id of a shipped runbook (\`runbook list\` shows them), e.g. aws-access-key-exposure.`;

export const COMMANDS = {
  run: {
    args: RUNBOOK_ARG,
    summary: 'run a runbook (TUI on a terminal, scripted otherwise)',
    description: `Runs a runbook. Opens the TUI when stdin and stdout are terminals; otherwise (or with
--non-interactive) runs scripted: progress on stderr, results on stdout, never waits for input.
${RUNBOOK_NOTE}`,
    flags: RUN_FLAGS,
    complete: 'runbook',
    examples: [
      'runbook run leaked-token-triage --non-interactive --done revoke-at-issuer=SEC-42 --json',
      'runbook run ./my-runbook.yaml --incident INC-7 --approve revoke-tokens   # resume INC-7, approving one gate',
    ],
    load: () => import('./run.js'),
  },
  drill: {
    args: RUNBOOK_ARG,
    summary: 'practise a runbook against a simulated world that fights back; scorecard at the end',
    description: `Runs the runbook exactly as \`runbook run\` does (TUI on a terminal, scripted otherwise; the same
flags), but against a simulated world started in-process on 127.0.0.1 and seeded from a
scenario: every provider is pointed at its simulator, secrets come from the world, and any other
outbound connection is refused. An adversary uses leaked credentials that are still live; at the
end a scorecard (also in the journal) says how fast the leak was detected, contained, rotated and
notified, and what the attacker managed meanwhile. See docs/drills.md.
${RUNBOOK_NOTE}`,
    flags: { ...DRILL_ONLY, ...RUN_FLAGS },
    complete: 'runbook',
    examples: ['runbook drill hf-spaces-secrets-exposure', "runbook drill aws-access-key-exposure --yes --faults 'aws.*:429@0.3' --seed 7"],
    load: () => import('./drill.js'),
  },
  plan: {
    args: RUNBOOK_ARG,
    summary: "dry-run: show each step's rendered input and the calls it would make",
    description: `Dry-run: every step with its rendered input (secrets redacted) and the calls its provider would
make. Nothing is called and no incident is created. ${RUNBOOK_NOTE}`,
    flags: { input, plugin, json },
    complete: 'runbook',
    examples: ['runbook plan leaked-token-triage'],
    load: () => import('./plan.js'),
  },
  status: {
    args: 'ID',
    summary: 'the checklist of an incident',
    description: `The checklist of an incident from its journal: each step with its state and item counts, and
its items — a large fan-out (over ${STATUS_ITEMS} items) lists its failed, in-doubt and unfinished items in full
and counts the rest; --all (or --json) lists every item.`,
    flags: { json, all: { type: 'boolean', default: false, help: 'list every item of a large fan-out, not only the ones that need attention' }, 'state-dir': stateDir, store },
    complete: 'incident',
    load: () => import('./status.js'),
  },
  incidents: {
    args: '',
    summary: 'list incidents in the state directory (and say which directory)',
    description: 'Lists the incidents in the state directory with runbook, start time and state, and says which\nstate directory it read and why (flag, environment, config file or default).',
    flags: { json, 'state-dir': stateDir, store },
    load: () => import('./incidents.js'),
  },
  approve: {
    args: 'ID STEP',
    summary: "approve (or --deny) a step's gate as an operator: a journal record the runner acts on",
    description: `Writes an approval record for a step's gate into the incident's journal, naming the operator
(--operator, else the OS user@host). On the shared store (team mode, docs/team-mode.md) it is
written beside a running runner, which acts on it when it reaches the gate; on the local file
journal the incident must not be running. A four-eyes gate (approvals: { distinct: true, count: N })
counts only approvals by operators other than the one running the incident.`,
    flags: {
      deny: { type: 'boolean', help: 'deny the gate instead (the step is skipped)' },
      reason: { type: 'string', arg: 'TEXT', help: 'with --deny: why (kept in the journal and the report)' },
      operator,
      store,
      'state-dir': stateDir,
    },
    complete: 'incident',
    examples: ['runbook approve INC-7 revoke-tokens --operator lead@soc'],
    load: () => import('./approve.js'),
  },
  attach: {
    args: 'ID',
    summary: 'follow a shared incident live and answer it (team mode)',
    description: `Follows an incident of the shared PostgreSQL store as it runs, each new record within a second of
its commit (LISTEN/NOTIFY). On a terminal it is the run screen: the runner's checklist and step
detail live, its questions as prompts — approve or deny a gate, tick a manual step with its
evidence, settle an item in doubt — and n for a note. Piped (or --json) it prints the journal and
reads answers from stdin: approve STEP, deny STEP [REASON], done STEP[/ITEM] [NOTE], settle
STEP[/ITEM] done|redo, note TEXT. Every answer is a journal record under your operator name; a
waiting runner acts on it at once. See docs/team-mode.md.`,
    flags: { json, store, operator, 'state-dir': stateDir, 'exit-on-eof': { type: 'boolean', help: 'leave when stdin closes (scripts, chat bots)' } },
    complete: 'incident',
    examples: ['runbook attach INC-7 --operator lead@soc'],
    load: () => import('./attach.js'),
  },
  push: {
    args: 'ID',
    summary: 'move a local incident into the shared store (team mode)',
    description: `Moves a local incident (not running) into the shared PostgreSQL store: its journal's records go in
verbatim (same checksums and hash chain, checked by the database), the local journal is kept as
journal.pushed.jsonl, and from then on the incident is resumed with --store (or RUNBOOK_STORE)
from any machine. See docs/team-mode.md.`,
    flags: { store, 'state-dir': stateDir },
    complete: 'incident',
    examples: ['runbook push INC-7 --store postgres://runbook@db.internal/runbook'],
    load: () => import('./push.js'),
  },
  report: {
    args: 'ID',
    summary: "the incident's timeline and postmortem (Markdown or JSON)",
    description: `The incident's timeline and postmortem, written from its journal alone: summary, a timeline
chart (Mermaid), metrics (time to detect, contain, rotate, notify — drill clock for drills, wall
clock for live incidents), each leaked credential with its exposure window, every step and item
with evidence and approvals, and the open items as a checklist. Secrets appear only as
fingerprints and last 4 characters. docs/report-format.md defines every field.`,
    flags: {
      format: { type: 'string', short: 'f', arg: 'md|json', complete: ['md', 'json'], help: 'Markdown (default) or JSON (reportVersion 1, docs/report-format.md)' },
      json: { type: 'boolean', help: 'the same as --format json' },
      out: { type: 'string', short: 'o', arg: 'FILE', complete: 'file', help: 'write to FILE (mode 0600) instead of stdout' },
      'state-dir': stateDir,
      store,
    },
    complete: 'incident',
    load: () => import('./report.js'),
  },
  validate: {
    args: 'PATH…',
    summary: 'check runbooks (files or folders); exit 2 when any is invalid',
    description: `Checks runbooks (files, or folders searched for *.yaml / *.yml). Every problem is reported as
file:line:col with the field path and a code frame. Exit 0 when all are valid, 2 otherwise.
--format github prints GitHub Actions annotations (::error file=…,line=…); --format sarif writes
SARIF 2.1.0 for code-scanning upload.`,
    flags: {
      format: { type: 'string', default: 'text', arg: 'text|json|github|sarif', complete: ['text', 'json', 'github', 'sarif'], help: 'output format (default text)' },
      json: { type: 'boolean', help: 'the same as --format json' },
      'max-issues': { type: 'string', default: '20', arg: 'N', help: 'text: problems shown per file (default 20)' },
    },
    complete: 'file',
    examples: ['runbook validate runbooks/', 'runbook validate --format sarif runbooks/ > runbook.sarif'],
    load: () => import('./validate.js'),
  },
  list: {
    args: '[PATH…]',
    summary: 'list runbooks with their id, title and severity (default: the shipped ones)',
    description: 'Lists the runbooks found in PATH with id, severity, steps and title. Without PATH: ./runbooks\nwhen it exists, and the runbooks shipped with runbook.',
    flags: { json },
    complete: 'file',
    load: () => import('./list.js'),
  },
  providers: {
    args: '[TYPE…]',
    summary: 'provider types: actions, kinds, input fields, plan/verify/simulate',
    description: `Every provider type (or the ones named) with its config fields and actions: each action's kind,
whether it is idempotent (or decides per input), whether it supports plan, verify and simulate
(a drill simulator), and its input fields from the zod schemas (* = required; secrets must be
\${{ secrets.NAME }} references). --plugin includes third-party providers
(docs/writing-a-provider.md). --json: {providersVersion: 1, providers: [...]}.`,
    flags: { plugin, json },
    complete: 'provider',
    load: () => import('./providers.js'),
  },
  schema: {
    args: '',
    summary: 'print the JSON Schema of the runbook format',
    description: `Prints the JSON Schema of the runbook format (also shipped as schema/runbook.schema.json; its
$id is the URL editors can fetch). --json is accepted (the schema is JSON already).`,
    flags: { json },
    load: () => import('./schema.js'),
  },
  scan: {
    args: 'PATH…',
    summary: 'find leaked credentials in files or git history; exit 1 when any is found',
    description: `Finds leaked credentials with the same engine as a runbook's scan steps: every kind in the
credential-kind table (docs/runbook-format.md, "scan"), placeholders and values failing their
kind's checksum set aside. Values are always masked (prefix and last 4); identifiers such as
AWS access key ids are shown in full.
Exit codes: 0 nothing found · 1 findings (with --verify: findings not known to be dead)
· 2 bad usage, a path that does not exist, a file named that is not read (binary, over 5 MiB, a symlink), an unreadable report.`,
    flags: SCAN_FLAGS,
    complete: 'file',
    examples: ['runbook scan . --git', 'runbook scan src --format sarif > scan.sarif', 'runbook scan gitleaks.json --from gitleaks --verify'],
    load: () => import('./scan.js'),
  },
  triage: {
    args: 'PATH…',
    summary: 'scan, check each credential\'s liveness, name the runbook that handles it',
    description: `Scans like \`runbook scan\`, checks every finding's liveness, groups them by provider, and for
each live or unknown credential prints the shipped runbook that handles it with the inputs the
scan can fill (the run asks for the rest) — or where to revoke it by hand. Dead ones are listed
apart: nothing to revoke. Exit codes as for scan.`,
    flags: { ...SCAN_FLAGS, start: { type: 'boolean', default: false, help: 'start that runbook (when exactly one applies); its exit code is returned' } },
    complete: 'file',
    load: () => import('./triage.js'),
  },
  completion: {
    args: 'bash|zsh|fish',
    summary: 'print a shell completion script',
    description: `Prints a completion script for the shell. Install:
  bash:  runbook completion bash > ~/.local/share/bash-completion/completions/runbook
  zsh:   runbook completion zsh > "\${fpath[1]}/_runbook"   (then: compinit)
  fish:  runbook completion fish > ~/.config/fish/completions/runbook.fish`,
    flags: {},
    complete: 'shell',
    load: () => import('./completion.js'),
  },
  version: {
    args: '',
    summary: 'print the version (also -V, -v, --version)',
    description: 'Prints the version of runbook.',
    flags: { json },
  },
  help: {
    args: '[COMMAND]',
    summary: 'help for a command',
    description: 'Prints the help of COMMAND, or the overview.',
    flags: {},
    complete: 'command',
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** Environment variables runbook reads, for the ENVIRONMENT section of the help. */
export const ENVIRONMENT: readonly { name: string; help: string }[] = [
  { name: 'RUNBOOK_STATE_DIR', help: 'the state directory (incidents, journals, locks); --state-dir wins over it' },
  { name: 'XDG_STATE_HOME', help: 'default state directory: $XDG_STATE_HOME/runbook, else ~/.local/state/runbook' },
  { name: 'XDG_CONFIG_HOME', help: 'config file: $XDG_CONFIG_HOME/runbook/config.yaml (else ~/.config/…) with state_dir: DIR, store: URL, operator: NAME' },
  { name: 'RUNBOOK_STORE', help: 'team mode: the shared journal, postgres://USER@HOST/DB (no password in it); --store wins over it' },
  { name: 'PGPASSWORD, PGPASSFILE, PGSSLMODE', help: "the shared store's password and TLS (and the other PG* variables, as psql reads them)" },
  { name: 'RUNBOOK_LEASE_MS', help: "team mode: how long a runner's lease lasts without a heartbeat (default 30000)" },
  { name: 'RUNBOOK_SECRET_<NAME>', help: 'answers a `from: prompt` secret without a terminal' },
  { name: 'NO_COLOR', help: 'set and non-empty: no colours' },
  { name: 'RUNBOOK_DEBUG', help: 'set: an internal error also prints its (redacted) stack trace' },
  { name: 'RUNBOOK_CODE_CACHE', help: "off: start without the build's V8 code cache (dist/code-cache), and write none" },
];

/** Levenshtein distance, for did-you-mean (command names and flags are short). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest of `candidates` to `word`, when it is close enough to be a typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && (bestD <= limit || (best.startsWith(word) && word.length >= 2)) ? best : undefined;
}
