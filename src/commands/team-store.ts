/**
 * Which journal store a command uses: the local file journal (the default), or the shared
 * PostgreSQL store of team mode (docs/team-mode.md) — `--store postgres://…`, else
 * $RUNBOOK_STORE, else `store:` in the config file. The PostgreSQL store's module is imported
 * only here, only when one is configured, so the file path loads nothing of it.
 */
import { FileJournal } from '../core/journal/store.js';
import type { PgJournal } from '../core/journal/pg-store.js';
import { UsageError } from '../core/errors.js';
import type { CommandContext } from './context.js';
import { readConfig, stateDirOf } from './shared.js';

export interface StoreFlags {
  store?: string;
  operator?: string;
  'state-dir'?: string;
}

/** The shared store's URL and where it was set, or undefined (the local file journal). */
export async function storeUrlOf(flag: string | undefined, ctx: Pick<CommandContext, 'env'>): Promise<{ url: string; from: string } | undefined> {
  if (flag) return { url: flag, from: '--store' };
  if (ctx.env.RUNBOOK_STORE) return { url: ctx.env.RUNBOOK_STORE, from: '$RUNBOOK_STORE' };
  const conf = await readConfig(ctx.env);
  const v = conf?.doc.store;
  if (v === undefined || v === null || v === 'file') return undefined;
  if (typeof v !== 'string') throw new UsageError(`${conf!.file}: store must be a postgres:// URL (or "file")`);
  return { url: v, from: `store in ${conf!.file}` };
}

/** --operator, else `operator:` in the config file, else undefined (the OS user@host). */
export async function operatorOf(flag: string | undefined, ctx: Pick<CommandContext, 'env'>): Promise<string | undefined> {
  const v = flag ?? ((await readConfig(ctx.env))?.doc.operator as unknown);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[\w.@+-]{1,100}$/.test(v)) throw new UsageError(`--operator must be a name like alice@laptop (letters, digits, . _ - + @; up to 100)`);
  return v;
}

/** The lease of a shared-store runner: RUNBOOK_LEASE_MS (tests use a short one), else 30 s. */
function leaseMs(ctx: Pick<CommandContext, 'env'>): number | undefined {
  const v = ctx.env.RUNBOOK_LEASE_MS;
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 300 || n > 3_600_000) throw new UsageError('RUNBOOK_LEASE_MS must be a whole number of milliseconds from 300 to 3600000');
  return n;
}

export type Store = FileJournal | PgJournal;

/** The store of one incident, as the flags, environment and config file say. */
export async function storeOf(f: StoreFlags, ctx: Pick<CommandContext, 'env' | 'cwd'>, incident: string): Promise<Store> {
  const stateDir = await stateDirOf(f['state-dir'], ctx);
  const operator = await operatorOf(f.operator, ctx);
  const shared = await storeUrlOf(f.store, ctx);
  if (!shared) return new FileJournal(stateDir, incident, { operator });
  const { PgJournal, checkStoreUrl } = await import('../core/journal/pg-store.js');
  return new PgJournal(checkStoreUrl(shared.url, shared.from), incident, { stateDir, operator, leaseMs: leaseMs(ctx) });
}

/** Does this store live in the shared database? */
export function isShared(s: Store): s is PgJournal {
  return !(s instanceof FileJournal);
}
