/**
 * Leftover: scripted mode printed `‹steps.find.outputs.count›` in a title after `find` had
 * finished. Titles now read what finished steps found; a part still unknown says what it waits
 * for. The shared filler (core/engine/text.ts `placeholders`) also reads a fan-out's
 * `${{ item.file }}:${{ item.line }}` as one "(for each item)", and copes with `{0}` inside format().
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { placeholders } from '../../src/core/engine/text.js';

const YAML = `version: 1
id: titles
title: Titles fill in
providers: { sh: { type: shell } }
steps:
  - id: find
    kind: detect
    title: Find the tokens
    uses: sh.run
    with: { json: true, command: [node, -e, "console.log(JSON.stringify({count: 3}))"] }
    outputs: { count: result.json.count }
  - id: report
    kind: detect
    title: "Look at the \${{ steps.find.outputs.count }} tokens found"
    uses: sh.run
    with: { command: [node, -e, "0"] }
`;

describe('scripted titles', () => {
  beforeAll(() => ensureBuilt());

  it("a title that reads a finished step's output shows the value, never ‹…›", () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-titles-'));
    writeFileSync(join(dir, 'rb.yaml'), YAML);
    const r = cli(['run', 'rb.yaml', '--yes', '--state-dir', join(dir, 'state')], { cwd: dir });
    expect(r.stderr).toContain('▶ report  detect  Look at the 3 tokens found');
    expect(r.stderr).not.toMatch(/‹|\$\{\{/);
    expect(r.code).toBe(0);
  });
});

describe('placeholders', () => {
  it('one "(for each item)" for parts over item separated by punctuation', () => {
    expect(placeholders('Check ${{ item.file }}:${{ item.line }} now')).toBe('Check (for each item) now');
    expect(placeholders('Resolve alert ${{ item.repo }}#${{ item.number }} as revoked')).toBe('Resolve alert (for each item) as revoked');
    expect(placeholders('${{ item.a }} and ${{ item.b }}')).toBe('(for each item) and (for each item)');
  });

  it('an expression with braces inside (format) is replaced whole, never left raw', () => {
    const t = "Revoke the token of ${{ item.number && format('alert {0}#{1}', item.repo, item.number) || format('{0}:{1}', item.file, item.line) }}";
    expect(placeholders(t)).toBe('Revoke the token of (for each item)');
  });

  it('a finished step fills in; one not finished says what it waits for', () => {
    const t = 'Look at ${{ steps.find.outputs.count }} tokens';
    expect(placeholders(t)).toBe('Look at (known after find) tokens');
    expect(placeholders(t, new Map([['find', { status: 'ok', outputs: { count: 3 } }]]))).toBe('Look at 3 tokens');
  });
});
