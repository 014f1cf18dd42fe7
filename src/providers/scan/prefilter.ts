/**
 * A byte-level pass over a piece of a file before it is decoded: which kinds of the credential
 * table could match in it (one of their keywords is there — `CredentialKind.keywords` promises
 * every match holds one) and whether the generic rule could (a credential word followed by an
 * assignment, what its `ANCHOR` regex needs). Most pieces of real code hold neither and are
 * never turned into a string; a piece that does runs only the patterns of the kinds seen, not
 * the whole table. The answer is a superset: it never says "no" where a rule would find
 * something (test/providers/scan-prefilter.test.ts checks it against the rules themselves).
 *
 * One Aho–Corasick automaton over ASCII-folded bytes holds every keyword and every credential
 * word: one table load per byte, no allocation. Keywords are ASCII, and in UTF-8 an ASCII byte is
 * only ever that character, so a keyword is in the bytes exactly when it is in the decoded text.
 */
import { KINDS } from '../../core/secrets/kinds.js';

/** The generic rule's credential words (rules.ts `ANCHOR`: `key|token|secret|passw(?:or)?d|pwd|credentials?|auth`). */
const ANCHOR_WORDS = ['key', 'token', 'secret', 'password', 'passwd', 'pwd', 'credential', 'auth'];

interface Word {
  /** the word as given (exact bytes, for case-sensitive kinds) */
  bytes: Uint8Array;
  /** the kinds this keyword stands for, matched case-sensitively / case-insensitively */
  exact: number[];
  folded: number[];
  anchor: boolean;
}

const URL_KIND = KINDS.findIndex((k) => k.id === 'url-credentials');

const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

/** The automaton: states are pre-multiplied row offsets into `delta`. */
const { delta, classes, width, has, outputs } = (() => {
  const words = new Map<string, Word>();
  const word = (w: string) => {
    const key = w.toLowerCase();
    let x = words.get(key);
    if (!x) words.set(key, (x = { bytes: Buffer.from(w, 'latin1'), exact: [], folded: [], anchor: false }));
    return x;
  };
  KINDS.forEach((k, i) => {
    const ci = !!k.flags?.includes('i');
    for (const w of k.keywords) {
      const x = word(w);
      const bytes = Buffer.from(w, 'latin1');
      if (ci) x.folded.push(i);
      else if (!x.exact.length || bytes.equals(x.bytes)) {
        x.exact.push(i);
        x.bytes = bytes;
      } else x.folded.push(i); // two case-sensitive spellings of one word: only the fold is checked (a superset)
    }
  });
  for (const w of ANCHOR_WORDS) word(w).anchor = true;
  // byte → class (ASCII letters folded); class 0: a byte no word holds
  const classes = new Uint8Array(256);
  let width = 1;
  for (const key of words.keys())
    for (const ch of Buffer.from(key, 'latin1')) {
      if (classes[ch] === 0) {
        classes[ch] = width++;
        if (ch >= 97 && ch <= 122) classes[ch - 32] = classes[ch]!;
      }
    }
  // trie
  const next: Map<number, number>[] = [new Map()];
  const out: Word[][] = [[]];
  for (const [key, w] of words) {
    let s = 0;
    for (const ch of Buffer.from(key, 'latin1')) {
      const c = classes[ch]!;
      let t = next[s]!.get(c);
      if (t === undefined) {
        t = next.length;
        next.push(new Map());
        out.push([]);
        next[s]!.set(c, t);
      }
      s = t;
    }
    out[s]!.push(w);
  }
  // breadth first: failure links folded into a full transition table
  const n = next.length;
  const delta = new Int32Array(n * width);
  const fail = new Int32Array(n);
  const queue: number[] = [];
  for (let c = 0; c < width; c++) {
    const t = next[0]!.get(c);
    if (t !== undefined) {
      delta[c] = t * width;
      queue.push(t);
    }
  }
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q]!;
    out[s]!.push(...out[fail[s]!]!);
    for (let c = 0; c < width; c++) {
      const t = next[s]!.get(c);
      if (t !== undefined) {
        fail[t] = delta[fail[s]! * width + c]! / width;
        delta[s * width + c] = t * width;
        queue.push(t);
      } else delta[s * width + c] = delta[fail[s]! * width + c]!;
    }
  }
  // `has` by row offset (one byte load per input byte), the words by state number (rarely read)
  const has = new Uint8Array(n * width);
  for (let s = 0; s < n; s++) if (out[s]!.length) has[s * width] = 1;
  return { delta, classes, width, has, outputs: out };
})();

