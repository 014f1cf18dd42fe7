/**
 * Test helpers: canaries generated at test time (never literal token-shaped fixtures), the
 * encodings a value can be smuggled out in, and an implementation-independent leak detector
 * that decodes what is left after redaction.
 */
import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomFrom(alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}
export const alnum = (n: number) => randomFrom(ALNUM, n);

/** Canaries in the shapes the brief names. */
export type CanaryShape = 'hf' | 'github' | 'awsKeyId' | 'awsSecret' | 'pem' | 'short20';
export function canaries(): Record<CanaryShape, string> {
  const pemBody = Array.from({ length: 4 }, () => randomBytes(48).toString('base64')).join('\n');
  return {
    hf: 'hf_' + alnum(34),
    github: 'ghp_' + alnum(36),
    awsKeyId: 'AKIA' + randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16),
    awsSecret: randomFrom(ALNUM + '+/', 40),
    pem: `-----BEGIN PRIVATE KEY-----\n${pemBody}\n-----END PRIVATE KEY-----`,
    short20: randomFrom(ALNUM + '!#%&()*+,-./:;<=>?@[]^_{|}~', 20),
  };
}

const b64 = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64');
const url = (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_');

/** The value in every encoding we promise to mask, each inside surrounding text. */
export function encodings(value: string, before = 'log: ', after = ' :end'): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const put = (name: string, enc: string) => out.push({ name, text: `${before}${enc}${after}` });
  put('raw', value);
  put('json', JSON.stringify({ v: value }));
  put('json-in-json', JSON.stringify({ outer: JSON.stringify({ v: value }) }));
  put('url', `https://example.test/cb?token=${encodeURIComponent(value)}&x=1`);
  put('form', new URLSearchParams({ token: value }).toString());
  put('hex', Buffer.from(value).toString('hex'));
  put('HEX', Buffer.from(value).toString('hex').toUpperCase());
  // base64 at every byte offset inside a larger blob (offsets 0–5 cover all three alignments twice)
  for (let pre = 0; pre < 6; pre++) {
    for (const post of [0, 1, 2]) {
      const blob = Buffer.concat([randomBytes(pre), Buffer.from(value), randomBytes(post)]);
      const std = b64(blob);
      put(`b64@${pre}+${post}`, std);
      put(`b64-nopad@${pre}+${post}`, std.replace(/=+$/, ''));
      put(`b64url@${pre}+${post}`, url(std).replace(/=+$/, ''));
      put(`b64x2@${pre}+${post}`, b64(std));
      put(`b64x2-nopad@${pre}+${post}`, b64(std).replace(/=+$/, ''));
    }
  }
  put('basic-auth', `Authorization: Basic ${b64('user:' + value)}`);
  if (/\r?\n/.test(value)) {
    put('crlf', value.replace(/\r?\n/g, '\r\n'));
    value.split(/\r?\n/).forEach((line, i) => line.trim().length >= 6 && put(`line${i}`, line));
  }
  return out;
}

const B64_RUN = /[A-Za-z0-9+/_-]{4,}={0,2}/g;

/** Every decoding of the base64-looking runs of `text`, at every alignment. */
function decodings(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(B64_RUN)) {
    const run = m[0].replace(/=+$/, '');
    for (let a = 0; a < 4; a++) {
      const s = run.slice(a);
      if (s.length >= 4) out.push(Buffer.from(s.slice(0, s.length - (s.length % 4)), 'base64'));
    }
  }
  return out;
}

/** Does `hay` contain a run of `n` consecutive bytes of `value`? */
function containsWindow(hay: Buffer, value: Buffer, n: number): boolean {
  if (value.length < n) return hay.includes(value);
  for (let i = 0; i + n <= value.length; i++) if (hay.includes(value.subarray(i, i + n))) return true;
  return false;
}

/**
 * Reasons `out` still gives `value` away: plainly, JSON-/URL-/hex-encoded, or inside any
 * base64 or double-base64 decoding of what is left (≥ 5 consecutive bytes of the value; the
 * partial base64 groups next to a mask may carry at most 2).
 */
export function leaks(out: string, value: string): string[] {
  const reasons: string[] = [];
  const forms: Record<string, string> = {
    raw: value,
    json: JSON.stringify(value).slice(1, -1),
    url: encodeURIComponent(value),
    hex: Buffer.from(value).toString('hex'),
    HEX: Buffer.from(value).toString('hex').toUpperCase(),
  };
  for (const [name, f] of Object.entries(forms)) if (out.includes(f)) reasons.push(name);
  for (const line of value.split(/\r?\n/)) if (line.trim().length >= 6 && out.includes(line.trim())) reasons.push('line');
  const v = Buffer.from(value);
  const n = Math.min(5, v.length);
  for (const d of decodings(out)) {
    if (containsWindow(d, v, n)) {
      reasons.push('base64');
      break;
    }
  }
  outer: for (const d of decodings(out)) {
    for (const dd of decodings(d.toString('latin1'))) {
      if (containsWindow(dd, v, n)) {
        reasons.push('base64x2');
        break outer;
      }
    }
  }
  return reasons;
}
