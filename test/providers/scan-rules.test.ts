import { describe, expect, it } from 'vitest';
import { entropyHits, isHighEntropySecret, shannonEntropy, shapeHits } from '../../src/providers/scan/rules.js';
import { secretlintHits } from '../../src/providers/scan/secretlint.js';
import { gen, randomFrom } from './helpers-scan.js';
/** AWS's documented example key id (a placeholder by design), assembled so no key-shaped literal is committed */
const AWS_DOC_ID = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');


describe('Shannon entropy', () => {
  it('is 0 for one repeated character and log2(n) for n distinct characters', () => {
    expect(shannonEntropy('aaaaaaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBeCloseTo(2);
    expect(shannonEntropy('0123456789abcdef')).toBeCloseTo(4);
  });
});

describe('generic high-entropy assignments', () => {
  const positives = () => {
    const r = gen.generic();
    return [
      [`API_KEY=${r}`, r],
      [`  "client_secret": "${r}",`, r],
      [`db_password: '${r}'`, r],
      [`export STRIPE_TOKEN="${r}"`, r],
      [`auth => ${r}`, r],
      [`SIGNING_KEY := ${randomFrom('0123456789abcdef', 64)}`, null],
    ] as const;
  };

  it('finds random values assigned to credential-looking names', () => {
    for (const [line, value] of positives()) {
      const hits = entropyHits(line);
      expect(hits, line).toHaveLength(1);
      if (value) expect(hits[0]!.value).toBe(value);
      expect(hits[0]!.rule).toBe('generic-high-entropy');
      expect(line.slice(hits[0]!.index, hits[0]!.index + hits[0]!.value.length)).toBe(hits[0]!.value);
    }
  });

  it('ignores references, placeholders, names and low-entropy values', () => {
    const negatives = [
      'API_KEY=${{ secrets.api_key }}',
      'token: ${HF_TOKEN}',
      'password: $(cat /run/secrets/db)',
      'OPENAI_API_KEY=process.env.OPENAI_API_KEY',
      'SECRET_KEY=your-secret-key-here-please',
      'password: changeme',
      'API_TOKEN=xxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      'api_key = settings.API_KEY_NAME_FOR_SERVICE',
      'token: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'token: abababababababababababab12',
      `COLOR=${gen.generic()}`,
      'password: "correct horse battery staple"',
      `SECRET=${AWS_DOC_ID}EXAMPLE1`,
      `API_KEY=${randomFrom('abcdefghijklmnopqrstuvwxyz', 30)}`,
      'key: short1A',
    ];
    for (const line of negatives) expect(entropyHits(line), line).toEqual([]);
  });

  it('honours the threshold and minimum length', () => {
    // letters and digits interleave at least 3 times (aB3c … 9Z) whatever the random middle holds:
    // with 'aB3' + 13 random characters, 1 run in 10 had no digit and was (rightly) not random-looking
    const v = 'aB3c' + randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 10) + '9Z';
    expect(isHighEntropySecret(v, { threshold: 3.0, minLength: 16 })).toBe(true);
    expect(isHighEntropySecret(v, { threshold: 5.0, minLength: 16 })).toBe(false);
    expect(isHighEntropySecret(v, { threshold: 3.0, minLength: 20 })).toBe(false);
  });
});

describe('shape rules and secretlint together', () => {
  it('our rules cover what the secretlint preset misses (HF, AWS key ids)', async () => {
    const hf = gen.hf();
    const org = gen.hfOrg();
    const id = gen.awsId();
    const text = `a=${hf}\nb=${org}\nc=${id}\n`;
    expect(await secretlintHits(text, 'x.env')).toEqual([]);
    expect(shapeHits(text).map((h) => [h.rule, h.value])).toEqual([
      ['huggingface-token', hf],
      ['huggingface-org-token', org],
      ['aws-access-key-id', id],
    ]);
  });

  it('takes the value itself from secretlint, not the surrounding match', async () => {
    // secretlint's AWS pattern ends in \b: a secret ending in / or + (1 in 32) is not reported by it
    const s = gen.awsSecret().slice(0, 39) + 'Q';
    const text = `x\naws_secret_access_key = "${s}"\n`;
    const hits = await secretlintHits(text, 'creds');
    expect(hits.map((h) => [h.rule, h.value, h.hint])).toEqual([['secretlint/aws:AWSSecretAccessKey', s, 'aws']]);
    expect(text.slice(hits[0]!.index, hits[0]!.index + s.length)).toBe(s);
  });

  it("leaves no profiler marks behind (secretlint's always-on profiler is turned off)", async () => {
    for (let i = 0; i < 20; i++) await secretlintHits(`line ${i}\n`, `f${i}.txt`);
    expect(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('@core>'))).toEqual([]);
  });

  it('does not match longer runs or the documented EXAMPLE key', () => {
    expect(shapeHits(`hf_${randomFrom('abcdefghijklmnop', 40)}`)).toEqual([]);
    expect(shapeHits(AWS_DOC_ID)).toMatchObject([{ rule: 'aws-access-key-id', rejected: 'placeholder' }]);
  });
});