/** Byte classes: 1 a character of the generic rule's values (rules.ts `VALUE_CHARS`), 2 letters and digits, 4 lower-case hex, 8 `[A-Z2-7]`, 16 `[A-Za-z0-9_-]`. */
const CLASS = (() => {
  const t = new Uint8Array(256);
  const set = (chars: string, bit: number) => {
    for (const ch of Buffer.from(chars, 'latin1')) t[ch]! |= bit;
  };
  const an = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  set(an + '+/=_-.~!@#$%^&*?', 1);
  set(an, 2);
  set('0123456789abcdef', 4);
  set('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 8);
  set(an + '_-', 16);
  return t;
})();

/** How many bytes of class `bit` follow from `j` (at most `max + 1`). */
function run(buf: Uint8Array, j: number, end: number, bit: number, max: number): number {
  let n = 0;
  while (j + n < end && n <= max && (CLASS[buf[j + n]!]! & bit) !== 0) n++;
  return n;
}

/** After the generic rule's assignment: a value it could take (rules.ts `valueAt` + `isHighEntropySecret`: 16–256 value characters, quoted, or unquoted up to a delimiter). */
function valueAt(buf: Uint8Array, j: number, end: number): boolean {
  while (j < end && (buf[j] === 32 || buf[j] === 9)) j++;
  if (j >= end) return false;
  const q = buf[j]!;
  if (q === 34 || q === 39 || q === 96) {
    const n = run(buf, j + 1, end, 1, 256);
    return n >= 16 && n <= 256 && buf[j + 1 + n] === q;
  }
  const n = run(buf, j, end, 1, 256);
  if (n < 16 || n > 256) return false;
  const c = buf[j + n];
  // the unquoted value ends at whitespace or a delimiter of `[^\s"'\`,;(){}[\]<>]` (a non-ASCII byte may be a space)
  return c === undefined || j + n >= end || c <= 32 || c >= 128 || '"\'`,;(){}[]<>'.includes(String.fromCharCode(c));
}

/**
 * A credential word ending at `e` followed by what `ANCHOR` needs — `s`? (credentials), a
 * quote?, blanks, `:=`, `=>`, `=` or `:` — and then by a value the generic rule could report.
 */
function assignmentAt(buf: Uint8Array, e: number, end: number, w: Word): boolean {
  let j = e;
  if (w.bytes.length === 10 && j < end && lower(buf[j]!) === 115) j++; // credential → credentials
  if (j < end && (buf[j] === 34 || buf[j] === 39)) j++;
  while (j < end && (buf[j] === 32 || buf[j] === 9)) j++;
  if (j >= end || (buf[j] !== 58 && buf[j] !== 61)) return false;
  // `:=` and `=>` take two characters; `==`, `:=` read as `=`/`:` and a value starting with `=` too
  const op = buf[j]!;
  const second = buf[j + 1];
  return valueAt(buf, j + 1, end) || ((op === 58 && second === 61) || (op === 61 && second === 62) ? valueAt(buf, j + 2, end) : false);
}

/** Kinds whose pattern needs a run of one class right after its keyword: how many bytes of which class (a cheap test before decoding). */
const TAILS = new Map<number, { bit: number; min: number }>(
  (
    [
      ['aws-access-key-id', 8, 16],
      ['twilio-api-key-sid', 4, 32],
      ['npm-token', 2, 36],
      ['huggingface-token', 2, 34],
      ['openai-key', 16, 10],
      ['jwt', 16, 10],
    ] as const
  ).map(([id, bit, min]) => [KINDS.findIndex((k) => k.id === id), { bit, min }]),
);

/** `://user:password@` after a `://` ending at `e` (byte counts generous: a character is up to 4 bytes). */
function urlCredentialsAt(buf: Uint8Array, e: number, end: number): boolean {
  const part = (from: number, min: number, max: number, stop: number): number => {
    let j = from;
    for (; j < end && j - from <= max; j++) {
      const c = buf[j]!;
      if (c === stop) return j - from >= min ? j : -1;
      // [^\s:/@"'<>`] (ASCII exclusions; non-ASCII bytes may belong to a character that qualifies)
      if (c <= 32 || c === 58 || c === 47 || c === 64 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96) return -1;
    }
    return -1;
  };
  const colon = part(e, 1, 128 * 4, 58);
  return colon >= 0 && part(colon + 1, 6, 256 * 4, 64) >= 0;
}

function exactAt(buf: Uint8Array, e: number, word: Uint8Array): boolean {
  for (let i = 0, at = e - word.length; i < word.length; i++) if (buf[at + i] !== word[i]) return false;
  return true;
}

/** What a piece may hold; `kinds[i]` is 1 when the table's kind `i` could match (reused: read it before the next call). */
export interface Candidates {
  kinds: Uint8Array;
  /** some kind could match */
  any: boolean;
  /** the generic rule could match */
  generic: boolean;
}

const result: Candidates = { kinds: new Uint8Array(KINDS.length), any: false, generic: false };

/** Which rules could find something in `buf[0, end)`. */
export function candidates(buf: Uint8Array, end = buf.length): Candidates {
  const kinds = result.kinds;
  kinds.fill(0);
  let any = false;
  let generic = false;
  let s = 0;
  for (let i = 0; i < end; i++) {
    s = delta[s + classes[buf[i]!]!]!;
    if (has[s] === 0) continue;
    for (const w of outputs[s / width]!) {
      if (w.anchor && !generic) generic = assignmentAt(buf, i + 1, end, w);
      for (const k of w.folded) {
        kinds[k] = 1;
        any = true;
      }
      if (w.exact.length && exactAt(buf, i + 1, w.bytes))
        for (const k of w.exact) {
          if (k === URL_KIND && !urlCredentialsAt(buf, i + 1, end)) continue;
          const tail = TAILS.get(k);
          if (tail && run(buf, i + 1, end, tail.bit, tail.min) < tail.min) continue;
          kinds[k] = 1;
          any = true;
        }
    }
  }
  result.any = any;
  result.generic = generic;
  return result;
}
