/** `runbook status ID` — the checklist of an incident, from its journal (read-only, no lock). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { judge, parseLock, type Verdict } from '../core/journal/lock.js';
import { FileJournal, checkIncidentId, type JournalCheck } from '../core/journal/store.js';
import { fold, type RunState, type StepState, type WatchState } from '../core/journal/fold.js';
import { formatDuration } from '../core/duration.js';
import { oneLine } from '../report/format.js';
import { roundsUnderRepeat } from '../report/rounds.js';
import { UsageError } from '../core/errors.js';
import { out, outJson, parseCommandFlags, type Command, type CommandContext } from './context.js';
import { loadWithPlugins, shippedRunbook } from './shared.js';
import { commandLine } from './invocation.js';
import { STATUS_ITEMS } from './spec.js';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { previewText, stepLevelTitle, waitsFor } from '../core/engine/text.js';
import { drillDir, readDrillState } from '../drill/state.js';
import type { JournalRecord } from '../core/journal/records.js';
import { storeOf, type Store } from './team-store.js';

/** The incident's state and tamper check, from one read and one decode of its journal (any store). */
export function openState(id: string, store: Store, stateFlag: string | undefined, ctx: CommandContext): { state: RunState; check: JournalCheck } {
  if (store instanceof FileJournal && !existsSync(store.file)) {
    throw new UsageError(`no incident "${id}" in ${store.stateDir}`, { nextSteps: [`\`${commandLine(ctx, 'incidents', ...(stateFlag ? ['--state-dir', stateFlag] : []))}\` lists the incidents there; --state-dir picks another directory.`] });
  }
  const { records, check } = store.readChecked();
  return { state: stateOf(store, records), check };
}

/**
 * The folded state of an incident's journal (any store) — of `records` when the caller has
 * read them already; a usage error when it has no opening record.
 */
export function stateOf(store: { read(): JournalRecord[]; exists(): boolean; incident: string; location: string }, records?: JournalRecord[], incidentsCommand?: string): RunState {
  // the hint runs as printed: the caller gives `incidents` with its own --state-dir / --store
  if (!store.exists()) throw new UsageError(`no incident "${store.incident}" in ${store.location}`, { nextSteps: [`\`${incidentsCommand ?? 'runbook incidents'}\` lists the incidents there.`] });
  const state = fold(records ?? store.read());
  if (!state) throw new UsageError(`the journal of incident ${store.incident} has no opening record (${store.location})`);
  return state;
}

export function itemCounts(st: StepState): string {
  const keys = st.itemOrder;
  if (keys.length === 0 || (keys.length === 1 && keys[0] === '-')) return '';
  const n = (s: string) => keys.filter((k) => st.items[k]?.status === s).length;
  const parts = [`${n('ok')}/${keys.length} ok`];
  if (n('failed')) parts.push(`${n('failed')} failed`);
  if (n('in-doubt')) parts.push(`${n('in-doubt')} in doubt`);
  if (n('skipped')) parts.push(`${n('skipped')} skipped`);
  return parts.join(', ');
}

/** What a watch over a fan-out saw at its latest check: the items that met the condition by their identifiers (the first STATUS_ITEMS unless --all). */
export function watchLines(w: WatchState, limit: boolean): { lines: string[]; hidden: boolean } {
  const lines = [`watch: ${w.checks} check${w.checks === 1 ? '' : 's'} of ${w.items} item${w.items === 1 ? '' : 's'}, ${formatDuration(w.watchedMs)} of ${formatDuration(w.forMs)} watched${w.changed ? `; ${w.changed} changed at the last check` : ''}`];
  const tripped = w.tripped ?? [];
  const shown = limit ? tripped.slice(0, STATUS_ITEMS) : tripped;
  if (tripped.length) lines.push(`${w.seen} met by ${tripped.length} item${tripped.length === 1 ? '' : 's'} at check ${w.checks}:`);
  const notes = new Map((w.notable ?? []).map((n) => [n.key, n]));
  for (const k of shown) {
    const out = notes.get(k)?.output;
    lines.push(`  ${k}${out !== undefined ? ` — ${oneLine(JSON.stringify(out), 160)}` : ''}`);
  }
  const hidden = tripped.length - shown.length;
  if (hidden > 0) lines.push(`  (${hidden} more not listed)`);
  for (const n of w.notable ?? []) if (n.why === 'changed') lines.push(`changed: ${n.key} — ${oneLine(JSON.stringify(n.output) ?? 'undefined', 160)}`);
  return { lines, hidden: hidden > 0 };
}

const ICON: Record<string, string> = { ok: '✓', failed: '✗', skipped: '↷', running: '…', pending: '·' };

/**
 * A run without a closing record is either running now (a process holds the incident's lock)
 * or stopped without closing (kill -9, a crash): the lock says which, for a local incident.
 */
