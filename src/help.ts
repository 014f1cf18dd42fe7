/** Static help text. Imported by cli.ts on every start, so it imports nothing. */
export const VERSION = '0.1.0';

export const HELP = `runbook ${VERSION} — walk security responders through an incident

Usage: runbook <command> [options]

Commands:
  run FILE          run a runbook (TUI on a terminal, scripted otherwise)
  drill FILE        practise a runbook against a simulated world that fights back; scorecard at the end
  plan FILE         dry-run: show each step's rendered input and the calls it would make
  status ID         the checklist of an incident
  incidents         list incidents in the state directory
  report ID         the incident's timeline and postmortem (Markdown or JSON)
  validate PATH…    check runbooks (files or folders); exit 2 when any is invalid
  schema            print the JSON Schema of the runbook format
  list [PATH…]      list runbooks with their id, title and severity
  providers [TYPE…] provider types: actions, kinds, input fields, plan/verify/simulate
  scan PATH…        find leaked credentials in files or git history; exit 1 when any is found
  triage PATH…      scan, check each credential's liveness, name the runbook that handles it

Global options:
  -h, --help        help (also: runbook help COMMAND)
  -V, --version     print the version

Exit codes: 0 done · 1 a step failed · 2 invalid input or usage · 3 waiting on an approval,
manual step or in-doubt item · 4 incident locked · 70 internal error · 130 interrupted
`;

const STATE = `  --state-dir DIR        where incidents live (default: $RUNBOOK_STATE_DIR or ./.runbook)`;

