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

const EXPR = /\$\{\{((?:(?!\}\}).)*)\}\}/gs;
const USES_ITEM = /(?:^|[^\w.$-])item\b/;

/**
 * A fan-out step's title shown for the step as a whole (status, report, plan, the step list):
 * an expression over `item` has no item to render there — it reads "each item" (or "each of N
 * items") instead of rendering blank. Other expressions are left to `render` (default: as written).
 */
export function stepLevelTitle(title: string, items?: number, render: (text: string) => string = (t) => t): string {
  if (!title.includes('${{')) return title;
  const noItem = title.replace(EXPR, (whole, expr: string) => (USES_ITEM.test(expr) ? (items && items > 1 ? `each of ${items} items` : 'each item') : whole));
  // `${{ item.file }}:${{ item.line }}` → one "each item", not "each item:each item"
  return render(noItem.replace(/(each (?:of \d+ )?items?)(?:[^\w\s]{1,3}\1)+/g, '$1'));
}
