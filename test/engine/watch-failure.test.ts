/**
 * Leftover: a `watch` check whose call failed ended the step at once — no retry prompt, where
 * every other failed step asks the operator (retry / continue / stop; the TUI's failure prompt).
 * A failed check now asks the same question through the ports' onFailure: retry runs the
 * check's call again and the watch goes on; continue goes on past the step; stop stops the run.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lookWatchYaml, probe, read, runWatch, testClock, watchPorts, workspace } from './helpers.js';
import { ProviderError } from '../../src/core/errors.js';
import type { FailureAnswer } from '../../src/core/engine/ports.js';

/** A read that fails (definitely: no automatic retry) on the given call numbers. */
function flakyProbe(failOn: number[]) {
  const calls = { n: 0 };
  const def = probe({
    look: read({
      input: z.strictObject({}),
      output: z.object({ used: z.boolean() }),
      async run(ctx) {
        calls.n++;
        if (failOn.includes(calls.n)) throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'HTTP 500 from the audit log', failure: 'definite' });
        return { used: false };
      },
    }),
  });
  return { def, calls };
}

const yaml = lookWatchYaml({ id: 'watch-failure', title: 'Watch failure', watch: ' { every: 1m, for: 3m, fail_if: result.used }', after: '  - id: after\n    kind: manual\n    title: After the watch\n' });

async function run(failOn: number[], answers: FailureAnswer[]) {
  const w = workspace();
  const prov = flakyProbe(failOn);
  const ctl = new AbortController();
  const asked: { step: string; title: string; message: string; items: string[] }[] = [];
  const clock = testClock(ctl);
  const ports = watchPorts(clock, { after: '' });
  ports.onFailure = async (step, error) => {
    asked.push({ step: step.id, title: step.title, ...error });
    return answers.shift() ?? 'stop';
  };
  const { result } = await runWatch({ yaml, w, providers: [prov.def], clock, ctl, ports });
  return { result, asked, calls: prov.calls };
}

describe('a failed watch check', () => {
  it('asks retry / continue / stop; retry runs the check again and the watch goes on', async () => {
    const { result, asked, calls } = await run([2], ['retry']);
    expect(asked).toEqual([{ step: 'monitor', title: 'Watch for further use', message: 'check 2 failed: p.look: HTTP 500 from the audit log', items: ['check-2'] }]);
    expect(result.status, result.detail).toBe('done');
    expect(calls.n).toBe(5); // checks at 0, 1m (failed, then again), 2m, 3m
    expect(result.state?.steps.monitor).toMatchObject({ status: 'ok', outputs: { checks: 4, seen: false } });
  });

  it('continue goes on past the failed step; stop ends the run failed', async () => {
    const cont = await run([1], ['continue']);
    expect(cont.asked).toHaveLength(1);
    expect(cont.result.state?.steps.monitor?.status).toBe('failed');
    expect(cont.result.state?.steps.after?.status).toBe('ok');
    const stop = await run([1], ['stop']);
    expect(stop.result.status).toBe('failed');
    expect(stop.result.state?.steps.after?.status ?? 'pending').toBe('pending');
  });
});
