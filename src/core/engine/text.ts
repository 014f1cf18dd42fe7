/** Titles and instructions may hold `${{ }}` templates over inputs and earlier outputs. */
import { hasExpression, references, renderString, splitTemplate, type Scope } from '../runbook/expressions.js';

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

/**
 * A title or instructions as far as they can be known now: each `${{ }}` part whose values are
 * known is filled in (secrets masked, as renderText does); a part that reads the outputs of a
 * step that has not finished, or the `item` of a fan-out, stays as written — the screen says
 * what it waits for (src/ui/text.ts `placeholders`) instead of showing a blank.
 */
export function previewText(text: string | undefined, scope: Scope, unknown?: (src: string) => string): string | undefined {
  if (text === undefined || !hasExpression(text)) return text;
  let parts;
  try {
    parts = splitTemplate(text);
  } catch {
    return text;
  }
  const known = (src: string): boolean => {
    try {
      return references(src, 'expression').every((r) => (r.root === 'steps' ? scope.steps?.[r.path[0] ?? '']?.outputs !== undefined : r.root === 'item' || r.root === 'result' ? scope[r.root] !== undefined : true));
    } catch {
      return false;
    }
  };
  return parts
    .map((p) => {
      if (p.kind === 'text') return p.text;
      const written = text.slice(p.offset - 3, p.end);
      return known(p.src) ? (renderText(written, scope) ?? written) : unknown ? unknown(p.src) : written;
    })
    .join('');
}

/** What an unknown template part waits for, in words: `(known after scope)`, `(for each item)`. */
export function waitsFor(src: string): string {
  const step = /\bsteps\.([A-Za-z0-9_-]+)\.outputs\b/.exec(src)?.[1];
  if (step) return `(known after ${step})`;
  return /\bitem\b/.test(src) ? '(for each item)' : '(known when it runs)';
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
