/**
 * The table `runbook incidents` prints, fitted to the terminal: the incident id whole (it is
 * what the operator copies into `status`, `report` and the resume command), the other columns
 * cut with an ellipsis to fit, by display width (CJK and emoji take two columns). When even the
 * id and a little of the rest do not fit, the rest goes on its own line under the id.
 */
import { fit, pad, width } from '../ui/text.js';

export interface IncidentRow {
  id: string;
  mode: string;
  /** ISO time ('' when unknown) */
  opened: string;
  runbook: string;
  state: string;
}

const GAP = '  ';
/** below this many columns for runbook and state together, a column is dropped (opened, then mode) */
const ROOM = 24;

/** The width to fit: the terminal's columns, 80 when stdout is not a terminal. */
export function tableWidth(stdout: NodeJS.WritableStream): number {
  const s = stdout as Partial<NodeJS.WriteStream>;
  return s.isTTY === true && typeof s.columns === 'number' && s.columns > 0 ? s.columns : 80;
}

/** One line per incident (two when the id leaves no room), each at most `cols` display columns. */
export function incidentLines(rows: readonly IncidentRow[], cols: number): string[] {
  const when = (r: IncidentRow) => r.opened.slice(0, 16).replace('T', ' ');
  const widest = (f: (r: IncidentRow) => string) => Math.max(0, ...rows.map((r) => width(f(r))));
  const idW = widest((r) => r.id);
  const modeW = widest((r) => r.mode);
  const openedW = widest(when);
  const rbW = widest((r) => r.runbook);
  const stateW = widest((r) => r.state);
  const natural = [idW, modeW, openedW, rbW, stateW].reduce((a, b) => a + b) + 4 * GAP.length;
  const fixed: { get: (r: IncidentRow) => string; w: number }[] = [
    { get: (r) => r.mode, w: modeW },
    { get: when, w: openedW },
  ];
  // what is left for runbook and state once the id and the fixed columns are placed
  const left = () => cols - idW - fixed.reduce((a, c) => a + c.w + GAP.length, 0) - 2 * GAP.length;
  if (natural > cols && left() < ROOM) fixed.pop(); // opened goes first
  if (natural > cols && left() < ROOM) fixed.pop(); // then mode
  const room = left();
  const own = room < ROOM / 2; // the id leaves no room: the rest on a line of its own
  const rest = own ? cols - GAP.length - [modeW, openedW].reduce((a, w) => a + w + GAP.length, 0) - GAP.length : room;
  const cols2 = own ? [{ get: (r: IncidentRow) => r.mode, w: modeW }, { get: when, w: openedW }] : fixed;
  // the runbook id keeps its width unless the state would get less than half of what is left
  const rbFit = natural <= cols ? rbW : Math.min(rbW, Math.max(Math.floor(rest / 2), rest - stateW));
  const stFit = natural <= cols ? stateW : Math.max(0, rest - rbFit);
  return rows.flatMap((r) => {
    const tail = [...cols2.map((c) => pad(fit(c.get(r), c.w), c.w)), pad(fit(r.runbook, rbFit), rbFit), fit(r.state, stFit)].join(GAP).trimEnd();
    return own ? [fit(r.id, Math.max(cols, width(r.id))), fit(GAP + tail, cols)] : [`${pad(r.id, idW)}${GAP}${tail}`];
  });
}
