/**
 * The journal's files under hostile or unlucky conditions, with the built CLI: links are refused
 * (and their target left alone), an empty journal is not a new incident, a folder in the
 * journal's place is a clear error, a torn tail is dropped with a warning, tampering shows in
 * `status` and stops a resume, older journals still load, and a full disk ends the command
 * with a clear message instead of a hang.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cli, ensureBuilt, ROOT } from './cli.js';
import { encodeRecord } from '../../src/core/journal/store.js';

beforeAll(ensureBuilt);

function ws() {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-jfiles-'));
  copyFileSync(join(ROOT, 'test', 'e2e', 'fixtures', 'lock-wait.yaml'), join(dir, 'lock-wait.yaml'));
  writeFileSync(join(dir, 'go'), ''); // the waiting step ends at once
  const state = join(dir, 'state');
  return { dir, state, inc: join(state, 'incidents', 'inc'), journal: join(state, 'incidents', 'inc', 'journal.jsonl') };
}
type Ws = ReturnType<typeof ws>;
const run = (w: Ws) => cli(['run', 'lock-wait.yaml', '--incident', 'inc', '--state-dir', w.state, '--input', `go=${join(w.dir, 'go')}`], { cwd: w.dir });
const status = (w: Ws) => cli(['status', 'inc', '--state-dir', w.state], { cwd: w.dir });
const lines = (w: Ws) => readFileSync(w.journal, 'utf8').split('\n').filter(Boolean);
/** Rewrite one record and give it a correct checksum again, as someone covering their tracks would. */
function rewrite(line: string, change: (r: Record<string, unknown>) => void): string {
  const r = JSON.parse(line) as Record<string, unknown>;
  delete r.sum;
  change(r);
  return encodeRecord(r as never);
}

describe('links, folders and empty files', () => {
  it('a journal that is a symbolic link is refused and its target is left untouched', () => {
    const w = ws();
    mkdirSync(w.inc, { recursive: true, mode: 0o700 });
    const victim = join(w.dir, 'precious.txt');
    writeFileSync(victim, 'precious data\n');
    symlinkSync(victim, w.journal);
    const r = run(w);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${w.journal} is a symbolic link`);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(readFileSync(victim, 'utf8')).toBe('precious data\n');
  });

  it("an incident folder that is a symbolic link is refused", () => {
    const w = ws();
    const elsewhere = join(w.dir, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(join(w.state, 'incidents'), { recursive: true });
    symlinkSync(elsewhere, w.inc);
    const r = run(w);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${w.inc} is a symbolic link`);
    expect(existsSync(join(elsewhere, 'journal.jsonl'))).toBe(false);
    expect(existsSync(join(elsewhere, 'lock'))).toBe(false);
  });

  it('an empty journal is not a new incident: a clear error, nothing run', () => {
    const w = ws();
    mkdirSync(w.inc, { recursive: true, mode: 0o700 });
    writeFileSync(w.journal, '');
    const r = run(w);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/is empty \(0 bytes\): that is not a new incident/);
    expect(readFileSync(w.journal, 'utf8')).toBe('');
  });

  it('a folder where the journal should be is a clear error (exit 1, not an internal error)', () => {
    const w = ws();
    mkdirSync(w.journal, { recursive: true });
    const r = run(w);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${w.journal} is a folder, not a journal file`);
    expect(status(w).code).toBe(1);
  });
});

describe('torn tail and tamper evidence', () => {
  it('a torn last line is dropped with a warning that names it; the run goes on', () => {
    const w = ws();
    expect(run(w).code).toBe(0);
    const n = lines(w).length;
    appendFileSync(w.journal, `{"seq":${n + 1},"ts":"2026-01-01T00:00:00.000Z","op":"a@b","type":"step.started","step":"fir`);
    const r = run(w);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`dropped a torn last line — line ${n + 1} (a step.started record, `);
    const after = lines(w).map((l) => JSON.parse(l) as { type: string; text?: string });
    expect(after[n]).toMatchObject({ type: 'note', text: expect.stringContaining(`line ${n + 1} (a step.started record`) });
    expect(status(w).stdout).toMatch(/journal: ok: hash chain verified through line \d+, head at line \d+/);
  });

  it('a rewritten record (checksum recomputed) breaks the chain: status names the line, a resume is refused', () => {
    const w = ws();
    expect(run(w).code).toBe(0);
    expect(status(w).stdout).toMatch(/journal: ok/);
    const ls = lines(w);
    ls[2] = rewrite(ls[2]!, (r) => (r.title = 'something else'));
    writeFileSync(w.journal, ls.join('\n') + '\n');
    const s = status(w);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('journal: broken at line 4: its link does not match line 3');
    const r = run(w);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('fails its tamper check: broken at line 4');
  });

  it('a deleted last line is detected through the head', () => {
    const w = ws();
    expect(run(w).code).toBe(0);
    const ls = lines(w);
    writeFileSync(w.journal, ls.slice(0, -1).join('\n') + '\n');
    expect(status(w).stdout).toContain(`journal: broken at line ${ls.length}: the journal ends at line ${ls.length - 1} but its head names line ${ls.length}`);
    expect(run(w).code).toBe(1);
  });

  it('a journal of the older format (no chain) still loads, is reported unchained, and is chained from the next record', () => {
    const w = ws();
    expect(run(w).code).toBe(0);
    const old = lines(w).map((l) => rewrite(l, (r) => delete r.prev));
    writeFileSync(w.journal, old.join('\n') + '\n');
    unlinkSync(join(w.inc, 'journal.head'));
    expect(status(w).stdout).toContain(`journal: unchained (older format): ${old.length} record(s)`);
    const r = run(w);
    expect(r.code, r.stderr).toBe(0);
    expect(status(w).stdout).toContain(`(lines 1–${old.length} are of the older, unchained format)`);
  });
});

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'runbook-mnt-probe-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
}

