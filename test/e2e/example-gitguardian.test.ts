/**
 * examples/gitguardian-leak-checklist: GitGuardian's public "Leak Mitigation Checklist", ported
 * to the runbook format from docs/ alone, validates, plans and drills to the end — the PAT in the
 * clone's history found and revoked, the Actions secret given the replacement, the history
 * rewritten (filter-branch, backup refs, reflog, gc) and a fresh scan of it finding nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './cli.js';

beforeAll(ensureBuilt);

const RUNBOOK = 'examples/gitguardian-leak-checklist/runbook.yaml';

describe('the ported GitGuardian leak checklist', () => {
  it('validates and plans', () => {
    const v = cli(['validate', RUNBOOK]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const p = cli(['plan', RUNBOOK, '--input', 'repo=acme/api', '--input', 'clone=/tmp/clone', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const steps = (JSON.parse(p.stdout) as { steps: { id: string }[] }).steps.map((s) => s.id);
    expect(steps).toEqual(['find', 'tell-lead', 'check-live', 'revoke-github', 'revoke-slack', 'revoke-others', 'update-consumers', 'update-elsewhere', 'hide-repo', 'reset-index', 'rewrite-history', 'drop-backup-refs', 'expire-reflog', 'gc', 'push-back', 'review-logs', 'summary']);
  });

  it('drills to the end: revoked, rotated, history rewritten and rescanned clean', () => {
    const state = mkdtempSync(join(tmpdir(), 'gg-drill-'));
    const r = cli(['drill', RUNBOOK, '--yes', '--json', '--state-dir', state], { timeout: 240_000 });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const records = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; record?: Record<string, any> }).flatMap((e) => (e.type === 'record' && e.record ? [e.record] : []));
    const finished = (id: string) => records.find((x) => x.type === 'step.finished' && x.step === id);
    expect(finished('find')!.outputs).toMatchObject({ count: 1, files: ['.env'] });
    expect(records.filter((x) => x.type === 'outcome' && x.step === 'revoke-github' && x.status === 'ok')).toHaveLength(1);
    expect(records.filter((x) => x.type === 'outcome' && x.step === 'update-consumers' && x.status === 'ok')).toHaveLength(1);
    // the rescan after gc is the gc step's verify: nothing left in any commit of the clone
    expect(records.find((x) => x.type === 'outcome' && x.step === 'gc')!.verify).toEqual({ state: 'done', detail: 'scan.git: expect met' });
    const card = records.find((x) => x.type === 'scorecard')!.data as Record<string, unknown>;
    expect(card).toMatchObject({ status: 'done', leaked: 1, leaked_dead: 1, consumers_rotated: 1, adversary_succeeded: 0, notify_missing: [] });
  });
});
