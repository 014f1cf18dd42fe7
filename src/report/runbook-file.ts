/**
 * Step kinds and titles for the report. The journal names the runbook file and its hash; the
 * file is used only when it still exists and hashes to a value the journal recorded (it may
 * have changed since). Otherwise kinds come from `step.started` records that carry them, then
 * from the journaled action name, and the report says which.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { StepKind } from '../core/runbook/schema.js';
import type { RunbookFileStatus } from './types.js';

export interface RunbookStepInfo {
  id: string;
  kind?: StepKind;
  title?: string;
}
export interface RunbookFileInfo {
  status: RunbookFileStatus;
  steps: RunbookStepInfo[];
}

const MAX_BYTES = 1 << 20;

/**
 * Does `hash` (as journaled) name this file content? Accepts the full sha256 hex digest of the
 * bytes, an optional `sha256:` prefix, and a prefix of at least 8 hex characters.
 */
export function hashMatches(bytes: Buffer, hash: string): boolean {
  const want = hash.replace(/^sha256:/i, '').toLowerCase();
  if (want.length < 8 || !/^[0-9a-f]+$/.test(want)) return false;
  return createHash('sha256').update(bytes).digest('hex').startsWith(want);
}

export function loadRunbookFile(path: string, hashes: readonly string[], cwd: string): RunbookFileInfo {
  if (!path) return { status: 'not-recorded', steps: [] };
  const file = resolve(cwd, path);
  let bytes: Buffer;
  try {
    if (statSync(file).size > MAX_BYTES) return { status: 'unreadable', steps: [] };
    bytes = readFileSync(file);
  } catch (e) {
    return { status: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable', steps: [] };
  }
  if (!hashes.some((h) => hashMatches(bytes, h))) return { status: 'changed', steps: [] };
  let doc: unknown;
  try {
    doc = parse(bytes.toString('utf8'), { maxAliasCount: 0, uniqueKeys: true, merge: false });
  } catch {
    return { status: 'unreadable', steps: [] };
  }
  const raw = (doc as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(raw)) return { status: 'unreadable', steps: [] };
  const steps: RunbookStepInfo[] = [];
  for (const s of raw as unknown[]) {
    if (!s || typeof s !== 'object') continue;
    const { id, kind, title } = s as Record<string, unknown>;
    if (typeof id !== 'string') continue;
    const k = StepKind.safeParse(kind);
    steps.push({ id, kind: k.success ? k.data : undefined, title: typeof title === 'string' ? title : undefined });
  }
  return { status: 'matched', steps };
}

const INFER: [StepKind, RegExp][] = [
  ['revoke', /revoke|deactivate|disable|invalidate|delete_?(?:access_?)?(?:token|key|credential)/i],
  ['rotate', /rotate|rotation|(?:put|set|update|create)_?(?:space_?)?(?:secret|token|key|credential)/i],
  ['notify', /notify|notification|send|email|mail|message|page|alert|announce|webhook|post_?(?:to|message)/i],
  ['detect', /scan|detect|find|list|search|whoami|lookup|inspect|check|last_?used|get/i],
];

/** A guess at a step's kind from the action it called (`hf.revokeToken` → revoke). */
export function inferKind(uses: string | undefined): StepKind | undefined {
  if (!uses) return undefined;
  // the action name first (`hf.revokeToken`), then the provider too (`scan.repo`)
  const action = uses.slice(uses.indexOf('.') + 1);
  for (const text of [action, uses]) for (const [kind, re] of INFER) if (re.test(text)) return kind;
  return undefined;
}
