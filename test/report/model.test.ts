/** What the report says, asserted field by field (the golden files pin the rendering). */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileJournal } from '../../src/core/journal/store.js';
import { buildReport } from '../../src/report/model.js';
import { hashMatches, inferKind, loadRunbookFile } from '../../src/report/runbook-file.js';
import type { IncidentReport } from '../../src/report/types.js';
import { ALL_TYPES, FP, HF_RUNBOOK, drill, everyKind, liveHf } from './scenarios.js';
import { tempDir } from './harness.js';
import { FixedJournal } from './writer.js';

let t: ReturnType<typeof tempDir>;
const state = () => join(t.dir, 'state');
const reportOf = (id: string, withRunbook = true): IncidentReport => {
  const records = new FileJournal(state(), id).read();
  const opened = records[0]!;
  if (opened.type !== 'incident.opened') throw new Error('bad fixture');
  const runbookFile = withRunbook ? loadRunbookFile(opened.runbook.path, [opened.runbook.hash], t.dir) : undefined;
  return buildReport(records, { runbookFile });
};
beforeAll(() => {
  t = tempDir();
  liveHf(state(), t.dir);
  drill(state());
  everyKind(state());
});
afterAll(() => t.cleanup());

describe('live HF incident', () => {
  it('summarises the incident as still open, waiting, with every operator', () => {
    const r = reportOf('hf-2024-05-31');
    expect(r.reportVersion).toBe(1);
    expect(r.summary).toMatchObject({ mode: 'live', outcome: 'waiting', runs: 2, operators: ['alice@laptop', 'bob@desk', 'carol@office'] });
    expect(r.summary.endedAt).toBeUndefined();
    expect(r.summary.runbook.file).toBe('matched');
  });

  it('takes kinds and titles from the runbook file whose hash matches, in runbook order', () => {
    const r = reportOf('hf-2024-05-31');
    expect(r.steps.map((s) => s.id)).toEqual(['scan', 'check-live', 'revoke-hf', 'revoke-org-token', 'rotate-space-secrets', 'rotate-aws', 'notify-users', 'notify-authorities', 'monitor']);
    expect(r.steps.find((s) => s.id === 'notify-authorities')).toMatchObject({ kind: 'manual', kindSource: 'runbook', title: 'Report to the data-protection authority' });
  });

  it('builds the exposure window of each leaked credential', () => {
    const r = reportOf('hf-2024-05-31');
    const a = r.credentials.find((c) => c.fingerprint === FP.a)!;
    expect(a).toMatchObject({ role: 'leaked', last4: 'Wq3z', providerHint: 'huggingface', firstExposedAt: '2024-05-20T08:00:00.000Z' });
    expect(a.foundIn[0]).toMatchObject({ step: 'scan', file: 'app.py', line: 12, commit: 'a1b2c3d4e5f60718', rule: 'huggingface' });
    expect(a.lastUsed?.at).toBe('2024-05-30T22:14:00.000Z');
    expect(a.revoked).toMatchObject({ step: 'revoke-hf', via: 'outcome' });
    expect(a.verifiedDead).toMatchObject({ basis: 'verify', detail: 'whoami-v2 answers 401' });
    expect(a.exposureWindow).toMatchObject({ from: '2024-05-20T08:00:00.000Z', fromBasis: 'first-exposed', toBasis: 'verified-dead', open: false });
    expect(a.exposureWindow.durationMs).toBe(Date.parse(a.verifiedDead!.at) - Date.parse('2024-05-20T08:00:00Z'));
    // settled by the operator after a crash: revoked, but nobody verified it
    const b = r.credentials.find((c) => c.fingerprint === FP.b)!;
    expect(b.revoked).toMatchObject({ via: 'settled', by: 'bob@desk' });
    expect(b.verifiedDead).toBeUndefined();
    expect(b.exposureWindow).toMatchObject({ fromBasis: 'detected', toBasis: 'revoked', open: true });
    // the runbook's own admin token is used, never counted as leaked; the rotated-in token is "created"
    expect(r.credentials.find((c) => c.fingerprint === FP.admin)).toBeUndefined();
    expect(r.credentials.find((c) => c.fingerprint === FP.created)?.role).toBe('created');
  });

  it('measures detect/rotate/notify from the opening; contain is not reached while a leaked token is not verified dead', () => {
    const m = reportOf('hf-2024-05-31').metrics;
    // detect: when the run had seen every leaked credential (not the last detect step, a re-verify)
    const leaked = reportOf('hf-2024-05-31').credentials.filter((c) => c.role === 'leaked');
    const lastSighting = Math.max(...leaked.map((c) => Date.parse(c.detectedAt!)));
    expect(m.detect).toMatchObject({ reached: true, clock: 'wall', ms: lastSighting - Date.parse(reportOf('hf-2024-05-31').summary.openedAt) });
    expect(m.detect.basis).toBe(`every leaked credential (${leaked.length}) seen by the run`);
    expect(m.detect.ms!).toBeLessThan(51_000);
    expect(m.contain).toMatchObject({ reached: false, incompleteSteps: ['revoke-org-token'] });
    expect(m.contain.basis).toContain('1 of 2');
    expect(m.rotate).toMatchObject({ reached: true, incompleteSteps: ['rotate-aws'] });
    expect(m.notify.reached).toBe(true);
    expect(m.scorecard).toBeUndefined();
  });

  it('lists in-doubt, skipped, manual-not-done and live credentials as open items', () => {
    const r = reportOf('hf-2024-05-31');
    expect(r.openItems.map((o) => [o.kind, o.step ?? o.fingerprint])).toEqual([
      ['in-doubt', 'revoke-org-token'],
      ['skipped', 'rotate-aws'],
      ['manual-not-done', 'monitor'],
      ['credential-not-dead', FP.b],
    ]);
    expect(r.summary.openItems).toBe(4);
  });

  it('keeps approvals with who gave them, and manual evidence', () => {
    const r = reportOf('hf-2024-05-31');
    expect(r.steps.find((s) => s.id === 'revoke-hf')?.approval).toMatchObject({ decision: 'approved', by: 'bob@desk', via: 'tui' });
    expect(r.steps.find((s) => s.id === 'notify-authorities')?.manual).toMatchObject({ by: 'carol@office', link: 'https://dpa.example/cases/2024-117' });
    const retry = r.timeline.filter((e) => e.step === 'notify-users' && e.event === 'outcome');
    expect(retry.map((e) => e.status)).toEqual(['failed', 'ok']);
  });

  it('degrades when the runbook changed: kinds are inferred from the journaled actions and say so', () => {
    writeFileSync(join(t.dir, 'runbooks', 'hf.yaml'), HF_RUNBOOK + '# edited\n');
    try {
      const r = reportOf('hf-2024-05-31');
      expect(r.summary.runbook.file).toBe('changed');
      expect(r.steps.find((s) => s.id === 'revoke-hf')).toMatchObject({ kind: 'revoke', kindSource: 'inferred', title: 'revoke-hf' });
      // never-started runbook steps are unknown without the file; a manual step with evidence is recognised
      expect(r.steps.find((s) => s.id === 'notify-authorities')).toMatchObject({ kind: 'manual', kindSource: 'inferred' });
      expect(r.steps.find((s) => s.id === 'rotate-aws')).toMatchObject({ kind: null, kindSource: 'unknown' });
    } finally {
      writeFileSync(join(t.dir, 'runbooks', 'hf.yaml'), HF_RUNBOOK);
    }
  });
});

