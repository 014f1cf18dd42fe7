/**
 * Four-eyes gates (`approvals: { distinct: true, count: N }`, docs/team-mode.md): a step runs
 * only after N approvals by distinct operators, none of them the operator running the
 * incident. Approvals are journal records (`runbook approve`, `runbook attach`), read from the
 * store when the gate is reached, so an approval given while the runner waits counts at once.
 */
import type { JournalRecord } from '../journal/records.js';

export interface FourEyes {
  /** the operator of the run (the last run.started record): their approvals never count */
  runner: string;
  /** distinct approvers other than the runner, in order */
  approvers: string[];
  /** an approver (not the runner) denied it */
  denied?: { by: string; reason?: string };
}

export function fourEyes(records: readonly JournalRecord[], step: string): FourEyes {
  const runner = [...records].reverse().find((r) => r.type === 'run.started')?.op ?? '';
  const approvers: string[] = [];
  let denied: FourEyes['denied'];
  for (const r of records) {
    if (r.type !== 'approval' || r.step !== step || r.op === runner) continue;
    if (r.decision === 'denied') denied = { by: r.op, reason: r.reason };
    else if (!approvers.includes(r.op)) approvers.push(r.op);
  }
  return { runner, approvers, ...(denied ? { denied } : {}) };
}
