/**
 * Issue 15 item 1: naming a value (world credential, generated value, attacker token) must not
 * rescan the world per lookup — a drill names values on every effect, and a rebuild per lookup
 * made a 10,000-token drill quadratic. The lookup tables are kept up to date by counters.
 */
import { describe, expect, it } from 'vitest';
import { Naming } from '../../src/drill/snapshot.js';

class CountingMap<K, V> extends Map<K, V> {
  scans = 0;
  override values(): MapIterator<V> {
    this.scans++;
    return super.values();
  }
  override [Symbol.iterator](): MapIterator<[K, V]> {
    this.scans++;
    return super[Symbol.iterator]();
  }
}

describe('Naming', () => {
  it('names 1,000 values with one pass over the world, and takes in what is added later', () => {
    const credentials = new CountingMap<string, { id: string; value: string; secret?: string }>();
    for (let i = 0; i < 1000; i++) credentials.set(`t${i}`, { id: `t${i}`, value: `value-${i}` });
    const generated = new CountingMap<string, string>([['aws-key:1', 'generated-1']]);
    const adv = { created: [] as { service: string; value: string; owner: string; n: number }[] };
    const n = new Naming({ built: { credentials, generated } } as never, adv as never);
    for (let i = 0; i < 1000; i++) expect(n.ref(`value-${i}`, 'x')).toEqual({ c: `t${i}` });
    expect(n.ref('generated-1', 'x')).toEqual({ g: 'aws-key:1' });
    expect(n.ref('nobody', 'Space/KEY')).toEqual({ u: 'Space/KEY' });
    expect(credentials.scans).toBe(1);
    expect(generated.scans).toBe(1);
    generated.set('aws-key:2', 'generated-2');
    adv.created.push({ service: 'huggingface', value: 'attacker-1', owner: 'u', n: 7 });
    expect(n.ref('generated-2', 'x')).toEqual({ g: 'aws-key:2' });
    expect(n.ref('attacker-1', 'x')).toEqual({ a: 7 });
    expect(credentials.scans).toBe(1);
  });
});
