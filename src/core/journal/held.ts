/**
 * The journal as its lock holder last decoded it, kept until that holder writes a record or lets
 * the lock go. The file has one writer at a time — the lock holder — so while it writes nothing
 * the file is what it decoded (its size is checked too). A resume reads the journal three times
 * — open()'s tamper check, the checklist's fold, the engine's prior state — and a journal of
 * 10,000 items takes ~100 MiB and seconds to decode: the three share one decode.
 */
import type { Decoded } from './codec.js';

export class HeldDecode {
  #d: Decoded | undefined;
  /** the file's size when it was decoded (its good bytes once a torn last line is cut off) */
  #bytes = 0;

  keep(d: Decoded, bytes: number): void {
    this.#d = d;
    this.#bytes = bytes;
  }

  /** The kept decode, when there is one and the file is still `size` bytes (else it is dropped). */
  take(size: number): { d: Decoded; bytes: number } | undefined {
    if (this.#d === undefined || size !== this.#bytes) return this.drop();
    return { d: this.#d, bytes: this.#bytes };
  }

  /** The torn last line was cut off: the file is now its good bytes. */
  truncated(bytes: number): void {
    if (this.#d) this.#bytes = bytes;
  }

  drop(): undefined {
    this.#d = undefined;
    return undefined;
  }
}
