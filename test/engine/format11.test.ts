/**
 * Format 1.1 in the engine: `repeat` (rounds until an expression holds, at most max, each round
 * journaled under its own key) and `watch` (a check every interval for a duration, stopping
 * early when the condition is seen, keeping the time watched across quit/resume).
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FIXTURES, lookWatchYaml, probe as probeProvider, read, runEngine, runWatch, testClock, workspace, fileLines as lines } from './helpers.js';
import type { Clock } from '../../src/core/engine/ports.js';
import { planRunbook } from '../../src/core/engine/plan.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';
import { ProviderRegistry } from '../../src/providers/registry.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { randomBytes } from 'node:crypto';

const repeatYaml = readFileSync(join(FIXTURES, 'repeat.yaml'), 'utf8');

function ws() {
  const w = workspace();
  copyFileSync(join(FIXTURES, 'keys.mjs'), join(w.dir, 'keys.mjs'));
  return w;
}

describe('repeat', () => {
  it('runs rounds until the expression holds: the key the attacker made in round 1 is disabled in round 2, round 3 finds nothing', async () => {
    const w = ws();
    const { result, journal } = await runEngine({ yaml: repeatYaml, dir: w.dir, stateDir: w.stateDir, inputs: { effects: w.effects }, yes: true });
    expect(result.status, result.detail).toBe('done');
    // each key disabled once; the step after the loop reads the repeat's rounds and the last round's outputs
    expect(lines(w.effects)).toEqual(['k1', 'k2', 'rounds=3 last=0']);
    const st = result.state!;
    expect(st.steps.eradicate?.status).toBe('ok');
    expect(st.steps.eradicate?.outputs).toEqual({ rounds: 3, until_met: true });
    // each round journaled under its own key
    expect(st.steps['eradicate#1.disable']?.itemOrder).toEqual(['k1']);
    expect(st.steps['eradicate#2.disable']?.itemOrder).toEqual(['k2']);
    expect(st.steps['eradicate#3.find']?.status).toBe('ok');
    expect(st.steps['eradicate#4.find']).toBeUndefined();
    const started = journal.read().filter((r) => r.type === 'step.started').map((r) => (r as { step: string }).step);
    expect(started).toEqual(['start', 'eradicate', 'eradicate#1.find', 'eradicate#1.disable', 'eradicate#2.find', 'eradicate#2.disable', 'eradicate#3.find', 'eradicate#3.disable', 'report']);
  });

  it('reaching max without until holding fails the step, naming it and the rounds', async () => {
    const w = ws();
    const yaml = repeatYaml.replace('max: 5', 'max: 2');
    const { result } = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, inputs: { effects: w.effects }, yes: true });
    expect(result.status).toBe('failed');
    expect(result.detail).toBe('eradicate: 2 round(s) ran and until (length(steps.find.outputs.json) == 0) never held');
    expect(result.state?.steps.eradicate?.status).toBe('failed');
    expect(result.state?.steps.report?.status).toBeUndefined();
    expect(lines(w.effects)).toEqual(['k1', 'k2']);
  });

  it('on_max: continue finishes ok with until_met false', async () => {
    const w = ws();
    const yaml = repeatYaml.replace('max: 5', 'max: 2\n      on_max: continue');
    const { result } = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, inputs: { effects: w.effects }, yes: true });
    expect(result.status, result.detail).toBe('done');
    expect(result.state?.steps.eradicate?.outputs).toEqual({ rounds: 2, until_met: false });
    expect(lines(w.effects)).toEqual(['k1', 'k2', 'rounds=2 last=1']);
  });

  it('an approval gate inside a round names the round key; approving it resumes in that round', async () => {
    const w = ws();
    const first = await runEngine({ yaml: repeatYaml, dir: w.dir, stateDir: w.stateDir, inputs: { effects: w.effects } });
    expect(first.result.status).toBe('waiting');
    expect(first.result.detail).toContain('--approve eradicate#1.disable');
    const second = await runEngine({ yaml: repeatYaml, dir: w.dir, stateDir: w.stateDir, approve: ['eradicate#1.disable'] });
    expect(second.result.status).toBe('waiting');
    expect(second.result.detail).toContain('--approve eradicate#2.disable');
    expect(lines(w.effects)).toEqual(['k1']);
    const third = await runEngine({ yaml: repeatYaml, dir: w.dir, stateDir: w.stateDir, approve: ['eradicate#2.disable'] });
    expect(third.result.status, third.result.detail).toBe('done');
    expect(lines(w.effects)).toEqual(['k1', 'k2', 'rounds=3 last=0']);
    // round 1's find ran once: the resumed runs continued in the round they stopped in
    const finds = third.journal.read().filter((r) => r.type === 'intent' && r.step === 'eradicate#1.find');
    expect(finds).toHaveLength(1);
  });
});


/** A read the watch calls: `seen` answers true from the given check number on. */
function probe(seenFrom = Infinity) {
  const calls = { n: 0 };
  const def = probeProvider({
    look: read({
      input: z.strictObject({}),
      output: z.object({ used: z.boolean(), n: z.number() }),
      async run() {
        calls.n++;
        return { used: calls.n >= seenFrom, n: calls.n };
      },
    }),
  });
  return { def, calls };
}

