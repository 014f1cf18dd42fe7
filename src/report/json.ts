/**
 * IncidentReport → JSON (reportVersion 1, documented in docs/report-format.md). Keys come in
 * a fixed order and absent values are omitted, so the same journal gives the same bytes.
 * Every string passes through the redactor before serialisation.
 */
import type { Redactor } from '../core/secrets/redactor.js';
import type { IncidentReport } from './types.js';

export function renderJson(r: IncidentReport, redactor: Redactor): string {
  return JSON.stringify(redactor.redactValue(r), null, 2) + '\n';
}
