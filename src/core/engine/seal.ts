/**
 * Sealed outputs: the live value of an output that the journal can only keep masked (it holds
 * a Secret, or a string the redactor masks — e.g. a new AWS key pair, a token a detect step
 * found), encrypted so that a resumed run gets it back without calling anything again.
 *
 * - AES-256-GCM (node:crypto), a fresh 12-byte IV per record; the additional data binds the
 *   ciphertext to its incident, step and item, so a sealed value cannot be moved elsewhere.
 * - The key is `<incident>/seal.key` (0600, created with O_EXCL, fsynced with its folder before
 *   the first record that uses it), next to the journal, never in it. It is wiped (overwritten,
 *   then unlinked) when the incident closes (`run.stopped` done): from then on the sealed values
 *   are unreadable and a resume sees the masked values only — there is nothing left to resume.
 * - The plain value is never written; only the ciphertext goes into the journal record
 *   (`sealed` on `outcome` and `step.finished`).
 * A store without a folder (a future shared store) gets no sealer: outputs stay masked.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from '../secrets/secret.js';
import type { SecretRegistry } from '../secrets/registry.js';
import type { Sealed } from '../journal/records.js';
import { fsyncDir } from '../atomic-write.js';

const SECRET_TAG = '$sealedSecret';

/** Live value → JSON text with each Secret as `{$sealedSecret: value, label}` (only ever encrypted). */
function serialize(v: unknown): string {
  if (v instanceof Secret) return JSON.stringify({ [SECRET_TAG]: v.reveal(), label: v.label });
  // a Secret's toJSON() runs before a replacer sees it: look at the holder's own value
  return JSON.stringify(v, function (this: Record<string, unknown>, k, x: unknown) {
    const own = this[k];
    if (own instanceof Secret) return { [SECRET_TAG]: own.reveal(), label: own.label };
    return x;
  });
}

function revive(v: unknown, secrets: SecretRegistry): unknown {
  if (Array.isArray(v)) return v.map((x) => revive(x, secrets));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o[SECRET_TAG] === 'string' && Object.keys(o).length <= 2) return secrets.create(o[SECRET_TAG] as string, typeof o.label === 'string' ? o.label : 'sealed output');
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = revive(x, secrets);
    return out;
  }
  return v;
}

export class Sealer {
  readonly #dir: string;
  readonly #file: string;
  readonly #incident: string;
  #key: Buffer | undefined;

  constructor(incidentDir: string, incident: string) {
    this.#dir = incidentDir;
    this.#file = join(incidentDir, 'seal.key');
    this.#incident = incident;
  }

  #readKey(): Buffer | undefined {
    if (this.#key) return this.#key;
    if (!existsSync(this.#file)) return undefined;
    try {
      const fd = openSync(this.#file, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const buf = readFileSync(fd);
        if (buf.length !== 32) return undefined;
        this.#key = buf;
      } finally {
        closeSync(fd);
      }
    } catch {
      return undefined;
    }
    return this.#key;
  }

  #keyForWrite(): Buffer {
    const have = this.#readKey();
    if (have) return have;
    const key = randomBytes(32);
    const fd = openSync(this.#file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, key);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    fsyncDir(this.#dir);
    this.#key = key;
    return key;
  }

  #aad(step: string, item: string): Buffer {
    return Buffer.from(`${this.#incident}\n${step}\n${item}`, 'utf8');
  }

  /** Encrypt a live value; undefined when the key cannot be made (the output then stays masked only). */
  seal(value: unknown, step: string, item: string): Sealed | undefined {
    let key: Buffer;
    try {
      key = this.#keyForWrite();
    } catch {
      return undefined;
    }
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(this.#aad(step, item));
    const data = Buffer.concat([c.update(serialize(value) ?? 'null', 'utf8'), c.final()]);
    return { v: 1, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  /** Decrypt a sealed value back to a live one (Secrets registered with the redactor); undefined when it cannot. */
  unseal(s: Sealed | undefined, step: string, item: string, secrets: SecretRegistry): { value: unknown } | undefined {
    if (!s || s.v !== 1) return undefined;
    const key = this.#readKey();
    if (!key) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
      d.setAAD(this.#aad(step, item));
      d.setAuthTag(Buffer.from(s.tag, 'base64'));
      const text = Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]).toString('utf8');
      return { value: revive(JSON.parse(text), secrets) };
    } catch {
      return undefined;
    }
  }

  /** The incident is closed: overwrite the key, then remove it. Sealed values become unreadable. */
  wipe(): void {
    this.#key = undefined;
    try {
      const fd = openSync(this.#file, constants.O_WRONLY | constants.O_NOFOLLOW);
      try {
        writeSync(fd, Buffer.alloc(fstatSync(fd).size));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      unlinkSync(this.#file);
      fsyncDir(this.#dir);
    } catch {
      /* no key was ever made */
    }
  }
}

/** A sealer for stores that keep an incident in a folder (the file journal). */
export function sealerFor(store: { incident: string; dir?: unknown }): Sealer | undefined {
  return typeof store.dir === 'string' ? new Sealer(store.dir, store.incident) : undefined;
}
