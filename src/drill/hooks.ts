/**
 * How a drill plugs into a run (RunEnv hooks of src/commands/run.ts): it watches the engine's
 * events to move the adversary and measure progress, stands in for the responder on manual
 * steps that have a `drill.takes` (scripted mode), keeps its state for resume, and writes the
 * scorecard into the journal when the run is over.
 */
import { durationMs } from '../core/runbook/step-rules.js';
import type { EngineEvent, EngineObserver } from '../core/engine/events.js';
import type { Clock, OperatorPorts } from '../core/engine/ports.js';
import { sleep } from '../core/engine/retry.js';
import { fold, type RunState } from '../core/journal/fold.js';
import { stepForKey } from '../core/engine/repeat.js';
import type { PrepareContext } from '../commands/run.js';
import type { Adversary, DrillClock } from './adversary.js';
import type { FaultRule, FaultStats } from './faults.js';
import type { Refusal } from './guard.js';
import type { Progress } from './progress.js';
import type { Scenario } from './scenario/schema.js';
import { computeScorecard, formatScorecard, previousDrills, scorecardLine, type Scorecard } from './scorecard.js';
import { leakedState, type LiveWorld } from './world/live.js';
import { Responders } from './responder.js';
import type { DurableWorld } from './world/durable.js';

/** In an interactive drill, the most real time one watch interval (or repeat pause) takes. */
export const WATCH_WAIT_REAL_MS = 400;

export interface HookDeps {
  p: PrepareContext;
  scenario: Scenario;
  seed: number;
  speed: number;
  rules: readonly FaultRule[];
  stats: FaultStats;
  refusals: readonly Refusal[];
  world: LiveWorld;
  clock: DrillClock;
  /** the drill world's time (its epoch + the drill clock), ms since the Unix epoch */
  worldNow(): number;
  adversary: Adversary;
  progress: Progress;
  save(): void;
  durable: DurableWorld;
  setNote(fn: (text: string) => void): void;
}

const TICK_MS = 200;

