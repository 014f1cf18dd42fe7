/**
 * The drill's workspace: files a responder would have at hand, written from the world at start
 * (mode 0600 in a 0700 folder next to the incident's journal) and removed when the drill
 * process ends — e.g. the export of every Space secret value from the team's secret store
 * (`<owner>/<space>/<KEY>`), which is how the runbook finds the Hub tokens among them, and a
 * contacts file (Hub user or org → e-mail). Rebuilt identically on resume (same seed).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isPidAlive } from '../../core/journal/store.js';
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

/**
 * Workspaces a killed drill left behind (a kill -9 skips the cleanup): removed when any drill
 * starts in the same state directory — only for an incident that has a journal (a drill that is
 * still starting has none yet) and whose lock no live process on this host holds (another
 * host's lock is left alone). A resumed drill writes its workspace again from the seed.
 */
export function removeAbandonedWorkspaces(stateDir: string, except: string): string[] {
  const root = join(stateDir, 'incidents');
  if (!existsSync(root)) return [];
  const removed: string[] = [];
  for (const id of readdirSync(root)) {
    if (id === except) continue;
    const ws = join(root, id, 'drill', 'workspace');
    // no journal yet: that drill is still starting (it takes its lock before it journals)
    if (!existsSync(ws) || !existsSync(join(root, id, 'journal.jsonl'))) continue;
    let live = false;
    try {
      const owner = JSON.parse(readFileSync(join(root, id, 'lock'), 'utf8')) as { pid?: number; host?: string };
      live = owner.host !== hostname() || (typeof owner.pid === 'number' && owner.pid > 0 && isPidAlive(owner.pid));
    } catch {
      live = false;
    }
    if (live) continue;
    removeWorkspace(ws);
    removed.push(id);
  }
  return removed;
}
