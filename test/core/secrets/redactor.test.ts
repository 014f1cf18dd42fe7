import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MASK, Redactor, TOKEN_SHAPES, base64Cores, redactShapes, variants } from '../../../src/core/secrets/redactor.js';
import { Secret } from '../../../src/core/secrets/secret.js';
import { alnum, canaries, encodings, leaks, randomFrom } from './leak.js';

describe('variants', () => {
  it('registers the aligned base64 core for each of the three offsets', () => {
    const v = 'abcdefghij'; // 10 bytes
    const cores = base64Cores(Buffer.from(v));
    expect(cores).toEqual([
      Buffer.from('abcdefghi').toString('base64'),
      Buffer.from('bcdefghij').toString('base64'),
      Buffer.from('cdefgh').toString('base64'),
    ]);
    // the core for offset k appears verbatim in the encoding of any blob where the value starts at p ≡ -k (mod 3)
    for (let p = 0; p < 6; p++) {
      const blob = Buffer.concat([Buffer.alloc(p, 0x41), Buffer.from(v), Buffer.from('zz')]).toString('base64');
      const k = (3 - (p % 3)) % 3;
      expect(blob).toContain(cores[k]);
    }
  });

  it('covers hex both cases, URL, form and JSON encodings, and each line of a multi-line value', () => {
    const v = 'line one "x"/\nline two é';
    const s = variants(v);
    expect(s).toContain(Buffer.from(v).toString('hex'));
    expect(s).toContain(Buffer.from(v).toString('hex').toUpperCase());
    expect(s).toContain(encodeURIComponent(v));
    expect(s).toContain(new URLSearchParams({ a: v }).toString().slice(2));
    expect(s).toContain(JSON.stringify(v).slice(1, -1));
    expect(s).toContain(v.replace('\n', '\r\n'));
    expect(s).toContain('line one "x"/');
    expect(s).toContain('line two é');
  });

  it('registers nothing for a value shorter than 6 characters', () => {
    expect(variants('abcde').size).toBe(0);
  });
});

describe('Redactor', () => {
  it('masks a registered value and returns how many needles it added', () => {
    const r = new Redactor();
    const v = alnum(24);
    const res = r.add(new Secret(v, 'secrets.a'));
    expect(res.label).toBe('secrets.a');
    expect(res.added).toBeGreaterThan(10);
    expect(r.size).toBe(res.added);
    expect(r.redact(`before ${v} after`)).toBe(`before ${MASK} after`);
    expect(r.add(v).added).toBe(0); // already there
  });

  it('does not register a value shorter than 6 characters but warns', () => {
    const r = new Redactor();
    const res = r.add('abcde', 'secrets.pin');
    expect(res.added).toBe(0);
    expect(res.warning).toMatch(/secrets\.pin is shorter than 6/);
    expect(res.warning).not.toContain('abcde');
    expect(r.warnings).toEqual([res.warning]);
    expect(r.redact('abcde and a')).toBe('abcde and a');
  });

  it('masks every canary in every encoding inside surrounding text', () => {
    for (const [shape, value] of Object.entries(canaries())) {
      const r = new Redactor();
      r.add(value, shape);
      for (const { name, text } of encodings(value)) {
        const out = r.redact(text);
        expect(leaks(out, value), `${shape} ${name}: ${out}`).toEqual([]);
        expect(out, `${shape} ${name}`).toContain(MASK);
      }
    }
  });

  it('masks overlapping and adjacent secrets, longest wins', () => {
    const r = new Redactor();
    const a = alnum(12);
    const b = a.slice(6) + alnum(10);
    r.add(a);
    r.add(b);
    const out = r.redact(`x${a.slice(0, 6)}${b}y ${a}${a} z`);
    expect(out).toBe(`x${MASK}y ${MASK} z`);
  });

  it('masks the value wherever the masked output would spell it again', () => {
    const r = new Redactor();
    const v = `x${MASK}yyyy`;
    r.add(v);
    expect(r.redact(`x${v}yyyy`)).not.toContain(v);
  });

  it('masks known token shapes nobody registered, keeping the prefix', () => {
    const r = new Redactor();
    const tokens = {
      hf: 'hf_' + alnum(34),
      org: 'api_org_' + alnum(34),
      ghp: 'ghp_' + alnum(36),
      ghs: 'ghs_' + alnum(36),
      fine: 'github_pat_' + alnum(22) + '_' + alnum(59),
      slack: 'xoxb-' + randomFrom('0123456789', 12) + '-' + alnum(24),
      slackUser: 'xoxp-' + randomFrom('0123456789', 12) + '-' + alnum(24),
      app: 'xapp-1-' + alnum(30),
      hook: 'https://hooks.slack.com/services/T' + alnum(8) + '/B' + alnum(8) + '/' + alnum(24),
      openai: 'sk-' + alnum(20) + 'T3BlbkFJ' + alnum(20),
      openaiProj: 'sk-proj-' + alnum(40),
    };
    for (const [name, t] of Object.entries(tokens)) {
      const out = r.redact(`export X_TOKEN=${t}; echo "${t}"`);
      expect(out, name).not.toContain(t.slice(-12));
      expect(out, name).toContain(MASK);
    }
    expect(r.redact(`key ${tokens.hf}.`)).toBe(`key hf_${MASK}.`);
    expect(r.redact(tokens.hook)).toBe(`https://hooks.slack.com/services/${MASK}`);
    expect(redactShapes(`a ${tokens.ghp} b`)).toBe(`a ghp_${MASK} b`);
    expect(TOKEN_SHAPES.map((s) => s.name)).toEqual(expect.arrayContaining(['huggingface-token', 'github-token', 'github-fine-grained-pat', 'aws-secret-access-key', 'slack-token', 'slack-webhook', 'openai-key', 'npm-token']));
  });

  it('shows identifiers in full (AWS access key ids) and masks only the secret half of a key pair', () => {
    const r = new Redactor();
    const id = 'AK' + 'IA' + randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16);
    const tmp = 'AS' + 'IA' + randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16);
    const secret = alnum(36) + '+/' + alnum(2);
    const out = r.redact(`aws_access_key_id = ${id}\naws_secret_access_key = ${secret}\nsession key ${tmp}`);
    expect(out).toContain(id);
    expect(out).toContain(tmp);
    expect(out).not.toContain(secret);
    expect(out).toContain(`aws_secret_access_key = ${MASK}`);
    expect(TOKEN_SHAPES.map((s) => s.name)).not.toContain('aws-access-key-id');
  });

  it('leaves ordinary text alone', () => {
    const r = new Redactor();
    r.add(alnum(30));
    const text = 'The quick brown fox: hf_short, ghp_tooShort, AKIA_not, https://hooks.slack.com/ and sk-learn.';
    expect(r.redact(text)).toBe(text);
  });

  it('redactValue masks strings and keys deeply, turns Secrets into labels, survives cycles and __proto__ keys', () => {
    const r = new Redactor();
    const v = alnum(20);
    const s = new Secret(alnum(20), 'secrets.s');
    r.add(v);
    const obj: Record<string, unknown> = { a: `x${v}`, [v]: 1, list: [v, { deep: v }], s, n: 3, m: new Map([['k', v]]) };
    obj.self = obj;
    const evil = JSON.parse(`{"__proto__": {"polluted": "${v}"}}`) as object;
    const out = r.redactValue({ ...obj, evil }) as Record<string, any>;
    const text = inspect(out, { depth: 10 });
    expect(text).not.toContain(v);
    expect(text).not.toContain(s.reveal());
    expect(out.s).toBe('[secret secrets.s]');
    expect(out.a).toBe(`x${MASK}`);
    expect(out.self).toBe(out.self.self);
    expect(Object.getPrototypeOf(out.evil)).toBe(Object.prototype);
    expect(({} as any).polluted).toBeUndefined();
    const err = r.redactValue(new Error(`failed with ${v}`)) as unknown as { message: string };
    expect(err.message).toBe(`failed with ${MASK}`);
  });

  it('is linear: 1 MB against 100 secrets stays fast', () => {
    const r = new Redactor();
    const secrets = Array.from({ length: 100 }, () => alnum(32));
    for (const s of secrets) r.add(s);
    const filler = 'lorem ipsum dolor sit amet, consectetur adipiscing elit ';
    let text = '';
    for (let i = 0; text.length < 1024 * 1024; i++) text += filler + (i % 50 === 0 ? secrets[i % 100] : '') + '\n';
    r.redact('warm');
    const t0 = performance.now();
    const out = r.redact(text);
    const ms = performance.now() - t0;
    for (const s of secrets) expect(out.includes(s)).toBe(false);
    expect(ms).toBeLessThan(2000);
  });
});

