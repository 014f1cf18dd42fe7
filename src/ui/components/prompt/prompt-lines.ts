/**
 * What is being asked, as styled lines (pure): for a gate, exactly what will be done (the
 * provider's plan) and for which items with which input; for a manual step, its instructions
 * and the evidence it wants; for an in-doubt item, what may or may not have happened.
 */
import { renderMarkdown } from '../../markdown.js';
import type { Prompt, StepView } from '../../store/types.js';
import { blank, countedTitle, line, placeholders, seg, valueLines, wrap, type Line } from '../../text.js';

export { placeholders };
import { factsText, itemFacts } from './item-facts.js';

const MAX_ITEM_INPUTS = 20;


const DENY_ITEMS = 3;

/**
 * Shown while the reason for denying a containment gate is typed: what stays live if it is
 * denied (each credential, as at the gate), that the step is then skipped for good, and how to
 * leave the decision for later instead (quit: resuming comes back to this gate).
 */
export function denyWarning(p: Extract<Prompt, { kind: 'approval' }>, width: number, steps?: ReadonlyMap<string, StepView>): Line[] {
  const r = p.req;
  if (r.kind !== 'revoke') return [];
  const n = r.items.length;
  const fan = n > 1 || (n === 1 && r.items[0] !== '-');
  const out: Line[] = [];
  const w = (l: Line, indent = 2) => out.push(...wrap(l, width, indent));
  w(line(seg(`⚠ Denying leaves live what this gate would revoke${fan ? ` — ${n} item${n === 1 ? '' : 's'}` : ''}:`, 'error')));
  const shown = fan ? r.items.slice(0, n > DENY_ITEMS + 1 ? DENY_ITEMS : n) : [r.items[0] ?? '-'];
  for (const k of shown) {
    const facts = steps ? factsText(itemFacts(steps, p.step, k, r.inputs[k], r.kind)) : '';
    const what = fan ? `${k}${facts && facts !== k ? `  ${facts}` : ''}` : facts || p.step;
    out.push(line(seg('  • ', 'bold'), seg(what, 'accent')));
  }
  if (shown.length < n) out.push(line(seg(`  … and ${n - shown.length} more`, 'dim')));
  w(line(seg(`  ${p.step} is then skipped for good: resuming does not ask again.`, 'warn')), 2);
  w(line('  To decide later instead: ', seg('esc', 'key'), ', then ', seg('q', 'key'), ' — resuming comes back to this gate.'), 2);
  out.push(blank());
  return out;
}

export function promptTitle(p: Prompt): string {
  switch (p.kind) {
    case 'approval':
      return `Approval needed · ${p.step}`;
    case 'manual':
      return `Manual step · ${p.step}${p.req.item ? ` / ${p.req.item}` : ''}`;
    case 'doubt':
      return `In doubt · ${p.step} / ${p.req.item}`;
    case 'failure':
      return `Step failed · ${p.step}`;
    case 'proceed':
      return `Next step · ${p.step}`;
    case 'input':
      return `Input needed · ${p.req.name}`;
    case 'secret':
      return 'Secret needed';
  }
}

/** The line that says what a prompt wants typed (a manual step's evidence): kept in view below the part that scrolls. */
export function promptKeyLines(p: Prompt, width: number): Line[] {
  if (p.kind !== 'manual') return [];
  const r = p.req;
  const l =
    r.evidence.type !== 'none'
      ? line(seg('Evidence: ', 'heading'), `a ${r.evidence.type}${r.evidence.required ? ' (required)' : ' (optional)'}`, r.evidence.prompt ? seg(` — ${r.evidence.prompt}`, 'dim') : '')
      : line(seg('Tick it off when it is done.', 'dim'));
  return wrap(l, width, 2);
}

