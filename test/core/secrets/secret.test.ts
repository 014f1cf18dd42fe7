import { inspect, format } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret, fingerprintValue, isSecret } from '../../../src/core/secrets/secret.js';
import { SecretRegistry } from '../../../src/core/secrets/registry.js';
import { MASK } from '../../../src/core/secrets/redactor.js';
import { alnum } from './leak.js';

describe('Secret', () => {
  it('never turns into its value except through reveal()', () => {
    const v = alnum(32);
    const s = new Secret(v, 'secrets.t');
    const shown = [
      `${s}`,
      String(s),
      s + '',
      JSON.stringify({ s, list: [s] }),
      inspect(s),
      inspect({ s }, { showHidden: true, depth: 10 }),
      format('%s %o %O %j', s, s, s, s),
      Object.keys(s).join(','),
      JSON.stringify(Object.entries(s)),
      JSON.stringify(structuredClone({ label: s.label })),
    ];
    for (const text of shown) expect(text).not.toContain(v);
    expect(`${s}`).toBe('[secret secrets.t]');
    expect(s.reveal()).toBe(v);
    expect(isSecret(s)).toBe(true);
    expect(isSecret(v)).toBe(false);
  });

  it('keeps a label that would show the value out of sight', () => {
    const v = alnum(20);
    expect(new Secret(v, `token ${v}`).label).toBe('secret');
  });

  it('is frozen', () => {
    const s = new Secret(alnum(20), 'x');
    expect(() => Object.assign(s, { extra: 1 })).toThrow();
  });

  it('last4 only for values of 12 characters or more; keyed fingerprint, stable per key', () => {
    const v = alnum(40);
    const s = new Secret(v, 'x');
    expect(s.last4).toBe(v.slice(-4));
    expect(new Secret('short-value', 'x').last4).toBe('');
    expect(s.fingerprint('k1')).toMatch(/^[0-9a-f]{16}$/);
    expect(s.fingerprint('k1')).toBe(fingerprintValue(v, 'k1'));
    expect(s.fingerprint('k1')).not.toBe(s.fingerprint('k2'));
    expect(s.describe('k1')).toEqual({ secret: 'x', fingerprint: s.fingerprint('k1'), last4: v.slice(-4) });
    expect(JSON.stringify(s.describe('k1'))).not.toContain(v.slice(0, -4));
    expect(() => s.fingerprint('')).toThrow(/empty key/);
  });
});

describe('SecretRegistry', () => {
  it('registers with the redactor the moment a secret is created or set', () => {
    const r = new SecretRegistry();
    const a = alnum(20);
    const created = r.create(a, 'rotated key');
    expect(r.redactor.redact(a)).toBe(MASK);
    expect(created.label).toBe('rotated key');
    const b = new Secret(alnum(20), 'secrets.b');
    r.set('b', b);
    expect(r.redactor.redact(b.reveal())).toBe(MASK);
    expect(r.get('b')).toBe(b);
    expect(r.has('b')).toBe(true);
    expect(r.names()).toEqual(['b']);
  });

  it('collects and reports warnings for values too short to mask', () => {
    const r = new SecretRegistry();
    const seen: string[] = [];
    r.onWarning = (m) => seen.push(m);
    const pin = r.create('abc', 'secrets.pin');
    r.set('pin', pin); // registering the same secret again does not repeat the warning
    expect(seen).toHaveLength(1);
    expect(r.warnings).toEqual(seen);
    expect(seen[0]).not.toContain('abc');
  });
});
