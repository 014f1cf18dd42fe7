/**
 * A drill session: everything `runbook drill` sets up around the engine — the scenario, the
 * seed, the world and its simulators (faults attached), the outbound guards, world-made
 * secrets and inputs, the adversary on the drill clock, the simulated responder, progress
 * measured against the world, the state kept for resume, and the scorecard at the end.
 * The engine and the providers are the same as in a live run.
 */
import { boundHeapGrowth } from '../core/engine/heap.js';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { JournalError, StepFailedError, UsageError, isRunbookError } from '../core/errors.js';
import type { Engine } from '../core/engine/engine.js';
import type { EngineEvent, EngineObserver } from '../core/engine/events.js';
import type { OperatorPorts } from '../core/engine/ports.js';
import { fold } from '../core/journal/fold.js';
import { setLoopbackOnly } from '../core/http.js';
import type { Secret } from '../core/secrets/secret.js';
import { diskFull, type PrepareContext, type RunEnv } from '../commands/run.js';
import { storedScenario } from '../commands/shared.js';
import { Adversary, DrillClock, adversaryPlan } from './adversary.js';
import { newFaultStats, parseFaults } from './faults.js';
import { guardOutbound, releaseOutbound } from './guard.js';
import { mergeProgress, Progress } from './progress.js';
import { checkDrillInputs, drillInputs } from './scenario/drill-inputs.js';
import { storedScenarioFor } from './scenario/stored.js';
import { drillDir, drillStateExists, readDrillState, writeDrillState } from './state.js';
import { captureWorld, restoreWorld } from './snapshot.js';
import { buildWorld, secretValue } from './world/build.js';
import { startWorld } from './world/live.js';
import { ValueMaker, worldKey } from './world/values.js';
import { removeAbandonedWorkspaces, removeWorkspace, writeWorkspace } from './world/workspace.js';
import { drillHooks } from './hooks.js';
import { DurableWorld, effectsExist, effectsFile, readEffects } from './world/durable.js';

/** Drill seconds per real second in the TUI by default: a drill minute takes four real minutes. */
export const TUI_SPEED = 0.25;

export const DRILL_FLAGS = {
  scenario: { type: 'string' },
  faults: { type: 'string' },
  seed: { type: 'string' },
  speed: { type: 'string' },
} as const;

/** The questions the engine asks (engine/journal-writer.ts askAfter wraps the same ones). */
const PORTS = ['approve', 'manual', 'settle', 'promptSecret', 'askInput', 'proceed', 'onFailure'] as const;

