/**
 * The live outputs of a run's finished steps (RunContext.outputs), and the `steps` root of an
 * expression scope made from them. A scope sees the outputs as they were when it was made —
 * as a copy would — but nothing is copied: every scope used to get a fresh object with one
 * entry per finished step, so a run of N steps built N²/2 entries (a 1,000-step run spent a
 * third of its time there). Here each `set` is stamped with a generation; `view()` is a
 * read-only object (a Proxy) that shows the entries stamped up to the generation it was made
 * at, in the order a copy would have them. Made again only when an output was set since.
 */
type Entry = { outputs: Record<string, unknown> };
type Version = { gen: number; entry: Entry | undefined };

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
/** keys a plain object would list first (array indices, ascending), as Object.fromEntries did */
const isIndex = (k: string) => ARRAY_INDEX.test(k) && Number(k) < 2 ** 32 - 1;

export class StepOutputs extends Map<string, unknown> {
  #gen = 0;
  /** per step id, the values it had (a step's outputs are set once per run; a list keeps older views exact) */
  #versions: Map<string, Version[]> | undefined = new Map();
  /** ids in the order they were first set (Map order: outputs are never removed) */
  #order: string[] = [];
  #view: { gen: number; steps: Record<string, Entry> } | undefined;

  override set(id: string, value: unknown): this {
    super.set(id, value);
    // (Map's constructor calls set before the fields exist; nothing is constructed with entries)
    if (!this.#versions) return this;
    const gen = ++this.#gen;
    const entry = { outputs: (value ?? {}) as Record<string, unknown> };
    const list = this.#versions.get(id);
    if (list) list.push({ gen, entry });
    else {
      this.#versions.set(id, [{ gen, entry }]);
      this.#order.push(id);
    }
    return this;
  }

  /** Outputs of finished steps stay for the whole run (a view made earlier could not show the removal in order). */
  override delete(id: string): boolean {
    throw new Error(`the outputs of step ${id} cannot be removed during a run`);
  }

  override clear(): void {
    throw new Error('the outputs of finished steps cannot be removed during a run');
  }

  /** The entry of `id` a view made at `gen` shows. */
  #at(id: string, gen: number): Entry | undefined {
    const list = this.#versions?.get(id);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.gen <= gen) return list[i]!.entry;
    return undefined;
  }

  /** `steps` for a scope: `{ <id>: { outputs } }` of every step finished so far, read-only. */
  view(): Record<string, Entry> {
    if (this.#view?.gen === this.#gen) return this.#view.steps;
    const target = {} as Record<string, Entry>;
    this.#genOf.set(target, this.#gen);
    const steps = new Proxy(target, (this.#handler ??= this.#makeHandler()));
    this.#view = { gen: this.#gen, steps };
    return steps;
  }

  /** each view's generation, by its proxy's target (one handler for every view) */
  readonly #genOf = new WeakMap<object, number>();
  #handler: ProxyHandler<Record<string, Entry>> | undefined;

  #makeHandler(): ProxyHandler<Record<string, Entry>> {
    const at = (t: object, k: string | symbol) => (typeof k === 'string' ? this.#at(k, this.#genOf.get(t) ?? 0) : undefined);
    return {
      get: (t, k, r) => at(t, k) ?? Reflect.get(t, k, r),
      has: (t, k) => at(t, k) !== undefined || Reflect.has(t, k),
      ownKeys: (t) => {
        const ks = this.#order.filter((k) => at(t, k) !== undefined);
        const idx = ks.filter(isIndex).sort((a, b) => Number(a) - Number(b));
        return idx.length ? [...idx, ...ks.filter((k) => !isIndex(k))] : ks;
      },
      getOwnPropertyDescriptor: (t, k) => {
        const v = at(t, k);
        return v === undefined ? undefined : { value: v, writable: false, enumerable: true, configurable: true };
      },
      set: () => false,
      defineProperty: () => false,
      deleteProperty: () => false,
    };
  }
}