describe('drill', () => {
  it('reaches every metric, carries the scorecard, and has nothing open', () => {
    const r = reportOf('drill-hf-001');
    expect(r.summary).toMatchObject({ mode: 'drill', outcome: 'done', endedAt: '2025-03-04T14:01:06.000Z', runbook: { file: 'missing' } });
    expect(r.metrics.contain).toMatchObject({ reached: true, at: '2025-03-04T14:00:28.000Z', ms: 27_000 });
    expect(r.metrics.scorecard).toMatchObject({ score: 92, detectMs: 14000 });
    expect(r.openItems).toEqual([]);
    expect(r.steps.every((s) => s.kindSource === 'inferred')).toBe(true);
  });
});

describe('every record kind', () => {
  it('the fixture journal holds every record type, and each appears in the timeline', () => {
    const records = new FileJournal(state(), 'every-kind').read();
    const types = new Set(records.map((r) => r.type));
    expect([...types].sort()).toEqual(Object.keys(ALL_TYPES).sort());
    const r = reportOf('every-kind', false);
    expect(new Set(r.timeline.map((e) => e.event))).toEqual(new Set([...types].filter((x) => x !== 'intent')));
  });

  it('uses kind and title journaled on step.started, and liveness read-backs as proof of death', () => {
    const r = reportOf('every-kind', false);
    expect(r.steps.map((s) => [s.id, s.kind, s.kindSource, s.title])).toContainEqual(['kill', 'revoke', 'journal', 'Kill it']);
    const c = r.credentials.find((x) => x.fingerprint === FP.a)!;
    expect(c.verifiedDead).toMatchObject({ basis: 'liveness' });
    expect(c.lastUsed).toMatchObject({ at: '2025-01-01T12:00:00.000Z', service: 's3', region: 'eu-west-1' });
    expect(c.foundIn.map((f) => f.where)).toEqual(['input leaked', 'space eve/demo']);
    expect(r.summary.inputs.leaked).toEqual({ fingerprint: FP.a, last4: 'Wq3z' });
    expect(r.openItems.map((o) => o.kind)).toEqual(['skipped', 'denied', 'failed', 'manual-not-done']);
  });
});