describe('Redactor.stream', () => {
  it('reassembles a value split across writes before masking', () => {
    const r = new Redactor();
    const v = alnum(30);
    r.add(v);
    const got: string[] = [];
    const s = r.stream((t) => got.push(t));
    s.write(`one ${v.slice(0, 10)}`);
    s.write(v.slice(10, 20));
    expect(got).toEqual([]); // nothing until the line is complete
    s.write(`${v.slice(20)} two\nthree ${v.slice(0, 3)}`);
    s.write(`${v.slice(3)}`);
    s.flush();
    expect(got.join('')).toBe(`one ${MASK} two\nthree ${MASK}`);
  });

  it('masks a multi-line secret whose lines arrive one write each', () => {
    const { pem } = canaries();
    const r = new Redactor();
    r.add(pem);
    const got: string[] = [];
    const s = r.stream((t) => got.push(t));
    for (const line of pem.split('\n')) s.write(line + '\n');
    s.flush();
    expect(leaks(got.join(''), pem)).toEqual([]);
  });

  it('flushes an endless line in pieces without cutting through a secret', () => {
    const r = new Redactor();
    const v = alnum(40);
    r.add(v);
    const got: string[] = [];
    const s = r.stream((t) => got.push(t), { maxLine: 1000, maxShape: 64 });
    for (let i = 0; i < 200; i++) s.write('x'.repeat(37) + v.slice(0, 17 + (i % 5)) + v.slice(17 + (i % 5)));
    expect(got.length).toBeGreaterThan(1); // it did not wait for a newline forever
    s.flush();
    const out = got.join('');
    expect(out).not.toContain(v.slice(0, 20));
    expect(out).not.toContain(v.slice(20));
    expect(out.split(MASK).length - 1).toBe(200);
  });

  it('util.inspect and JSON of a Secret never show the value', () => {
    const v = alnum(24);
    const s = new Secret(v, 'secrets.x');
    expect(`${s}`).toBe('[secret secrets.x]');
    expect(JSON.stringify({ s })).not.toContain(v);
    expect(inspect({ s }, { showHidden: true, depth: 5 })).not.toContain(v);
  });
});
