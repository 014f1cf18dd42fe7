/**
 * What a drill keeps next to its journal (`<incident>/drill/state.json`, mode 0600) so that a
 * stopped drill resumes in the same world: the seed, speed and faults it ran with, the drill
 * clock, the adversary's actions so far, the progress measured, and a snapshot of the world's
 * mutable state (./snapshot.ts) — never a credential value (values are rebuilt from the seed).
 * `effects` says how many entries of the effects log (./world/durable.ts) the snapshot holds;
 * the later ones are applied on resume.
 *
 * Written rarely (temp file, fsync, rename, fsync of the folder) with a checksum: a resume that
 * finds it missing, unreadable or not matching its checksum stops with an error — it never
 * starts a fresh world under an incident that already acted on one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { JournalError } from '../core/errors.js';
import type { AdversaryRecord } from './adversary.js';
import type { ProgressState } from './progress.js';
import type { WorldSnapshot } from './snapshot.js';
import type { FaultStats } from './faults.js';
import { mkdirTree } from '../core/mkdir.js';

export interface DrillState {
  /** 1: before the effects log (no checksum); 2: with it */
  version: 1 | 2;
  seed: number;
  speed: number;
  faults: string[];
  /** fault decisions so far (only valid for the same fault rules) */
  faultStats?: FaultStats;
  scenario: string;
  clockMs: number;
  adversary: AdversaryRecord[];
  progress: ProgressState;
  world?: WorldSnapshot;
  /** effects of the log already in `world` */
  effects?: number;
}

export function drillDir(incidentDir: string): string {
  return join(incidentDir, 'drill');
}

const checksum = (text: string) => createHash('sha256').update(text).digest('hex');

/** The saved state of a drill that is being resumed; an error when it is missing or damaged. */
/** Whether the drill world of this incident was ever saved (state.json exists). */
export function drillStateExists(dir: string): boolean {
  return existsSync(join(dir, 'state.json'));
}

export function readDrillState(dir: string): DrillState {
  const file = join(dir, 'state.json');
  const fail = (why: string) =>
    new JournalError(`the drill world of this incident ${why} (${file})`, {
      nextSteps: ['A drill is resumed only in the world it acted on, never in a fresh one: start a new drill (another --incident).'],
    });
  if (!existsSync(file)) throw fail('is missing');
  let s: DrillState & { sum?: string };
  try {
    s = JSON.parse(readFileSync(file, 'utf8')) as DrillState & { sum?: string };
  } catch {
    throw fail('is unreadable');
  }
  if (!s || typeof s.seed !== 'number') throw fail('is not a drill state');
  if (s.version === 2) {
    const { sum, ...rest } = s;
    if (sum !== checksum(JSON.stringify(rest))) throw fail('does not match its checksum (damaged or edited)');
    return rest;
  }
  if (s.version !== 1) throw fail(`has an unknown version (${String(s.version)})`);
  return s;
}

/** Write durably and atomically (src/core/atomic-write.ts), with a checksum: a crash leaves the old state or the new one. */
export function writeDrillState(dir: string, s: DrillState): void {
  const file = join(dir, 'state.json');
  mkdirTree(dir);
  const json = JSON.stringify({ ...s, version: 2 as const });
  // the same text as JSON.stringify({ ...body, sum }) (sum is the last key), without a second stringify of the whole world
  writeFileAtomic(file, `${json.slice(0, -1)},"sum":"${checksum(json)}"}\n`, 0o600);
}
