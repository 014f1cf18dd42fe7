/**
 * Writes journals with fixed times and operators (for golden files), line by line with
 * encodeRecord — the same encoding FileJournal.append uses, so FileJournal.read() accepts it.
 */
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Mode, RecordBody, StoredSecret } from '../../src/core/journal/records.js';
import { encodeRecord } from '../../src/core/journal/store.js';

/** The runbook an incident was opened on (its hash is always `h`). */
export interface RunbookRef {
  id: string;
  title: string;
  severity: string;
  path: string;
}

/** The two records a run's journal starts with: `incident.opened` (no inputs, no secrets) and `run.started`. */
export function opening(incident: string, mode: Mode, runbook: RunbookRef = { id: 'rb', title: 'T', severity: 'high', path: 'rb.yaml' }): RecordBody[] {
  return [
    { type: 'incident.opened', incident, mode, runbook: { ...runbook, hash: 'h' }, inputs: {}, secrets: {} },
    { type: 'run.started', resumed: false, pid: 1, runbookHash: 'h' },
  ];
}

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

  /** Append `opening(...)` of this incident: opened on `runbook`, then a run started. */
  open(mode: Mode, runbook?: RunbookRef): this {
    for (const body of opening(this.incident, mode, runbook)) this.add(body);
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
