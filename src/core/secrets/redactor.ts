/**
 * The one redactor every outgoing byte passes through: terminal, JSON output, journal,
 * reports, child-process output. It masks each registered value and its encoded variants
 * (./variants.ts), plus known token shapes that were never registered (./shapes.ts).
 *
 * Cost: one rolling-hash pass over the text for the registered needles (./matcher.ts, a
 * compact typed-array index: ~15 bytes of index plus the needle's own characters per needle,
 * no trie), one small Aho–Corasick pass for needles under 16 characters, and one regex pass per
 * token shape whose keyword is present — linear in the text, whatever the number of secrets.
 *
 * Streaming (`stream()`): text that arrives in pieces is emitted line by line, so a value
 * split across two writes is reassembled before it is matched. Limits: a line longer than
 * `maxLine` is flushed in pieces, keeping back enough characters that no registered needle
 * can straddle a cut; a token *shape* longer than `maxShape` (default 512) split across such
 * a cut is masked from the cut on. A multi-line secret whose lines arrive one write each is
 * still masked: every line of it is registered on its own.
 */
import { Secret } from './secret.js';
import { NeedleMatcher, WINDOW, WindowMatcher, mergeSpans, type Span } from './matcher.js';
import { shapeSpans } from './shapes.js';
import { MIN_SECRET_LENGTH, variants } from './variants.js';

export { variants, base64Cores, MIN_SECRET_LENGTH } from './variants.js';
export { TOKEN_SHAPES, redactShapes, shapeMatches, type TokenShape } from './shapes.js';

export const MASK = '***';

/** What `add` did. `warning` is set when the value could not be registered (too short). */
export interface AddResult {
  label: string;
  /** needles (value + variants) newly registered */
  added: number;
  warning?: string;
}

export interface RedactingStream {
  /** Feed text in any pieces; complete lines are redacted and emitted. */
  write(chunk: string): void;
  /** Emit whatever is held back (redacted). Call at the end of the stream. */
  flush(): void;
}

export class Redactor {
  /**
   * Two matchers: needles of at least `WINDOW` code units (every variant of any realistic
   * secret) go to the compact window-hash matcher, which registers in O(length) with no
   * rebuild; the few shorter ones (values of 6–15 characters, short base64 cores) go to a small
   * Aho–Corasick automaton, rebuilt lazily on the next scan after one was added.
   */
  #long = new WindowMatcher();
  #short = new NeedleMatcher();
  #warnings: string[] = [];
  /** some needle contains `*`: a masked text could spell a value again (see redact) */
  #starry = false;

