/**
 * Find runbooks: files are taken as given; folders are searched recursively for *.yaml and
 * *.yml (skipping dot-folders and node_modules), and a file found in a folder counts as a
 * runbook when it has a top-level `steps:` key or the runbook schema modeline. Other YAML
 * (drill scenarios, fixtures) is skipped.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_BYTES } from './yaml.js';

export interface Found {
  file: string;
  /** the text when it was read while searching (folders), to save a second read */
  text?: string;
  /** named on the command line (always validated) */
  explicit: boolean;
}

const YAML_EXT = /\.ya?ml$/i;

/** Does this text look like a runbook (and not some other YAML)? */
export function looksLikeRunbook(text: string): boolean {
  return /runbook\.schema\.json/.test(text.slice(0, 2048)) || /^steps[ \t]*:/m.test(text);
}

async function walk(dir: string, out: Found[], skipped: string[], depth: number): Promise<void> {
  if (depth > 32) return;
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out, skipped, depth + 1);
    else if (e.isFile() && YAML_EXT.test(e.name)) {
      const st = await stat(p);
      if (st.size > MAX_BYTES) {
        out.push({ file: p, explicit: false });
        continue;
      }
      const text = await readFile(p, 'utf8');
      if (looksLikeRunbook(text)) out.push({ file: p, text, explicit: false });
      else skipped.push(p);
    }
  }
}

/**
 * Expand paths into runbook files. A path that does not exist is returned as a file (loading
 * it reports "no such file").
 */
export async function findRunbooks(paths: readonly string[]): Promise<{ found: Found[]; skipped: string[] }> {
  const found: Found[] = [];
  const skipped: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      isDir = false;
    }
    if (isDir) await walk(p, found, skipped, 0);
    else found.push({ file: p, explicit: true });
  }
  return { found, skipped };
}
