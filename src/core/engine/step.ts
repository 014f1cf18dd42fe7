/**
 * One step: condition, approval gate, manual tick-off, fan-out over items, aggregation of
 * outputs, and what happens on failure. Items are run by ./item.ts.
 */
import { fourEyes } from './four-eyes.js';
import { evidenceOf, needsConfirm, type Step } from '../runbook/step-rules.js';
import { evaluateField, ifUsesItem, render, truthy } from '../runbook/expressions.js';
import { SINGLE_ITEM } from '../journal/fold.js';
import { isSecret } from '../secrets/secret.js';
import type { Sealed } from '../journal/records.js';
import { resolveAction } from './bindings.js';
import { previewText, renderText, stepLevelTitle } from './text.js';
import { isIdempotent } from '../../providers/shape.js';
import { crashPoint } from '../journal/crash.js';
import { runWatch } from './watch.js';
import { runRepeat } from './repeat.js';
import { contextFor, runItem, storedError, type ItemJob, type ItemResult } from './item.js';
import type { RunContext, StepResult, ActionRef } from './run-context.js';
import type { FailureAnswer, ProceedRequest } from './ports.js';
import { containsStoredSecret, preview, storedForm, toStored } from './stored.js';

interface PlannedItem {
  key: string;
  item: unknown;
  input?: unknown;
  invalid?: string;
}

export function defaultKey(item: unknown, index: number): string {
  if (item === null || item === undefined) return String(index);
  if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') return String(item).slice(0, 120);
  if (isSecret(item)) return String(index);
  if (typeof item === 'object') {
    const o = item as Record<string, unknown>;
    for (const k of ['id', 'key', 'name', 'fingerprint']) {
      const v = o[k];
      if (typeof v === 'string' || typeof v === 'number') return String(v).slice(0, 120);
    }
  }
  return String(index);
}

function itemsOf(rc: RunContext, step: Step): PlannedItem[] {
  if (step.for_each === undefined) return [{ key: SINGLE_ITEM, item: undefined }];
  const list = Array.isArray(step.for_each) ? (render(step.for_each, rc.scope()) as unknown[]) : evaluateField(step.for_each, rc.scope());
  if (!Array.isArray(list)) throw new Error(`for_each of step ${step.id} did not yield a list`);
  const seen = new Map<string, number>();
  return list.map((item, i) => {
    let key = step.item_key ? String(evaluateField(step.item_key, rc.scope({ item }))) : defaultKey(item, i);
    key = rc.secrets.redactor.redact(key);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    if (n > 0) key = `${key}#${n + 1}`;
    return { key, item };
  });
}

export function finish(rc: RunContext, step: Step, status: 'ok' | 'failed' | 'skipped', outputs?: unknown, reason?: string): void {
  // (the item's stored form when the outputs are its output: built and redacted once)
  const form = outputs === undefined ? undefined : storedForm(outputs, rc.fingerprintKey, rc.secrets.redactor, rc.storedForms);
  const masked = form?.masked ?? false;
  const stored = form?.stored;
  const sealed = status === 'ok' && (masked || form?.found.length) ? rc.sealer?.seal(outputs, step.id, '') : undefined;
  rc.write({ type: 'step.finished', step: step.id, status, reason, outputs: stored, ...(masked ? { masked } : {}), ...(sealed ? { sealed } : {}) });
  if (outputs !== undefined) rc.outputs.set(step.id, outputs);
}

/** The live value of a finished item or step: unsealed when the journal has it sealed, else what is stored. */
export function liveOf(rc: RunContext, stored: unknown, sealed: Sealed | undefined, step: string, item: string): { value: unknown; live: boolean } {
  const open = sealed ? rc.sealer?.unseal(sealed, step, item, rc.secrets) : undefined;
  return open ? { value: open.value, live: true } : { value: stored, live: false };
}

