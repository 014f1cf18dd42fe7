/** `runbook incidents` — the incidents in the state directory, and which directory that is (and why). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileJournal, listIncidentIds } from '../core/journal/store.js';
import { fold } from '../core/journal/fold.js';
import { err, out, outJson, parseCommandFlags, type Command, type CommandContext } from './context.js';
import { storeUrlOf } from './team-store.js';
import type { JournalRecord } from '../core/journal/records.js';
import { commandLine } from './invocation.js';
import { incidentLines, tableWidth } from './incidents-table.js';
import { resolveStateDir, stateDirOf } from './shared.js';
import { lockVerdict, runStatusWord } from './status.js';

/** The team's incidents in the shared store: who holds each (lease live or expired), its runbook and state. */
async function sharedIncidents(url: { url: string; from: string }, json: boolean | undefined, ctx: CommandContext): Promise<number> {
  const { PgJournal, checkStoreUrl, showUrl } = await import('../core/journal/pg-store.js');
  const store = new PgJournal(checkStoreUrl(url.url, url.from), 'list', { stateDir: await stateDirOf(undefined, ctx) });
  try {
    const rows = store.list().map((r) => {
      const first = r.first ? (JSON.parse(r.first) as JournalRecord) : undefined;
      const last = r.last ? (JSON.parse(r.last) as JournalRecord) : undefined;
      const opened = first?.type === 'incident.opened' ? first : undefined;
      const state = r.live ? `running (lease generation ${r.generation}, held by ${r.holder?.operator ?? '?'})` : last?.type === 'run.stopped' ? last.reason : r.holder ? `stopped (lease of ${r.holder.operator} expired: resume takes it over)` : r.records ? 'open' : 'empty';
      return { id: r.id, runbook: opened?.runbook.id ?? '?', mode: opened?.mode ?? '?', opened: first?.ts ?? '', updated: last?.ts ?? '', state, records: r.records, ...(r.holder ? { holder: r.holder.operator } : {}) };
    });
    if (json) {
      outJson(ctx, JSON.stringify({ store: showUrl(url.url), source: url.from, incidents: rows }, null, 2));
      return 0;
    }
    err(ctx, `shared store: ${showUrl(url.url)} (set by ${url.from})`);
    if (!rows.length) {
      out(ctx, `no incidents in ${showUrl(url.url)}`);
      return 0;
    }
    for (const l of incidentLines(rows, tableWidth(ctx.stdout))) out(ctx, l);
    return 0;
  } finally {
    store.close();
  }
}

const command: Command = async (argv, ctx) => {
  const { values } = parseCommandFlags('incidents', argv, false);
  const shared = await storeUrlOf(values.store, ctx);
  if (shared) return sharedIncidents(shared, values.json, ctx);
  const state = await resolveStateDir(values['state-dir'], ctx);
  const stateDir = state.dir;
  const rows = listIncidentIds(stateDir)
    .map((id) => {
      try {
        const j = new FileJournal(stateDir, id);
        const s = fold(j.read());
        return s ? { id, runbook: s.runbook.id, mode: s.mode, opened: s.openedAt, updated: s.updatedAt, state: runStatusWord(s, s.running ? lockVerdict(j.lockFile) : undefined) } : undefined;
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
    outJson(ctx, JSON.stringify({ stateDir, source: state.source, ...(state.config ? { config: state.config } : {}), incidents: rows }, null, 2));
    return 0;
  }
  err(ctx, `state directory: ${stateDir} (${state.describe})`);
  if (hasLegacy) err(ctx, `  (./.runbook here holds incidents of an older runbook: ${commandLine(ctx, 'incidents', '--state-dir', '.runbook')})`);
  if (!rows.length) {
    out(ctx, `no incidents in ${stateDir}`);
    return 0;
  }
  for (const l of incidentLines(rows, tableWidth(ctx.stdout))) out(ctx, l);
  return 0;
};
export default command;
