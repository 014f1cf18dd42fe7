/**
 * Multi-needle matchers for the redactor. `NeedleMatcher` (Aho–Corasick over UTF-16 code units,
 * used for needles shorter than `WINDOW`): one pass over
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

/**
 * The compact matcher for long needles (≥ `WINDOW` code units) — all the encoded variants of any
 * realistic secret. Instead of a trie (one node per needle character: ~3,300 nodes per HF
 * token, 33 million at 10,000 tokens), each needle is kept once as a string and indexed by a
 * hash of its first `WINDOW` code units in a typed-array hash table. A scan rolls a filter of
 * the needles' first three code units over the text, hashes the window only where a needle
 * could start, and compares the needles whose window hash matches: one pass, linear in the
 * text, and registering a needle costs O(its length) with no rebuild.
 *
 * Matching is modulo the base64 alphabets: `-` compares equal to `+` and `_` to `/` (in needles
 * and text alike), so a base64 needle in the standard alphabet also matches its URL-safe form
 * and the URL-safe copy need not be stored. This can only widen a match (text that differs from
 * a registered needle by those characters alone is masked too), never miss one.
 *
 * The needles' characters are kept packed, one byte each, in one growing byte array outside
 * V8's heap (every encoded variant is ASCII: base64, hex, percent- and JSON-escapes), not as
 * one JS string per needle: at 10,000 secrets that is 240,000 needles, 14 MB of characters that
 * as strings were 18 MB of long-lived heap — and V8 lets the heap grow to a multiple of what
 * stays live before it collects again. A needle with a character beyond Latin-1 (a raw value
 * or a JSON form of a non-ASCII secret) is kept as a string on the side (`stats().wide`).
 */
export const WINDOW = 16;
/** odd multiplier of the polynomial window hash (mod 2^32) */
const B = 0x01000193;
/** `-` → `+`, `_` → `/` (see above) */
const fold = (c: number) => (c === 45 ? 43 : c === 95 ? 47 : c);

export class WindowMatcher {
  /** number of needles */
  #n = 0;
  /** the packed needles' characters, folded (see above), one byte each */
  #bytes = new Uint8Array(16 * 1024);
  #used = 0;
  /** per needle: where its bytes start (-1: kept in #wide) and its length */
  #off = new Int32Array(256);
  #len = new Int32Array(256);
  /** needles with a character beyond Latin-1, by id */
  #wide = new Map<number, string>();
  /** per needle: window hash, next needle in the same bucket (-1: none) */
  #hash = new Int32Array(256);
  #chain = new Int32Array(256);
  /** bucket → first needle + 1 (0: empty); a power of two ≥ 4 × needles, so most text windows hit an empty bucket */
  #table = new Int32Array(1024);
  #shift = 32 - 10;
  #maxLen = 0;
  /**
   * A 64 Kibit filter of the needles' first three code units (hashed): a text position whose
   * three characters no needle starts with skips the table (8 KiB, stays in the CPU's L1 cache;
   * the table at 10,000 secrets is megabytes). Variants of one kind of token share a handful of
   * starts (`hf_`, `aGZf`, …), so most positions are rejected here.
   */
  #first = new Uint32Array(2048);
  /** 1 for a code unit some needle starts with (both base64 alphabets' forms): checked first, one load per text position */
  #lead = new Uint8Array(65536);

  get count(): number {
    return this.#n;
  }
  get maxLength(): number {
    return this.#maxLen;
  }

  /** How the needles are held: `packed` bytes of characters outside the JS heap, `wide` needles kept as strings. */
  stats(): { needles: number; packed: number; wide: number } {
    return { needles: this.#n, packed: this.#used, wide: this.#wide.size };
  }

  #bucket(h: number): number {
    return Math.imul(h, 0x9e3779b1) >>> this.#shift;
  }

