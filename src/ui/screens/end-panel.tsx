/** When the run is over: how it ended, the exit code, and the report / resume commands. */
import { Box } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { useRunStore } from '../store.js';
import { useCommands, useDrill } from '../context.js';
import { blank, commandLines, line, seg, wrap, type Line } from '../text.js';
import { Lines, Rule } from '../components/lines.js';
import { progressOf } from '../status.js';

const HOW: Record<string, { icon: string; word: string; style: 'ok' | 'error' | 'warn' }> = {
  done: { icon: '✓', word: 'done — every step finished', style: 'ok' },
  failed: { icon: '✗', word: 'failed', style: 'error' },
  waiting: { icon: '◆', word: 'waiting — something is left for later', style: 'warn' },
  interrupted: { icon: '■', word: 'stopped — the state is kept', style: 'warn' },
};

export function EndPanel({ width, height }: { width: number; height: number }) {
  const cmds = useCommands();
  const drill = useDrill();
  const v = useRunStore(useShallow((s) => ({ end: s.end, incident: s.incident, closed: s.phase === 'closed', ...progressOf(s) })));
  const head: Line[] = [];
  const how = HOW[v.end?.status ?? 'interrupted'] ?? HOW.interrupted!;
  // "every step finished" only when none was skipped; a step whose condition was false did not apply (nobody skipped it)
  const byHand = v.skipped - v.notApplied;
  const steps = (n: number) => `${n} step${n === 1 ? '' : 's'}`;
  const word =
    v.end?.status !== 'done' || v.skipped === 0
      ? how.word
      : byHand === 0
        ? `done — every step that applied finished (${steps(v.notApplied)} did not apply)`
        : `done — ${steps(byHand)} skipped${v.notApplied ? `, ${v.notApplied} did not apply` : ''}, the others finished`;
  head.push(line(seg(`${how.icon} Run ${word}`, how.style)));
  const live = drill?.attackerLive() ?? 0;
  if (live > 0) head.push(...wrap(line(seg(`⚠ ${live} attacker-made credential${live === 1 ? '' : 's'} still live`, 'error'), seg(' — the attacker created it before containment: revoke it too', 'warn')), width, 2));
  const detail = v.end?.detail ? wrap(line(v.end.detail), width, 2) : [];
  const rest: Line[] = [line(seg(`${v.done} done · ${v.failed} failed · ${v.skipped} skipped · ${v.total - v.finished} not finished · exit code ${v.end?.exitCode ?? '?'}`, 'dim')), blank()];
  // whole, and copyable: a command too long for the pane continues with ` \` (never a hard wrap, which pastes as two commands)
  if (cmds.report) rest.push(...commandLines(line(seg('Report:  ', 'bold')), cmds.report, width, 9));
  if (v.end?.status !== 'done' && cmds.resume) rest.push(...commandLines(line(seg('Resume:  ', 'bold')), cmds.resume, width, 9));
  if (!v.closed) rest.push(blank(), line(seg('⏎', 'key'), ' or ', seg('q', 'key'), ' to leave · ', seg('↑↓', 'key'), ' to look at the steps'));
  // short of rows (80×24), the detail gives way, never the commands: a resume command cut after
  // its runbook would start a new incident (the detail is printed in full after leaving)
  const rows = Math.max(1, height - 1);
  const room = Math.max(0, rows - head.length - rest.length);
  const shown = detail.length <= room ? detail : room > 0 ? [...detail.slice(0, room - 1), line(seg('  … (printed in full when you leave)', 'dim'))] : [];
  const out = [...head, ...shown, ...rest];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Rule title="Run over" width={width} />
      <Lines lines={out.slice(0, rows)} width={width} />
    </Box>
  );
}
