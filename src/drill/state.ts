/**
 * What a drill keeps next to its journal (`<incident>/drill/state.json`, mode 0600) so that a
 * stopped drill resumes in the same world: the seed, speed and faults it ran with, the drill
 * clock, the adversary's actions so far, the progress measured, and a snapshot of the world's
 * mutable state (./snapshot.ts) — never a credential value (values are rebuilt from the seed).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.js';
import { dirname, join } from 'node:path';
import type { AdversaryRecord } from './adversary.js';
import type { ProgressState } from './progress.js';
import type { WorldSnapshot } from './snapshot.js';
import type { FaultStats } from './faults.js';

export interface DrillState {
  version: 1;
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
}

export function drillDir(incidentDir: string): string {
  return join(incidentDir, 'drill');
}

export function readDrillState(dir: string): DrillState | undefined {
  const file = join(dir, 'state.json');
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as DrillState;
    return s && s.version === 1 && typeof s.seed === 'number' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Write atomically (src/core/atomic-write.ts: temp file, fsync, rename): a crash leaves the old state or the new one. */
export function writeDrillState(dir: string, s: DrillState): void {
  const file = join(dir, 'state.json');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, JSON.stringify(s) + '\n', 0o600);
}
