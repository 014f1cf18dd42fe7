/** The --faults SPEC: parsing, and decisions that depend on the seed and the request only. */
import { describe, expect, it } from 'vitest';
import { faultHook, newFaultStats, parseFaults } from '../../src/drill/faults.js';
import { UsageError } from '../../src/core/errors.js';

describe('parseFaults', () => {
  it('reads provider actions, simulator operations, rates, counts and Retry-After', () => {
    const rules = parseFaults('huggingface.revokeToken:ambiguous@1, github.*:429@0.3,slack.chat.postMessage:503x2,huggingface.verifyToken:429/20s x1,aws.iam:CreateAccessKey:latency=2s,pagerduty.trigger:5xx');
    expect(rules.map((r) => [r.service, r.ops, r.fault, r.rate, r.count])).toEqual([
      ['huggingface', ['revokeCredentials'], { kind: 'ambiguous' }, 1, undefined],
      ['github', '*', { kind: 'status', status: 429, retryAfterS: 1 }, 0.3, undefined],
      ['slack', ['chat.postMessage'], { kind: 'status', status: 503, retryAfterS: undefined }, 1, 2],
      ['huggingface', ['whoami'], { kind: 'status', status: 429, retryAfterS: 20 }, 1, 1],
      ['aws', ['iam:CreateAccessKey'], { kind: 'latency', ms: 2000 }, 1, undefined],
      ['pagerduty', ['trigger'], { kind: 'status', status: '5xx' }, 1, undefined],
    ]);
  });

  it('takes a list (scenario files) and `none`', () => {
    expect(parseFaults(['huggingface.listSpaces:500', 'github.verifyToken:timeout'])).toHaveLength(2);
    expect(parseFaults('none')).toEqual([]);
    expect(parseFaults(undefined)).toEqual([]);
  });

  it.each([
    ['huggingface:429', /PROVIDER\.ACTION:FAULT/],
    ['nosuch.thing:429', /no simulator takes faults for "nosuch"/],
    ['github.*:200', /not an error/],
    ['github.*:teapot', /unknown fault "teapot"/],
    ['github.*:429@1.5', /rate is a number above 0 and at most 1/],
    ['github.*:latency=soon', /latency needs a duration/],
  ])('rejects %s with a usage error that says what is wrong', (spec, msg) => {
    expect(() => parseFaults(spec)).toThrow(UsageError);
    expect(() => parseFaults(spec)).toThrow(msg);
  });
});

describe('faultHook', () => {
  const reqs = Array.from({ length: 200 }, (_, i) => ({ op: 'whoami', method: 'GET', path: '/api/whoami-v2', key: `k${i % 50}` }));

  const decide = (seed: number, order: typeof reqs) => {
    const stats = newFaultStats();
    const hook = faultHook('huggingface', parseFaults('huggingface.verifyToken:429@0.3'), seed, stats)!;
    const out = new Map<string, string[]>();
    for (const r of order) {
      const id = `${r.key}`;
      out.set(id, [...(out.get(id) ?? []), hook(r) ? 'fault' : 'ok']);
    }
    return { out, stats };
  };

  it('gives every request the same decision for the same seed, whatever the arrival order', () => {
    const a = decide(7, reqs);
    const b = decide(7, [...reqs].reverse().sort((x, y) => (x.key < y.key ? 1 : -1)));
    expect(b.out).toEqual(a.out);
    expect(b.stats.injected).toEqual(a.stats.injected);
  });

  it('decides differently with another seed, near the asked rate', () => {
    const a = decide(7, reqs);
    const c = decide(8, reqs);
    expect(c.out).not.toEqual(a.out);
    const n = a.stats.injected['huggingface.verifyToken:429@0.3']!;
    expect(n).toBeGreaterThan(35);
    expect(n).toBeLessThan(85);
  });

  it('applies a count to the first matching calls only, and only to its own service and operations', () => {
    const stats = newFaultStats();
    const hook = faultHook('huggingface', parseFaults('huggingface.revokeToken:503x2,github.*:429'), 1, stats)!;
    const other = { op: 'whoami', method: 'GET', path: '/api/whoami-v2' };
    const revoke = { op: 'revokeCredentials', method: 'POST', path: '/api/credentials/revoke' };
    expect(hook(other)).toBeUndefined();
    expect([hook(revoke), hook(revoke), hook(revoke)]).toEqual([{ type: 'status', status: 503, retryAfterS: undefined }, { type: 'status', status: 503, retryAfterS: undefined }, undefined]);
    expect(faultHook('slack', parseFaults('github.*:429'), 1, stats)).toBeUndefined();
  });

  it('goes on with the sequence from saved counters (a resumed drill)', () => {
    const rules = parseFaults('huggingface.listSpaces:500x1');
    const saved = newFaultStats();
    const req = { op: 'listSpaces', method: 'GET', path: '/api/spaces' };
    expect(faultHook('huggingface', rules, 1, saved)!(req)).toBeDefined();
    const resumed = newFaultStats(JSON.parse(JSON.stringify(saved)));
    expect(faultHook('huggingface', rules, 1, resumed)!(req)).toBeUndefined();
  });
});
