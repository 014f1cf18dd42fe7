/**
 * The JSON Schema of the runbook format, generated from the zod schema (zod 4
 * `z.toJSONSchema`, input side, draft-07 for the widest editor support). `runbook schema`
 * prints it; schema/runbook.schema.json is the committed copy (`npm run schema:gen`).
 */
import { z } from 'zod';
import { Runbook } from './schema.js';

/**
 * Where editors fetch the schema (the npm package's copy, served by the unpkg CDN); a local
 * copy ships in the package as schema/runbook.schema.json. docs/runbook-format.md shows the
 * VS Code `yaml.schemas` setting and the modeline.
 */
export const RUNBOOK_SCHEMA_ID = 'https://unpkg.com/runbook/schema/runbook.schema.json';

export function runbookJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(Runbook, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: RUNBOOK_SCHEMA_ID, title: 'runbook v1', ...rest };
}

/** Exactly what `runbook schema` prints and what schema/runbook.schema.json holds. */
export function runbookJsonSchemaText(): string {
  return JSON.stringify(runbookJsonSchema(), null, 2) + '\n';
}
