/**
 * A multi-needle matcher (Aho–Corasick over UTF-16 code units) for the redactor: one pass over
 * the text finds every occurrence of every registered needle, so redacting a 1 MB text against
 * thousands of needles (100 secrets × their encoded variants) stays linear in the text.
 *
 * Needles can be added at any time; the automaton (failure links) is rebuilt lazily on the
 * next scan, which costs O(total needle length).
 */

/** Half-open interval [start, end) of the text that must be masked. */
export type Span = [start: number, end: number];

/** Small-integer keys for ASCII (fast Map hashing), wide keys for the rest. */
const key = (node: number, code: number) => (code < 128 ? node * 128 + code : -(node * 65536 + code));

export class NeedleMatcher {
  /** goto function: key(node, code unit) → child node */
  #next = new Map<number, number>();
  /** fast root transitions */
  #root = new Int32Array(65536);
  #nodes = 1;
  #parent = new Int32Array(1024);
  #code = new Uint16Array(1024);
  #depth = new Int32Array(1024);
  #terminal = new Uint8Array(1024);
  #fail = new Int32Array(0);
  /** length of the longest needle that ends at this node (0: none) */
  #out = new Int32Array(0);
  #dirty = false;
  #count = 0;
  #maxLen = 0;

  /** number of distinct needles */
  get count(): number {
    return this.#count;
  }
  /** length of the longest needle */
  get maxLength(): number {
    return this.#maxLen;
  }
  /** trie nodes (≈ total needle length) */
  get nodes(): number {
    return this.#nodes;
  }

  #grow(): void {
    const cap = this.#parent.length * 2;
    const grow = <A extends Int32Array | Uint16Array | Uint8Array>(a: A, make: (n: number) => A): A => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.#parent = grow(this.#parent, (n) => new Int32Array(n));
    this.#code = grow(this.#code, (n) => new Uint16Array(n));
    this.#depth = grow(this.#depth, (n) => new Int32Array(n));
    this.#terminal = grow(this.#terminal, (n) => new Uint8Array(n));
  }

  /** Adds a needle; returns false when it was already there (or empty). */
  add(needle: string): boolean {
    if (needle.length === 0) return false;
    let node = 0;
    for (let i = 0; i < needle.length; i++) {
      const code = needle.charCodeAt(i);
      const k = key(node, code);
      let child = this.#next.get(k);
      if (child === undefined) {
        if (this.#nodes === this.#parent.length) this.#grow();
        child = this.#nodes++;
        this.#parent[child] = node;
        this.#code[child] = code;
        this.#depth[child] = i + 1;
        this.#next.set(k, child);
      }
      node = child;
    }
    if (this.#terminal[node]) return false;
    this.#terminal[node] = 1;
    this.#count++;
    this.#maxLen = Math.max(this.#maxLen, needle.length);
    this.#dirty = true;
    return true;
  }

  #build(): void {
    const n = this.#nodes;
    const fail = new Int32Array(n);
    const out = new Int32Array(n);
    const depth = this.#depth;
    const parent = this.#parent;
    const codes = this.#code;
    const next = this.#next;
    const root = this.#root;
    // breadth-first order = nodes sorted by depth (counting sort)
    const byDepth = new Int32Array(this.#maxLen + 2);
    for (let v = 1; v < n; v++) byDepth[depth[v]! + 1]!++;
    for (let d = 1; d < byDepth.length; d++) byDepth[d]! += byDepth[d - 1]!;
    const order = new Int32Array(n - 1);
    for (let v = 1; v < n; v++) order[byDepth[depth[v]!]!++] = v;
    root.fill(0);
    for (const v of order) {
      const c = codes[v]!;
      const p = parent[v]!;
      if (p === 0) {
        root[c] = v;
        fail[v] = 0;
      } else {
        let f = fail[p]!;
        let target = 0;
        for (;;) {
          const t = f === 0 ? root[c]! : (next.get(key(f, c)) ?? 0);
          if (t !== 0) {
            target = t;
            break;
          }
          if (f === 0) break;
          f = fail[f]!;
        }
        fail[v] = target;
      }
      out[v] = this.#terminal[v] ? depth[v]! : out[fail[v]!]!;
    }
    this.#fail = fail;
    this.#out = out;
    this.#dirty = false;
  }

  /** Merged, sorted spans of every needle occurrence in `text`. */
  spans(text: string): Span[] {
    const spans: Span[] = [];
    if (this.#count === 0 || text.length === 0) return spans;
    if (this.#dirty) this.#build();
    const next = this.#next;
    const root = this.#root;
    const fail = this.#fail;
    const out = this.#out;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      for (;;) {
        if (state === 0) {
          state = root[code]!;
          break;
        }
        const t = next.get(code < 128 ? state * 128 + code : -(state * 65536 + code));
        if (t !== undefined) {
          state = t;
          break;
        }
        state = fail[state]!;
      }
      const len = out[state]!;
      if (len > 0) pushSpan(spans, i + 1 - len, i + 1);
    }
    return spans;
  }
}

/** Appends [start, end) to sorted, merged spans (spans arrive in order of their end). */
export function pushSpan(spans: Span[], start: number, end: number): void {
  while (spans.length > 0 && spans[spans.length - 1]![0] >= start) spans.pop();
  const last = spans[spans.length - 1];
  if (last && last[1] >= start) last[1] = Math.max(last[1], end);
  else spans.push([start, end]);
}

/** Merges two sorted, merged span lists. */
export function mergeSpans(a: Span[], b: Span[]): Span[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last && last[1] >= s) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
