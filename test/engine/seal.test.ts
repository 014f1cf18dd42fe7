/**
 * Sealed outputs (src/core/engine/seal.ts): AES-256-GCM with a key kept 0600 beside the journal;
 * a round trip gives back live Secrets (registered with the redactor); the ciphertext is bound to
 * its incident/step/item; nothing plain is written; wiping the key makes the values unreadable.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Sealer } from '../../src/core/engine/seal.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { Secret } from '../../src/core/secrets/secret.js';

const VALUE = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

describe('Sealer', () => {
  it('round-trips a live output with Secrets inside, and keeps the key 0600 beside the journal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seal-'));
    const s = new Sealer(dir, 'inc');
    const live = { access_key_id: 'AKIA' + 'X'.repeat(16), secret_access_key: new Secret(VALUE, 'aws secret'), list: [new Secret(VALUE + 'x', 'b')], when: 3 };
    const sealed = s.seal(live, 'create-key', '-')!;
    expect(JSON.stringify(sealed)).not.toContain(VALUE);
    expect(statSync(join(dir, 'seal.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'seal.key')).length).toBe(32);
    const secrets = new SecretRegistry();
    const back = new Sealer(dir, 'inc').unseal(sealed, 'create-key', '-', secrets)!.value as typeof live;
    expect(back.access_key_id).toBe(live.access_key_id);
    expect(back.secret_access_key).toBeInstanceOf(Secret);
    expect(back.secret_access_key.reveal()).toBe(VALUE);
    expect(back.secret_access_key.label).toBe('aws secret');
    expect(back.list[0]!.reveal()).toBe(VALUE + 'x');
    expect(back.when).toBe(3);
    // registered with the redactor the moment it is back
    expect(secrets.redactor.redact(`x ${VALUE} y`)).not.toContain(VALUE);
  });

  it('a sealed value moved to another step, item or incident does not open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seal-'));
    const s = new Sealer(dir, 'inc');
    const sealed = s.seal(new Secret(VALUE, 'x'), 'a', '-')!;
    const r = new SecretRegistry();
    expect(s.unseal(sealed, 'b', '-', r)).toBeUndefined();
    expect(s.unseal(sealed, 'a', 'k', r)).toBeUndefined();
    expect(new Sealer(dir, 'other').unseal(sealed, 'a', '-', r)).toBeUndefined();
    expect(s.unseal({ ...sealed, data: Buffer.from('tampered').toString('base64') }, 'a', '-', r)).toBeUndefined();
    expect(s.unseal(sealed, 'a', '-', r)).toBeDefined();
  });

  it('wipe() removes the key: what was sealed cannot be opened any more', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seal-'));
    const s = new Sealer(dir, 'inc');
    const sealed = s.seal({ v: new Secret(VALUE, 'x') }, 'a', '-')!;
    s.wipe();
    expect(existsSync(join(dir, 'seal.key'))).toBe(false);
    expect(new Sealer(dir, 'inc').unseal(sealed, 'a', '-', new SecretRegistry())).toBeUndefined();
  });
});
