/** toStored: what the journal keeps of an action's output — secrets as fingerprints, text redacted, keys kept as keys. */
import { describe, expect, it } from 'vitest';
import { toStored } from '../../src/core/engine/stored.js';
import { Redactor } from '../../src/core/secrets/redactor.js';

describe('toStored', () => {
  it('keeps a JSON key named __proto__ as a key (a service or child may send one) and sets no prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "id": "k1"}') as object;
    const out = toStored(parsed, Buffer.from('journal-key'), new Redactor()) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'id']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out))).toEqual(parsed);
  });
});

describe('storedForm', () => {
  const key = Buffer.from('journal-key');

  it('property: one pass gives what toStored and maskedByRedaction give apart', async () => {
    const fc = (await import('fast-check')).default;
    const { Secret } = await import('../../src/core/secrets/secret.js');
    const { maskedByRedaction, storedForm } = await import('../../src/core/engine/stored.js');
    const secretValue = 'hf_' + 'q7'.repeat(17);
    const leaf = fc.oneof(fc.string(), fc.constant(`token=${secretValue}`), fc.constant(new Secret(secretValue, 'secrets.t')), fc.integer(), fc.constant(null));
    const { value } = fc.letrec((tie) => ({ value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 4 })) }));
    const redactor = new Redactor();
    redactor.add(secretValue, 'secrets.t');
    fc.assert(
      fc.property(value, (v) => {
        const form = storedForm(v, key, redactor);
        const found: unknown[] = [];
        expect(form.stored).toEqual(toStored(v, key, redactor, found as never));
        expect(form.found).toEqual(found);
        expect(form.masked).toBe(maskedByRedaction(v, redactor));
      }),
      { numRuns: 200 },
    );
  });

  it('is built once per live object, and again once the redactor knows more values', async () => {
    const { storedForm } = await import('../../src/core/engine/stored.js');
    const redactor = new Redactor();
    const forms = new WeakMap();
    const output = { findings: [{ line: 'note: registered-later-value-42' }] };
    const first = storedForm(output, key, redactor, forms);
    expect(first.masked).toBe(false);
    expect(storedForm(output, key, redactor, forms)).toBe(first);
    // the same object shown to the journal again later: a value registered since is masked
    redactor.add('registered-later-value-42', 'secrets.k');
    const again = storedForm(output, key, redactor, forms);
    expect(again).not.toBe(first);
    expect(again.masked).toBe(true);
    expect(JSON.stringify(again.stored)).not.toContain('registered-later-value-42');
  });
});
