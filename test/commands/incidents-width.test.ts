/**
 * `runbook incidents` printed lines wider than 100 columns (a long id, runbook id or state, an
 * unreadable journal's message). It now fits the terminal (its columns; 80 when not a tty) by
 * display width, and never cuts the incident id — the thing the operator copies.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { afterAll, describe, expect, it } from 'vitest';
import incidents from '../../src/commands/incidents.js';
import { incidentLines, type IncidentRow } from '../../src/commands/incidents-table.js';
import type { CommandContext } from '../../src/commands/context.js';
import { Redactor } from '../../src/core/secrets/redactor.js';
import { FixedJournal } from '../report/writer.js';
import { tempDir } from '../report/harness.js';
import { FakeOut } from '../ui/helpers.js';

const t = tempDir('incidents-width-');
afterAll(() => t.cleanup());
const state = join(t.dir, 'state');

const LONG_ID = `hf-spaces-secrets-exposure-2026-12-04-0029-${'x'.repeat(40)}-eca0`;
const LONG_RB = 'github-remediate-leaked-secret-with-a-very-long-runbook-id';
function incident(id: string, runbook: string, stop?: { reason: string; detail?: string }) {
  const j = new FixedJournal(state, id, '2026-12-04T00:10:00.000Z');
  j.add({ type: 'incident.opened', incident: id, mode: 'drill', runbook: { id: runbook, title: 'T', severity: 'high', path: 'x.yaml', hash: 'h' }, inputs: {}, secrets: {} });
  j.add({ type: 'run.started', resumed: false, pid: 1, runbookHash: 'h' });
  if (stop) j.add({ type: 'run.stopped', ...stop } as never);
  j.write();
}
incident(LONG_ID, LONG_RB, { reason: 'waiting', detail: 'revoke: approve with --approve revoke' });
incident('inc-2', 'leaked-token-triage', { reason: 'done' });
// an unreadable journal: its state is the (long) error message with the file's path
mkdirSync(join(state, 'incidents', 'inc-broken'), { recursive: true });
writeFileSync(join(state, 'incidents', 'inc-broken', 'journal.jsonl'), '');

async function list(stdout: FakeOut): Promise<string[]> {
  const ctx = { stdout, stderr: new FakeOut(), stdin: process.stdin, env: { HOME: t.dir, NO_COLOR: '1' }, cwd: t.dir, redactor: new Redactor(), signal: new AbortController().signal, script: 'runbook' } as unknown as CommandContext;
  expect(await incidents(['--state-dir', state], ctx)).toBe(0);
  return stdout.text.trimEnd().split('\n');
}

describe('runbook incidents', () => {
  it.each([
    [true, 60, 60],
    [true, 100, 100],
    [true, 132, 132],
    [false, 200, 80], // not a terminal: 80
  ])('tty %s with %i columns: every line fits %i columns and every id is whole', async (tty, columns, fits) => {
    const out = new FakeOut();
    out.isTTY = tty;
    out.columns = columns;
    const lines = await list(out);
    // a line fits, or it is an id wider than the terminal on a line of its own (whole)
    for (const l of lines) if (l !== LONG_ID) expect(stringWidth(l), l).toBeLessThanOrEqual(fits);
    for (const id of [LONG_ID, 'inc-2', 'inc-broken']) expect(lines.some((l) => l === id || l.startsWith(`${id} `))).toBe(true);
    expect(lines.join('\n')).toContain('unreadable');
    expect(lines.join('\n')).toContain('waiting');
  });

  it('on a wide terminal nothing is cut', async () => {
    const out = new FakeOut();
    out.columns = 1000;
    const lines = await list(out);
    expect(lines.find((l) => l.startsWith('inc-broken'))).toMatch(/is empty \(0 bytes\).*nothing was called$/);
    expect(lines.find((l) => l.startsWith(LONG_ID))).toMatch(new RegExp(`  drill  2026-12-04 00:10  ${LONG_RB}  waiting$`));
  });
});

describe('incidentLines', () => {
  const text = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('漏洩したトークンの調査', '🔑🔥 leaked key', 'running now — pid 4242 (alice@laptop)'));
  const row = fc.record({
    id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/),
    mode: fc.constantFrom('live', 'drill', '?'),
    opened: fc.constantFrom('2026-12-04T00:10:00.000Z', ''),
    runbook: text,
    state: text,
  });
  it('each line fits the width (an id wider than the terminal takes a line of its own, whole); each id starts a line', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 6 }), fc.integer({ min: 20, max: 220 }), (rows: IncidentRow[], cols) => {
        const lines = incidentLines(rows, cols);
        for (const l of lines) {
          const id = rows.find((r) => l === r.id || l.startsWith(`${r.id} `));
          expect(stringWidth(l), JSON.stringify({ l, cols })).toBeLessThanOrEqual(Math.max(cols, id ? id.id.length : 0));
        }
        let at = 0;
        for (const r of rows) {
          at = lines.findIndex((l, i) => i >= at && (l === r.id || l.startsWith(`${r.id} `)));
          expect(at, `${r.id} in\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
          at++;
        }
      }),
      { numRuns: 300 },
    );
  });
});
