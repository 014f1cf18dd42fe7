/**
 * A watch over a large fan-out journals O(1) records per check: one `watch` record holding the
 * number of items checked and only the items that matter (those whose own result meets the
 * condition seen, those that changed) — not an intent and outcome per item per check. A failing
 * check names the items that tripped it, by their keys, in the step's reason, status and report.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fanOutWatchYaml, listTokens, probe, read, runWatch, testClock, tokenKey as keyOf, workspace } from './helpers.js';
import type { Clock } from '../../src/core/engine/ports.js';
import { buildReport } from '../../src/report/model.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { Redactor } from '../../src/core/secrets/redactor.js';
import { fold } from '../../src/core/journal/fold.js';
import { watchLines } from '../../src/commands/status.js';

const N = 1000;

/** `list` finds N tokens; `look` reads one back: live from check `liveFrom` on for the keys in `live`; `seen` moves for the keys in `moving`. */
function world(o: { live?: string[]; liveFrom?: number; moving?: string[] } = {}) {
  const calls = new Map<string, number>();
  const def = probe({
    list: listTokens(N),
    look: read({
      input: z.strictObject({ key: z.string() }),
      output: z.object({ live: z.boolean(), seen: z.number() }),
      async run(_ctx, input) {
        const n = (calls.get(input.key) ?? 0) + 1;
        calls.set(input.key, n);
        const live = (o.live ?? []).includes(input.key) && n >= (o.liveFrom ?? Infinity);
        return { live, seen: (o.moving ?? []).includes(input.key) ? n : 0 };
      },
    }),
  });
  return { def, calls };
}

const yaml = fanOutWatchYaml({ id: 'watch-volume', for: '5m' });

function run(w: ReturnType<typeof workspace>, prov: ReturnType<typeof world>, clock: Clock, ctl: AbortController) {
  return runWatch({ yaml, w, providers: [prov.def], clock, ctl });
}

describe('a watch over 1,000 items', () => {
  it('journals a bounded number of records per check (not one intent and outcome per item per check), and its report stays small', async () => {
    const w = workspace();
    const prov = world({ moving: [keyOf(7)] });
    const ctl = new AbortController();
    const { result, journal } = await run(w, prov, testClock(ctl), ctl);
    expect(result.status, result.detail).toBe('done');
    expect(prov.calls.get(keyOf(999))).toBe(6); // at 0, 1m, … 5m: every item every check
    const records = journal.read();
    const monitor = records.filter((r) => 'step' in r && r.step === 'monitor');
    // step.started, 6 watch records, step.finished: whatever N is
    expect(monitor.map((r) => r.type)).toEqual(['step.started', ...Array(6).fill('watch'), 'step.finished']);
    const checks = monitor.filter((r) => r.type === 'watch');
    expect(checks.every((r) => r.type === 'watch' && r.items === N)).toBe(true);
    // the item whose result moves is named as changed (from the 2nd check on), with its result
    const last = checks.at(-1);
    expect(last).toMatchObject({ type: 'watch', check: 6, changed: 1, notable: [{ key: keyOf(7), why: 'changed', output: { live: false, seen: 6 } }] });
    expect(checks[0]).not.toHaveProperty('changed');
    const report = buildReport(records);
    const md = renderMarkdown(report, new Redactor());
    expect(Buffer.byteLength(md)).toBeLessThan(32 * 1024);
    expect(Buffer.byteLength(JSON.stringify(report))).toBeLessThan(64 * 1024);
    expect(md).toContain(`watch check 6: 5m00s of 5m00s watched — ${N} items checked, 1 changed since the last check (e.g. ${keyOf(7)})`);
    // the state the engine returns (folded from what it read and wrote) is the journal's
    expect(result.state).toEqual(fold(records));
  });

  it('a check that trips fail_if names the items that tripped it, by key, in the reason, the record, status and the report', async () => {
    const w = workspace();
    const live = [keyOf(17), keyOf(503)];
    const prov = world({ live, liveFrom: 4 });
    const ctl = new AbortController();
    const { result, journal } = await run(w, prov, testClock(ctl), ctl);
    expect(result.status).toBe('failed');
    expect(result.detail).toBe(`monitor: fail_if (length(where(result.items, 'live')) > 0) seen at check 4 (3m00s of 5m00s watched) — by 2 items: ${live.join(', ')}`);
    const records = journal.read();
    const watch = records.filter((r) => r.type === 'watch');
    expect(watch).toHaveLength(4);
    expect(watch.at(-1)).toMatchObject({ check: 4, seen: 'fail_if', items: N, tripped: live, notable: live.map((key) => ({ key, why: 'fail_if', output: { live: true, seen: 0 } })) });
    const state = fold(records)!;
    expect(state.steps.monitor?.watch).toMatchObject({ checks: 4, seen: 'fail_if', items: N, tripped: live });
    expect(watchLines(state.steps.monitor!.watch!, true).lines).toEqual([
      `watch: 4 checks of ${N} items, 3m00s of 5m00s watched`,
      'fail_if met by 2 items at check 4:',
      `  ${keyOf(17)} — {"live":true,"seen":0}`,
      `  ${keyOf(503)} — {"live":true,"seen":0}`,
    ]);
    const md = renderMarkdown(buildReport(records), new Redactor());
    expect(md).toContain(`fail_if seen, met by ${live.join(', ')}`);
  });

  it('quit mid-watch and resume keeps the time watched; the cut-short check runs again in full', async () => {
    const w = workspace();
    const prov = world();
    const ctl1 = new AbortController();
    const first = await run(w, prov, testClock(ctl1, 3), ctl1); // quits during the 3rd wait: 3 checks, 2m watched
    expect(first.result.status).toBe('interrupted');
    expect(first.result.state?.steps.monitor?.watch).toMatchObject({ checks: 3, watchedMs: 120_000, items: N });
    const ctl2 = new AbortController();
    const second = await run(w, prov, testClock(ctl2), ctl2);
    expect(second.result.status, second.result.detail).toBe('done');
    // 3m left: checks at once and every minute: 4 more
    expect(prov.calls.get(keyOf(0))).toBe(3 + 4);
    expect(second.result.state?.steps.monitor?.outputs).toMatchObject({ checks: 7, seen: false, watched_ms: 300_000 });
    expect(second.journal.read().filter((r) => r.type === 'intent' && r.step === 'monitor')).toEqual([]);
  });
});
