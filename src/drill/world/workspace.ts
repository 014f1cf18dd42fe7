/**
 * The drill's workspace: files a responder would have at hand, written from the world at start
 * (mode 0600 in a 0700 folder next to the incident's journal) and removed when the drill
 * process ends — e.g. the export of every Space secret value from the team's secret store
 * (`<owner>/<space>/<KEY>`), which is how the runbook finds the Hub tokens among them, and a
 * contacts file (Hub user or org → e-mail). Rebuilt identically on resume (same seed).
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/schema.js';
import type { BuiltWorld } from './build.js';
import { writeGitClone } from './git-clone.js';

export function writeWorkspace(dir: string, s: Scenario, w: BuiltWorld): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = (path: string, text: string) => writeFileSync(path, text, { mode: 0o600 });
  if (s.workspace.space_secrets && w.hf) {
    const root = join(dir, s.workspace.space_secrets);
    for (const sp of w.hf.spaces ?? []) {
      const folder = join(root, ...sp.id.split('/'));
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      for (const [key, e] of Object.entries(sp.secrets ?? {})) file(join(folder, key), (typeof e === 'string' ? e : e.value) + '\n');
    }
  }
  if (s.workspace.git_clone) writeGitClone(join(dir, s.workspace.git_clone), w);
  if (s.workspace.contacts) file(join(dir, s.workspace.contacts), JSON.stringify(w.contacts, null, 2) + '\n');
}

export function removeWorkspace(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
