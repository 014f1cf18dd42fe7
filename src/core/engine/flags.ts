/**
 * Checks of the flags that name steps (`--done STEP[/ITEM]`, `--settle STEP[/ITEM]=done|redo`,
 * `--approve STEP`): a step id the runbook does not have is a usage error (exit 2), before
 * anything starts; and a `--settle` that cannot apply — its item is not in doubt and its step
 * is already finished — is refused with the reason instead of being silently ignored.
 */
import { UsageError } from '../errors.js';
import type { Runbook } from '../runbook/schema.js';
import { SINGLE_ITEM, type RunState } from '../journal/fold.js';
import { stepForKey } from './repeat.js';

function stepOf(ref: string): string {
  const i = ref.indexOf('/');
  return i < 0 ? ref : ref.slice(0, i);
}

/** Every step id named by these flags must exist in the runbook. */
export function checkStepFlags(runbook: Pick<Runbook, 'steps'>, flags: { done?: Iterable<string>; settle?: ReadonlyMap<string, string>; approve?: Iterable<string> }): void {
  const ids = new Set(runbook.steps.map((s) => s.id));
  const check = (flag: string, ref: string, shown: string) => {
    const id = stepOf(ref);
    if (ids.has(id) || stepForKey(runbook, id)) return; // a repeat's inner step in one round: eradicate#2.disable-keys
    const near = [...ids].filter((x) => x.includes(id) || id.includes(x)).slice(0, 3);
    throw new UsageError(`${flag} ${shown}: the runbook has no step "${id}"`, {
      nextSteps: [near.length ? `Did you mean ${near.join(' or ')}?` : `Its steps are: ${[...ids].slice(0, 20).join(', ')}${ids.size > 20 ? ', …' : ''}.`],
    });
  };
  for (const ref of flags.done ?? []) check('--done', ref, ref);
  for (const [ref, d] of flags.settle ?? []) check('--settle', ref, `${ref}=${d}`);
  for (const id of flags.approve ?? []) {
    if (id.includes('/')) throw new UsageError(`--approve ${id}: approvals are per step — give the step id (${stepOf(id)})`);
    check('--approve', id, id);
  }
}

/**
 * A `--settle` for an item that is not in doubt, in a step that is already finished, can never
 * apply: refuse it (exit 2) with what the journal says. One already applied in an earlier run (the
 * same command given again) is fine.
 */
export function checkSettleFlags(prior: RunState | undefined, settle: ReadonlyMap<string, 'done' | 'redo'>): void {
  for (const [ref, decision] of settle) {
    const id = stepOf(ref);
    const item = ref.includes('/') ? ref.slice(id.length + 1) : undefined;
    const st = prior?.steps[id];
    const items = item !== undefined ? [item] : (st?.itemOrder ?? []);
    const inDoubt = items.some((k) => st?.items[k]?.status === 'in-doubt');
    const settledBefore = items.some((k) => st?.items[k]?.settled === decision) || (item === undefined && st?.items[SINGLE_ITEM]?.settled === decision);
    if (inDoubt || settledBefore) continue;
    if (st?.status === 'ok' || st?.status === 'skipped' || (item !== undefined && st?.items[item] && st.items[item]!.status !== 'pending')) {
      const what = item !== undefined && st?.items[item] ? `item ${item} of ${id} is ${st.items[item]!.status}` : `${id} finished ${st?.status}`;
      throw new UsageError(`--settle ${ref}=${decision}: nothing to settle — ${ref} is not in doubt (${what})`, {
        nextSteps: ['--settle answers only an item in doubt (an intent without an outcome). `runbook status` shows what is in doubt; drop the flag to resume.'],
      });
    }
  }
}
