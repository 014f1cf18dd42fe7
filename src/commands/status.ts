/** `runbook status ID` — the checklist of an incident, from its journal (read-only, no lock). */
import { existsSync } from 'node:fs';
import { FileJournal, checkIncidentId } from '../core/journal/store.js';
import { fold, type RunState, type StepState } from '../core/journal/fold.js';
import { UsageError } from '../core/errors.js';
import { out, parseCommandFlags, type Command, type CommandContext } from './context.js';
import { stateDirOf } from './shared.js';

export function openState(id: string, stateFlag: string | undefined, ctx: CommandContext): RunState {
  const stateDir = stateDirOf(stateFlag, ctx);
  const store = new FileJournal(stateDir, checkIncidentId(id));
  if (!existsSync(store.file)) {
    throw new UsageError(`no incident "${id}" in ${stateDir}`, { nextSteps: ['`runbook incidents` lists the incidents there; --state-dir picks another directory.'] });
  }
  const state = fold(store.read());
  if (!state) throw new UsageError(`the journal of incident ${id} has no opening record (${store.file})`);
  return state;
}

export function itemCounts(st: StepState): string {
  const keys = st.itemOrder;
  if (keys.length <= 1 && keys[0] === '-') return '';
  const n = (s: string) => keys.filter((k) => st.items[k]?.status === s).length;
  const parts = [`${n('ok')}/${keys.length} ok`];
  if (n('failed')) parts.push(`${n('failed')} failed`);
  if (n('in-doubt')) parts.push(`${n('in-doubt')} in doubt`);
  if (n('skipped')) parts.push(`${n('skipped')} skipped`);
  return parts.join(', ');
}

const ICON: Record<string, string> = { ok: '✓', failed: '✗', skipped: '↷', running: '…', pending: '·' };

export function runStatusWord(s: RunState): string {
  if (s.running) return 'running (or stopped without closing: resume to settle)';
  return s.lastStop?.reason ?? 'open';
}

const command: Command = async (argv, ctx) => {
  const { values, positionals } = parseCommandFlags('status', argv);
  const id = positionals[0];
  if (!id) throw new UsageError('runbook status: which incident? e.g. runbook status <id> (see `runbook incidents`)');
  const s = openState(id, values['state-dir'], ctx);
  const check = new FileJournal(stateDirOf(values['state-dir'], ctx), id).check();
  if (values.json) {
    out(ctx, JSON.stringify({ ...s, journalCheck: check }, null, 2));
    return 0;
  }
  out(ctx, `incident ${s.incident} — ${s.runbook.title} [${s.mode.toUpperCase()}]`);
  out(ctx, `  runbook ${s.runbook.id} (${s.runbook.path})`);
  out(ctx, `  opened ${s.openedAt}, last record ${s.updatedAt}; operators: ${s.operators.join(', ')}`);
  out(ctx, `  state: ${runStatusWord(s)}${s.lastStop?.detail ? ` — ${s.lastStop.detail}` : ''}`);
  out(ctx, `  journal: ${check.detail}`);
  out(ctx, '');
  const width = Math.max(4, ...s.stepOrder.map((id) => id.length));
  for (const id of s.stepOrder) {
    const st = s.steps[id]!;
    const doubt = st.itemOrder.some((k) => st.items[k]?.status === 'in-doubt');
    const word = doubt ? 'in doubt' : st.status;
    const counts = itemCounts(st);
    out(ctx, `  ${doubt ? '?' : (ICON[st.status] ?? ' ')} ${id.padEnd(width)}  ${word.padEnd(8)}${counts ? `  ${counts}` : ''}${st.reason ? `  — ${st.reason}` : ''}`);
    for (const k of st.itemOrder) {
      const it = st.items[k]!;
      if (k === '-' && !it.error) continue;
      if (k !== '-' || it.error) out(ctx, `      ${k === '-' ? '' : `${k}: `}${it.status}${it.error ? ` — ${it.error.message}` : ''}`);
    }
  }
  if (s.notes.length) {
    out(ctx, '\n  notes:');
    for (const n of s.notes) out(ctx, `    ${n.at} ${n.by}: ${n.text}`);
  }
  return 0;
};
export default command;
