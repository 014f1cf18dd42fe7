/**
 * The simulated responder of a scripted drill: a manual step with `drill.takes` is done by
 * "someone" who needs that much drill time. Its time passes alongside the automated steps
 * (which are fast): the responder waits until nothing but simulated responders is running (or
 * the engine has been quiet for a moment), then the drill clock jumps to the earliest
 * responder's finish time and that step is done. Several responders at once overlap, as
 * several people would.
 */
import type { EngineEvent } from '../core/engine/events.js';
import type { DrillClock } from './adversary.js';

const QUIET_MS = 2000;

interface Pending {
  step: string;
  due: number;
  resolve: () => void;
}

export class Responders {
  readonly #clock: DrillClock;
  readonly #pending: Pending[] = [];
  readonly #running = new Set<string>();
  #quiet: NodeJS.Timeout | undefined;
  #queued = false;

  constructor(clock: DrillClock, signal: AbortSignal) {
    this.#clock = clock;
    signal.addEventListener('abort', () => this.releaseAll(), { once: true });
  }

  /** Resolves when the simulated responder has finished the step (drill time moved by `ms`). */
  take(step: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#pending.push({ step, due: this.#clock.now() + ms, resolve });
      this.#schedule();
    });
  }

  /** Every engine event: track which steps are running. */
  onEvent(e: EngineEvent): void {
    if (e.type === 'record') {
      const r = e.record;
      if (r.type === 'step.started') this.#running.add(r.step);
      else if (r.type === 'step.finished') this.#running.delete(r.step);
    } else if (e.type === 'waiting') this.#running.delete(e.step);
    else if (e.type === 'run.end') this.releaseAll();
    this.#schedule();
  }

  releaseAll(): void {
    for (const p of this.#pending.splice(0)) p.resolve();
    if (this.#quiet) clearTimeout(this.#quiet);
  }

  #schedule(): void {
    if (this.#quiet) clearTimeout(this.#quiet);
    this.#quiet = undefined;
    if (!this.#pending.length) return;
    const busy = this.#busy();
    if (busy === 0) {
      // after the current turn: the engine starts the next steps in microtasks of this one
      if (!this.#queued) {
        this.#queued = true;
        setImmediate(() => {
          this.#queued = false;
          if (this.#busy() === 0) this.#finishNext();
          else this.#schedule();
        });
      }
      return;
    }
    this.#quiet = setTimeout(() => this.#finishNext(), QUIET_MS);
    this.#quiet.unref();
  }

  /** steps running that are not waiting for a simulated responder */
  #busy(): number {
    return [...this.#running].filter((s) => !this.#pending.some((p) => p.step === s)).length;
  }

  #finishNext(): void {
    if (!this.#pending.length) return;
    this.#pending.sort((a, b) => a.due - b.due);
    const next = this.#pending.shift()!;
    const now = this.#clock.now();
    this.#clock.advance(Math.max(0, next.due - now));
    next.resolve();
  }
}
