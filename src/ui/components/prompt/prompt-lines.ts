/**
 * What is being asked, as styled lines (pure): for a gate, exactly what will be done (the
 * provider's plan) and for which items with which input; for a manual step, its instructions
 * and the evidence it wants; for an in-doubt item, what may or may not have happened.
 */
import { renderMarkdown } from '../../markdown.js';
import type { Prompt, StepView } from '../../store/types.js';
import { blank, line, seg, valueLines, wrap, type Line } from '../../text.js';

const MAX_ITEM_INPUTS = 20;

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

export function promptLines(p: Prompt, step: StepView | undefined, width: number): Line[] {
  const out: Line[] = [];
  const w = (l: Line, indent = 2) => out.push(...wrap(l, width, indent));
  switch (p.kind) {
    case 'approval': {
      const r = p.req;
      w(line(seg(`${r.kind} · `, 'dim'), seg(r.title, 'title')));
      out.push(blank(), line(seg('This will:', 'heading')));
      if (r.plan.length === 0) w(line(seg('  (the provider gave no plan)', 'dim')));
      for (const l of r.plan) w(line(seg('• ', 'bold'), l), 2);
      out.push(blank());
      const n = r.items.length;
      if (n > 1 || (n === 1 && r.items[0] !== '-')) {
        w(line(seg(`${n} item${n === 1 ? '' : 's'}: `, 'heading'), r.items.slice(0, 30).join(', ') + (n > 30 ? `, … ${n - 30} more` : '')));
      }
      const keys = Object.keys(r.inputs);
      if (keys.length > 0) {
        out.push(line(seg('Input', 'heading'), seg(' (rendered, secrets redacted)', 'dim')));
        if (keys.length === 1) out.push(...valueLines(r.inputs[keys[0]!], width));
        else
          for (const k of keys.slice(0, MAX_ITEM_INPUTS)) {
            out.push(line(seg(`${k}:`, 'bold')));
            out.push(...valueLines(r.inputs[k], width - 2, 8).map((l) => [seg('  '), ...l]));
          }
        if (keys.length > MAX_ITEM_INPUTS) out.push(line(seg(`… ${keys.length - MAX_ITEM_INPUTS} more items`, 'dim')));
      }
      break;
    }
    case 'manual': {
      const r = p.req;
      w(line(seg(r.title, 'title')));
      if (r.instructions) out.push(blank(), ...renderMarkdown(r.instructions, width));
      out.push(blank());
      if (r.evidence.type !== 'none') {
        w(line(seg('Evidence: ', 'heading'), `a ${r.evidence.type}${r.evidence.required ? ' (required)' : ' (optional)'}`, r.evidence.prompt ? seg(` — ${r.evidence.prompt}`, 'dim') : ''));
      } else w(line(seg('Tick it off when it is done.', 'dim')));
      break;
    }
    case 'doubt': {
      const r = p.req;
      w(line('The call ', seg(r.action, 'code'), ' for ', seg(r.item, 'bold'), ' was started but its outcome was never recorded: it may or may not have happened.'));
      w(line(seg('Verify could not tell: ', 'warn'), r.reason));
      out.push(blank());
      w(line(seg('m', 'key'), ' mark done — you checked and the effect is in place'));
      w(line(seg('r', 'key'), ' redo — run it again (only if repeating it is safe)'));
      w(line(seg('l', 'key'), ' decide later — leave it in doubt and stop the run'));
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
      w(line(seg(`${r.kind} · `, 'dim'), seg(r.title, 'title')));
      if (step?.info.uses) w(line(seg(`uses ${step.info.uses}`, 'dim')));
      if (step?.info.confirm) w(line(seg('gated: you will see its plan and approve it first', 'dim')));
      if (step?.info.instructions) out.push(blank(), ...renderMarkdown(step.info.instructions, width));
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
