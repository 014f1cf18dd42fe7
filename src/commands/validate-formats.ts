/**
 * `runbook validate` output for CI: GitHub Actions workflow commands (annotations on the
 * pull request's files) and SARIF 2.1.0 (code-scanning upload, editors' SARIF viewers).
 */
import { sep } from 'node:path';
import type { Issue } from '../core/errors.js';
import { VERSION } from '../help.js';
import type { FileResult } from './validate.js';

/** Escaping of GitHub Actions workflow commands (the toolkit's escapeData / escapeProperty). */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One `::error file=…,line=…,col=…,title=…::message` line per problem. */
export function githubAnnotations(results: readonly FileResult[]): string[] {
  return results.flatMap((r) =>
    r.issues.map((i) => {
      const props = [`file=${escapeProperty(i.file)}`, ...(i.line ? [`line=${i.line}`, `col=${i.col}`] : []), `title=${escapeProperty(`runbook ${i.code}`)}`];
      return `::error ${props.join(',')}::${escapeData(`${i.path ? `${i.path}: ` : ''}${i.message}`)}`;
    }),
  );
}

const RULES: Record<string, string> = {
  'yaml-syntax': 'The file is not valid YAML.',
  schema: 'A field does not match the runbook format.',
  'unknown-key': 'A key the runbook format does not know (a typo?).',
  plugin: "A plugin named in the runbook's plugins: could not be loaded.",
};

function uri(file: string): string {
  return file.split(sep).map(encodeURIComponent).join('/');
}

/** A SARIF 2.1.0 log: one run of the tool `runbook`, one result per problem (level error). */
export function sarifLog(results: readonly FileResult[]): Record<string, unknown> {
  const issues: Issue[] = results.flatMap((r) => r.issues);
  const ruleIds = [...new Set(issues.map((i) => i.code))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'runbook',
            version: VERSION,
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: RULES[id] ?? `runbook check: ${id}` }, defaultConfiguration: { level: 'error' } })),
          },
        },
        artifacts: results.map((r) => ({ location: { uri: uri(r.file) } })),
        results: issues.map((i) => ({
          ruleId: i.code,
          ruleIndex: ruleIds.indexOf(i.code),
          level: 'error',
          message: { text: `${i.path ? `${i.path}: ` : ''}${i.message}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: uri(i.file), index: results.findIndex((r) => r.file === i.file) },
                ...(i.line ? { region: { startLine: i.line, startColumn: Math.max(1, i.col) } } : {}),
              },
            },
          ],
        })),
      },
    ],
  };
}
