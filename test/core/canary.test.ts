/**
 * Secret canaries: values generated at test time in the shapes that matter, pushed through the
 * redactor in every encoding we promise to mask, embedded in surrounding text — and through a
 * real child process whose output is redacted line by line. A fast-check property does the
 * same for random secrets and random surroundings. The leak detector decodes what is left
 * (base64 at every alignment, twice) rather than trusting the redactor's own variant list.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MASK, Redactor } from '../../src/core/secrets/redactor.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { exec } from '../../src/core/exec.js';
import { alnum, canaries, encodings, leaks, randomFrom } from './secrets/leak.js';

describe('canaries', () => {
  const shapes = canaries();

  it('generates canaries in the promised shapes', () => {
    expect(shapes.hf).toMatch(/^hf_[A-Za-z0-9]{34}$/);
    expect(shapes.github).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
    expect(shapes.awsKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(shapes.awsSecret).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(shapes.pem.split('\n').length).toBeGreaterThan(3);
    expect(shapes.short20).toHaveLength(20);
  });

  for (const [shape, value] of Object.entries(shapes)) {
    it(`${shape}: no variant survives, whatever the surrounding text`, () => {
      const registry = new SecretRegistry();
      registry.create(value, `canary ${shape}`);
      const r = registry.redactor;
      const surroundings: [string, string][] = [
        ['', ''],
        ['log: ', ' :end'],
        ['x', 'y'],
        ['{"a":"', '"}'],
        ['AAAA', 'BBBB'],
        [alnum(7), alnum(5)],
      ];
      for (const [before, after] of surroundings) {
        for (const { name, text } of encodings(value, before, after)) {
          const out = r.redact(text);
          expect(leaks(out, value), `${shape} / ${name} / ${JSON.stringify(before)}: ${out}`).toEqual([]);
          expect(out).toContain(MASK);
        }
      }
    });
  }

  it('known token shapes are masked although nobody registered them', () => {
    const r = new Redactor();
    // an AWS access key id is an identifier (AWS says so): shown in full unless a step registers it
    expect(r.redact(`id ${shapes.awsKeyId}`)).toBe(`id ${shapes.awsKeyId}`);
    for (const value of [shapes.hf, shapes.github, 'github_pat_' + alnum(82), 'xoxb-' + alnum(40), `https://hooks.slack.com/services/T${alnum(9)}/B${alnum(9)}/${alnum(24)}`]) {
      for (const text of [value, `token=${value}`, `"${value}"`, `X_KEY=${value}\n`]) {
        const out = r.redact(text);
        expect(out, text).not.toContain(value.slice(-10));
        expect(out).toContain(MASK);
      }
    }
  });

  it('through a real child process: every line of its output, redacted, shows no canary in any encoding', async () => {
    const registry = new SecretRegistry();
    for (const v of Object.values(shapes)) registry.create(v, 'canary');
    const texts = Object.values(shapes).flatMap((v) => encodings(v).map((e) => e.text));
    const shown: string[] = [];
    const res = await exec([process.execPath, '-e', 'process.stdin.pipe(process.stdout)'], {
      input: texts.join('\n') + '\n',
      onLine: (_s, line) => shown.push(registry.redactor.redact(line)),
    });
    expect(res.exitCode).toBe(0);
    expect(shown.length).toBeGreaterThanOrEqual(texts.length);
    const all = shown.join('\n');
    for (const v of Object.values(shapes)) expect(leaks(all, v)).toEqual([]);
  });

  it('property: for random secrets (≥ 8 chars) in random text, no variant survives redact()', () => {
    const secretArb = fc.oneof(
      fc.string({ minLength: 8, maxLength: 64 }),
      fc.string({ unit: 'binary', minLength: 8, maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-'), minLength: 8, maxLength: 64 }),
      fc.array(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 6, maxLength: 30 }), { minLength: 2, maxLength: 4 }).map((ls) => ls.join('\n')),
    );
    const textArb = fc.string({ maxLength: 40 });
    fc.assert(
      fc.property(secretArb, textArb, textArb, (secret, before, after) => {
        const r = new Redactor();
        r.add(secret);
        for (const { name, text } of encodings(secret, before, after)) {
          const out = r.redact(text);
          const found = leaks(out, secret);
          if (found.length > 0) throw new Error(`${name}: ${found.join(',')} survived in ${JSON.stringify(out)}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('property: the value never survives in text that happens to repeat it or its pieces', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '*', 'x'), minLength: 8, maxLength: 16 }), fc.array(fc.constantFrom('a', 'b', '*', 'x', '***'), { maxLength: 30 }), (secret, noise) => {
        const r = new Redactor();
        r.add(secret);
        const text = noise.join('') + secret + noise.reverse().join('') + secret;
        expect(r.redact(text)).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });

  it('masks a random short-ish (20) value with punctuation inside a URL and JSON', () => {
    const v = randomFrom('abcXYZ019!$&()*+,;=:@-._~', 20);
    const r = new Redactor();
    r.add(v);
    const out = r.redact(`GET /cb?x=${encodeURIComponent(v)} body=${JSON.stringify({ v })}`);
    expect(leaks(out, v)).toEqual([]);
  });
});