describe('disk full', () => {
  // needs root for a small tmpfs; without it, test/journal/store.test.ts injects ENOSPC instead
  it.skipIf(!canMount())('a drill on a full disk exits 1 with "disk full writing <path>", quickly, and leaves no lock', () => {
    const mnt = mkdtempSync(join(tmpdir(), 'runbook-full-'));
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status).toBe(0);
    try {
      const flagship = join(ROOT, 'runbooks/hf-spaces-secrets-exposure.yaml');
      const state = join(mnt, 'state');
      for (const leave of [8, 0]) {
        rmSync(state, { recursive: true, force: true });
        rmSync(join(mnt, 'fill'), { force: true });
        // fill the disk up to `leave` KiB (tmpfs counts in pages)
        spawnSync('sh', ['-c', `dd if=/dev/zero of=${join(mnt, 'fill')} bs=1k count=${64 - leave} 2>/dev/null; true`]);
        // SIGKILL after 30 s: the bug this guards against also ignored SIGTERM
        const r = spawnSync(process.execPath, [CLI, 'drill', flagship, '--yes', '--incident', 'full', '--state-dir', state], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });
        expect(r.signal, `hung: ${r.stderr}`).toBeNull();
        expect(r.status, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/runbook(?: \w+)?: disk full writing \/\S+: free space and re-run the same command/);
        expect(r.stderr).not.toMatch(/internal error/);
        expect(existsSync(join(state, 'incidents', 'full', 'lock'))).toBe(false);
      }
    } finally {
      spawnSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});

describe('never hang after the command is over', () => {
  it('a plugin that leaves a server open does not keep the CLI alive once the command has its answer', () => {
    const w = ws();
    writeFileSync(
      join(w.dir, 'leaky.mjs'),
      `import { createServer } from 'node:net';
createServer().listen(0, '127.0.0.1');
export default function ({ z, defineProvider, defineAction }) {
  return defineProvider({ type: 'leaky', description: 'Leaves a server open.', config: z.strictObject({}),
    actions: { go: defineAction({ kind: 'any', description: 'Nothing.', input: z.strictObject({}), output: z.object({}), idempotent: true, run: async () => ({}) }) } });
}
`,
    );
    writeFileSync(join(w.dir, 'leaky.yaml'), 'version: 1\nid: leaky\ntitle: Leaky\nplugins: [./leaky.mjs]\nproviders:\n  l: { type: leaky }\nsteps:\n  - id: go\n    kind: detect\n    title: Go\n    uses: l.go\n    with: { unknown: 1 }\n');
    const t = Date.now();
    const r = spawnSync(process.execPath, [CLI, 'validate', 'leaky.yaml'], { cwd: w.dir, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });
    expect(r.signal, `hung: ${r.stderr}`).toBeNull();
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toContain('unknown key "unknown"');
    expect(Date.now() - t).toBeLessThan(15_000);
  });
});
