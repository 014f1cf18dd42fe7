/** `runbook incidents` — the incidents in the state directory. */
import { FileJournal, listIncidentIds } from '../core/journal/store.js';
import { fold } from '../core/journal/fold.js';
import { out, parseFlags, type Command } from './context.js';
import { stateDirOf } from './shared.js';
import { runStatusWord } from './status.js';

const command: Command = async (argv, ctx) => {
  const { values } = parseFlags('incidents', argv, { json: { type: 'boolean' }, 'state-dir': { type: 'string' } }, false);
  const stateDir = stateDirOf(values['state-dir'], ctx);
  const rows = listIncidentIds(stateDir)
    .map((id) => {
      try {
        const s = fold(new FileJournal(stateDir, id).read());
        return s ? { id, runbook: s.runbook.id, mode: s.mode, opened: s.openedAt, updated: s.updatedAt, state: runStatusWord(s) } : undefined;
      } catch (e) {
        return { id, runbook: '?', mode: '?', opened: '', updated: '', state: `unreadable: ${(e as Error).message}` };
      }
    })
    .filter((r) => r !== undefined)
    .sort((a, b) => b.opened.localeCompare(a.opened));
  if (values.json) {
    out(ctx, JSON.stringify(rows, null, 2));
    return 0;
  }
  if (!rows.length) {
    out(ctx, `no incidents in ${stateDir}`);
    return 0;
  }
  const w = Math.max(...rows.map((r) => r.id.length));
  for (const r of rows) out(ctx, `${r.id.padEnd(w)}  ${r.mode.padEnd(5)}  ${r.opened.slice(0, 19).replace('T', ' ')}  ${r.runbook}  ${r.state}`);
  return 0;
};
export default command;