const watchYaml = (cond = 'fail_if: result.used') => lookWatchYaml({ id: 'watch-test', title: 'Watch test', watch: `\n      every: 1m\n      for: 10m\n      ${cond}` });

function watchRun(w: ReturnType<typeof ws>, yaml: string, prov: ReturnType<typeof probe>, clock: Clock, ctl = new AbortController()) {
  return runWatch({ yaml, w, providers: [prov.def], clock, ctl });
}

describe('watch', () => {
  it('checks every interval for the whole duration when nothing is seen, on the clock it is given', async () => {
    const w = ws();
    const prov = probe();
    const ctl = new AbortController();
    const clock = testClock(ctl);
    const { result, events } = await watchRun(w, watchYaml(), prov, clock, ctl);
    expect(result.status, result.detail).toBe('done');
    expect(prov.calls.n).toBe(11); // at 0, 1m, … 10m
    expect(clock.t).toBe(10 * 60_000);
    expect(result.state?.steps.monitor?.outputs).toEqual({ checks: 11, seen: false, watched_ms: 600_000, last: { used: false, n: 11 } });
    const watching = events.filter((e) => e.type === 'watching');
    expect(watching).toHaveLength(10);
    expect(watching[0]).toMatchObject({ step: 'monitor', checks: 1, remainingMs: 600_000, nextCheckMs: 60_000 });
  });

  it('fail_if: stops at the first check that sees it and fails the step', async () => {
    const w = ws();
    const prov = probe(4);
    const ctl = new AbortController();
    const { result } = await watchRun(w, watchYaml(), prov, testClock(ctl), ctl);
    expect(result.status).toBe('failed');
    expect(prov.calls.n).toBe(4);
    expect(result.detail).toBe('monitor: fail_if (result.used) seen at check 4 (3m00s of 10m00s watched)');
  });

  it('until: stops early and finishes ok with seen: true', async () => {
    const w = ws();
    const prov = probe(2);
    const ctl = new AbortController();
    const { result } = await watchRun(w, watchYaml('until: result.used'), prov, testClock(ctl), ctl);
    expect(result.status).toBe('done');
    expect(prov.calls.n).toBe(2);
    expect(result.state?.steps.monitor?.outputs).toMatchObject({ checks: 2, seen: true, watched_ms: 60_000 });
  });

  it('quit and resume keeps the time already watched: only the remaining time is watched', async () => {
    const w = ws();
    const prov = probe();
    const ctl1 = new AbortController();
    const first = await watchRun(w, watchYaml(), prov, testClock(ctl1, 4), ctl1); // quits during the 4th wait
    expect(first.result.status).toBe('interrupted');
    expect(prov.calls.n).toBe(4);
    expect(first.result.state?.steps.monitor?.watch).toEqual({ checks: 4, watchedMs: 180_000, forMs: 600_000 });
    const ctl2 = new AbortController();
    const clock2 = testClock(ctl2);
    clock2.t = 5_000_000; // another process: its clock has nothing to do with the first one's
    const second = await watchRun(w, watchYaml(), prov, clock2, ctl2);
    expect(second.result.status, second.result.detail).toBe('done');
    // 3m were watched: 7m are left — checks at once, then every minute: 8 more, not 11
    expect(prov.calls.n).toBe(4 + 8);
    expect(clock2.t - 5_000_000).toBe(7 * 60_000);
    expect(second.result.state?.steps.monitor?.outputs).toMatchObject({ checks: 12, seen: false, watched_ms: 600_000 });
  });
});

describe('plan', () => {
  it('shows a repeat with its inner steps (any round) and a watch with its schedule', async () => {
    const registry = new ProviderRegistry();
    const prov = probe();
    registry.add(prov.def, 'test');
    const rep = await planRunbook(loadRunbookText(repeatYaml, 'repeat.yaml'), registry, { effects: '/dev/null' }, new SecretRegistry(), randomBytes(32));
    expect(rep.map((p) => [p.id, p.needs])).toEqual([
      ['start', []],
      ['eradicate', ['start']],
      ['eradicate#*.find', ['eradicate']],
      ['eradicate#*.disable', ['eradicate#*.find']],
      ['report', ['eradicate']],
    ]);
    expect(rep[1]).toMatchObject({ confirm: false, note: 'repeat: runs its 2 steps in order, round after round, until length(steps.find.outputs.json) == 0 (at most 5 rounds)' });
    const w = await planRunbook(loadRunbookText(watchYaml(), 'w.yaml', { registry }), registry, {}, new SecretRegistry(), randomBytes(32));
    expect(w[0]!.note).toBe('watch: a check every 1m for 10m; fails as soon as result.used');
    expect(prov.calls.n).toBe(0);
  });
});
