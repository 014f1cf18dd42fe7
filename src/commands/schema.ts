/** runbook schema — prints the JSON Schema of the runbook format (= schema/runbook.schema.json). */
import type { Command } from './context.js';
import { parseCommandFlags } from './context.js';
import { ExitCode } from '../core/errors.js';
import { runbookJsonSchemaText } from '../core/runbook/json-schema.js';

const command: Command = async (argv, ctx) => {
  parseCommandFlags('schema', argv, false); // --json is accepted: the schema is JSON already
  // written as is (not through the redactor: it is our own text and must stay byte-identical)
  ctx.stdout.write(runbookJsonSchemaText());
  return ExitCode.ok;
};
export default command;
