/**
 * Which steps may start (the scheduler in ./engine.ts): a step is ready once every step it
 * needs has finished (ok, failed or skipped); ready steps start in runbook order. Kept as a
 * count of unfinished needs per step and a min-heap of ready runbook positions, so a run of N
 * steps costs O(N log N) here — it used to rescan every step after each one finished (O(N²)).
 * A need that names no step never finishes: its step is never ready (validation refuses that).
 */
export class ReadyQueue<S extends { id: string }> {
  readonly #steps: readonly S[];
  /** per runbook position: needs not finished yet (each entry of `needs` counts) */
  readonly #waiting: Int32Array;
  /** step id → the positions of the steps that need it (once per entry in their needs) */
  readonly #dependents = new Map<string, number[]>();
  readonly #finished = new Set<string>();
  /** min-heap of ready positions */
  readonly #heap: number[] = [];

  constructor(steps: readonly S[], needs: ReadonlyMap<string, readonly string[]>) {
    this.#steps = steps;
    this.#waiting = new Int32Array(steps.length);
    steps.forEach((s, i) => {
      const ns = needs.get(s.id) ?? [];
      this.#waiting[i] = ns.length;
      for (const n of ns) {
        const d = this.#dependents.get(n);
        if (d) d.push(i);
        else this.#dependents.set(n, [i]);
      }
      if (ns.length === 0) this.#push(i);
    });
  }

  /** The first ready step in runbook order (taken off the queue), or undefined. */
  next(): S | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      // sift down
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const c = l + 1 < h.length && h[l + 1]! < h[l]! ? l + 1 : l;
        if (h[c]! >= last) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return this.#steps[top];
  }

  /** Step `id` finished (ok, failed or skipped): the steps waiting only for it become ready. Once per id. */
  finished(id: string): void {
    if (this.#finished.has(id)) return;
    this.#finished.add(id);
    for (const i of this.#dependents.get(id) ?? []) {
      const left = this.#waiting[i]! - 1;
      this.#waiting[i] = left;
      if (left === 0) this.#push(i);
    }
  }

  #push(x: number): void {
    const h = this.#heap;
    let i = h.length;
    h.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= x) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = x;
  }
}
