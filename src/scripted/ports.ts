/**
 * Scripted mode's answers to the engine's questions: only from flags. A question that no
 * flag answers stops the run (exit 3) with the flag that would answer it — never a wait on stdin.
 */
import type { ManualRequest, OperatorPorts } from '../core/engine/ports.js';

export interface ScriptedAnswers {
  yes: boolean;
  approve: ReadonlySet<string>;
  /** `step` or `step/item` → note or link (empty string: no evidence) */
  done: ReadonlyMap<string, string>;
  /** `step` or `step/item` → decision */
  settle: ReadonlyMap<string, 'done' | 'redo'>;
}

export function parseDoneFlags(flags: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of flags) {
    const i = f.indexOf('=');
    m.set(i < 0 ? f : f.slice(0, i), i < 0 ? '' : f.slice(i + 1));
  }
  return m;
}

export function parseSettleFlags(flags: readonly string[]): Map<string, 'done' | 'redo'> {
  const m = new Map<string, 'done' | 'redo'>();
  for (const f of flags) {
    const i = f.lastIndexOf('=');
    const v = i < 0 ? '' : f.slice(i + 1);
    if (v !== 'done' && v !== 'redo') throw new Error(`--settle ${f}: expected STEP[/ITEM]=done or STEP[/ITEM]=redo`);
    m.set(f.slice(0, i), v);
  }
  return m;
}

/** What counts as a link for evidence: a URL, mailto:, ticket:, or a ticket id like SEC-42 (the TUI takes the same). */
export const isLink = (s: string) => /^(https?:\/\/|mailto:|ticket:|[A-Z][A-Z0-9]+-\d+$)/i.test(s);

export function scriptedPorts(a: ScriptedAnswers, hooks: { onManual?(req: ManualRequest): void } = {}): OperatorPorts {
  return {
    async approve(req) {
      if (a.yes) return { decision: 'approved', via: '--yes' };
      if (a.approve.has(req.step)) return { decision: 'approved', via: `--approve ${req.step}` };
      const n = req.items.length;
      return {
        decision: 'wait',
        hint: `step ${req.step} (${req.kind}${n > 1 ? `, ${n} items` : ''}) needs approval — review what it will call (the plan command shows it), then re-run with --approve ${req.step} (or --yes)`,
      };
    },
    async manual(req) {
      hooks.onManual?.(req);
      const key = req.item ? `${req.step}/${req.item}` : req.step;
      const given = a.done.get(key) ?? (req.item ? a.done.get(req.step) : undefined);
      const example = req.evidence.type === 'link' ? "='https://…'" : req.evidence.type === 'note' ? "='what you did'" : '';
      if (given === undefined) return { done: false, hint: `manual step ${key} is waiting: do it, then re-run with --done ${key}${example}` };
      if (req.evidence.required && req.evidence.type !== 'none' && !given) {
        return { done: false, hint: `manual step ${key} needs a ${req.evidence.type} as evidence: --done ${key}${example}` };
      }
      if (req.evidence.type === 'link' && given && !isLink(given)) {
        return { done: false, hint: `manual step ${key} needs a link (URL or ticket id) as evidence: --done ${key}='https://…'` };
      }
      const asLink = req.evidence.type === 'link' || (given !== '' && isLink(given) && req.evidence.type !== 'note');
      return { done: true, via: `--done ${key}`, ...(given ? (asLink ? { link: given } : { note: given }) : {}) };
    },
    async settle(req) {
      const key = `${req.step}/${req.item}`;
      const d = a.settle.get(key) ?? (req.item === '-' ? a.settle.get(req.step) : undefined);
      if (d) return { decision: d, via: `--settle ${key}=${d}` };
      const flag = req.item === '-' ? req.step : key;
      return {
        decision: 'wait',
        hint: `${flag} is in doubt (${req.reason}): check whether ${req.action} took effect, then re-run with --settle ${flag}=done (it did) or --settle ${flag}=redo (call it again)`,
      };
    },
  };
}