function numberFlag(name: string, v: unknown, ok: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name} must be ${what}`);
  return n;
}

/** Records a drill journal holds before its world acts on anything (and before any step ran). */
const BEFORE_WORLD = new Set(['incident.opened', 'run.started', 'run.stopped', 'lock.broken', 'note', 'step.started']);
function worldNeverReached(records: readonly { type: string }[]): boolean {
  return records.every((r) => BEFORE_WORLD.has(r.type));
}

/**
 * Read the scenario, build the world, register its credentials with the redactor — with V8's heap
 * growth bounded as during the run (src/core/engine/heap.ts) from here until the drill's
 * `cleanup` has ended: at 10,000 tokens reading the scenario allocates ~1.6 GB, almost all of it
 * short-lived, and left to V8's default the heap grew to 230–250 MiB RSS here, before the engine
 * had started. After the run the drill prints its scorecard and summary and snapshots its world
 * once more: with the bound ended with the engine's run, that tail grew the young generation back
 * to 32 MB and the old one by ~15 MB, the drill's peak (bench/README.md, issue-15 RSS).
 */
export async function prepareDrill(p: PrepareContext): Promise<RunEnv> {
  const release = boundHeapGrowth({ young: true });
  try {
    const env = await prepareDrillWorld(p);
    const cleanup = env.cleanup;
    return {
      ...env,
      cleanup: async () => {
        try {
          await cleanup();
        } finally {
          release();
        }
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

async function prepareDrillWorld(p: PrepareContext): Promise<RunEnv> {
  const { loaded, ctx, store } = p;
  const f = p.flags;
  const dir = drillDir(store.dir);
  /** when the incident opened (a resumed drill: from its journal, read here once; a new one: from its incident.opened record as the engine reports it) */
  let openedAt: string | undefined;
  if (!p.fresh) {
    // before touching the incident's folder: it must be a drill, and no other process may be running it
    const opened = fold(p.records);
    const mode = opened?.mode;
    openedAt = opened?.openedAt;
    if (mode && mode !== 'drill') throw new UsageError(`incident ${store.incident} is a ${mode} incident; it cannot be resumed as a drill`, { nextSteps: ['Use another --incident id.'] });
    store.lock({ breakLock: f['break-lock'] === true });
    store.unlock();
  }
  await removeAbandonedWorkspaces(p.stateDir, store.incident);
  // this incident's own workspace from a killed run: gone before anything below can fail
  await removeWorkspace(join(dir, 'workspace'));
  // A new drill on a terminal starts its world after the first frame (below): a drill killed in
  // that window left a journal that opened the incident and nothing the world could have seen —
  // no step's call, answer or outcome. Its world is started now, as for a new drill; anything
  // more in the journal and a missing world stays an error (never resumed in a fresh one).
  const prior = p.fresh || (!drillStateExists(dir) && worldNeverReached(p.records)) ? undefined : readDrillState(dir);
  // the effects the world confirmed since the snapshot (a missing log is an error too, except for a drill saved before there was one)
  let log: ReturnType<typeof readEffects> | undefined;
  if (prior?.version === 2) {
    if (!effectsExist(dir)) throw new JournalError(`the drill world of this incident is missing its effects log (${effectsFile(dir)})`, { nextSteps: ['A drill is resumed only in the world it acted on: start a new drill (another --incident).'] });
    log = readEffects(dir);
  }
  const later = (log?.effects ?? []).filter((e) => e.n > (prior?.effects ?? 0));
  // a shipped scenario's stored form; any other is read and checked (the parser loads only then)
  const sc = storedScenarioFor(loaded, f.scenario as string | undefined, ctx.cwd, storedScenario()) ?? (await import('./scenario/load.js')).scenarioFor(loaded, f.scenario as string | undefined, ctx.cwd);
  const { scenario, file, faults: runbookFaults } = sc;
  const seedFlag = numberFlag('seed', f.seed, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, 'a whole number from 0 to 4294967295');
  if (prior && seedFlag !== undefined && seedFlag !== prior.seed) throw new UsageError(`--seed ${seedFlag} differs from the seed this drill started with (${prior.seed})`, { nextSteps: ['Drop --seed to resume, or start a new drill.'] });
  const seed = seedFlag ?? prior?.seed ?? scenario.seed ?? randomInt(2 ** 31);
  // on a terminal a person reads each screen: the drill clock runs slower than the scenario's
  // time_scale (which unattended and --yes runs use) unless --speed says otherwise
  const speed = numberFlag('speed', f.speed, (n) => n >= 0 && n <= 3600, 'a number from 0 to 3600 (drill seconds per real second)') ?? prior?.speed ?? (p.interactive ? TUI_SPEED : (scenario.time_scale ?? 1));
  const faultSpec = f.faults !== undefined ? (f.faults as string) : prior ? prior.faults : (scenario.faults ?? runbookFaults);
  const rules = parseFaults(faultSpec);

  const values = new ValueMaker(worldKey(seed));
  const built = buildWorld(scenario, values);
  const awsKeyId = (id: string) => {
    const c = built.credentials.get(id);
    return c?.service === 'aws' ? c.value : undefined;
  };
  // a scenario input the runbook lacks is the scenario's problem (file:line:col), not a bad --input
  await checkDrillInputs(loaded, sc, p.inputs, join(dir, 'workspace'), awsKeyId);
  const types = new Set(Object.values(loaded.runbook.providers).map((x) => x.type));
  const sameRules = prior !== undefined && prior.faults.join(',') === rules.map((r) => r.text).join(',');
  const stats = newFaultStats(sameRules ? prior.faultStats : undefined);
  // guards first: nothing below may reach past loopback
  setLoopbackOnly(true);
  const refusals = guardOutbound();
  // the redactor knows every world credential before the engine opens the incident (it
  // fingerprints inputs that look like one); an AWS access key id is an identifier (runbooks
  // show it), its secret access key is the secret
  for (const c of built.credentials.values()) {
    if (c.service !== 'aws') p.secrets.create(c.value, `drill credential ${c.id}`);
    if (c.secret) p.secrets.create(c.secret, `drill credential ${c.id} (secret)`);
  }
  for (const [label, v] of built.generated) p.secrets.create(v, `drill value ${label}`);
  const workspace = join(dir, 'workspace');

  // on a terminal the clock starts with the responder's first key (the TUI calls start())
  const clock = new DrillClock(speed, Math.max(prior?.clockMs ?? 0, ...later.map((e) => e.at)), { paused: p.interactive });
  // the drill world's time (now() in expressions, the providers' and the simulators' timestamps):
  // its epoch — the incident's opening; until the journal holds it, the time it opens — plus the
  // drill clock. It never stands still: a clock that does not run by itself (--speed 0, scripted
  // jumps) would give a call and the next the same millisecond, and "issued before" comparisons
  // (AWSRevokeOlderSessions) would no longer tell them apart — each reading is 1 ms past the last
  // (never by decoding the journal mid-run: at the first call of a 10,000-token fan-out that was
  // 29 MB of text and every record parsed — a transient 60 MB, the drill's peak memory)
  let epoch = openedAt === undefined ? undefined : Date.parse(openedAt);
  const started = Date.now();
  let last = 0;
  const worldNow = (): Date => {
    last = Math.max((epoch ?? started) + clock.now(), last + 1);
    return new Date(last);
  };
  /** the engine's observer, noting the incident's opening as it is journaled */
  const notingOpening =
    (o: EngineObserver): EngineObserver =>
    (e) => {
      if (epoch === undefined && e.type === 'record' && e.record.type === 'incident.opened') epoch = Date.parse(e.record.ts);
      o(e);
    };

  /** The simulators, the workspace, the attacker, progress and the drill's own journal: the running drill. */
  const startLive = async () => {
    const world = await startWorld({ scenario, built, types, faults: rules, seed, stats });
    if (world.aws) {
      // keys CreateAccessKey makes come from the seed too: a resumed world makes (and names) the same ones
      world.aws.world.keyMaker = (n) => {
        const id = values.awsKeyId(`created-${n}`);
        const secret = values.awsSecret(`created-${n}`);
        if (!built.generated.has(`aws-key:${n}`)) p.secrets.create(secret, `drill created key ${n} (secret)`);
        built.generated.set(`aws-key:${n}`, id);
        built.generated.set(`aws-secret:${n}`, secret);
        return { id, secret };
      };
      // so are the ids of role sessions the attacker assumes (an id is an identifier, not a secret)
      world.aws.world.sessionMaker = (n) => values.awsSessionId(n);
    }
    try {
      await writeWorkspace(workspace, scenario, built);
    } catch (e) {
      // the world is up: close it, or its servers keep the process alive (a full disk hung here)
      await world.close();
      throw e;
    }
    if (world.aws) world.aws.world.now = worldNow;
    // what the other simulators create or change is stamped with the drill's clock too (not wall-clock time)
    for (const sim of [world.hf, world.github, world.slack]) sim?.useClock(() => worldNow().getTime());
    let engineNote: ((text: string) => void) | undefined;
    const late: { durable?: DurableWorld } = {};
    const adversary = new Adversary({
      steps: scenario.adversary,
      world,
      values,
      onRecord: (r) => {
        late.durable?.onAdversary(r);
        engineNote?.(`drill: adversary ${r.do} with ${r.credential}${r.target ? ` on ${r.target}` : ''} at ${Math.round(r.at / 1000)}s — ${r.outcome}: ${r.detail}`);
      },
      register: (v) => p.secrets.create(v, 'drill attacker credential'),
      done: [...(prior?.adversary ?? []), ...later.flatMap((e) => (e.adv ? [e.adv] : []))],
    });
    if (prior?.world) restoreWorld(world, prior.world, values, adversary);
    for (const e of later) if (e.part) restoreWorld(world, e.part, values, adversary);
    // progress effects hold what changed (older logs: the whole state); folded onto the snapshot's
    let progressState = prior?.progress;
    for (const e of later) if (e.prog) progressState = mergeProgress(progressState, e.prog);
    const progress = new Progress(world, scenario, p.fingerprintKey, adversary.posted, progressState);
    const dw = new DurableWorld(dir, world, adversary, ctx.redactor, () => clock.now());
    dw.open(log?.effects ?? [], log?.goodBytes);
    late.durable = dw;
    world.hf?.setEffects(dw.onHttp('hf', 'huggingface'));
    world.github?.setEffects(dw.onHttp('github', 'github'));
    world.aws?.setEffects(dw.onHttp('aws', 'aws'));
    world.slack?.setEffects(dw.onHttp('slack', 'slack'));
    world.pagerduty?.setEffects(dw.onHttp('pagerduty', 'pagerduty'));
    world.smtp?.setOnMessage((m) => dw.onMail(m));

    const snapshot = () => {
      writeDrillState(dir, {
        version: 2,
        seed,
        speed,
        faults: rules.map((r) => r.text),
        faultStats: stats,
        scenario: file,
        clockMs: clock.now(),
        adversary: adversary.records,
        progress: progress.state,
        world: captureWorld(world, adversary, ctx.redactor, dw.naming),
        effects: dw.count,
      });
      dw.sinceSnapshot = 0;
    };
    // a new drill has its world on disk before the incident opens (a deferred start: before any step runs); a resumed one keeps its own
    if (!prior) snapshot();
    const save = () => {
      try {
        snapshot();
      } catch {
        /* the effects log since the last snapshot still holds everything */
      }
    };

    const unsim = world.unsimulated(loaded.runbook.providers);
    const preamble = [
      `drill: scenario ${scenario.name} (${file}), seed ${seed}, ${speed} drill s per real s${prior ? `, resumed at drill time ${Math.round(clock.now() / 1000)}s` : ''}`,
      `drill: simulators ${Object.entries(world.endpoints).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'} — every other outbound connection is refused`,
      `drill: ${built.credentials.size} credentials (${[...built.credentials.values()].filter((c) => c.leaked).length} leaked), ${adversary.pending} adversary action(s) scheduled${rules.length ? `, faults: ${rules.map((r) => r.text).join(', ')}` : ''}`,
      ...(unsim.length ? [`drill: no simulator for ${unsim.join(', ')}: only loopback addresses can be reached from them`] : []),
    ];
    if (!p.interactive) for (const l of preamble) ctx.stderr.write(ctx.redactor.redact(l) + '\n');

    const hooks = drillHooks({
      p,
      scenario,
      seed,
      speed,
      rules,
      stats,
      refusals,
      world,
      clock,
      worldNow: () => worldNow().getTime(),
      adversary,
      progress,
      save,
      durable: dw,
      setNote: (fn) => (engineNote = fn),
    });
    return { world, adversary, dw, hooks, save, configFor: world.configFor(p.registry) };
  };

  const resolveSecrets = async (): Promise<Record<string, Secret>> => {
    const out: Record<string, Secret> = {};
    for (const name of Object.keys(loaded.runbook.secrets)) {
      const s = p.secrets.create(secretValue(scenario, built, values, name), `secrets.${name}`);
      p.secrets.set(name, s);
      out[name] = s;
    }
    return out;
  };

  // A new drill on a terminal: the TUI's first complete frame (the plan, the first question)
  // does not wait for the simulators, the workspace and the attacker — they start once that
  // frame is up (begin(), from the TUI), and no answer reaches the engine before they run, so a
  // key pressed meanwhile is acted on, never dropped (issue 12). Resumed and scripted drills
  // start everything first, as before.
  // (only a new incident: every step then starts with a question; a resumed run may call a provider at once, e.g. to verify an item in doubt)
  const deferred = p.interactive && p.fresh;
  let live: Awaited<ReturnType<typeof startLive>> | undefined;
  let starting: Promise<NonNullable<typeof live>> | undefined;
  const onLive: ((l: NonNullable<typeof live>) => void)[] = [];
  const begin = (): Promise<NonNullable<typeof live>> =>
    (starting ??= startLive().then((l) => {
      live = l;
      for (const f of onLive.splice(0)) f(l);
      return l;
    }));
  if (!deferred) {
    try {
      await begin();
    } catch (e) {
      releaseOutbound();
      setLoopbackOnly(false);
      throw e;
    }
  } // deferred: started by the TUI once its first complete frame is up (RunEnv.begin), else by the first answer
  const ready = async (): Promise<NonNullable<typeof live>> => {
    try {
      return await begin();
    } catch (e) {
      const d = diskFull(e, dir);
      throw isRunbookError(d) ? d : new StepFailedError(`the drill's simulated world did not start: ${(e as Error)?.message ?? String(e)}`, { nextSteps: ['Nothing was called. Run the same command again to resume.'] });
    }
  };
  const firstMove = adversaryPlan(scenario.adversary)[0];
  const move = (m: { ms: number; do: string; target?: string; credential: string } | undefined) => m && { at: m.ms, what: `${m.do.replace(/^[a-z]+\./, '').replace(/_/g, ' ')}${m.target ? ` ${m.target}` : ''} with ${m.credential}` };
  let claimed = false;
  let engine: Engine | undefined;
  const observeWorld = (innerObserver: EngineObserver): EngineObserver => {
    if (!deferred) return live!.hooks.observe(innerObserver);
    if (claimed) return innerObserver;
    claimed = true;
    // until the world runs, the TUI sees each event at once and the drill takes note of it when it starts
    let real: EngineObserver | undefined;
    const seen: EngineEvent[] = [];
    let end: EngineEvent | undefined;
    onLive.push((l) => {
      real = l.hooks.observe(innerObserver);
      for (const e of seen.splice(0)) l.hooks.absorb(e);
      if (end) real(end);
    });
    return (e) => {
      if (real) return real(e);
      if (e.type === 'run.end') {
        // the run ended before anything was answered: the scorecard needs the world
        end = e;
        void begin().catch(() => undefined);
        return;
      }
      seen.push(e);
      innerObserver(e);
    };
  };

  return {
    inputs: drillInputs(scenario, loaded.runbook.drill?.inputs, p.inputs, workspace, awsKeyId),
    configFor: (instance, type, config) => {
      if (!live) throw new Error(`drill: provider ${instance} called before the drill's world started`);
      return live.configFor(instance, type, config);
    },
    resolveSecrets,
    begin: () => void begin().catch(() => undefined), // the error reaches the run through ready()
    settled: async () => {
      if (starting) await starting.catch(() => undefined);
    },
    wrapPorts(ports: OperatorPorts): OperatorPorts {
      if (!deferred) return live!.hooks.wrapPorts(ports);
      // every answer waits until the world runs (a question is shown at once)
      const gated = { ...ports } as OperatorPorts;
      for (const k of PORTS) {
        const fn = ports[k] as ((...a: unknown[]) => Promise<unknown>) | undefined;
        if (fn)
          (gated as unknown as Record<string, unknown>)[k] = async (...a: unknown[]) => {
            const answer = await fn.apply(ports, a);
            await ready();
            return answer;
          };
      }
      // the drill clock (as drillHooks gives it) for watches and repeat pauses, which run only once the world does
      let inner: OperatorPorts | undefined;
      const drillClock = () => (inner ??= live!.hooks.wrapPorts(ports)).clock!;
      return { ...gated, clock: { now: () => clock.now(), wall: () => worldNow().getTime(), sleep: (ms, signal, step) => drillClock().sleep(ms, signal, step) } };
    },
    observe(innerObserver: EngineObserver): EngineObserver {
      return notingOpening(observeWorld(innerObserver));
    },
    attach(e: Engine): void {
      engine = e;
      if (live) live.hooks.attach(e);
      else onLive.push((l) => l.hooks.attach(engine!));
    },
    finish: () => live?.hooks.finish() ?? [],
    endDetail: (detail) => (live ? live.hooks.endDetail(detail) : detail),
    // what resuming needs that the drill's saved state does not keep
    resumeFlags: typeof f.scenario === 'string' ? ['--scenario', f.scenario] : [],
    drill: {
      speed,
      now: () => clock.now(),
      running: () => clock.running,
      start: () => clock.start(),
      pause: () => clock.pause(),
      next: () => (live ? move(live.adversary.nextMove()) : move(firstMove)),
      attackerLive: () => live?.adversary.persistence() ?? 0,
    },
    cleanup: async () => {
      const l = starting ? await starting.catch(() => undefined) : undefined;
      if (l) {
        l.hooks.stop();
        l.save();
        await removeWorkspace(workspace);
        await l.world.close();
        await l.dw.close();
      } else await removeWorkspace(workspace);
      releaseOutbound();
      setLoopbackOnly(false);
    },
  };
}
