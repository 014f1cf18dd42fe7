/**
 * Credential values of a drill world. None is ever written to a scenario or a journal: each is
 * derived when the drill starts from the drill's seed and the credential's id — so a resumed
 * drill rebuilds the same world, and `--seed N` reproduces a drill exactly. They are fake: they
 * exist only in the loopback simulators. The shapes follow reference/PROVIDERS.md so that the
 * scanner and the redactor recognise them as they would real ones.
 */
import { createHash, createHmac } from 'node:crypto';
import { withBase62Checksum } from '../../core/secrets/kind-checks.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const HEX = '0123456789abcdef';

/** The world key of a seed: the same seed gives the same world (and the same fault decisions). */
export function worldKey(seed: number): Buffer {
  return createHash('sha256').update(`runbook drill world v1|${seed}`).digest();
}

export class ValueMaker {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    this.#key = key;
  }

  /** `n` characters of `alphabet`, a pure function of the key and the label. */
  chars(label: string, alphabet: string, n: number): string {
    let out = '';
    for (let block = 0; out.length < n; block++) {
      const bytes = createHmac('sha256', this.#key).update(`${label}#${block}`).digest();
      for (const b of bytes) {
        // rejection sampling keeps the characters uniform
        if (b >= 256 - (256 % alphabet.length)) continue;
        out += alphabet[b % alphabet.length];
        if (out.length === n) break;
      }
    }
    return out;
  }

  hfToken(id: string, legacyOrg: boolean): string {
    return (legacyOrg ? 'api_org_' : 'hf_') + this.chars(`hf:${id}`, ALNUM, 34);
  }
  githubToken(id: string, kind: 'classic' | 'fine-grained'): string {
    // classic tokens carry GitHub's CRC32 checksum in their last 6 characters, as real ones do
    return kind === 'fine-grained' ? 'github_pat_' + this.chars(`gh:${id}`, ALNUM + '_', 82) : withBase62Checksum('ghp_', this.chars(`gh:${id}`, ALNUM, 30));
  }
  awsKeyId(id: string): string {
    return 'AKIA' + this.chars(`aws-id:${id}`, B32, 16);
  }
  /** a role session's (temporary) access key id */
  awsSessionId(n: number): string {
    return 'ASIA' + this.chars(`aws-session:${n}`, B32, 16);
  }
  awsSecret(id: string): string {
    return this.chars(`aws-secret:${id}`, B64, 40);
  }
  slackToken(id: string, bot: boolean): string {
    return `${bot ? 'xoxb' : 'xoxp'}-${this.chars(`slack1:${id}`, '0123456789', 12)}-${this.chars(`slack2:${id}`, '0123456789', 13)}-${this.chars(`slack3:${id}`, ALNUM, 24)}`;
  }
  generated(label: string, kind: 'opaque' | 'password' | 'hex'): string {
    if (kind === 'hex') return this.chars(`gen:${label}`, HEX, 32);
    if (kind === 'password') return this.chars(`gen:${label}`, ALNUM + '!#%+-.', 20);
    return 'drill-' + this.chars(`gen:${label}`, UPPER_NUM, 26);
  }
}
