/** Titles and instructions may hold `${{ }}` templates over inputs and earlier outputs. */
import { hasExpression, renderString, type Scope } from '../runbook/expressions.js';

/** Render a title or instructions template; a failure shows the text as written. */
export function renderText(text: string | undefined, scope: Scope): string | undefined {
  if (text === undefined || !hasExpression(text)) return text;
  try {
    const v = renderString(text, scope);
    return typeof v === 'string' ? v : JSON.stringify(v);
  } catch {
    return text;
  }
}
