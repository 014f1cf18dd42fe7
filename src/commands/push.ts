/**
 * `runbook push ID --store postgres://…` — move a local incident into the shared store (team
 * mode, docs/team-mode.md), for when a solo incident grows. The journal's lines go in verbatim
 * (same records, checksums and hash chain: the database checks the chain as they arrive); the
 * incident's local folder (seal key, drill workspace) becomes the shared store's local folder
 * on this machine, and the local journal is kept beside it as journal.pushed.jsonl — the local
 * incident is gone, so nobody resumes it by mistake. The local incident must not be running.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { JournalError, UsageError } from '../core/errors.js';
import { FileJournal, checkIncidentId } from '../core/journal/store.js';
import { err, out, parseCommandFlags, type Command } from './context.js';
import { commandLine } from './invocation.js';
import { isShared, storeOf, storeUrlOf } from './team-store.js';
import { stateDirOf } from './shared.js';
import { mkdirTree } from '../core/mkdir.js';

const command: Command = async (argv, ctx) => {
  const { values, positionals } = parseCommandFlags('push', argv);
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new UsageError('runbook push: give one incident id, e.g. runbook push INC-7 --store postgres://runbook@db.internal/runbook');
  if (!(await storeUrlOf(values.store, ctx))) throw new UsageError('runbook push: which shared store? Give --store postgres://USER@HOST/DB (or set RUNBOOK_STORE)');
  const stateDir = await stateDirOf(values['state-dir'], ctx);
  const local = new FileJournal(stateDir, checkIncidentId(id));
  if (!local.exists()) throw new UsageError(`no local incident "${id}" in ${stateDir}`, { nextSteps: [`${commandLine(ctx, 'incidents', ...(values['state-dir'] ? ['--state-dir', values['state-dir']] : []))} lists them.`] });
  const shared = await storeOf(values, ctx, id);
  if (!isShared(shared)) throw new UsageError('runbook push: --store must name the shared PostgreSQL store');
  local.lock();
  try {
    const check = local.check();
    if (check.state !== 'ok') throw new JournalError(`the local journal of ${id} cannot be pushed: ${check.detail}`, { nextSteps: ['Only a chained, intact journal moves to the shared store; keep this one as evidence.'] });
    const text = readFileSync(local.file, 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    shared.lock();
    try {
      const n = shared.importLines(lines);
      // the local folder becomes the shared incident's folder on this machine (seal key, workspace)
      local.unlock();
      mkdirTree(join(stateDir, 'team'));
      if (existsSync(shared.dir)) rmSync(shared.dir, { recursive: true, force: true });
      renameSync(local.dir, shared.dir);
      renameSync(join(shared.dir, 'journal.jsonl'), join(shared.dir, 'journal.pushed.jsonl'));
      rmSync(join(shared.dir, 'journal.head'), { force: true });
      rmSync(join(shared.dir, 'lock'), { force: true });
      out(ctx, `pushed incident ${id}: ${n} records to ${shared.location}`);
      err(ctx, `  → Resume it from any machine with the same run command plus --store (or RUNBOOK_STORE); follow it: ${commandLine(ctx, 'status', id, ...(values.store ? ['--store', values.store] : []))}`);
    } finally {
      shared.unlock();
    }
  } finally {
    local.unlock();
  }
  return 0;
};
export default command;