describe('an incident that has only just begun', () => {
  it('is in progress while a run has no run.stopped, and lists the runbook steps not started as open', () => {
    const j = new FixedJournal(state(), 'fresh', '2025-06-01T00:00:00.000Z');
    const hash = createHash('sha256').update(HF_RUNBOOK).digest('hex');
    j.add({ type: 'incident.opened', incident: 'fresh', mode: 'live', runbook: { id: 'hf', title: 'HF', severity: 'high', path: 'runbooks/hf.yaml', hash }, inputs: {}, secrets: {} })
      .add({ type: 'run.started', resumed: false, pid: 5, runbookHash: hash })
      .add({ type: 'step.started', step: 'scan' })
      .write();
    const r = reportOf('fresh');
    expect(r.summary.outcome).toBe('in-progress');
    expect(r.summary.endedAt).toBeUndefined();
    expect(r.steps[0]).toMatchObject({ id: 'scan', status: 'running' });
    // steps never reached: manual ones are "not done", the others "not started"
    expect(r.openItems.map((o) => [o.kind, o.step])).toEqual([
      ['unfinished', 'scan'],
      ...r.steps.slice(1).map((s) => [s.kind === 'manual' ? 'manual-not-done' : 'not-started', s.id]),
    ]);
    expect(r.openItems.filter((o) => o.kind === 'manual-not-done')).toHaveLength(2);
    expect(r.metrics.detect).toMatchObject({ reached: false, basis: 'no leaked credential recorded and no detect step finished ok' });
  });
});

describe('runbook file and kinds', () => {
  it('matches the sha256 hex the loader records, with or without a prefix, and refuses others', () => {
    const b = Buffer.from(HF_RUNBOOK);
    const hex = createHash('sha256').update(b).digest('hex');
    expect(hashMatches(b, hex)).toBe(true);
    expect(hashMatches(b, `sha256:${hex.slice(0, 12)}`)).toBe(true);
    expect(hashMatches(b, hex.slice(0, 6))).toBe(false);
    expect(hashMatches(b, 'f'.repeat(64))).toBe(false);
  });

  it('infers kinds from action names', () => {
    expect(['hf.revokeToken', 'aws.deactivateAccessKey', 'hf.setSpaceSecret', 'aws.rotateAccessKey', 'email.send', 'slack.postMessage', 'scan.repo', 'hf.whoami', 'shell.run'].map(inferKind)).toEqual([
      'revoke', 'revoke', 'rotate', 'rotate', 'notify', 'notify', 'detect', 'detect', undefined,
    ]);
  });
});

describe('rendered titles and the chart helpers', async () => {
  const { renderTitle } = await import('../../src/report/model.js');
  const { leadingDuration } = await import('../../src/report/chart.js');
  it('renders ${{ inputs.X }} in titles from the incident inputs; secrets by last 4; unknown expressions stay', () => {
    const inputs = { user_name: 'ci-deployer', key: { $secret: 'k', fingerprint: 'f'.repeat(16), last4: 'WXYZ' }, owners: ['a@x', 'b@x'] };
    expect(renderTitle('Delete ${{ inputs.user_name }}', inputs)).toBe('Delete ci-deployer');
    expect(renderTitle('Revoke ${{inputs.key}}', inputs)).toBe('Revoke secret …WXYZ');
    expect(renderTitle('Mail ${{ inputs.owners }} about ${{ steps.scan.outputs.n }}', inputs)).toBe('Mail a@x, b@x about ${{ steps.scan.outputs.n }}');
    expect(renderTitle('${{ inputs.missing }}', inputs)).toBe('${{ inputs.missing }}');
  });
  it('renders expressions over inputs in titles too — a function call is not left raw in the timeline', () => {
    const inputs = { role_names: ['deploy', 'admin'], since: '2026-05-28T12:00:00Z', key: { $secret: 'k', fingerprint: 'f'.repeat(16), last4: 'WXYZ' } };
    expect(renderTitle("What ${{ join(inputs.role_names, ', ') }} did", inputs)).toBe('What deploy, admin did');
    expect(renderTitle("Since ${{ inputs.since || 'the start' }}", inputs)).toBe('Since 2026-05-28T12:00:00Z');
    expect(renderTitle("Since ${{ inputs.missing || 'the start' }}", inputs)).toBe('Since the start');
    expect(renderTitle('Key ${{ upper(inputs.key) }}', inputs)).not.toContain('$secret');
    expect(renderTitle("${{ join(steps.x.outputs.ids, ', ') }} left", inputs)).toBe("${{ join(steps.x.outputs.ids, ', ') }} left");
  });
  it('reads the drill time that leads a scorecard attacker line', () => {
    expect(leadingDuration('15s aws.list_keys with k: blocked')).toBe(15_000);
    expect(leadingDuration('2m05s hf.whoami with t: succeeded')).toBe(125_000);
    expect(leadingDuration('1h02m x')).toBe(3_720_000);
    expect(leadingDuration('aws.list_keys 15s')).toBeUndefined();
  });
});
