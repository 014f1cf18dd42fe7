/**
 * `status` without an incident id says which command lists them and how to ask again — with the
 * flags that pick the same place: a hint that drops `--state-dir` lists another directory (seen in
 * a newcomer's drive: `status --state-dir DIR` printed `incidents` and `status ID` without it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { cli, ensureBuilt } from '../e2e/cli.js';

const root = mkdtempSync(join(tmpdir(), 'status-hints-'));
beforeAll(() => ensureBuilt());
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('status without an id', () => {
  it('prints hints that carry --state-dir and run as printed', () => {
    const stateDir = join(root, 'state dir');
    const r = cli(['status', '--state-dir', stateDir]);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toContain('which incident?');
    const hint = r.stderr.split('\n').find((l) => l.includes('→'))!;
    // both commands name the same directory, quoted for the shell
    expect(hint).toMatch(/incidents --state-dir '[^']*state dir' lists the incidents; then .* status ID --state-dir '[^']*state dir'/);
    // the listing hint runs as printed: exit 0 in that (empty) directory
    const listing = cli(['incidents', '--state-dir', stateDir]);
    expect(listing.code).toBe(ExitCode.ok);
  });
  it('without --state-dir the hints add none', () => {
    const r = cli(['status'], { env: { RUNBOOK_STATE_DIR: join(root, 'env') } });
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).not.toContain('--state-dir');
  });
});