export function promptLines(p: Prompt, step: StepView | undefined, width: number, steps?: ReadonlyMap<string, StepView>, attached = false): Line[] {
  const out: Line[] = [];
  const w = (l: Line, indent = 2) => out.push(...wrap(l, width, indent));
  switch (p.kind) {
    case 'approval': {
      const r = p.req;
      const n = r.items.length;
      const fan = n > 1 || (n === 1 && r.items[0] !== '-');
      const title = placeholders(step?.info.title ?? r.title, steps);
      w(line(seg(`${r.kind} · `, 'dim'), seg(fan ? countedTitle(title, n) : title, 'title')));
      // plan lines by item: `[key] …` (a fan-out) or unprefixed (one item)
      const byItem = new Map<string, string[]>();
      const general: string[] = [];
      for (const l of r.plan) {
        const m = fan ? /^\[([^\]]+)\] (.*)$/.exec(l) : null;
        if (m && r.items.includes(m[1]!)) byItem.set(m[1]!, [...(byItem.get(m[1]!) ?? []), m[2]!]);
        else general.push(l);
      }
      out.push(blank(), line(seg(fan ? `This will, for ${n} item${n === 1 ? '' : 's'}:` : 'This will:', 'heading')));
      if (r.plan.length === 0) w(line(seg('  (the provider gave no plan)', 'dim')));
      for (const l of general) w(line(seg('• ', 'bold'), l), 2);
      if (fan) {
        for (const k of r.items.slice(0, MAX_ITEM_INPUTS)) {
          const facts = steps ? factsText(itemFacts(steps, p.step, k, r.inputs[k], r.kind)) : '';
          // an item keyed by its position (`0`, `1`) says nothing: what it is comes first, its key after
          if (facts && /^\d+$/.test(k)) w(line(seg('• ', 'bold'), seg(facts, 'accent'), seg(`  (item ${k})`, 'dim')), 4);
          else w(line(seg('• ', 'bold'), seg(k, 'bold'), facts ? seg(`  ${facts}`, 'accent') : ''), 4);
          for (const l of byItem.get(k) ?? []) w(line(seg('    → ', 'dim'), l), 6);
        }
        if (n > MAX_ITEM_INPUTS) out.push(line(seg(`… ${n - MAX_ITEM_INPUTS} more items (i to pick them one by one)`, 'dim')));
      } else if (steps) {
        const facts = factsText(itemFacts(steps, p.step, r.items[0] ?? '-', r.inputs[r.items[0] ?? '-'], r.kind));
        if (facts) w(line(seg('Which: ', 'heading'), seg(facts, 'accent')));
      }
      const keys = Object.keys(r.inputs);
      if (keys.length === 1) {
        out.push(blank(), line(seg('Input', 'heading'), seg(' (rendered, secrets redacted)', 'dim')));
        out.push(...valueLines(r.inputs[keys[0]!], width));
      }
      break;
    }
    case 'manual': {
      const r = p.req;
      w(line(seg(placeholders(r.title, steps), 'title')));
      if (r.instructions) out.push(blank(), ...renderMarkdown(placeholders(r.instructions, steps), width));
      // what to do to tick it off: promptKeyLines (kept in view under the scrolled instructions)
      break;
    }
    case 'doubt': {
      const r = p.req;
      w(line('The call ', seg(r.action, 'code'), ' for ', seg(r.item, 'bold'), ' was started but its outcome was never recorded: it may or may not have happened.'));
      w(line(seg('Verify could not tell: ', 'warn'), r.reason));
      out.push(blank());
      w(line(seg('m', 'key'), ' mark done — you checked and the effect is in place'));
      w(line(seg('r', 'key'), ' redo — run it again (only if repeating it is safe)'));
      // attached (runbook attach): leaving it in doubt is the runner's call
      if (!attached) w(line(seg('l', 'key'), ' decide later — leave it in doubt and stop the run'));
      break;
    }
    case 'failure': {
      const r = p.req;
      w(line(seg(r.step.title, 'title')));
      out.push(blank());
      w(line(seg('Error: ', 'error'), r.error.message));
      if (r.error.items.length > 0 && !(r.error.items.length === 1 && r.error.items[0] === '-')) w(line(seg('Failed items: ', 'bold'), r.error.items.join(', ')));
      out.push(blank());
      w(line(seg('r', 'key'), ' retry · ', seg('c', 'key'), ' continue past it · ', seg('x', 'key'), ' stop the run'));
      break;
    }
    case 'proceed': {
      const r = p.req;
      w(line(seg(`${r.kind} · `, 'dim'), seg(placeholders(r.title, steps), 'title')));
      if (step?.info.uses) w(line(seg(`uses ${step.info.uses}`, 'dim')));
      if (step?.info.confirm) w(line(seg('gated: ⏎ shows its plan, then you approve or deny it', 'dim')));
      else if (step && !step.info.uses) w(line(seg('manual: ⏎ opens it, you do it, then tick it off', 'dim')));
      // rendered by the engine when the step became ready: every value it reads is known now
      const text = r.instructions ?? step?.info.instructions;
      if (text) out.push(blank(), ...renderMarkdown(placeholders(text, steps), width));
      break;
    }
    case 'input': {
      const r = p.req;
      w(line(seg(r.prompt ?? r.description ?? `Value for ${r.name}`, 'title')));
      const facts = [`type ${r.type}`, r.pattern ? `pattern ${r.pattern}` : '', r.default !== undefined ? `default ${JSON.stringify(r.default)} (⏎ to accept)` : '', r.type === 'list' ? 'comma-separated' : ''];
      w(line(seg(facts.filter(Boolean).join(' · '), 'dim')));
      if (r.prompt && r.description) w(line(seg(r.description, 'dim')));
      break;
    }
    case 'secret':
      w(line(seg(p.question, 'title')));
      w(line(seg('typed characters are not shown; the value is never written to disk', 'dim')));
      break;
  }
  return out;
}
