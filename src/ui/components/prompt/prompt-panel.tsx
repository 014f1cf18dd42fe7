/**
 * The pane that says what is asked about the step shown; the item picker takes it over while
 * choosing items. Steps that became ready together are listed together: ↑↓ picks one, ⏎ runs
 * the one shown, `a` runs them all.
 */
import { Box } from 'ink';
import { useEffect, useMemo } from 'react';
import { useMarkdownReady } from '../../markdown.js';
import { useShallow } from 'zustand/react/shallow';
import { setUi, useRunStore, useRunStoreApi } from '../../store.js';
import { useController } from '../../context.js';
import { keyContext } from '../../keymap.js';
import { activePrompt, alsoReady } from '../../status.js';
import { blank, line, seg, wrap, type Line } from '../../text.js';
import type { Prompt, StepView } from '../../store/types.js';
import { Lines, Rule } from '../lines.js';
import { ItemPicker } from '../item-picker/item-picker.js';
import { factsText, itemFacts } from './item-facts.js';
import { denyWarning, placeholders, promptKeyLines, promptLines, promptTitle } from './prompt-lines.js';

/** The other steps ready to run now (their ⏎ prompts), with their titles. */
function readyLines(ready: { step: string; title: string; mark: string }[], width: number, steps?: ReadonlyMap<string, StepView>): Line[] {
  if (ready.length === 0) return [];
  const out: Line[] = [blank(), line(seg(`Also ready now (${ready.length}) — ↑↓ to select one, a to run them all:`, 'heading'))];
  for (const r of ready) out.push(...wrap(line(seg('• ', 'bold'), seg(r.step, 'bold'), `  ${placeholders(r.title, steps)}`, r.mark ? seg(`  (${r.mark})`, 'dim') : ''), width, 4));
  return out;
}

export function PromptPanel({ width, height }: { width: number; height: number }) {
  const controller = useController();
  const prompt = useRunStore(activePrompt);
  const step = useRunStore((s) => (prompt?.step ? s.steps.get(prompt.step) : undefined));
  const steps = useRunStore((s) => (prompt ? s.steps : undefined));
  const readyIds = useRunStore(useShallow(alsoReady));
  const readySteps = useRunStore((s) => (readyIds.length > 0 ? s.steps : undefined));
  const scroll = useRunStore((s) => s.ui.promptScroll);
  const picking = useRunStore((s) => s.ui.picker !== null && s.ui.picker === prompt?.id);
  const pickerActive = useRunStore((s) => keyContext(s).focus === 'picker');
  const error = useRunStore((s) => s.ui.entryError);
  const attached = useRunStore((s) => s.attached === true);
  const denying = useRunStore((s) => s.ui.entry?.purpose === 'deny');
  const inner = Math.max(10, width - 1);
  const markdown = useMarkdownReady(); // instructions are styled once marked is loaded
  const lines = useMemo(() => {
    if (!prompt) return [];
    const ready = readyIds.map((id) => {
      const st = readySteps?.get(id ?? '');
      return { step: id ?? '', title: st?.info.title ?? id ?? '', mark: st?.info.confirm ? 'gated' : st?.info.kind === 'manual' ? 'by hand' : '' };
    });
    // denying a containment gate: first, what stays live and how to decide later instead
    const warn = denying && prompt.kind === 'approval' ? denyWarning(prompt, inner, steps) : [];
    return [...warn, ...promptLines(prompt, step, inner, steps, attached), ...readyLines(ready, inner, steps)];
  }, [prompt, step, inner, steps, readyIds, readySteps, attached, denying, markdown]);
  // a manual step's evidence line stays in view under its instructions (these scroll)
  const keyLines = useMemo(() => (prompt ? promptKeyLines(prompt, inner) : []), [prompt, inner]);
  const pinned = keyLines.length > 0 ? [blank(), ...keyLines] : [];
  const rows = Math.max(1, height - 1 - pinned.length);
  // cut: the last row says how much more there is, so the end is reached one row later
  const max = lines.length > rows ? lines.length - rows + 1 : 0;
  // the warning of a deny is at the top: in view whatever was scrolled before
  const at = denying ? 0 : Math.min(scroll, max);
  const more = !picking && at < max;
  const api = useRunStoreApi();
  useEffect(() => {
    // the footer offers PgDn while the pane is cut below
    if (api.getState().ui.promptMore !== more) setUi(api, { promptMore: more });
  }, [api, more]);
  useEffect(() => () => setUi(api, { promptMore: false }), [api]);
  if (!prompt) return null;
  if (picking && prompt.kind === 'approval') {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Rule title={promptTitle(prompt)} width={width} />
        <ItemPicker
          key={prompt.id}
          items={prompt.req.items}
          describe={(k) => describeItem(prompt, k, steps)}
          width={inner}
          height={rows}
          isActive={pickerActive}
          error={error}
          onSubmit={controller.submitPicker}
          onCancel={controller.cancelPicker}
        />
      </Box>
    );
  }
  const cut = lines.length > rows ? [...lines.slice(at, at + rows - 1), line(seg(at < max ? `… ${max - at} more line${max - at === 1 ? '' : 's'} (PgDn)` : '(end — PgUp)', 'dim'))] : lines;
  const shown = [...cut, ...pinned];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Rule title={promptTitle(prompt)} width={width} />
      <Lines lines={shown} width={inner} />
    </Box>
  );
}

/** The picker's line for an item: owner, role, last 4, where found — never raw JSON. */
export function describeItem(prompt: Extract<Prompt, { kind: 'approval' }>, key: string, steps: ReadonlyMap<string, StepView> | undefined): string {
  return steps ? factsText(itemFacts(steps, prompt.step, key, prompt.req.inputs[key], prompt.req.kind)) : '';
}
