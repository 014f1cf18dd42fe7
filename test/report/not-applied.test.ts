/**
 * A step skipped because its `if:` was false did not apply: the report does not list it as an
 * open item (the github-token-leak drill, done, read "done; 4 open items" — three were steps
 * for a source it did not use), while a step or item skipped by the operator still is.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FileJournal } from '../../src/core/journal/store.js';
import { buildReport } from '../../src/report/model.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { Redactor } from '../../src/core/secrets/redactor.js';
import { tempDir } from './harness.js';
import { FixedJournal, type RunbookRef } from './writer.js';

const t = tempDir();
afterAll(() => t.cleanup());

/** A drill's journal in the temporary state folder, opened on `runbook` at 20:00:00 and its run started. */
const drill = (id: string, runbook: RunbookRef) => new FixedJournal(t.dir, id, '2026-12-03T20:00:00.000Z').open('drill', runbook);
/** The report of incident `id` as read back from its journal. */
const report = (id: string) => buildReport(new FileJournal(t.dir, id).read(), {});

describe('open items', () => {
  it('leave out steps whose condition was false; keep the ones skipped by the operator', () => {
    const id = 'gh-1';
    drill(id, { id: 'gh', title: 'GitHub token leak', severity: 'high', path: 'gh.yaml' })
      .add({ type: 'step.started', step: 'scan-clone' })
      .add({ type: 'step.finished', step: 'scan-clone', status: 'skipped', reason: "condition is false: ${{ inputs.source == 'scan' }}" })
      .add({ type: 'step.started', step: 'resolve' })
      .add({ type: 'items', step: 'resolve', keys: ['acme/api#1', 'acme/api#2', 'acme/api#3'] })
      .add({ type: 'outcome', step: 'resolve', item: 'acme/api#1', status: 'ok', attempt: 1 })
      .add({ type: 'outcome', step: 'resolve', item: 'acme/api#2', status: 'skipped', attempt: 0, reason: 'not approved' })
      .add({ type: 'outcome', step: 'resolve', item: 'acme/api#3', status: 'skipped', attempt: 0, reason: 'condition is false for this item: ${{ item.open }}' })
      .add({ type: 'step.finished', step: 'resolve', status: 'ok' })
      .add({ type: 'step.started', step: 'notify' })
      .add({ type: 'step.finished', step: 'notify', status: 'skipped', reason: 'not needed: told them by phone' })
      .add({ type: 'run.stopped', reason: 'done' })
      .write();
    const r = report(id);
    expect(r.openItems.map((o) => [o.step, o.item ?? null])).toEqual([
      ['resolve', 'acme/api#2'],
      ['notify', null],
    ]);
    const md = renderMarkdown(r, new Redactor());
    expect(md).toContain('; 2 open items');
    expect(md).not.toMatch(/- \[ \] .*scan-clone/);
  });
});

describe('the drill chart and the scorecard say the same seconds', () => {
  it('a milestone at 22.6 s of drill time is drawn at 00:00:23, as the scorecard says 23s', () => {
    const id = 'drill-1';
    drill(id, { id: 'aws', title: 'AWS key', severity: 'critical', path: 'aws.yaml' })
      .add({ type: 'run.stopped', reason: 'done' })
      .add({ type: 'scorecard', data: { scenario: 'aws', seed: 1, speed: 0.25, status: 'done', final: true, detect_ms: 0, contain_ms: 14086, rotate_ms: 22587, notify_ms: 30839, leaked: 1, leaked_detected: 1, leaked_dead: 1, consumers: 1, consumers_rotated: 1, adversary_actions: [] } })
      .write();
    const md = renderMarkdown(report(id), new Redactor());
    expect(md).toMatch(/Time to rotate \| 23s/);
    expect(md).toContain('Rotated :milestone, t3, 2000-01-01 00:00:23');
    expect(md).toContain('Notified :milestone, t4, 2000-01-01 00:00:31');
  });
});