function stepOutputs(rc: RunContext, step: Step, planned: PlannedItem[], outs: Map<string, unknown>): unknown {
  const result = step.for_each === undefined ? outs.get(SINGLE_ITEM) : { items: planned.map((p) => outs.get(p.key)), keys: planned.map((p) => p.key), count: planned.length };
  if (!step.outputs) return result;
  const scope = rc.scope({ result });
  const named: Record<string, unknown> = {};
  for (const [k, expr] of Object.entries(step.outputs)) named[k] = evaluateField(expr, scope);
  return named;
}

async function runManual(rc: RunContext, step: Step): Promise<StepResult> {
  const scope = rc.scope();
  const ans = await rc.ports.manual({ step: step.id, title: renderText(step.title, scope) ?? step.title, instructions: renderText(step.instructions ?? step.description, scope), evidence: evidenceOf(step) });
  if (ans.done) {
    rc.write({ type: 'manual', step: step.id, note: ans.note, link: ans.link, via: ans.via });
    finish(rc, step, 'ok', { note: ans.note ?? null, link: ans.link ?? null });
    return { status: 'ok' };
  }
  if (ans.skip) {
    finish(rc, step, 'skipped', undefined, ans.skip.reason);
    return { status: 'skipped' };
  }
  const hint = ans.hint ?? `record it with --done ${step.id}${evidenceOf(step).type !== 'none' ? "='note or link'" : ''}`;
  rc.emit({ type: 'waiting', step: step.id, on: 'manual', hint });
  return { status: 'waiting', hint };
}

/** Drill: a shell step runs only when marked safe; otherwise its fixture stands in. */
function drillFixture(rc: RunContext, step: Step, ref: ActionRef): { outputs: unknown } | 'skip' | undefined {
  if (rc.mode !== 'drill' || ref.binding.def.type !== 'shell' || step.drill?.safe) return undefined;
  if (step.drill?.outputs) return { outputs: step.drill.outputs };
  return 'skip';
}

async function planLines(rc: RunContext, step: Step, ref: ActionRef, items: PlannedItem[]): Promise<string[]> {
  const lines: string[] = [];
  for (const it of items.slice(0, 50)) {
    if (it.input === undefined) continue;
    const prefix = it.key === SINGLE_ITEM ? '' : `[${it.key}] `;
    try {
      const ctx = contextFor(rc, { step, key: it.key, input: it.input, ref, item: it.item }, rc.signal, []);
      const got = ref.action.plan ? await ref.action.plan(ctx, it.input) : [`call ${ref.binding.instance}.${ref.actionName} with ${preview(it.input, rc.fingerprintKey, rc.secrets.redactor)}`];
      for (const l of got) lines.push(rc.secrets.redactor.redact(prefix + l));
    } catch (e) {
      lines.push(`${prefix}(plan unavailable: ${storedError(e).message})`);
    }
  }
  if (items.length > 50) lines.push(`… and ${items.length - 50} more items`);
  return lines;
}

/** What step-by-step mode shows before a step runs: its title and instructions with what is known now. */
function proceedRequest(rc: RunContext, step: Step): ProceedRequest {
  const scope = rc.scope();
  // uses/confirm: a repeat's round step is not in the run's step list — the screen learns them here
  return { id: step.id, title: shownTitle(rc, step), kind: step.kind, instructions: previewText(step.instructions ?? step.description, scope), ...(step.uses ? { uses: step.uses } : {}), confirm: needsConfirm(step) };
}

/** A step's title as the operator sees it at a prompt: known values filled in; a fan-out's title over `item` reads "each item" (as in the step list). */
function shownTitle(rc: RunContext, step: Step): string {
  const scope = rc.scope();
  return step.for_each !== undefined ? stepLevelTitle(step.title, undefined, (t) => previewText(t, scope) ?? t) : (previewText(step.title, scope) ?? step.title);
}

