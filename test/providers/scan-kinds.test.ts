/**
 * The one credential-kind table: every kind's sample (generated now, never a literal) is found
 * by the scanner, masked by the redactor (secrets) or shown in full (identifiers), and flagged
 * by validate; placeholders and checksum failures are set apart; the boundary cases of issue 14.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KINDS, matchKinds } from '../../src/core/secrets/kinds.js';
import { base62, base62ChecksumOk, crc32, withBase62Checksum } from '../../src/core/secrets/kind-checks.js';
import { Redactor, MASK } from '../../src/core/secrets/redactor.js';
import { findCredentials } from '../../src/core/runbook/credentials.js';
import { detect } from '../../src/providers/scan/findings.js';
import { entropyHits, shapeHits } from '../../src/providers/scan/rules.js';
import { gen, randomFrom } from './helpers-scan.js';
/** AWS's documented example key id (a placeholder by design), assembled so no key-shaped literal is committed */
const AWS_DOC_ID = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');


const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rnd = (a: string, n: number) => randomFrom(a, n);
const opts = { entropy: { threshold: 3.5, minLength: 16 }, secretlint: false };

describe('the credential-kind table', () => {
  it('covers secretlint’s recommended preset and the kinds issue 14 names', () => {
    const covered = new Set(KINDS.flatMap((k) => (k.secretlint ?? '').split(/,\s*/)).filter(Boolean));
    for (const rule of ['1password', 'anthropic', 'aws', 'basicauth', 'database-connection-string', 'databricks', 'docker', 'figma', 'gcp', 'github', 'gitlab', 'grafana', 'groq', 'hashicorp-vault', 'huggingface', 'linear', 'notion', 'npm', 'openai', 'privatekey', 'sendgrid', 'shopify', 'slack', 'vercel'])
      expect(covered, rule).toContain(rule);
    const providers = new Set(KINDS.map((k) => k.provider));
    for (const p of ['npm', 'pypi', 'openai', 'anthropic', 'stripe', 'gitlab', 'google', 'gcp', 'azure', 'docker', 'twilio', 'sendgrid', 'datadog', 'private-key', 'jwt']) expect(providers, p).toContain(p);
    // every kind says how to revoke it; a shipped runbook where there is one
    for (const k of KINDS) expect(k.revoke.byHand.length, k.id).toBeGreaterThan(10);
    expect(KINDS.filter((k) => k.revoke.runbook).map((k) => k.provider)).toEqual(expect.arrayContaining(['huggingface', 'github', 'aws', 'slack']));
  });

  for (const k of KINDS) {
    it(`${k.id}: a generated sample is found, ${k.role === 'secret' ? 'masked and refused in a runbook' : 'shown in full and allowed in a runbook'}`, async () => {
      for (let i = 0; i < 5; i++) {
        const sample = k.sample(rnd);
        const text = `first line\nconfig = ${JSON.stringify('x')}\n${sample}\nlast line\n`;
        const hits = await detect(text, 'x.txt', opts);
        const mine = hits.filter((h) => h.rule === k.id);
        expect(mine, `${k.id} not found in its own sample`).toHaveLength(1);
        expect(mine[0]!.rejected, `${k.id} sample rejected`).toBeUndefined();
        expect(sample).toContain(mine[0]!.value);
        const red = new Redactor().redact(text);
        if (k.role === 'secret') {
          expect(red).not.toContain(mine[0]!.value);
          expect(red).toContain(MASK);
          expect(findCredentials(sample).length, `validate misses ${k.id}`).toBeGreaterThan(0);
        } else {
          expect(red).toContain(mine[0]!.value);
          expect(findCredentials(sample)).toEqual([]);
        }
      }
    });
  }
});

