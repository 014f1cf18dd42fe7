/**
 * `runbook approve ID STEP [--deny] [--reason TEXT] [--operator NAME]` — an operator's answer
 * to a gate, written to the incident's journal as an approval record (scripted mode, chat
 * bots, a second responder). On the shared store it is written beside a running runner (no
 * lease needed: the database accepts answers without one); the runner reads it when it
 * reaches the gate, or on resume. A four-eyes gate (docs/team-mode.md) counts only approvals
 * by operators other than the runner's.
 */
import { UsageError } from '../core/errors.js';
import { checkIncidentId } from '../core/journal/store.js';
import { fourEyes } from '../core/engine/four-eyes.js';
import { err, out, parseCommandFlags, type Command } from './context.js';
import { commandLine } from './invocation.js';
import { isShared, storeOf } from './team-store.js';
import { stateOf } from './status.js';
import { jsonForTerminal } from '../core/terminal-text.js';
import { loadRunbookFile } from '../report/runbook-file.js';
import type { RunState } from '../core/journal/fold.js';
import type { JournalRecord } from '../core/journal/records.js';

const STEP_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

const command: Command = async (argv, ctx) => {
  const { values, positionals } = parseCommandFlags('approve', argv);
  const [id, step] = positionals;
  if (!id || !step || positionals.length > 2) throw new UsageError('runbook approve: give an incident id and a step id, e.g. runbook approve INC-7 revoke-tokens', { nextSteps: ['`runbook status ID` shows the steps and what the incident waits on.'] });
  // quoted as typed (JSON, escapes shown): an escape sequence in the id is visible, not stripped
  if (!STEP_RE.test(step)) throw new UsageError(`runbook approve: ${jsonForTerminal(JSON.stringify(step.slice(0, 40)))} is not a step id`);
  if (values.reason !== undefined && !values.deny) throw new UsageError('runbook approve: --reason goes with --deny');
  const store = await storeOf(values, ctx, checkIncidentId(id));
  const records = store.read();
  const stateFlags = [...(values['state-dir'] !== undefined ? ['--state-dir', values['state-dir']] : []), ...(values.store ? ['--store', values.store] : [])];
  const state = stateOf(store, records, commandLine(ctx, 'incidents', ...stateFlags));
  checkStepId(step, state, records, ctx.cwd);
  const runner = fourEyes(records, step).runner;
  const shared = isShared(store);
  // the file journal has one writer at a time: take the incident's lock (refused while a run holds it)
  if (!shared) store.lock();
  try {
    const rec = store.append({
      type: 'approval',
      step,
      decision: values.deny ? 'denied' : 'approved',
      via: 'runbook approve',
      ...(values.deny && values.reason ? { reason: ctx.redactor.redact(values.reason) } : {}),
    });
    out(ctx, `${values.deny ? 'denied' : 'approved'} step ${step} of incident ${state.incident} as ${rec.op} (record ${rec.seq})`);
    if (rec.op === runner) err(ctx, `runbook: note: ${rec.op} runs this incident — a four-eyes gate does not count the runner's own approval.`);
    err(ctx, `  → The runner acts on it when it reaches the gate; to follow it: ${commandLine(ctx, 'status', state.incident, ...stateFlags)}`);
  } finally {
    if (!shared) store.unlock();
  }
  return 0;
};
/**
 * The step must be one of the runbook's (as `run --approve` checks): the runbook file the journal
 * names, when it is still there unchanged; else the steps the journal has seen.
 */
function checkStepId(step: string, state: RunState, records: readonly JournalRecord[], cwd: string): void {
  const hashes = [state.runbook.hash, ...records.flatMap((r) => (r.type === 'run.started' ? [r.runbookHash] : []))];
  const file = loadRunbookFile(state.runbook.path, hashes, cwd);
  const ids = file.status === 'matched' ? file.steps.map((s) => s.id) : state.stepOrder.filter((id) => !id.includes('#'));
  if (!ids.length || ids.includes(step)) return;
  const near = ids.filter((x) => x.includes(step) || step.includes(x)).slice(0, 3);
  throw new UsageError(`runbook approve: incident ${state.incident} has no step ${jsonForTerminal(JSON.stringify(step))} — nothing was written`, {
    nextSteps: [near.length ? `Did you mean ${near.join(' or ')}?` : `Its steps are: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''}.`],
  });
}
export default command;
