/**
 * Detection in the drill scorecard (src/drill/progress.ts): a run that handles a leaked AWS key
 * only by its access key id — never its secret — has found it, wherever the id shows up: an
 * input, a fan-out over ids, a CLI's JSON on stdout, a manual note.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mergeProgress, Progress, type ProgressState } from '../../src/drill/progress.js';
import type { LiveWorld } from '../../src/drill/world/live.js';
import type { Scenario } from '../../src/drill/scenario/schema.js';
import { ValueMaker, worldKey } from '../../src/drill/world/values.js';

const values = new ValueMaker(worldKey(7));
const leakedId = values.awsKeyId('leaked');
const otherId = values.awsKeyId('other');

function progress() {
  const credentials = new Map([
    ['leaked', { id: 'leaked', service: 'aws', value: leakedId, secret: values.awsSecret('leaked'), leaked: true, owner: 'ci', label: 'AWS access key of ci' }],
    ['other', { id: 'other', service: 'aws', value: otherId, secret: values.awsSecret('other'), leaked: false, owner: 'ops', label: 'AWS access key of ops' }],
  ]);
  const world = { built: { credentials, consumers: [] } } as unknown as LiveWorld;
  const scenario = { expect: { email: [], slack_channels: [], pagerduty: false } } as unknown as Scenario;
  return new Progress(world, scenario, randomBytes(32), new Set());
}

describe('drill detection of an AWS key handled only by id', () => {
  it.each([
    ['a CLI JSON text on stdout', { type: 'outcome', output: { exit_code: 0, stdout: `{"AccessKeyMetadata":[{"UserName":"ci","AccessKeyId":"${leakedId}","Status":"Active"}]}` } }],
    ['the keys of a fan-out over ids', { type: 'items', step: 'deactivate', keys: [leakedId] }],
    ['a manual note', { type: 'manual', step: 'check', note: `deactivated ${leakedId} in the console` }],
    ['an ARN-like string in an output', { type: 'step.finished', outputs: { found: `key/${leakedId}` } }],
    ['an input of the incident', { type: 'incident.opened', inputs: { access_key_id: leakedId }, secrets: {} }],
  ])('counts it as detected when it appears in %s', (_what, rec) => {
    const p = progress();
    expect(p.detectAt()).toBeUndefined();
    p.onRecord(rec as never, 4200);
    expect(p.state.detected).toEqual({ leaked: 4200 });
    expect(p.detectAt()).toBe(4200);
  });

  it('keeps the first time, and a key that is not leaked never counts', () => {
    const p = progress();
    p.onRecord({ type: 'intent', input: { access_key_id: otherId } } as never, 100);
    expect(p.state.detected).toEqual({});
    p.onRecord({ type: 'intent', input: { access_key_id: leakedId } } as never, 200);
    p.onRecord({ type: 'outcome', output: { id: leakedId } } as never, 300);
    expect(p.state.detected).toEqual({ leaked: 200 });
  });
});

/**
 * Issue 15: the drill persists progress as what changed since the last effect (not the whole
 * state on every record — at 10,000 leaked tokens that was an O(N) JSON.stringify per record).
 * A resume folds those changes onto the snapshot: the result must equal the state itself.
 */
describe('progress persisted as changes', () => {
  const world = (n: number) => {
    const credentials = new Map(Array.from({ length: n }, (_, i) => [`c${i}`, { id: `c${i}`, service: 'aws', value: values.awsKeyId(`k${i}`), leaked: true, owner: 'ci', label: `key ${i}` }]));
    return { built: { credentials, consumers: [] } } as unknown as LiveWorld;
  };
  const scenario = { expect: { email: [], slack_channels: [], pagerduty: false } } as unknown as Scenario;

  it('folding every change (from any snapshot point on) rebuilds the state; nothing unchanged is handed out twice', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(7), fc.nat(10_000)), { maxLength: 40 }), fc.nat(40), (events, cut) => {
        const w = world(8);
        const p = new Progress(w, scenario, randomBytes(32), new Set());
        const changes: (ProgressState | undefined)[] = [];
        let snapshot: ProgressState | undefined;
        events.forEach(([i, at], k) => {
          if (k === cut) snapshot = structuredClone(p.state);
          p.onRecord({ type: 'intent', input: { id: values.awsKeyId(`k${i}`) } } as never, at);
          changes.push(p.change());
        });
        // a change names only credentials new since the previous one
        const named = changes.flatMap((c) => Object.keys(c?.detected ?? {}));
        expect(new Set(named).size).toBe(named.length);
        let rebuilt: ProgressState | undefined;
        for (const c of changes) if (c) rebuilt = mergeProgress(rebuilt, c);
        expect(rebuilt?.detected ?? {}).toEqual(p.state.detected);
        // a resume from a snapshot taken part-way folds the later changes onto it (earlier ones again too: harmless)
        let resumed = snapshot;
        for (const c of changes) if (c) resumed = mergeProgress(resumed, c);
        expect(resumed?.detected ?? {}).toEqual(p.state.detected);
      }),
    );
  });

  it('hands out a goal time once, and an old log that holds whole states folds the same', () => {
    const p = new Progress(world(1), scenario, randomBytes(32), new Set());
    p.onRecord({ type: 'intent', input: { id: values.awsKeyId('k0') } } as never, 5);
    expect(p.change()).toEqual({ detected: { c0: 5 } });
    expect(p.change()).toBeUndefined();
    p.state.containAt = 9;
    expect(p.change()).toEqual({ detected: {}, containAt: 9 });
    expect(p.change()).toBeUndefined();
    // older logs: every prog effect is the whole state
    expect(mergeProgress(mergeProgress(undefined, { detected: { c0: 5 } }), { detected: { c0: 5 }, containAt: 9 })).toEqual(p.state);
  });
});
