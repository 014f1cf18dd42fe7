/**
 * Writes journals with fixed times and operators (for golden files), line by line with
 * encodeRecord — the same encoding FileJournal.append uses, so FileJournal.read() accepts it.
 */
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordBody, StoredSecret } from '../../src/core/journal/records.js';
import { encodeRecord } from '../../src/core/journal/store.js';

export class FixedJournal {
  readonly lines: string[] = [];
  #t: number;
  op: string;

  constructor(
    readonly stateDir: string,
    readonly incident: string,
    start: string,
    op = 'alice@laptop',
  ) {
    this.#t = Date.parse(start);
    this.op = op;
  }

  /** Append a record `after` seconds after the previous one (as `op`, default the current operator). */
  add(body: RecordBody | (RecordBody & Record<string, unknown>), after = 1, op = this.op): this {
    this.#t += after * 1000;
    const rec = { seq: this.lines.length + 1, ts: new Date(this.#t).toISOString(), op, ...body };
    this.lines.push(encodeRecord(rec as Parameters<typeof encodeRecord>[0]));
    return this;
  }

  write(): string {
    const dir = join(this.stateDir, 'incidents', this.incident);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'journal.jsonl');
    writeFileSync(file, this.lines.join('\n') + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    return file;
  }
}

export function stored(label: string, fingerprint: string, last4: string): StoredSecret {
  return { $secret: label, fingerprint, last4 };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomAlnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(Math.random() * ALNUM.length)];
  return s;
}
