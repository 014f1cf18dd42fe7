/**
 * The drill's workspace: files a responder would have at hand, written from the world at start
 * (mode 0600 in a 0700 folder next to the incident's journal) and removed when the drill
 * process ends — e.g. the export of every Space secret value from the team's secret store
 * (`<owner>/<space>/<KEY>`), which is how the runbook finds the Hub tokens among them, and a
 * contacts file (Hub user or org → e-mail). Rebuilt identically on resume (same seed).
 */
import { chmodSync, existsSync, mkdirSync, promises as fsp, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isPidAlive } from '../../core/journal/store.js';
import type { Scenario } from '../scenario/schema.js';
import type { BuiltWorld } from './build.js';
import { writeGitClone } from './git-clone.js';

/** Folders written at once (each on libuv's pool): a 10,000-Space export is 10,000 folders. */
const PARALLEL = 32;

export async function writeWorkspace(dir: string, s: Scenario, w: BuiltWorld): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = (path: string, text: string) => writeFileSync(path, text, { mode: 0o600 });
  if (s.workspace.space_secrets && w.hf) {
    const root = join(dir, s.workspace.space_secrets);
    const spaces = w.hf.spaces ?? [];
    // the owners' folders first (few), then each Space's folder and files, PARALLEL at a time
    for (const owner of new Set(spaces.map((sp) => sp.id.split('/').slice(0, -1).join('/')))) mkdirSync(join(root, ...owner.split('/')), { recursive: true, mode: 0o700 });
    let next = 0;
    const worker = async () => {
      while (next < spaces.length) {
        const sp = spaces[next++]!;
        const folder = join(root, ...sp.id.split('/'));
        await fsp.mkdir(folder, { recursive: true, mode: 0o700 });
        for (const [key, e] of Object.entries(sp.secrets ?? {})) await fsp.writeFile(join(folder, key), (typeof e === 'string' ? e : e.value) + '\n', { mode: 0o600 });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, spaces.length) }, worker));
  }
  if (s.workspace.git_clone) writeGitClone(join(dir, s.workspace.git_clone), w);
  if (s.workspace.contacts) file(join(dir, s.workspace.contacts), JSON.stringify(w.contacts, null, 2) + '\n');
}

/**
 * Remove a workspace. Asynchronous: the promise API removes a folder's entries in parallel on
 * libuv's pool — a 10,000-Space export took 32 s with rmSync and 5.7 s this way on a loaded
 * machine (issue 15) — and the event loop stays free meanwhile.
 */
export async function removeWorkspace(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Workspaces a killed drill left behind (a kill -9 skips the cleanup): removed when any drill
 * starts in the same state directory — only for an incident that has a journal (a drill that is
 * still starting has none yet) and whose lock no live process on this host holds (another
 * host's lock is left alone). A resumed drill writes its workspace again from the seed.
 */
export async function removeAbandonedWorkspaces(stateDir: string, except: string): Promise<string[]> {
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
    await removeWorkspace(ws);
    removed.push(id);
  }
  return removed;
}