  /**
   * Register a secret (or a raw value that must never be shown) with all its variants.
   * Values shorter than 6 characters are not registered — they would mask ordinary text —
   * and the result carries a warning instead (also kept in `warnings`).
   */
  add(secret: Secret | string, label?: string): AddResult {
    const value = secret instanceof Secret ? secret.reveal() : secret;
    const name = secret instanceof Secret ? secret.label : (label ?? 'value');
    if (value.length < MIN_SECRET_LENGTH) {
      const warning =
        value.length === 0
          ? `${name} is empty`
          : `${name} is shorter than ${MIN_SECRET_LENGTH} characters and cannot be masked in output without masking ordinary text; use a longer value`;
      if (!this.#warnings.includes(warning)) this.#warnings.push(warning);
      return { label: name, added: 0, warning };
    }
    let added = 0;
    for (const v of variants(value)) {
      if (!(v.length >= WINDOW ? this.#long.add(v) : this.#short.add(v))) continue;
      if (v.includes('*')) this.#starry = true;
      added++;
    }
    return { label: name, added };
  }

  /** Number of registered needles (values and variants; a URL-safe base64 form counts with its standard one). */
  get size(): number {
    return this.#long.count + this.#short.count;
  }

  /** Warnings about values that could not be registered. */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  /** Sorted, merged spans of `text` that `redact` replaces with the mask. */
  spans(text: string): Span[] {
    return mergeSpans(mergeSpans(this.#long.spans(text), this.#short.spans(text)), shapeSpans(text));
  }

  redact(text: string): string {
    if (typeof text !== 'string') text = String(text);
    if (text.length === 0) return text;
    let out = applySpans(text, this.spans(text));
    // a value that contains the mask can be spelled again by the masked text (`x` + `***` + `yyyy`)
    for (let i = 0; this.#starry && i < 8; i++) {
      const again = applySpans(out, this.spans(out));
      if (again === out) break;
      out = again;
    }
    return out;
  }

  /** Deep-redacts a JSON-like value: strings (and keys) are redacted, Secrets become their label. */
  redactValue<T>(v: T): T {
    return deep(v, (s) => this.redact(s), new WeakMap()) as T;
  }

  /**
   * A line-buffered redacting writer: pieces go in, redacted text comes out through `sink`
   * only once a line is complete (or `flush` is called, or a line grows past `maxLine`).
   */
  stream(sink: (text: string) => void, opts: { maxLine?: number; maxShape?: number } = {}): RedactingStream {
    const maxLine = opts.maxLine ?? 64 * 1024;
    const maxShape = opts.maxShape ?? 512;
    let pending = '';
    const emit = (text: string) => {
      if (text) sink(this.redact(text));
    };
    return {
      write: (chunk: string) => {
        pending += chunk;
        const nl = pending.lastIndexOf('\n');
        if (nl >= 0) {
          emit(pending.slice(0, nl + 1));
          pending = pending.slice(nl + 1);
        }
        if (pending.length > maxLine) {
          // keep back what a match could still need, and never cut inside a match
          let cut = pending.length - Math.max(this.#long.maxLength, this.#short.maxLength, maxShape);
          if (cut <= 0) return;
          for (const [s, e] of this.spans(pending)) {
            if (s < cut && e > cut) cut = e;
            if (s >= cut) break;
          }
          emit(pending.slice(0, cut));
          pending = pending.slice(cut);
        }
      },
      flush: () => {
        emit(pending);
        pending = '';
      },
    };
  }

  /**
   * For `exec`'s `onLine`: takes lines and pieces of over-long lines (`partial: true`) and hands
   * `sink` redacted lines. Pieces are joined before matching, so a secret cut between two pieces
   * is still masked; a line longer than `maxLine` reaches `sink` in pieces cut at safe points.
   */
  lineSink(sink: (line: string) => void, opts: { maxLine?: number; maxShape?: number } = {}): RedactingLineSink {
    let buf = '';
    const s = this.stream((text) => {
      buf += text;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        sink(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      // text without a final newline is a safe cut of a long line
      if (buf.length > 0) {
        sink(buf);
        buf = '';
      }
    }, opts);
    return {
      line: (text, partial = false) => s.write(partial ? text : text + '\n'),
      flush: () => s.flush(),
    };
  }
}

/** A line sink fed by lines and flagged pieces of over-long lines (see `Redactor.lineSink`). */
export interface RedactingLineSink {
  /** a complete line (without its ending), or with `partial` a piece that the next call continues */
  line(text: string, partial?: boolean): void;
  /** emit a held-back piece (call at the end) */
  flush(): void;
}

function applySpans(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const [s, e] of spans) {
    parts.push(text.slice(at, s), MASK);
    at = e;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

function deep(v: unknown, f: (s: string) => string, seen: WeakMap<object, unknown>): unknown {
  if (typeof v === 'string') return f(v);
  if (v instanceof Secret) return v.toString();
  if (v === null || typeof v !== 'object') return v;
  if (seen.has(v)) return seen.get(v);
  if (v instanceof Date) return v;
  if (v instanceof Error) {
    const e: Record<string, unknown> = { name: v.name, message: f(v.message) };
    seen.set(v, e);
    for (const [k, x] of Object.entries(v)) define(e, f(k), deep(x, f, seen));
    return e;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(deep(x, f, seen));
    return out;
  }
  if (v instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(v, out);
    for (const [k, x] of v) out.set(deep(k, f, seen), deep(x, f, seen));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set<unknown>();
    seen.set(v, out);
    for (const x of v) out.add(deep(x, f, seen));
    return out;
  }
  if (ArrayBuffer.isView(v)) return f(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8'));
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const [k, x] of Object.entries(v)) define(out, f(k), deep(x, f, seen));
  return out;
}

/** Sets a key without invoking setters (a `__proto__` key stays an ordinary key). */
function define(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}