export function lockVerdict(lockFile: string): Verdict | undefined {
  try {
    const st = statSync(lockFile);
    return judge(parseLock(readFileSync(lockFile, 'utf8')), Date.now() - st.mtimeMs);
  } catch {
    return undefined;
  }
}

export function runStatusWord(s: RunState, lock?: Verdict): string {
  if (s.running) {
    // "resume" is only the answer when nobody is running it
    if (lock?.live === 'alive') return `running now — ${lock.why}`;
    if (lock?.live === 'dead') return `stopped without closing — ${lock.why}: resume to settle`;
    return 'running (or stopped without closing: resume to settle)';
  }
  return s.lastStop?.reason ?? 'open';
}

/** `state: interrupted` — the detail only when it says more than the word (never "interrupted — interrupted"). */
export function stateLine(s: RunState, lock?: Verdict): string {
  const word = runStatusWord(s, lock);
  const d = s.lastStop?.detail;
  return `  state: ${word}${d && !s.running && d.toLowerCase().replace(/[.\s]+$/, '') !== word ? ` — ${d}` : ''}`;
}

/** The step a stopped run waits on (`step: hint` in the stop's detail). */
function waitingOn(s: RunState): { step: string; hint: string } | undefined {
  if (s.running || s.lastStop?.reason !== 'waiting' || !s.lastStop.detail) return undefined;
  const i = s.lastStop.detail.indexOf(': ');
  return i > 0 ? { step: s.lastStop.detail.slice(0, i), hint: s.lastStop.detail.slice(i + 2) } : undefined;
}

/** The command that resumes this incident, with every flag it needs (a drill's --scenario). */
export function resumeCommandOf(s: RunState, stateFlag: string | undefined, ctx: CommandContext, incidentDir: string, defaultScenario?: string, storeFlag?: string): string | undefined {
  if (s.lastStop?.reason === 'done') return undefined;
  const rel = (p: string) => (isAbsolute(p) ? relative(ctx.cwd, p) || p : p);
  // a shipped runbook is resumed by its id (as it was started), not by a path into the package
  const shipped = shippedRunbook(s.runbook.id);
  const file = shipped !== undefined && resolve(ctx.cwd, s.runbook.path) === resolve(shipped) ? s.runbook.id : rel(s.runbook.path);
  const args = [s.mode === 'drill' ? 'drill' : 'run', file, '--incident', s.incident];
  if (stateFlag) args.push('--state-dir', stateFlag);
  if (storeFlag) args.push('--store', storeFlag);
  let scenario: string | undefined;
  try {
    scenario = s.mode === 'drill' ? readDrillState(drillDir(incidentDir)).scenario : undefined;
  } catch {
    /* no readable drill world: the resume itself will say so */
  }
  // the runbook's own scenario is the default: the flag is needed only for another one
  if (scenario && (defaultScenario === undefined || resolve(scenario) !== resolve(defaultScenario))) args.push('--scenario', rel(scenario));
  return commandLine(ctx, ...args);
}