  #insert(id: number): void {
    const b = this.#bucket(this.#hash[id]!);
    this.#chain[id] = this.#table[b]! - 1;
    this.#table[b] = id + 1;
  }

  #grow(): void {
    const cap = this.#hash.length * 2;
    const more = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.#hash = more(this.#hash);
    this.#off = more(this.#off);
    this.#len = more(this.#len);
    this.#chain = new Int32Array(cap);
    this.#table = new Int32Array(cap * 4);
    this.#shift--;
    for (let id = 0; id < this.#n; id++) this.#insert(id);
  }

  /** Does needle `id` occur in `text` at `at` (modulo the fold)? */
  #equalAt(id: number, text: string, at: number): boolean {
    const off = this.#off[id]!;
    if (off < 0) return equalAt(this.#wide.get(id)!, text, at);
    const bytes = this.#bytes;
    for (let j = 0, len = this.#len[id]!; j < len; j++) if (bytes[off + j] !== fold(text.charCodeAt(at + j))) return false;
    return true;
  }

  /** Keep a needle's characters: packed when every one fits a byte, else on the side. */
  #store(id: number, needle: string): void {
    this.#len[id] = needle.length;
    let narrow = true;
    for (let i = 0; i < needle.length && narrow; i++) narrow = needle.charCodeAt(i) < 256;
    if (!narrow) {
      this.#off[id] = -1;
      this.#wide.set(id, needle);
      return;
    }
    if (this.#used + needle.length > this.#bytes.length) {
      const b = new Uint8Array(Math.max(this.#bytes.length * 2, this.#used + needle.length));
      b.set(this.#bytes.subarray(0, this.#used));
      this.#bytes = b;
    }
    const off = this.#used;
    for (let i = 0; i < needle.length; i++) this.#bytes[off + i] = fold(needle.charCodeAt(i));
    this.#off[id] = off;
    this.#used += needle.length;
  }

  /** Adds a needle of at least `WINDOW` code units; false when an equal one (modulo the fold) is there. */
  add(needle: string): boolean {
    if (needle.length < WINDOW) throw new Error(`needle shorter than ${WINDOW}`);
    let h = 0;
    for (let i = 0; i < WINDOW; i++) h = (Math.imul(h, B) + fold(needle.charCodeAt(i))) | 0;
    for (let id = this.#table[this.#bucket(h)]! - 1; id >= 0; id = this.#chain[id]!) {
      if (this.#hash[id] === h && this.#len[id] === needle.length && this.#equalAt(id, needle, 0)) return false;
    }
    if (this.#n === this.#hash.length) this.#grow();
    const id = this.#n++;
    this.#store(id, needle);
    this.#hash[id] = h;
    this.#insert(id);
    const g = gram(needle, 0);
    this.#first[g >>> 5]! |= 1 << (g & 31);
    const c = fold(needle.charCodeAt(0));
    this.#lead[c] = 1;
    if (c === 43) this.#lead[45] = 1;
    if (c === 47) this.#lead[95] = 1;
    if (needle.length > this.#maxLen) this.#maxLen = needle.length;
    return true;
  }

  /**
   * Merged, sorted spans of every needle occurrence in `text`. One pass, one code unit read and
   * one table load per position in the common case: a position whose code unit no needle starts
   * with is skipped at once; the rest meet the three-unit filter, and only a position it lets
   * through (a needle could start there — rare in ordinary text) pays for the window hash.
   */
  spans(text: string): Span[] {
    const spans: Span[] = [];
    const n = text.length;
    if (this.#n === 0 || n < WINDOW) return spans;
    const table = this.#table;
    const hashes = this.#hash;
    const chain = this.#chain;
    const lens = this.#len;
    const shift = this.#shift;
    const first = this.#first;
    const lead = this.#lead;
    for (let start = 0, last = n - WINDOW; start <= last; start++) {
      if (lead[text.charCodeAt(start)] === 0) continue;
      const g = gram(text, start);
      if ((first[g >>> 5]! & (1 << (g & 31))) === 0) continue;
      let h = 0;
      for (let j = start, e = start + WINDOW; j < e; j++) h = (Math.imul(h, B) + fold(text.charCodeAt(j))) | 0;
      let id = table[Math.imul(h, 0x9e3779b1) >>> shift]! - 1;
      for (; id >= 0; id = chain[id]!) {
        if (hashes[id] !== h) continue;
        const end = start + lens[id]!;
        if (end > n || !this.#equalAt(id, text, start)) continue;
        const prev = spans[spans.length - 1];
        if (prev && prev[1] >= start) {
          if (end > prev[1]) prev[1] = end;
        } else spans.push([start, end]);
      }
    }
    return spans;
  }
}

/** multipliers of the three-unit filter hash (`gram`) */
const G0 = 0x3c6ef35f;
const G1 = 0x2545f491;

/** A 16-bit hash of the (folded) three code units at `at`. */
function gram(s: string, at: number): number {
  return (Math.imul(fold(s.charCodeAt(at)), G0) + Math.imul(fold(s.charCodeAt(at + 1)), G1) + fold(s.charCodeAt(at + 2))) >>> 16;
}

/** Does `text` hold `needle` at `at` (modulo the fold)? */
function equalAt(needle: string, text: string, at: number): boolean {
  for (let j = 0; j < needle.length; j++) {
    const a = needle.charCodeAt(j);
    const b = text.charCodeAt(at + j);
    if (a !== b && fold(a) !== fold(b)) return false;
  }
  return true;
}