export async function runStep(rc: RunContext, step: Step): Promise<StepResult> {
  if (step.repeat) return runRepeat(rc, step);
  const prior = rc.prior?.steps[step.id];
  if (prior?.status === 'ok' || prior?.status === 'skipped') {
    const out = liveOf(rc, prior.outputs, prior.sealed, step.id, '');
    rc.outputs.set(step.id, out.value);
    if (!out.live && prior.status === 'ok' && (prior.masked || containsStoredSecret(prior.outputs)) && neededLater(rc, step.id)) await rehydrate(rc, step);
    return { status: prior.status };
  }
  // an `if:` that uses `item` is evaluated per item below (skipped items are journaled as skipped)
  const perItem = ifUsesItem(step);
  const go = perItem || step.if === undefined || (typeof step.if === 'boolean' ? step.if : truthy(evaluateField(step.if, rc.scope())));
  // step-by-step mode asks before the step is journaled as started (quitting here leaves no trace)
  const proceed = go && rc.ports.proceed ? await rc.ports.proceed(proceedRequest(rc, step)) : { action: 'run' as const };
  if (rc.signal.aborted) return { status: 'interrupted' };
  rc.write({ type: 'step.started', step: step.id, kind: step.kind, title: step.title });
  if (!go) {
    finish(rc, step, 'skipped', undefined, `condition is false: ${String(step.if)}`);
    return { status: 'skipped' };
  }
  if (proceed.action === 'skip') {
    finish(rc, step, 'skipped', undefined, proceed.reason);
    return { status: 'skipped' };
  }
  if (step.kind === 'manual' || !step.uses) return runManual(rc, step);
  const [inst, act] = step.uses.split('.') as [string, string];
  const ref = await resolveAction(rc, inst, act);
  const fixture = drillFixture(rc, step, ref);
  if (fixture === 'skip') {
    finish(rc, step, 'skipped', undefined, 'shell step not marked drill.safe and no drill.outputs fixture');
    return { status: 'skipped' };
  }
  if (fixture) {
    finish(rc, step, 'ok', fixture.outputs, 'drill fixture');
    return { status: 'ok' };
  }
  const planned = itemsOf(rc, step);
  const priorKeys = prior?.itemOrder ?? [];
  if (step.for_each !== undefined && !step.watch && planned.map((p) => p.key).join('\n') !== priorKeys.join('\n')) rc.write({ type: 'items', step: step.id, keys: planned.map((p) => p.key) });
  for (const p of planned) {
    const parsed = ref.action.input.safeParse(render(step.with ?? {}, rc.scope({ item: p.item })));
    if (parsed.success) p.input = parsed.data;
    else p.invalid = parsed.error.issues.map((i) => `${['with', ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
  }
  const outs = new Map<string, unknown>();
  const pending = planned.filter((p) => {
    const st = prior?.items[p.key];
    if (perItem && st?.status !== 'ok' && !truthy(evaluateField(step.if as string, rc.scope({ item: p.item })))) {
      if (st?.status !== 'skipped') rc.write({ type: 'outcome', step: step.id, item: p.key, status: 'skipped', attempt: 0, reason: `condition is false for this item: ${String(step.if)}` });
      return false;
    }
    if (st?.status === 'ok') outs.set(p.key, liveOf(rc, st.output, st.sealed, step.id, p.key).value);
    return st?.status !== 'ok';
  });
  let todo = pending;
  if (step.approvals && todo.length) {
    // four-eyes: approvals by other operators, read from the store now (they may arrive while the run waits)
    let fe = fourEyes(rc.store.read(), step.id);
    // team mode: wait for approvals as they arrive (engine/team-answers.ts), reading the store again each time
    for (let need = step.approvals.count - fe.approvers.length; need > 0 && !fe.denied && rc.ports.answered; need = step.approvals.count - fe.approvers.length) {
      const hint = `step ${step.id} is a four-eyes gate: it needs ${need} more approval${need === 1 ? '' : 's'} by an operator other than ${fe.runner}${fe.approvers.length ? ` (approved so far by ${fe.approvers.join(', ')})` : ''}; another operator approves it with: runbook approve ${rc.incident} ${step.id}`;
      rc.emit({ type: 'waiting', step: step.id, on: 'approval', hint });
      if (!(await rc.ports.answered(step.id, hint))) return { status: 'waiting', hint };
      fe = fourEyes(rc.store.read(), step.id);
    }
    if (fe.denied) {
      finish(rc, step, 'skipped', undefined, `denied by ${fe.denied.by}${fe.denied.reason ? `: ${fe.denied.reason}` : ''}`);
      return { status: 'skipped' };
    }
    const need = step.approvals.count - fe.approvers.length;
    if (need > 0) {
      const hint = `step ${step.id} is a four-eyes gate: it needs ${need} more approval${need === 1 ? '' : 's'} by an operator other than ${fe.runner}${fe.approvers.length ? ` (approved so far by ${fe.approvers.join(', ')})` : ''}; another operator approves it with: runbook approve ${rc.incident} ${step.id}`;
      rc.emit({ type: 'waiting', step: step.id, on: 'approval', hint });
      return { status: 'waiting', hint };
    }
    rc.write({ type: 'note', text: `four-eyes gate ${step.id}: approved by ${fe.approvers.join(', ')} (runner ${fe.runner}; ${step.approvals.count} required)` });
  } else if (needsConfirm(step) && prior?.approval?.decision !== 'approved' && todo.length) {
    const ans = await rc.ports.approve({
      step: step.id,
      title: shownTitle(rc, step),
      kind: step.kind,
      plan: await planLines(rc, step, ref, todo),
      items: todo.map((p) => p.key),
      inputs: Object.fromEntries(todo.map((p) => [p.key, toStored(p.input, rc.fingerprintKey, rc.secrets.redactor)])),
    });
    if (ans.decision === 'wait') {
      rc.emit({ type: 'waiting', step: step.id, on: 'approval', hint: ans.hint });
      return { status: 'waiting', hint: ans.hint };
    }
    rc.write({ type: 'approval', step: step.id, decision: ans.decision, via: ans.via, ...(ans.decision === 'denied' ? { reason: ans.reason } : { items: ans.items }) });
    if (ans.decision === 'denied') {
      finish(rc, step, 'skipped', undefined, `denied${ans.reason ? `: ${ans.reason}` : ''}`);
      return { status: 'skipped' };
    }
    if (ans.items) {
      const chosen = new Set(ans.items);
      for (const p of todo.filter((x) => !chosen.has(x.key))) rc.write({ type: 'outcome', step: step.id, item: p.key, status: 'skipped', attempt: 0, reason: 'not approved' });
      todo = todo.filter((x) => chosen.has(x.key));
    }
  }
  const askFailure = async (message: string, items: string[]): Promise<FailureAnswer> => (rc.ports.onFailure ? rc.ports.onFailure({ id: step.id, title: shownTitle(rc, step) }, { message, items }) : step.on_failure === 'continue' ? 'continue' : 'stop');
  if (step.watch) return runWatch(rc, step, ref, todo, (status, outputs, reason) => finish(rc, step, status, outputs, reason), askFailure);
  for (;;) {
    const results = await runItems(rc, step, ref, todo, outs);
    const agg = aggregate(step, results);
    if (agg.status === 'ok') {
      finish(rc, step, 'ok', stepOutputs(rc, step, planned, outs));
      return { status: 'ok' };
    }
    if (agg.status !== 'failed') return agg;
    const choice = await askFailure(agg.message, agg.items);
    if (choice === 'retry') {
      todo = todo.filter((p) => agg.items.includes(p.key));
      continue;
    }
    finish(rc, step, 'failed', stepOutputs(rc, step, planned, outs), agg.message);
    return choice === 'continue' ? { status: 'failed', message: agg.message, items: agg.items, continued: true } : agg;
  }
}

async function runItems(rc: RunContext, step: Step, ref: ActionRef, todo: PlannedItem[], outs: Map<string, unknown>): Promise<Map<string, ItemResult>> {
  const results = new Map<string, ItemResult>();
  const limit = step.concurrency ?? (step.kind === 'revoke' || step.kind === 'rotate' ? 1 : 4);
  let next = 0;
  const worker = async () => {
    while (next < todo.length && !rc.signal.aborted) {
      const p = todo[next++]!;
      if (p.invalid !== undefined) {
        const error = { message: `invalid input: ${p.invalid}`, code: 'BAD_INPUT', failure: 'definite' as const };
        rc.write({ type: 'outcome', step: step.id, item: p.key, status: 'failed', attempt: 0, error });
        results.set(p.key, { status: 'failed', error });
        continue;
      }
      const job: ItemJob = { step, key: p.key, input: p.input, ref, item: p.item };
      const r = await runItem(rc, job);
      results.set(p.key, r);
      if (r.status === 'ok') outs.set(p.key, r.output);
      if (results.size === 1 && todo.length > 1) crashPoint('mid-fanout');
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, todo.length) }, worker));
  return results;
}

function aggregate(step: Step, results: Map<string, ItemResult>): StepResult {
  const all = [...results.entries()];
  if (all.some(([, r]) => r.status === 'interrupted')) return { status: 'interrupted' };
  const waiting = all.find(([, r]) => r.status === 'waiting');
  if (waiting) return { status: 'waiting', hint: (waiting[1] as { hint: string }).hint };
  const doubt = all.filter(([, r]) => r.status === 'in-doubt').map(([k]) => k);
  if (doubt.length) {
    const hint = `${doubt.length} item(s) in doubt (${doubt.slice(0, 3).join(', ')}${doubt.length > 3 ? ', …' : ''}): check by hand, then --settle ${step.id}${doubt[0] === SINGLE_ITEM ? '' : '/' + doubt[0]}=done (it happened) or =redo (call again)`;
    return { status: 'waiting', hint };
  }
  const failed = all.filter(([, r]) => r.status === 'failed');
  if (failed.length) {
    const first = failed[0]![1] as { error: { message: string } };
    return { status: 'failed', message: `${failed.length} of ${results.size} item(s) failed; first: ${first.error.message}`, items: failed.map(([k]) => k) };
  }
  return { status: 'ok' };
}

/**
 * Whether this step's live outputs are needed: a step that has not finished yet refers to
 * them, or refers to a finished step that will itself be re-run from them.
 */
function neededLater(rc: RunContext, id: string, seen = new Set<string>()): boolean {
  if (seen.has(id)) return false;
  seen.add(id);
  const esc = id.replace(/[-]/g, '\\-');
  const ref = new RegExp(`steps\\s*(\\.\\s*${esc}(?![\\w-])|\\[\\s*['"]${esc}['"])`);
  return rc.loaded.runbook.steps.some((s) => {
    if (s.id === id || !ref.test(JSON.stringify(s))) return false;
    const st = rc.prior?.steps[s.id];
    if (st?.status !== 'ok' && st?.status !== 'skipped') return true;
    return st.status === 'ok' && (st.masked || containsStoredSecret(st.outputs)) && neededLater(rc, s.id, seen);
  });
}

/**
 * A finished detect step whose outputs held secrets: the journal has only fingerprints, so
 * an idempotent step is run again (no journal records) to get the values back in memory.
 */
async function rehydrate(rc: RunContext, step: Step): Promise<void> {
  if (!step.uses) return;
  const [inst, act] = step.uses.split('.') as [string, string];
  const ref = await resolveAction(rc, inst, act);
  const planned = itemsOf(rc, step);
  const outs = new Map<string, unknown>();
  const cannot = (why: string) =>
    rc.emit({ type: 'log', step: step.id, item: SINGLE_ITEM, stream: 'warn', text: `later steps use this step's outputs, which the journal keeps masked, and ${why}: they will see the masked values` });
  for (const p of planned) {
    const parsed = ref.action.input.safeParse(render(step.with ?? {}, rc.scope({ item: p.item })));
    if (!parsed.success) return cannot('its input cannot be rebuilt');
    if (!isIdempotent(ref.action, parsed.data)) return cannot('it is not safe to run again');
    const ctx = contextFor(rc, { step, key: p.key, input: parsed.data, ref, item: p.item }, rc.signal, []);
    try {
      outs.set(p.key, await ref.action.run(ctx, parsed.data));
    } catch {
      return; // keep the stored outputs; later steps see fingerprints only
    }
  }
  rc.outputs.set(step.id, stepOutputs(rc, step, planned, outs));
  rc.emit({ type: 'log', step: step.id, item: SINGLE_ITEM, stream: 'info', text: 're-ran this detect step to recover secret values in memory (the journal keeps fingerprints only)' });
}
