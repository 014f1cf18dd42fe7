/**
 * A local clone for a drill of the scan path (`workspace.git_clone`): a git repository whose
 * history holds the world's leaked credentials — added in one commit, deleted in the next, as
 * a leak usually looks once someone noticed — plus a placeholder token as a decoy. Written
 * object by object (loose objects, zlib, SHA-1), synchronously, with no git process: the
 * workspace is written before the drill starts, and the same seed gives the same repository.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { BuiltWorld } from './build.js';

function writeObject(git: string, type: 'blob' | 'tree' | 'commit', body: Buffer): string {
  const data = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
  const sha = createHash('sha1').update(data).digest('hex');
  mkdirSync(join(git, 'objects', sha.slice(0, 2)), { recursive: true, mode: 0o700 });
  writeFileSync(join(git, 'objects', sha.slice(0, 2), sha.slice(2)), deflateSync(data), { mode: 0o600 });
  return sha;
}

function tree(git: string, files: Record<string, string>): string {
  const entries = Object.keys(files)
    .sort()
    .map((name) => Buffer.concat([Buffer.from(`100644 ${name}\0`), Buffer.from(writeObject(git, 'blob', Buffer.from(files[name]!)), 'hex')]));
  return writeObject(git, 'tree', Buffer.concat(entries));
}

function commit(git: string, treeSha: string, parent: string | undefined, at: number, message: string): string {
  const who = `Drill Developer <dev@drill.invalid> ${at} +0000`;
  const body = `tree ${treeSha}\n${parent ? `parent ${parent}\n` : ''}author ${who}\ncommitter ${who}\n\n${message}\n`;
  return writeObject(git, 'commit', Buffer.from(body));
}

/** Write the clone at `dir`: README, then `.env` with every leaked GitHub token, then `.env` deleted. */
export function writeGitClone(dir: string, w: BuiltWorld, startedAt = Date.UTC(2024, 4, 1, 9) / 1000): void {
  const git = join(dir, '.git');
  mkdirSync(join(git, 'refs', 'heads'), { recursive: true, mode: 0o700 });
  mkdirSync(join(git, 'refs', 'tags'), { recursive: true, mode: 0o700 });
  writeFileSync(join(git, 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(git, 'config'), '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n');
  const readme = '# api\n\nThe service. Configuration comes from the environment.\n';
  writeFileSync(join(dir, 'README.md'), readme, { mode: 0o600 });
  const leaked = [...w.credentials.values()].filter((c) => c.leaked && c.service === 'github');
  const env = [
    '# local settings — do not commit',
    ...leaked.map((c, i) => `GITHUB_TOKEN_${i + 1}=${c.value}`),
    // a decoy: what a template holds, not a credential
    `EXAMPLE_TOKEN=${'gh' + 'p_'}${'x'.repeat(36)}`,
    '',
  ].join('\n');
  const c1 = commit(git, tree(git, { 'README.md': readme }), undefined, startedAt, 'Initial commit');
  const c2 = commit(git, tree(git, { '.env': env, 'README.md': readme }), c1, startedAt + 3600, 'Add local settings');
  const c3 = commit(git, tree(git, { 'README.md': readme }), c2, startedAt + 7200, 'Remove .env');
  writeFileSync(join(git, 'refs', 'heads', 'main'), c3 + '\n');
}
