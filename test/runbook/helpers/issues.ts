/** The validation issues of a runbook text loaded with the test providers ([] when it is valid). */
import { ValidationError, type Issue } from '../../../src/core/errors.js';
import { loadRunbookText } from '../../../src/core/runbook/load.js';
import { testRegistry } from './providers.js';

export function issues(text: string): Issue[] {
  try {
    loadRunbookText(text, 'rb.yaml', { registry: testRegistry() });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return e.issues;
  }
  return [];
}
