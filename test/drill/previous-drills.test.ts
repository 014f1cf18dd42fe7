/**
 * The scorecard's "compared" line (src/drill/scorecard.ts previousDrills): the finished drills
 * of the same runbook in the state directory — never a live incident or another runbook's
 * drill. Issue 15: those are told apart by their first record, so a state directory that also
 * holds a 10,000-item live journal is not read (and folded) whole at the end of every drill.
 * Real journals (FileJournal), in a temp state directory. (That shortcut must not change the
 * answer: this test; what it saves is measured by bench/scale.mjs.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileJournal } from '../../src/core/journal/store.js';
import { previousDrills } from '../../src/drill/scorecard.js';

function incident(dir: string, id: string, mode: 'drill' | 'live', runbook: string, scorecard: boolean): void {
  const j = new FileJournal(dir, id);
  j.append({ type: 'incident.opened', incident: id, mode, runbook: { id: runbook, title: 'RB', severity: 'high', path: '/x.yaml', hash: 'h' }, inputs: {}, secrets: {} });
  if (scorecard) j.append({ type: 'scorecard', data: { scenario: 's', contain_ms: 1000 } } as never);
}

describe('previous drills of a runbook', () => {
  it('lists the scored drills of the same runbook only, newest first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-prev-'));
    incident(dir, 'd1', 'drill', 'rb', true);
    incident(dir, 'd2', 'drill', 'rb', true);
    incident(dir, 'd3', 'drill', 'rb', false);
    incident(dir, 'other', 'drill', 'other-rb', true);
    incident(dir, 'live', 'live', 'rb', true);
    incident(dir, 'me', 'drill', 'rb', true);
    expect(previousDrills(dir, 'rb', 'me').map((d) => d.incident).sort()).toEqual(['d1', 'd2']);
  });
});
