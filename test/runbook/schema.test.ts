import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { runbookJsonSchema, runbookJsonSchemaText } from '../../src/core/runbook/json-schema.js';
import { parseYamlStrict } from '../../src/core/runbook/load.js';
import { looksLikeRunbook } from '../../src/core/runbook/find.js';
import { WHOLE_EXPR_RE, durationMs, evidenceOf, needsConfirm, Runbook } from '../../src/core/runbook/schema.js';

const root = join(import.meta.dirname, '..', '..');
const committed = join(root, 'schema', 'runbook.schema.json');

function shipped(dir = join(root, 'runbooks')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return shipped(p);
    return /\.ya?ml$/.test(e.name) && looksLikeRunbook(readFileSync(p, 'utf8')) ? [p] : [];
  });
}

describe('JSON Schema', () => {
  it('schema/runbook.schema.json is what `runbook schema` prints (run `npm run schema:gen` when this fails)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(runbookJsonSchemaText());
  });

  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(runbookJsonSchema());

  it('accepts every shipped runbook', () => {
    const files = shipped();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const ok = validate(parseYamlStrict(readFileSync(f, 'utf8'), f));
      expect(ok, `${f}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it('is strict: editors flag unknown keys at every level and wrong values', () => {
    const base = parseYamlStrict(readFileSync(shipped()[0]!, 'utf8'), 'x') as Record<string, any>;
    const bad = [
      { ...base, titel: 'x' },
      { ...base, steps: [{ ...base.steps[0], need: [] }] },
      { ...base, steps: [{ ...base.steps[0], retry: { attempt: 1 } }] },
      { ...base, secrets: { s: { from: 'env', env: 'X', value: 'literal' } } },
      { ...base, severity: 'urgent' },
      { ...base, version: 2 },
    ];
    for (const doc of bad) expect(validate(doc)).toBe(false);
  });

  it('says what each main field is for', () => {
    const s = runbookJsonSchema() as any;
    expect(s.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.secrets.description).toMatch(/secrets\.NAME/);
    expect(s.required).toEqual(expect.arrayContaining(['version', 'id', 'title', 'steps']));
  });
});

describe('schema helpers', () => {
  it('durationMs', () => {
    expect([durationMs('250ms'), durationMs('30s'), durationMs('5m'), durationMs('1h'), durationMs(2), durationMs('1.5s')]).toEqual([250, 30_000, 300_000, 3_600_000, 2000, 1500]);
  });
  it('needsConfirm and evidenceOf defaults', () => {
    const step = (o: object) => Runbook.parse({ version: 1, id: 'x', title: 'x', steps: [{ id: 'a', title: 'a', ...o }] }).steps[0]!;
    expect(needsConfirm(step({ kind: 'revoke', uses: 'a.b' }))).toBe(true);
    expect(needsConfirm(step({ kind: 'rotate', uses: 'a.b', confirm: false }))).toBe(false);
    expect(needsConfirm(step({ kind: 'detect', uses: 'a.b' }))).toBe(false);
    expect(evidenceOf(step({ kind: 'manual' }))).toEqual({ type: 'none', required: false });
    expect(evidenceOf(step({ kind: 'manual', evidence: 'link' }))).toEqual({ type: 'link', required: true });
    expect(evidenceOf(step({ kind: 'manual', evidence: { type: 'note' } }))).toEqual({ type: 'note', required: true, prompt: undefined });
  });
  it('WHOLE_EXPR_RE matches exactly one expression', () => {
    expect(WHOLE_EXPR_RE.exec(' ${{ inputs.a }} ')?.[1]).toBe(' inputs.a ');
    expect(WHOLE_EXPR_RE.test('${{ a }} and ${{ b }}')).toBe(false);
  });
});
