/**
 * Test helpers for the scanner: token-shaped values generated at test time (never literal in
 * source), real git repositories, and a context with an inspectable redactor and log.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createActionContext, memoryLogger } from '../../src/providers/context.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import type { z } from 'zod';
import scan from '../../src/providers/scan/index.js';
import { withBase62Checksum } from '../../src/core/secrets/kind-checks.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const L = () => randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 1);
const D = () => randomFrom('0123456789', 1);
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function randomFrom(alphabet: string, n: number): string {
  let s = '';
  for (const b of randomBytes(n)) s += alphabet[b % alphabet.length];
  return s;
}

export const gen = {
  hf: () => 'hf_' + randomFrom(ALNUM, 34),
  hfOrg: () => 'api_' + 'org_' + randomFrom(ALNUM, 34),
  /** with its CRC32 checksum, as GitHub makes them (a random 36-character tail fails it) */
  ghp: () => withBase62Checksum('gh' + 'p_', randomFrom(ALNUM, 30)),
  ghFine: () => 'github' + '_pat_' + randomFrom(ALNUM, 22) + '_' + randomFrom(ALNUM, 59),
  awsId: () => 'AK' + 'IA' + randomFrom(B32, 16),
  awsSecret: () => randomFrom(ALNUM + '/+', 40),
  slack: () => 'xo' + 'xb-' + randomFrom('0123456789', 12) + '-' + randomFrom('0123456789', 13) + '-' + randomFrom(ALNUM, 24),
  openai: () => 'sk-' + 'proj-' + randomFrom(ALNUM, 20) + 'T3Blbk' + 'FJ' + randomFrom(ALNUM, 20),
  // the entropy rule wants letters and digits mixed (a word-only value is not taken for a key)
  // random, with letters and digits interleaving at least four times (a letter, a digit, a letter;
  // a letter, two digits, a letter): a random value does, and the entropy rule asks for three
  // changes — 28 random characters alone have none about once in 150 draws
  generic: () => randomFrom(ALNUM, 12) + L() + D() + L() + randomFrom(ALNUM, 12) + L() + D() + D() + L() + randomFrom(ALNUM, 1),
};

export function tempDir(prefix = 'runbook-scan-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

/** Real git in a temp repo, isolated from the user's global config. */
export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: repo, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' },
  }).trim();
}

export function initRepo(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
}

export function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

type ScanConfig = z.output<typeof scan.config>;

/** A context for a scan action, with the instance config parsed as the engine would. */
export function scanContext(action: string, config: z.input<typeof scan.config>, secrets = new SecretRegistry(), httpTimeoutMs?: number) {
  const log = memoryLogger();
  const evidence: unknown[] = [];
  const ctx = createActionContext<ScanConfig>({ type: 'scan', action, config: scan.config.parse(config), secrets, log, onEvidence: (e) => evidence.push(e), httpTimeoutMs });
  return { ctx, secrets, log, evidence };
}