/** A repeat round's step (`<repeat>#<round>.<inner>`) has its inner step's title. */
function roundTitle(id: string, titles: Map<string, string>): string | undefined {
  const m = /^[^#]+#\d+\.(.+)$/.exec(id);
  return m ? titles.get(m[1]!) : undefined;
}

/** Every step of the runbook, in its order (those not started yet included); the journal's when the runbook cannot be read. */
async function allSteps(s: RunState, ctx: CommandContext): Promise<{ order: string[]; titles: Map<string, string>; note?: string; defaultScenario?: string }> {
  try {
    const { loaded } = await loadWithPlugins(s.runbook.path, [], ctx);
    const ids = loaded.runbook.steps.map((x) => x.id);
    // titles as far as they are known: inputs and finished steps' outputs filled in, the rest said in words
    const scope = { inputs: s.inputs, incident: { id: s.incident }, steps: Object.fromEntries(Object.entries(s.steps).filter(([, st]) => st?.status === 'ok').map(([id, st]) => [id, { outputs: st!.outputs as Record<string, unknown> }])) };
    // a repeat's inner steps too (ids are unique across the runbook): a round's step line shows them
    const titles = new Map(loaded.runbook.steps.flatMap((x) => [x, ...(x.steps ?? [])]).map((x) => [x.id, stepLevelTitle(x.title, s.steps[x.id]?.itemOrder.length, (t) => oneLine(previewText(t, scope, waitsFor) ?? t, 1000))]));
    const scenario = loaded.runbook.drill?.scenario;
    // a repeat's rounds right under it (as the TUI lists them), not after the last step
    return { order: roundsUnderRepeat([...ids, ...s.stepOrder.filter((id) => !ids.includes(id))]), titles, defaultScenario: scenario ? resolve(dirname(loaded.file), scenario) : undefined };
  } catch {
    return { order: s.stepOrder, titles: new Map(), note: `steps not started yet are not listed: the runbook ${s.runbook.path} could not be read` };
  }
}

const command: Command = async (argv, ctx) => {
  const { values, positionals } = parseCommandFlags('status', argv);
  const id = positionals[0];
  if (!id) {
    // the hints carry the flags that pick the same place (a --state-dir left out lists another directory)
    const where = [...(values['state-dir'] !== undefined ? ['--state-dir', values['state-dir']] : []), ...(values.store ? ['--store', values.store] : [])];
    throw new UsageError('runbook status: which incident? Give its id', { nextSteps: [`${commandLine(ctx, 'incidents', ...where)} lists the incidents; then ${commandLine(ctx, 'status', 'ID', ...where)}`] });
  }
  const store = await storeOf(values, ctx, checkIncidentId(id));
  const { state: s, check } = openState(id, store, values['state-dir'], ctx);
  if (values.json) {
    outJson(ctx, JSON.stringify({ ...s, journalCheck: check }, null, 2));
    return 0;
  }
  out(ctx, `incident ${s.incident} — ${oneLine(s.runbook.title, 1000)} [${s.mode.toUpperCase()}]`);
  out(ctx, `  runbook ${s.runbook.id} (${s.runbook.path})`);
  out(ctx, `  opened ${s.openedAt}, last record ${s.updatedAt}; operators: ${s.operators.join(', ')}`);
  const lock = store instanceof FileJournal && s.running ? lockVerdict(store.lockFile) : undefined;
  out(ctx, stateLine(s, lock));
  out(ctx, `  journal: ${check.detail}`);
  out(ctx, '');
  const steps = await allSteps(s, ctx);
  const wait = waitingOn(s);
  const width = Math.max(4, ...steps.order.map((id) => id.length));
  let hiddenAny = false;
  for (const id of steps.order) {
    const st = s.steps[id];
    if (!st) {
      out(ctx, `  ${ICON.pending} ${id.padEnd(width)}  ${'pending'.padEnd(8)}  ${steps.titles.get(id) ?? ''}`.trimEnd());
      continue;
    }
    const doubt = st.itemOrder.some((k) => st.items[k]?.status === 'in-doubt');
    // a step started but not finished, in a run that has stopped (or whose process is gone: kill -9): waiting (for what the stop says), or stopped
    const idle = st.status === 'running' && (!s.running || lock?.live === 'dead');
    const word = doubt ? 'in doubt' : idle ? (wait?.step === id ? 'waiting' : 'stopped') : st.status;
    const icon = doubt ? '?' : idle ? (wait?.step === id ? '◆' : '■') : (ICON[st.status] ?? ' ');
    const counts = itemCounts(st);
    const title = steps.titles.get(id) ?? roundTitle(id, steps.titles);
    out(ctx, `  ${icon} ${id.padEnd(width)}  ${word.padEnd(8)}${counts ? `  ${counts}` : ''}${title ? `  ${title}` : ''}${st.reason ? `  — ${st.reason}` : ''}${wait?.step === id ? `  — ${wait.hint}` : ''}`);
    // a large fan-out: what needs attention in full, the finished items counted (--all lists them)
    const many = !values.all && st.itemOrder.length > STATUS_ITEMS;
    let hidden = 0;
    for (const k of st.itemOrder) {
      const it = st.items[k]!;
      if (k === '-' && !it.error) continue;
      if (many && (it.status === 'ok' || it.status === 'skipped') && !it.error) {
        hidden++;
        continue;
      }
      out(ctx, `      ${k === '-' ? '' : `${k}: `}${it.status}${it.error ? ` — ${it.error.message}` : ''}`);
    }
    if (st.watch?.items !== undefined) {
      const w = watchLines(st.watch, !values.all);
      for (const l of w.lines) out(ctx, `      ${l}`);
      hiddenAny ||= w.hidden;
    }
    if (hidden) {
      hiddenAny = true;
      out(ctx, `      (${hidden} finished item(s) not listed)`);
    }
  }
  if (hiddenAny) out(ctx, `\n  → Every item: ${commandLine(ctx, 'status', s.incident, ...(values['state-dir'] ? ['--state-dir', values['state-dir']] : []), '--all')}`);
  if (steps.note) out(ctx, `  (${steps.note})`);
  if (s.notes.length) {
    out(ctx, '\n  notes:');
    for (const n of s.notes) out(ctx, `    ${n.at} ${n.by}: ${n.text}`);
  }
  const resume = resumeCommandOf(s, values['state-dir'], ctx, store.dir, steps.defaultScenario, values.store);
  // a run going on now is answered where it runs: its resume command would only meet the lock
  if (resume && lock?.live === 'alive') out(ctx, `\n  → It is running now in another terminal; resume it (${resume}) only once that one has stopped.`);
  else if (resume) out(ctx, `\n  → Resume: ${resume}`);
  return 0;
};
export default command;