describe('placeholders and checksums', () => {
  it('sets aside x-runs, EXAMPLE keys, counting sequences and documentation values', () => {
    const cases = [
      'hf_' + 'x'.repeat(34),
      'gh' + 'p_' + 'x'.repeat(36),
      'AKIA' + 'X'.repeat(16),
      AWS_DOC_ID,
      // AWS's documented example secret access key (one word in an otherwise random-looking value)
      'aws_secret_access_key = ' + ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCY' + 'EXAMPLEKEY'].join('/'),
      'postgres://someuser:' + 'some' + 'password@somehost:381/somedatabase',
      'np' + 'm_' + 'X'.repeat(36),
      'xo' + 'xb-your-token-here',
      'sk' + '_live_' + '0123456789abcdefghijklmn',
    ];
    for (const c of cases) {
      const m = matchKinds(`v = ${c}\n`);
      expect(m.length, c).toBeGreaterThan(0);
      expect(m.every((x) => x.rejected === 'placeholder'), c).toBe(true);
    }
  });

  it('a real token that merely holds a placeholder word (xxxx, fake, example) is a finding, not a placeholder', () => {
    // 1 in ~30,000 random Hugging Face tokens holds "xxxx" in some case: those tokens are live and must be revoked
    const rnd = (n: number) => Array.from({ length: n }, (_, i) => 'aB3dE5gH7jK9mN2pQ4sT6vW8yZ1cF0'[(i * 7 + n) % 30]).join('');
    for (const word of ['xxxx', 'XxXx', 'fake', 'Example', 'insert']) {
      const tok = 'hf' + '_' + rnd(14) + word + rnd(34 - 14 - word.length);
      const m = matchKinds(`v = ${tok}\n`);
      expect(m.length, tok).toBeGreaterThan(0);
      expect(m.some((x) => x.rejected === undefined), tok).toBe(true);
    }
  });

  it('GitHub CRC32: the last 6 characters are base62 (0-9A-Za-z) of the CRC32 of the 30 before them', () => {
    // CRC32 of "123456789" is the standard check value 0xCBF43926
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(base62(0)).toBe('000000');
    expect(base62(61)).toBe('00000z');
    expect(base62(62)).toBe('000010');
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{30}$/), (body) => {
        const t = withBase62Checksum('gh' + 'p_', body);
        expect(base62ChecksumOk(t)).toBe(true);
        // any change of one character of the checksum breaks it
        const last = t.at(-1)!;
        expect(base62ChecksumOk(t.slice(0, -1) + (last === 'a' ? 'b' : 'a'))).toBe(false);
      }),
    );
    const bad = 'gh' + 'p_' + randomFrom(AN, 36);
    const verdict = matchKinds(bad)[0]!;
    expect(verdict.rejected === 'checksum' || base62ChecksumOk(bad)).toBe(true);
  });
});

describe('boundaries (issue 14, item 3)', () => {
  it('finds an hf_ token with digits followed by _old, and a token right after a JSON-escaped \\n', () => {
    const hf = 'hf_' + randomFrom('0123456789', 4) + randomFrom(AN, 30);
    expect(shapeHits(`HF_TOKEN=${hf}_old`).map((h) => h.value)).toEqual([hf]);
    const gh = gen.ghp();
    const json = JSON.stringify({ log: `line one\n${gh}\ttab` });
    expect(json).toContain('\\n' + gh);
    expect(shapeHits(json).map((h) => h.value)).toEqual([gh]);
    // but not glued to a word
    expect(shapeHits(`xyz${hf}`)).toEqual([]);
  });

  it('a token in a URL’s user part, or as its password, is one finding', async () => {
    const gh = gen.ghp();
    for (const url of [`https://${gh}@github.com/acme/api.git`, `https://x-access-token:${gh}@github.com/acme/api.git`, `https://${gh}:x-oauth-basic@github.com/acme/api.git`]) {
      const hits = (await detect(`remote = ${url}\n`, '.git-config', opts)).filter((h) => !h.rejected);
      expect(hits.map((h) => [h.rule, h.value]), url).toEqual([['github-token', gh]]);
    }
  });
});

describe('the generic rule does not flag ordinary code (issue 14, item 1)', () => {
  it('calls, property accesses, identifiers, words and short hex are not secrets', () => {
    const code = [
      'const keys = Object.keys(out);',
      'const token = getToken(req.headers.authorization);',
      'this.apiKey = options.apiKey || process.env.API_KEY;',
      'const secret = await vault.read(path);',
      'let password = form.elements.password.value;',
      'auth: `Bearer ${token}`,',
      "const authToken = 'personal-access-token123';",
      'pwd = os.getcwd()',
      'apiKey: "mypersonalaccesstoken123",',
      'clientSecret: "SomeKindOfPassword123!@#",',
      '"key": "5b6c7d8e9f0a1b2c",',
      'const storageKey = "user-settings-v2-a8f3";',
      'tokenizer: "gpt2-large-12345abcdef",',
      'token: string;',
    ];
    for (const line of code) expect(entropyHits(line + '\n'), line).toEqual([]);
  });

  it('still finds random values in string literals and config lines', () => {
    const v = gen.generic();
    for (const line of [`const apiKey = "${v}";`, `API_KEY=${v}`, `  client_secret: ${v}`, `"password": "${v}",`]) expect(entropyHits(line + '\n').map((h) => h.value), line).toEqual([v]);
  });
});
