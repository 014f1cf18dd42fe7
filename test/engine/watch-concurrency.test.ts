/**
 * A watch over a fan-out (a detect step: its calls are reads) runs each check's calls
 * `concurrency` at a time, like the step's fan-out (default 4) — a 30-minute watch over 10,000
 * tokens is 310,000 calls, one after another it is far longer than the watch. A check stops at
 * the first item (in planned order) that fails: no further item starts, the calls in flight
 * settle, and the step fails naming that item.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fanOutWatchYaml, listTokens, probe, read, runWatch, testClock, tokenKey as keyOf, workspace } from './helpers.js';
import { ProviderError } from '../../src/core/errors.js';

const N = 60;

function world(o: { failAt?: { check: number; keys: string[] } } = {}) {
  const calls = new Map<string, number>();
  const seen = { inFlight: 0, most: 0 };
  const def = probe({
    list: listTokens(N),
    look: read({
      input: z.strictObject({ key: z.string() }),
      output: z.object({ live: z.boolean() }),
      async run(ctx, input) {
        const n = (calls.get(input.key) ?? 0) + 1;
        calls.set(input.key, n);
        seen.inFlight++;
        seen.most = Math.max(seen.most, seen.inFlight);
        // a call that takes a while (several turns of the event loop), as a request does
        await new Promise((r) => setTimeout(r, 2));
        seen.inFlight--;
        if (o.failAt && n === o.failAt.check && o.failAt.keys.includes(input.key))
          throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: `no answer for ${input.key}`, failure: 'definite' });
        return { live: false };
      },
    }),
  });
  return { def, calls, seen };
}

async function run(prov: ReturnType<typeof world>, concurrency: number | undefined) {
  const ctl = new AbortController();
  return runWatch({ yaml: fanOutWatchYaml({ id: 'watch-concurrency', for: '2m', concurrency }), w: workspace(), providers: [prov.def], clock: testClock(ctl), ctl });
}

describe('a watch over a fan-out', () => {
  it('runs each check `concurrency` calls at a time (the step’s own setting)', async () => {
    const prov = world();
    const { result } = await run(prov, 8);
    expect(result.status, result.detail).toBe('done');
    expect(prov.calls.get(keyOf(N - 1))).toBe(3); // at 0, 1m and 2m: every item every check
    expect(prov.seen.most).toBe(8);
  });

  it('runs 4 at a time by default, as a detect fan-out does', async () => {
    const prov = world();
    const { result } = await run(prov, undefined);
    expect(result.status, result.detail).toBe('done');
    expect(prov.seen.most).toBe(4);
  });

  it('a failed call stops the check: no new item starts, the earliest failed item in planned order is named', async () => {
    const prov = world({ failAt: { check: 2, keys: [keyOf(30), keyOf(12)] } });
    const { result, journal } = await run(prov, 8);
    expect(result.status).toBe('failed');
    expect(result.detail).toContain(`check 2 failed for ${keyOf(12)}: p.look: no answer for ${keyOf(12)}`);
    // items 0..19 at most were started at check 2 (12 failed with up to 7 others in flight); none after
    expect(prov.calls.get(keyOf(30))).toBe(1);
    expect(prov.calls.get(keyOf(N - 1))).toBe(1);
    const failed = journal.read().filter((r) => r.type === 'outcome' && r.step === 'monitor');
    expect(failed).toMatchObject([{ item: `check-2.${keyOf(12)}`, status: 'failed' }]);
  });
});
