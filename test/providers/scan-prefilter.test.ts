/**
 * The byte-level prefilter (src/providers/scan/prefilter.ts) decides which pieces of a file are
 * decoded and which kinds' patterns run on them. It may let through more than needed, never
 * less: whatever the full rules find in a text (placeholders and checksum failures included,
 * since those are reported apart), the prefilter flagged that kind — or the generic rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KINDS, type Rnd } from '../../src/core/secrets/kinds.js';
import { detect, DEFAULT_SCAN } from '../../src/providers/scan/findings.js';
import { candidates } from '../../src/providers/scan/prefilter.js';

const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A deterministic Rnd from fast-check's integers (so failures shrink and replay). */
const rndFrom =
  (seed: number): Rnd =>
  (alphabet, n) => {
    let x = seed || 1;
    let s = '';
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      s += alphabet[(x >>> 8) % alphabet.length];
    }
    return s;
  };

/** Pieces of text around the rules' edges: every kind's sample, placeholders, assignments to credential words, near misses. */
const fragment = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: KINDS.length - 1 }), fc.integer()).map(([k, seed]) => KINDS[k]!.sample(rndFrom(seed))),
  fc.tuple(fc.constantFrom('API_KEY', 'client_secret', 'Password', 'db_passwd', 'PWD', 'credentials', 'x-auth', 'monkey', 'TOKEN'), fc.constantFrom(' = ', '=', ': ', '":"', "' => '", ':=', '==', '=> ', '\t:'), fc.constantFrom('"', "'", '`', ''), fc.integer(), fc.integer({ min: 10, max: 40 })).map(
    ([name, op, q, seed, n]) => `${name}${op}${q}${rndFrom(seed)(AN + '+/=_-.~!@#$%^&*?', n)}${q}`,
  ),
  fc.constantFrom('hf_' + 'x'.repeat(34), 'gh' + 'p_' + 'x'.repeat(36), 'AKIA' + 'X'.repeat(16), 'xoxb-your-token-here', 'postgres://user:password@localhost/db', ['https://u:', 's3cr3tpassw0rd', '@db.internal/x'].join(''), 'SK' + '0123456789abcdef'.repeat(2), 'sk-' + 'a'.repeat(12)),
  fc.string({ unit: fc.constantFrom('a', 'K', 'e', 'y', ' ', '\n', '=', ':', '"', "'", '_', '-', '/', '@', 'é', '\\n', '0'), maxLength: 40 }),
);

describe('the scan prefilter', () => {
  it('property: every hit of the full rules is of a kind the prefilter let through (or the generic rule it let through)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fragment, { minLength: 1, maxLength: 8 }), fc.constantFrom(' ', '\n', '\\n', '', '"'), async (parts, sep) => {
        const text = parts.join(sep);
        const hits = await detect(text, 'x.txt', DEFAULT_SCAN);
        const c = candidates(Buffer.from(text, 'utf8'));
        for (const h of hits) {
          if (h.rule === 'generic-high-entropy') expect(c.generic, `${h.rule} in ${JSON.stringify(text)}`).toBe(true);
          else expect(c.kinds[KINDS.findIndex((k) => k.id === h.rule)], `${h.rule} in ${JSON.stringify(text)}`).toBe(1);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('lets ordinary code through undecoded, and flags only the kinds whose keyword is there', () => {
    const code = Buffer.from('const keys = Object.keys(out);\nconst token = getToken(req);\nfetch("https://example.org/x");\n');
    const c = candidates(code);
    expect([c.any, c.generic]).toEqual([false, false]);
    const hf = KINDS.findIndex((k) => k.id === 'huggingface-token');
    const c2 = candidates(Buffer.from(`x = 1\nHF=hf_${rndFrom(7)(AN, 34)}\n`));
    expect([...c2.kinds].flatMap((v, i) => (v ? [KINDS[i]!.id] : []))).toEqual([KINDS[hf]!.id]);
  });
});
