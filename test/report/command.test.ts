/** `runbook report` as a command: flags, errors with exit codes, --out with mode 0600, and the canary. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/core/errors.js';
import { FileJournal } from '../../src/core/journal/store.js';
import { liveHf } from './scenarios.js';
import { runReport, tempDir } from './harness.js';
import { randomAlnum, stored } from './writer.js';

let t: ReturnType<typeof tempDir>;
beforeAll(() => {
  t = tempDir();
  liveHf(join(t.dir, 'state'), t.dir);
});
afterAll(() => t.cleanup());

describe('runbook report', () => {
  it('prints Markdown by default; the state dir comes from RUNBOOK_STATE_DIR when no flag is given', async () => {
    const r = await runReport(['hf-2024-05-31'], { cwd: t.dir, env: { RUNBOOK_STATE_DIR: join(t.dir, 'state') } });
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toMatch(/^# Incident report: `hf-2024-05-31`/);
    expect(r.stdout).toContain('- [ ] **in doubt** `revoke-org-token`');
  });

  it('prints versioned JSON with --format json', async () => {
    const r = await runReport(['hf-2024-05-31', '--format', 'json', '--state-dir', 'state'], { cwd: t.dir });
    const j = JSON.parse(r.stdout) as { reportVersion: number; summary: { incident: string } };
    expect(j.reportVersion).toBe(1);
    expect(j.summary.incident).toBe('hf-2024-05-31');
  });

  it('an unknown incident is a usage error naming the state dir and pointing at `runbook incidents`', async () => {
    const r = await runReport(['nope', '--state-dir', 'state'], { cwd: t.dir });
    expect(r.code).toBe(ExitCode.usage);
    expect(r.error).toBeInstanceOf(UsageError);
    expect(r.error?.message).toContain(join(t.dir, 'state'));
    expect(r.error?.nextSteps.join('\n')).toContain('runbook incidents');
    expect(r.error?.nextSteps.join('\n')).toContain('hf-2024-05-31');
  });

  it.each([
    [['--state-dir', 'state'], 'exactly one incident id'],
    [['a', 'b', '--state-dir', 'state'], 'exactly one incident id'],
    [['hf-2024-05-31', '--format', 'pdf', '--state-dir', 'state'], '--format must be md or json'],
    [['hf-2024-05-31', '--bogus'], 'bogus'],
    [['../etc', '--state-dir', 'state'], 'invalid incident id'],
  ])('rejects %j', async (argv, msg) => {
    const r = await runReport(argv, { cwd: t.dir });
    expect(r.code).toBe(ExitCode.usage);
    expect(r.error?.message).toContain(msg);
  });

  it('--out writes the file with mode 0600 (replacing an existing one) and says where on stderr', async () => {
    const out = join(t.dir, 'report.md');
    for (let i = 0; i < 2; i++) {
      const r = await runReport(['hf-2024-05-31', '--out', 'report.md', '--state-dir', 'state'], { cwd: t.dir });
      expect(r.code).toBe(ExitCode.ok);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`written to ${out}`);
    }
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toMatch(/^# Incident report/);
    expect(existsSync(`${out}.${process.pid}.tmp`)).toBe(false);
  });

  it('--out into a missing folder is a usage error', async () => {
    const r = await runReport(['hf-2024-05-31', '--out', 'no/such/dir/r.md', '--state-dir', 'state'], { cwd: t.dir });
    expect(r.code).toBe(ExitCode.usage);
    expect(r.error?.message).toContain('cannot write the report');
  });
});

describe('canary: no token-shaped value reaches a report', () => {
  it('a token in a note, an error message, evidence and manual evidence is masked in md, json and --out', async () => {
    const canary = `hf_${randomAlnum(34)}`;
    const ghCanary = `ghp_${randomAlnum(36)}`;
    const state = join(t.dir, 'canary-state');
    // a journal written by the real store (real times and operator)
    const j = new FileJournal(state, 'canary');
    const tok = stored('leaked', 'c0ffeec0ffee0001', canary.slice(-4));
    j.append({ type: 'incident.opened', incident: 'canary', mode: 'live', runbook: { id: 'rb', title: `about ${canary}`, severity: 'high', path: '', hash: '' }, inputs: { token: tok, raw: ghCanary }, secrets: {} });
    j.append({ type: 'run.started', resumed: false, pid: 1, runbookHash: '' });
    j.append({ type: 'step.started', step: 'revoke' });
    j.append({ type: 'intent', step: 'revoke', item: '-', action: 'hf.revokeToken', attempt: 1, key: 'k', input: { token: tok }, idempotent: false });
    j.append({ type: 'outcome', step: 'revoke', item: '-', status: 'failed', attempt: 1, error: { message: `401 for Bearer ${canary}`, requestId: canary }, evidence: { detail: `echo ${ghCanary}` } });
    j.append({ type: 'manual', step: 'revoke', note: `pasted ${canary} by mistake`, via: 'tui' });
    j.append({ type: 'note', text: `the leaked token was ${canary}` });
    j.append({ type: 'step.finished', step: 'revoke', status: 'failed', reason: `token ${canary} rejected` });
    j.append({ type: 'run.stopped', reason: 'failed', detail: ghCanary });
    j.unlock();
    const md = await runReport(['canary', '--state-dir', state], { cwd: t.dir });
    const json = await runReport(['canary', '--format', 'json', '--state-dir', state], { cwd: t.dir });
    const file = await runReport(['canary', '--out', 'canary.json', '--format', 'json', '--state-dir', state], { cwd: t.dir });
    const written = readFileSync(join(t.dir, 'canary.json'), 'utf8');
    for (const text of [md.stdout, json.stdout, written, file.stderr, md.stderr]) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain(canary.slice(3));
      expect(text).not.toContain(ghCanary);
    }
    // it was there, and was masked (the test would pass vacuously otherwise)
    expect(md.stdout).toContain('the leaked token was hf_***');
    expect(md.stdout).toContain('401 for Bearer hf_***');
    expect(JSON.parse(json.stdout).summary.inputs).toEqual({ token: { fingerprint: 'c0ffeec0ffee0001', last4: canary.slice(-4) }, raw: 'ghp_***' });
  });
});
