/**
 * What the TUI keeps beside the journal so that a resume opens where the operator left: the
 * mode (step by step, or running all). The journal stays the record of the incident; this
 * small file only says how the screen was being driven. A missing or broken file is ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.js';
import { dirname } from 'node:path';

export interface UiResumeState {
  autoRun: boolean;
}

export function readUiState(file: string | undefined): UiResumeState | undefined {
  if (!file || !existsSync(file)) return undefined;
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<UiResumeState>;
    return { autoRun: v.autoRun === true };
  } catch {
    return undefined;
  }
}

export function writeUiState(file: string | undefined, s: UiResumeState): void {
  // only beside a journal that exists (nothing is created for a run that never opened)
  if (!file || !existsSync(dirname(file))) return;
  try {
    // whole or not at all (a crash mid-write must not leave half a file): the project's one atomic write
    writeFileAtomic(file, JSON.stringify(s) + '\n', 0o600);
  } catch {
    /* the journal is the record; losing the screen's mode only asks ⏎ once more */
  }
}
