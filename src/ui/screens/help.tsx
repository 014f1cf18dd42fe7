/** `?` — what the icons mean and every key, the ones that apply now first. */
import { Box } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { useRunStore } from '../store.js';
import { BINDINGS, keyContext, runnerOnly, type Binding } from '../keymap.js';
import { ICON, type DisplayStatus } from '../status.js';
import { blank, line, seg, wrap, type Line } from '../text.js';
import { Lines, Rule } from '../components/lines.js';

const NAMES: Record<string, string> = { enter: '⏎', up: '↑', down: '↓', pageup: 'PgUp', pagedown: 'PgDn', space: 'space', 'ctrl+c': 'Ctrl-C' };
const show = (b: Binding) => b.keys.map((k) => NAMES[k] ?? k).join(' ');

export function helpLines(now: Set<Binding>, attached = false): Line[] {
  const out: Line[] = [];
  const legend = (Object.keys(ICON) as DisplayStatus[]).map((s) => `${ICON[s]}\u00a0${s}`).join('  ');
  out.push(line(seg('Status: ', 'heading'), legend));
  out.push(blank());
  if (attached) {
    out.push(line(seg('How it works: ', 'heading'), 'attached: the runner (another terminal) runs the steps; this screen follows it.'));
    out.push(line('  What it waits on from the team is asked here: approve a gate, tick a manual step, settle an item in doubt, or add a note (n) — each a journal record under your name the runner acts on.'));
  } else {
    out.push(line(seg('How it works: ', 'heading'), 'the step pane shows the selected step (↑↓); ⏎ acts on that step.'));
    out.push(line('  Steps ready at the same time are listed together: ↑↓ picks one, a runs them all.'));
  }
  out.push(line('  "open" in the header is the time since the incident opened (time away included).'));
  // one paragraph per line here: the overlay wraps each at the pane's width (a break written into the text would cut a sentence in two)
  out.push(line('  In a drill, the drill clock starts with your first key, stands still while this help is open and while you are away (quit and resume): it counts only the time you spend on the drill.'));
  out.push(blank());
  const row = (b: Binding) => line(seg(show(b).padEnd(14), 'key'), b.help);
  const seen = new Set<string>();
  const section = (title: string, list: Binding[]) => {
    const rows = list.filter((b) => !seen.has(b.action) && !b.paired && b.action !== 'help-scroll');
    if (rows.length === 0) return;
    out.push(line(seg(title, 'heading')));
    for (const b of rows) {
      seen.add(b.action);
      out.push(row(b));
    }
    out.push(blank());
  };
  section('Keys that apply now', BINDINGS.filter((b) => now.has(b)));
  section('Other keys', attached ? BINDINGS.filter((b) => !runnerOnly(b)) : BINDINGS);
  return out;
}

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const ctx = useRunStore(useShallow(keyContext));
  const under = { ...ctx, focus: 'main' as const };
  const now = new Set(BINDINGS.filter((b) => b.when(under)));
  const scroll = useRunStore((s) => s.ui.helpScroll);
  // wrapped, never cut: at 80 columns most explanations are longer than a line (a key's text continues under its text)
  const lines = helpLines(now, ctx.attached).flatMap((l) => wrap(l, width, l[0]?.style === 'key' ? 14 : 2));
  const rows = Math.max(1, height - 1);
  const at = Math.min(scroll, Math.max(0, lines.length - rows));
  const last = at + rows >= lines.length;
  const right = lines.length > rows ? `${at + 1}–${Math.min(lines.length, at + rows)} of ${lines.length} · ${last ? '↑ back' : '↓ more'} · esc closes` : 'esc closes';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Rule title="Help" right={right} width={width} />
      <Lines lines={lines.slice(at, at + rows)} width={width} />
    </Box>
  );
}