export function drillHooks(d: HookDeps) {
  const { p, clock, adversary, progress } = d;
  let timer: NodeJS.Timeout | undefined;
  let card: { sc: Scorecard; final: boolean } | undefined;
  let claimed = false;
  const responders = new Responders(clock, p.ctx.signal);

  const tick = () => {
    const now = clock.now();
    // the attacker moves on the drill clock only: nothing before it starts (the TUI starts it on the first key)
    if (clock.running) adversary.tick(now);
    progress.check(now);
    d.durable.onProgress(progress.change());
  };
  clock.onAdvance = tick;

  const scorecard = (status: string, state: RunState | undefined = fold(p.store.read())): Scorecard => {
    const t = progress.state;
    const leaked = leakedState(d.world);
    const consumers = d.world.built.consumers.filter((c) => d.world.built.credentials.get(c.credential)?.leaked);
    return computeScorecard({
      scenario: d.scenario.name,
      seed: d.seed,
      speed: d.speed,
      status,
      times: { detect: progress.detectAt(), contain: t.containAt, rotate: t.rotateAt, notify: t.notifyAt },
      leaked: leaked.length,
      leakedDead: leaked.filter((l) => !l.live).length,
      leakedDetected: progress.leakedIds.filter((id) => t.detected[id] !== undefined).length,
      consumers: consumers.length,
      consumersRotated: consumers.filter((c) => d.world.consumerState(c).restarted).length,
      adversary: adversary.records,
      adversaryPending: adversary.pending,
      persistence: adversary.persistence(),
      state,
      notifyMissing: progress.notifyMissing(),
      duplicates: progress.duplicates(),
      duplicateEffects: d.durable.duplicates(),
      compensatedEffects: d.durable.compensated(),
      faults: d.rules.map((r) => r.text),
      faultsInjected: d.stats.injected,
      refused: d.refusals.length,
      previous: previousDrills(p.stateDir, p.loaded.runbook.id, p.store.incident),
    });
  };

  const onEvent = (e: EngineEvent, inner: EngineObserver): EngineEvent => {
    responders.onEvent(e);
    if (e.type === 'run.begin') {
      timer ??= setInterval(tick, TICK_MS);
      timer.unref();
    }
    if (e.type === 'record') {
      progress.onRecord(e.record, clock.now());
      if (e.record.type === 'step.finished' && e.record.status === 'ok') {
        const step = stepForKey(p.loaded.runbook, e.record.step);
        if (step && (step.kind === 'rotate' || step.drill?.rotates)) progress.stepRotated(clock.now());
      }
      tick();
      // the world persists its own effects as they happen; a snapshot is only a shortcut for resume
      if (d.durable.snapshotDue()) d.save();
      return e;
    }
    if (e.type !== 'run.end') return e;
    stop();
    tick();
    const final = e.status === 'done' || e.status === 'failed';
    // the engine's state of the journal (no second decode of tens of MB), else the journal read once
    const state = e.state ?? fold(p.store.read());
    const sc = scorecard(e.status, state);
    card = { sc, final };
    // the journal already ends with this drill's scorecard: nothing was done since (a finished
    // drill run again). Its scorecard is printed again but not journaled a second time.
    if (final && !state?.scoredLast) {
      try {
        inner({ type: 'record', record: p.store.append({ type: 'scorecard', data: sc }) });
      } catch {
        /* the scorecard is still printed */
      }
    }
    d.save();
    return { ...e, detail: endDetail(e.detail) };
  };

  const endDetail = (detail: string | undefined): string | undefined => (card ? [detail, (card.final ? '' : 'So far: ') + scorecardLine(card.sc)].filter(Boolean).join(' — ') : detail);

  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };

  return {
    stop,
    endDetail,
    /** an event the TUI already showed before the drill's world was up (a deferred start): the drill takes note of it now */
    absorb(e: EngineEvent): void {
      onEvent(e, () => undefined);
    },
    observe(inner: EngineObserver): EngineObserver {
      if (claimed) return inner;
      claimed = true;
      return (e) => inner(onEvent(e, inner));
    },
    attach(engine: { note(text: string): void }): void {
      d.setNote((t) => engine.note(t));
    },
    wrapPorts(ports: OperatorPorts): OperatorPorts {
      // watches and repeat pauses run on drill time
      const drillClock: Clock = {
        now: () => clock.now(),
        // now() in expressions and the providers' timestamps: the world's time, as its simulators stamp it
        wall: () => d.worldNow(),
        async sleep(ms, signal, step) {
          if (!p.interactive || clock.speed <= 0) {
            // scripted (or a clock that does not run by itself, --speed 0): like a simulated
            // responder, the clock jumps once the engine is quiet
            await responders.take(step, ms);
            return !signal.aborted;
          }
          // interactive: drill time passes at the drill's speed (and stands still while paused),
          // but one wait takes at most WATCH_WAIT_REAL_MS of real time: the drill fast-forwards
          // the rest, so a 30-minute watch is watched in seconds, not 3 minutes at 10×
          const due = clock.now() + ms;
          const cap = Date.now() + WATCH_WAIT_REAL_MS;
          while (!signal.aborted) {
            const left = due - clock.now();
            if (left <= 0) return true;
            if (clock.running && Date.now() >= cap) {
              clock.advance(left);
              return true;
            }
            await sleep(Math.min(100, Math.max(20, left / clock.speed)), signal);
          }
          return false;
        },
      };
      if (p.interactive) return { ...ports, clock: drillClock };
      return {
        ...ports,
        clock: drillClock,
        async manual(req) {
          const ans = await ports.manual(req);
          if (ans.done || (!ans.done && ans.skip) || req.item !== undefined) return ans;
          const step = stepForKey(p.loaded.runbook, req.step);
          const takes = step?.kind === 'manual' ? step.drill?.takes : undefined;
          if (takes === undefined) return ans;
          await responders.take(req.step, durationMs(takes));
          const note = `simulated responder (drill): done in ${String(takes)} of drill time`;
          return req.evidence.type === 'link' ? { done: true, via: 'drill responder', link: `https://drill.invalid/${req.step}`, note } : { done: true, via: 'drill responder', note };
        },
      };
    },
    finish(): string[] {
      const c = card ?? { sc: scorecard('interrupted'), final: false };
      return ['', ...formatScorecard(c.sc, { final: c.final })];
    },
  };
}
