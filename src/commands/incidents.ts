/** `runbook incidents` — the incidents in the state directory, and which directory that is (and why). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileJournal, listIncidentIds } from '../core/journal/store.js';
import { fold } from '../core/journal/fold.js';
import { err, out, parseCommandFlags, type Command } from './context.js';
import { commandLine } from './invocation.js';
import { resolveStateDir } from './shared.js';
import { runStatusWord } from './status.js';

const command: Command = async (argv, ctx) => {
  const { values } = parseCommandFlags('incidents', argv, false);
  const state = resolveStateDir(values['state-dir'], ctx);
  const stateDir = state.dir;
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
  // incidents of earlier builds lived in ./.runbook of wherever the command was typed
  const legacy = resolve(ctx.cwd, '.runbook');
  const hasLegacy = legacy !== stateDir && existsSync(join(legacy, 'incidents'));
  if (values.json) {
    out(ctx, JSON.stringify({ stateDir, source: state.source, ...(state.config ? { config: state.config } : {}), incidents: rows }, null, 2));
    return 0;
  }
  err(ctx, `state directory: ${stateDir} (${state.describe})`);
  if (hasLegacy) err(ctx, `  (./.runbook here holds incidents of an older runbook: ${commandLine(ctx, 'incidents', '--state-dir', '.runbook')})`);
  if (!rows.length) {
    out(ctx, `no incidents in ${stateDir}`);
    return 0;
  }
  const w = Math.max(...rows.map((r) => r.id.length));
  for (const r of rows) out(ctx, `${r.id.padEnd(w)}  ${r.mode.padEnd(5)}  ${r.opened.slice(0, 19).replace('T', ' ')}  ${r.runbook}  ${r.state}`);
  return 0;
};
export default command;
