/**
 * The corpus of invalid runbooks: each file names the issues it must produce in its header
 * (`# expect: LINE:COL CODE PATH`), and exactly those are reported — each kind of mistake
 * points at the right line and column.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError, type Issue } from '../../src/core/errors.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';
import { testRegistry } from './helpers/providers.js';

const dir = join(import.meta.dirname, 'fixtures', 'invalid');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

function issuesOf(text: string, file: string): Issue[] {
  try {
    loadRunbookText(text, file, { registry: testRegistry() });
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error(`${file} was accepted`);
}

describe('invalid runbook corpus', () => {
  it('has a fixture for each kind of mistake', () => {
    expect(files.length).toBeGreaterThanOrEqual(35);
  });

  it.each(files)('%s', (f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!.trim());
    expect(expected.length).toBeGreaterThan(0);
    const issues = issuesOf(text, f);
    const got = issues.map((i) => `${i.line}:${i.col} ${i.code}${i.path ? ' ' + i.path : ''}`);
    expect(got.sort()).toEqual([...expected].sort());
    const lines = text.split('\n');
    for (const i of issues) {
      expect(i.file).toBe(f);
      expect(i.message.length).toBeGreaterThan(5);
      // the frame marks the reported line and puts the caret under the reported column
      const frame = i.frame!.split('\n');
      const marked = frame.find((l) => l.startsWith('>'))!;
      expect(marked).toMatch(new RegExp(`^> +${i.line} \\| `));
      const caret = frame[frame.indexOf(marked) + 1]!;
      const gutter = marked.indexOf('| ') + 2;
      expect(caret.indexOf('^') - gutter + 1).toBe(i.col);
      expect(marked.slice(gutter)).toBe(lines[i.line - 1]!.slice(0, 120).trimEnd());
    }
  });

  it('orders issues by position and says what to do', () => {
    const text = readFileSync(join(dir, 'config-bad.yaml'), 'utf8');
    const issues = issuesOf(text, 'config-bad.yaml');
    const pos = issues.map((i) => i.line * 1000 + i.col);
    expect(pos).toEqual([...pos].sort((a, b) => a - b));
    expect(issues.find((i) => i.code === 'unknown-key')!.message).toBe('unknown key "retries" (allowed: token, url)');
    expect(issues.find((i) => i.path === 'providers.svc.token')!.message).toMatch(/secret reference.*never a literal value/);
  });

  it('suggests the closest key and names unknown provider types with the plugins hint', () => {
    const step = issuesOf(readFileSync(join(dir, 'unknown-key-step.yaml'), 'utf8'), 'x.yaml');
    expect(step[0]!.message).toBe('unknown key "need" — did you mean "needs"?');
    const type = issuesOf(readFileSync(join(dir, 'unknown-provider-type.yaml'), 'utf8'), 'x.yaml');
    expect(type[0]!.message).toBe('unknown provider type "huggingfaze" (known: shell, testsvc); if it comes from a plugin, list it under plugins:');
    const close = issuesOf(readFileSync(join(dir, 'unknown-provider-type.yaml'), 'utf8').replace('huggingfaze', 'shel'), 'x.yaml');
    expect(close[0]!.message).toMatch(/^unknown provider type "shel" — did you mean "shell"\? \(known: shell, testsvc\)/);
    const cycle = issuesOf(readFileSync(join(dir, 'needs-cycle.yaml'), 'utf8'), 'x.yaml');
    expect(cycle[0]!.message).toBe('needs form a cycle: a → c (after the previous step by default) → b (after the previous step by default) → a');
  });
});
