/**
 * Labelled crash points for the crash tests (SECURITY.md target 1): when RUNBOOK_CRASH_AT
 * names a label (optionally `label#N` for its N-th occurrence), the process kills itself
 * with SIGKILL right there — exactly what a power cut or kill -9 would do.
 * Labels: before-write:<record type>, after-write:<record type>, mid-fanout.
 * The variable is read once, when the process starts (the journal's write path passes here
 * four times per step: reading the environment each time cost more than the rest of the check).
 */
const counts = new Map<string, number>();
const SPEC = process.env.RUNBOOK_CRASH_AT;
const WANTS = SPEC ? SPEC.split(',') : [];

/** Crash points are set for this process (callers may skip building labels when not). */
export const crashArmed = WANTS.length > 0;

export function crashPoint(label: string): void {
  if (!crashArmed) return;
  for (const want of WANTS) {
    const [name, nth] = want.split('#');
    if (name !== label) continue;
    const n = (counts.get(label) ?? 0) + 1;
    counts.set(label, n);
    if (nth === undefined || Number(nth) === n) process.kill(process.pid, 'SIGKILL');
  }
}
