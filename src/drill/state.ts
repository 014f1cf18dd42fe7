/**
 * What a drill keeps next to its journal (`<incident>/drill/state.json`, mode 0600) so that a
 * stopped drill resumes in the same world: the seed, speed and faults it ran with, the drill
 * clock, the adversary's actions so far, the progress measured, and a snapshot of the world's
 * mutable state (./snapshot.ts) — never a credential value (values are rebuilt from the seed).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** Write atomically (temp file + rename): a crash leaves the old state or the new one. */
export function writeDrillState(dir: string, s: DrillState): void {
  const file = join(dir, 'state.json');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(s) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
