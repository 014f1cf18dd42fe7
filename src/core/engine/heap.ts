/**
 * V8's heap growth, bounded while an engine run lasts.
 *
 * After each full (mark-compact) collection V8 lets the old generation grow to a multiple of what
 * stayed live before it collects again — up to 4× on a machine with memory to spare. An incident
 * run keeps a steady live set (the redactor, the journal's folded state, a drill's world) and
 * allocates steadily around it (every call, record and answer); at 10,000 leaked tokens the live
 * set is 80–100 MB and the heap grew to ~320 MB before the next full collection: a drill peaked
 * at 386–477 MiB RSS with ~100 MB in use. With the growth bounded to HEAP_GROWING_PERCENT the
 * heap is collected when it has grown by that share of what is live (V8 still waits for at least
 * a few MB on a small heap): more frequent full collections, each a few tens of ms on ~100 MB
 * and mostly concurrent (bench/README.md records the cost in time).
 *
 * A drill (`young`) also keeps the young generation at the size it has when the bound is taken (V8 would double its
 * semi-spaces up to 16 MiB each as survivors add up — 32 MB of RSS that a 10,000-token drill
 * committed and kept; with it held, the drill peaked at 240–270 instead of 267–316 MiB, at
 * 1.17× its wall time: more scavenges and promotions). The scanner's lever (src/commands/scan.ts).
 *
 * `--heap-growing-percent` is read each time V8 computes the next limit, so setting it at run
 * time takes effect at the next full collection (unlike the heap's maximum sizes, read once at
 * start-up), and `--semi-space-growth-factor` each time V8 would grow the young generation; 0 and
 * 2 are V8's defaults, put back when the last run ends.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 10;

let holders = 0;
let youngHolders = 0;

/**
 * Bound the heap's growth until the returned function is called (runs may nest: the last release
 * restores V8's default). `young`: also keep the young generation at its size (a drill: 10–15%
 * less peak RSS at 10,000 tokens for ~1.17× wall time, bench/README.md — a live run does not pay it).
 */
export function boundHeapGrowth(opts: { young?: boolean } = {}): () => void {
  if (holders++ === 0) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const young = opts.young === true;
  if (young && youngHolders++ === 0) setFlagsFromString('--semi-space-growth-factor=1');
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) setFlagsFromString('--heap-growing-percent=0');
    if (young && --youngHolders === 0) setFlagsFromString('--semi-space-growth-factor=2');
  };
}

/** Whether a run holds the heap's growth bounded now. */
export function heapGrowthBounded(): boolean {
  return holders > 0;
}

/**
 * V8's defaults back for good, whoever holds the bounds (this one and the scanner's young
 * generation, src/commands/scan.ts): for the process's last moments. V8 stamps a code cache with
 * a hash of the flags that differ from their defaults and refuses a cache stamped otherwise —
 * one written while a run held the bounds would be refused by every later process
 * (src/code-cache.ts writes at exit).
 */
export function restoreHeapDefaults(): void {
  holders = 0;
  youngHolders = 0;
  setFlagsFromString('--heap-growing-percent=0');
  setFlagsFromString('--semi-space-growth-factor=2');
}
