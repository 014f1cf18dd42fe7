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
