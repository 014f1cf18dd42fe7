#!/usr/bin/env bash
# The GitHub Action's step (action.yml): runs `runbook validate` (annotations or SARIF) or
# `runbook scan` on the given paths. Inputs come as environment variables:
#   RUNBOOK          the command that runs runbook (e.g. `runbook`, or `node /path/dist/cli.js`)
#   INPUT_COMMAND    validate (default) | scan
#   INPUT_PATHS      files or folders, separated by spaces or newlines (default: runbooks)
#   INPUT_FORMAT     github (annotations, default) | sarif | text | json
#   INPUT_SARIF_FILE where --format sarif writes (default: runbook.sarif)
#   INPUT_ARGS       extra arguments, appended as is (split on spaces)
# Writes `exit-code` (and `sarif-file`) to $GITHUB_OUTPUT and a line to $GITHUB_STEP_SUMMARY
# when those are set. Exits with runbook's exit code.
set -uo pipefail

RUNBOOK="${RUNBOOK:-runbook}"
command="${INPUT_COMMAND:-validate}"
format="${INPUT_FORMAT:-github}"
sarif="${INPUT_SARIF_FILE:-runbook.sarif}"
read -r -d '' -a paths <<< "${INPUT_PATHS:-runbooks}"
read -r -a extra <<< "${INPUT_ARGS:-}"
read -r -a prog <<< "$RUNBOOK"

case "$command" in
  validate | scan) ;;
  *)
    echo "::error title=runbook action::command must be validate or scan, not \"$command\""
    exit 2
    ;;
esac

if [ "$format" = sarif ]; then
  "${prog[@]}" "$command" --format sarif "${extra[@]}" "${paths[@]}" > "$sarif"
  code=$?
  [ -n "${GITHUB_OUTPUT:-}" ] && echo "sarif-file=$sarif" >> "$GITHUB_OUTPUT"
else
  "${prog[@]}" "$command" --format "$format" "${extra[@]}" "${paths[@]}"
  code=$?
fi

[ -n "${GITHUB_OUTPUT:-}" ] && echo "exit-code=$code" >> "$GITHUB_OUTPUT"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ "$code" -eq 0 ]; then echo "runbook $command: no problems in ${paths[*]}" >> "$GITHUB_STEP_SUMMARY"
  else echo "runbook $command: problems found in ${paths[*]} (exit $code)" >> "$GITHUB_STEP_SUMMARY"; fi
fi
exit "$code"
