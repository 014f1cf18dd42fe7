/**
 * Labelled crash points for the crash tests (SECURITY.md target 1): when RUNBOOK_CRASH_AT
 * names a label (optionally `label#N` for its N-th occurrence), the process kills itself
 * with SIGKILL right there — exactly what a power cut or kill -9 would do.
 * Labels: before-write:<record type>, after-write:<record type>, mid-fanout.
 */
const counts = new Map<string, number>();

export function crashPoint(label: string): void {
  const spec = process.env.RUNBOOK_CRASH_AT;
  if (!spec) return;
  for (const want of spec.split(',')) {
    const [name, nth] = want.split('#');
    if (name !== label) continue;
    const n = (counts.get(label) ?? 0) + 1;
    counts.set(label, n);
    if (nth === undefined || Number(nth) === n) process.kill(process.pid, 'SIGKILL');
  }
}