export const COMMAND_HELP: Record<string, string> = {
  run: `Usage: runbook run FILE [options]

Runs a runbook. Opens the TUI when stdin and stdout are terminals; otherwise (or with
--non-interactive) runs scripted: progress on stderr, results on stdout, never waits for input.

Options:
  --incident ID          incident id; an existing incident is resumed (default: a new id, printed)
  --input KEY=VALUE      set an input (repeatable)
  --yes                  approve every gate
  --approve STEP         approve the gate of one step (repeatable)
  --done STEP[=NOTE]     record a manual step as done, with an optional note or link (repeatable)
  --settle STEP[/ITEM]=done|redo   settle an in-doubt item without a verify (repeatable)
  --accept-changed-runbook   resume although the runbook changed since the incident started
  --break-lock           break a stale lock left by a process that is gone
  --non-interactive      scripted mode even on a terminal
  --json                 one JSON event per line on stdout (scripted mode)
  --concurrency N        global limit of steps running at once (default 4)
  --plugin PATH|PACKAGE  load a provider plugin besides the runbook's plugins: (repeatable)
${STATE}
`,
  drill: `Usage: runbook drill FILE [--scenario FILE] [--faults SPEC] [--seed N] [--speed X] [run options]

Runs the runbook exactly as \`runbook run\` does (TUI on a terminal, scripted otherwise; the same
flags), but against a simulated world started in-process on 127.0.0.1 and seeded from a
scenario: every provider is pointed at its simulator, secrets come from the world, and any other
outbound connection is refused. An adversary uses leaked credentials that are still live; at the
end a scorecard (also in the journal) says how fast the leak was detected, contained, rotated and
notified, and what the attacker managed meanwhile. See docs/drills.md.

Options (besides those of run):
  --scenario FILE        the world (default: the runbook's drill.scenario or inline drill.world)
  --faults SPEC          inject faults, e.g. huggingface.revokeToken:ambiguous,github.*:429@0.3
                         (PROVIDER.ACTION:FAULT[@RATE|xCOUNT]; none = no faults)
  --seed N               same seed, same world and same faults (default: the scenario's, else random)
  --speed X              drill seconds per real second (default: the scenario's time_scale, else 1)
${STATE}
`,
  plan: `Usage: runbook plan FILE [--input KEY=VALUE]… [--plugin PATH|PACKAGE]… [--json]

Dry-run: every step with its rendered input (secrets redacted) and the calls its provider would
make. Nothing is called and no incident is created.
`,
  status: `Usage: runbook status ID [--json]

The checklist of an incident from its journal: each step and item with its state.
${STATE}
`,
  incidents: `Usage: runbook incidents [--json]

Lists the incidents in the state directory with runbook, start time and state.
${STATE}
`,
  report: `Usage: runbook report ID [--format md|json] [--out FILE]

The incident's timeline and postmortem, written from its journal alone: summary, metrics
(time to detect, contain, rotate, notify; a drill's scorecard), each leaked credential with its
exposure window, every step and item with evidence and approvals, and the open items as a
checklist. Secrets appear only as fingerprints and last 4 characters.

Options:
  --format md|json       Markdown (default) or JSON (reportVersion 1, docs/report-format.md)
  --out FILE             write to FILE (mode 0600) instead of stdout
${STATE}
`,
  validate: `Usage: runbook validate PATH… [--format text|json] [--max-issues N]

Checks runbooks (files, or folders searched for *.yaml / *.yml). Every problem is reported as
file:line:col with the field path and a code frame. Exit 0 when all are valid, 2 otherwise.
`,
  schema: `Usage: runbook schema

Prints the JSON Schema of the runbook format (also committed as schema/runbook.schema.json).
`,
  providers: `Usage: runbook providers [TYPE…] [--plugin PATH|PACKAGE]… [--json]

Every provider type (or the ones named) with its config fields and actions: each action's kind,
whether it is idempotent (or decides per input), whether it supports plan, verify and simulate
(a drill simulator), and its input fields from the zod schemas (* = required; secrets must be
\${{ secrets.NAME }} references). --plugin includes third-party providers
(docs/writing-a-provider.md). --json: {providersVersion: 1, providers: [...]}.
`,
  scan: `Usage: runbook scan PATH… [--git] [--since REV] [--exclude NAME]… [--verify]
                    [--from gitleaks|trufflehog|github-alerts] [--format text|json|sarif|github]

Finds leaked credentials with the same engine as a runbook's scan steps: every kind in the
credential-kind table (docs/runbook-format.md, "scan"), placeholders and values failing their
kind's checksum set aside. Values are always masked (prefix and last 4); identifiers such as
AWS access key ids are shown in full.

  --git             scan every line ever added on every ref of the repositories PATH…
                    (merge resolutions included) instead of the files
  --since REV       with --git: only commits REV does not hold (what a branch adds)
  --exclude NAME    skip files or folders with this exact name (repeatable; .git always)
  --verify          check each finding with its service (live, dead or unknown)
  --from FORMAT     read findings from gitleaks (JSON), trufflehog (--json lines) or GitHub
                    secret-scanning alert reports (PATH… are the report files)
  --format F        text (default), json, sarif (SARIF 2.1.0) or github (Actions annotations)
  --secretlint      also run secretlint's recommended preset (slower; a second opinion)
  --github-url URL, --hf-url URL, --slack-url URL, --aws-endpoint URL
                    where --verify checks (GitHub Enterprise: https://HOST/api/v3)

Exit codes: 0 nothing found · 1 findings (with --verify: findings not known to be dead)
· 2 bad usage, a path that does not exist, an unreadable report.
`,
  triage: `Usage: runbook triage PATH… [--start] [the flags of runbook scan]

Scans like \`runbook scan\`, checks every finding's liveness, groups them by provider, and for
each live or unknown credential prints the shipped runbook that handles it with the inputs the
scan can fill (the run asks for the rest) — or where to revoke it by hand. Dead ones are listed
apart: nothing to revoke. Exit codes as for scan.

  --start           start that runbook (when exactly one applies); its exit code is returned
`,
  list: `Usage: runbook list [PATH…] [--json]

Lists the runbooks found in PATH (default: ./runbooks) with id, severity, steps and title.
`,
};
