/**
 * The JSON Schema of the runbook format, generated from the zod schema (zod 4
 * `z.toJSONSchema`, input side, draft-07 for the widest editor support). `runbook schema`
 * prints it; schema/runbook.schema.json is the committed copy (`npm run schema:gen`).
 */
import { z } from 'zod';
import { Runbook } from './schema.js';

export function runbookJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(Runbook, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: 'runbook v1', ...rest };
}

/** Exactly what `runbook schema` prints and what schema/runbook.schema.json holds. */
export function runbookJsonSchemaText(): string {
  return JSON.stringify(runbookJsonSchema(), null, 2) + '\n';
}
