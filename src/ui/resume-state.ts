/**
 * What the TUI keeps beside the journal so that a resume opens where the operator left: the
 * mode (step by step, or running all). The journal stays the record of the incident; this
 * small file only says how the screen was being driven. A missing or broken file is ignored.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
    writeFileSync(file, JSON.stringify(s) + '\n', { mode: 0o600 });
  } catch {
    /* the journal is the record; losing the screen's mode only asks ⏎ once more */
  }
}
