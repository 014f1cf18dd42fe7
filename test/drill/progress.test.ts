/**
 * Detection in the drill scorecard (src/drill/progress.ts): a run that handles a leaked AWS key
 * only by its access key id — never its secret — has found it, wherever the id shows up: an
 * input, a fan-out over ids, a CLI's JSON on stdout, a manual note.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/drill/progress.js';
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
