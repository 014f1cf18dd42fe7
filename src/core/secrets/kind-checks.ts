/**
 * Checks the credential-kind table (./kinds.ts) uses: the CRC32/base62 checksum of GitHub and
 * npm tokens, placeholder detection, PEM and JWT sanity checks. Pure functions of a value.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, the zlib one) of the string's UTF-8 bytes. */
export function crc32(s: string): number {
  let c = 0xffffffff;
  for (const b of Buffer.from(s, 'utf8')) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** GitHub's and npm's base62 alphabet: digits, upper case, lower case. */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function base62(n: number, pad = 6): string {
  let s = '';
  let v = n;
  while (v > 0) {
    s = BASE62[v % 62]! + s;
    v = Math.floor(v / 62);
  }
  return s.padStart(pad, '0');
}

/**
 * GitHub's token format (github.blog, "Behind GitHub's new authentication token formats",
 * 2021-04-05; npm adopted the same for `npm_` tokens): prefix `xxx_`, 30 random base62
 * characters, then a 32-bit CRC of those 30 characters in 6 base62 characters.
 */
export function base62ChecksumOk(token: string): boolean {
  const body = token.slice(token.indexOf('_') + 1);
  if (body.length !== 36) return false;
  return base62(crc32(body.slice(0, 30))) === body.slice(30);
}

/** Make a well-formed token of that format (tests, benchmarks, the drill world). */
export function withBase62Checksum(prefix: string, random30: string): string {
  return prefix + random30 + base62(crc32(random30));
}

const PLACEHOLDER_WORDS = /example|sample|dummy|placeholder|changeme|change_me|your[_-]?(?:token|key|secret|api|app|bot|password)|fake|redacted|insert|replace|xxxx|\*\*\*|\.\.\.|<[a-z_ -]+>|\$\{|\{\{|%s/i;
const SEQUENCES = /0123456789|123456789|abcdefghij|ABCDEFGHIJ|qwertyuiop/i;

const PLACEHOLDER_WORDS_G = new RegExp(PLACEHOLDER_WORDS.source, 'gi');
const SEQUENCES_G = new RegExp(SEQUENCES.source, 'gi');

/**
 * Is this (the variable part of a token, without its fixed prefix) a placeholder rather than
 * a credential? Long runs of one character, too few distinct characters for a random value of
 * that length, or a value that is mostly words (`example`, `your_token`, `xxxx`) and counting
 * sequences. A word inside an otherwise random value is chance, not a placeholder: about 1 in
 * 30,000 random Hugging Face tokens holds `xxxx` in some case, and such a token is real.
 */
export function isPlaceholderBody(body: string): boolean {
  if (/(.)\1{5,}/.test(body)) return true;
  if (body.length >= 16 && new Set(body).size < 6) return true;
  if (!PLACEHOLDER_WORDS.test(body) && !SEQUENCES.test(body)) return false;
  const rest = body.replace(PLACEHOLDER_WORDS_G, '').replace(SEQUENCES_G, '').replace(/[^A-Za-z0-9]/g, '');
  return rest.length < Math.max(12, body.length / 2);
}

const PEM_MAGIC = /^(?:MI|b3BlbnNzaC1rZXktdjE)/;

/** A PEM private key block with a real-looking body (base64 of ASN.1 or an OpenSSH key). */
export function isRealPrivateKey(block: string): boolean {
  if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(block)) return false;
  const inner = block.replace(/^-----BEGIN[^-]*-----/, '').replace(/-----END[^-]*-----(?:\\n)?$/, '');
  if (/PGP/.test(block)) return inner.replace(/\\[nr]|\s/g, '').length >= 100;
  const body = inner.replace(/\\[nrt]|\s/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body) || body.length < 100) return false;
  return PEM_MAGIC.test(body) && !isPlaceholderBody(body.slice(0, 64));
}

export interface JwtClaims {
  exp?: number;
  iss?: string;
  sub?: string;
}

function b64urlJson(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The JWT's header and claims when it is one (header with `alg`), else undefined. */
export function decodeJwt(token: string): { alg: string; claims: JwtClaims & Record<string, unknown> } | undefined {
  const [h, p] = token.split('.');
  if (!h || !p) return undefined;
  const header = b64urlJson(h);
  const claims = b64urlJson(p);
  if (!header || !claims || typeof header.alg !== 'string') return undefined;
  return { alg: header.alg, claims };
}

/** Documentation JWTs (jwt.io's "John Doe", unsigned tokens) are examples, not credentials. */
export function isExampleJwt(token: string): boolean {
  const d = decodeJwt(token);
  if (!d) return true;
  if (d.alg.toLowerCase() === 'none') return true;
  const text = JSON.stringify(d.claims);
  return /John Doe|1234567890|example\.(?:com|org)|foo|bar|test/i.test(text);
}
