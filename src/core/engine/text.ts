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

/** What a template part may read: a step's status and journaled outputs (the UI's StepView and the scripted reporter's record of finished steps fit). */
export interface KnownStep {
  status: string;
  outputs?: unknown;
}

const STEP_REF = /^\s*steps\.([A-Za-z0-9_-]+)\.outputs((?:\.[A-Za-z0-9_-]+)*)\s*$/;
const STEP_NAMED = /\bsteps\.([A-Za-z0-9_-]+)\.outputs\b/;

/** A journaled output value as one short phrase, or undefined when it is not a plain value (secrets never: they are stored as references). */
function shortValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length <= 200 ? v : undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length <= 20 && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.length === 0 ? '(none)' : v.join(', ');
  return undefined;
}

/**
 * A `${{ expression }}` left in a title or instructions (the engine fills in what is known when
 * the step is ready, and leaves the rest as written), as far as it is known now: a plain output
 * of a step that has finished since (from `steps`: the UI's store, the scripted reporter's
 * finished steps); otherwise what it waits for — `(known after scope)`, `(for each item)` —
 * never raw template text, never a blank. The same phrase twice in a row with only punctuation
 * between (`${{ item.file }}:${{ item.line }}`) reads once.
 */
export function placeholders(text: string, steps?: ReadonlyMap<string, KnownStep>): string {
  if (!text.includes('${{')) return text;
  let parts;
  try {
    parts = splitTemplate(text);
  } catch {
    return text;
  }
  const filled = parts.map((p) => {
    if (p.kind === 'text') return p.text;
    const ref = STEP_REF.exec(p.src);
    const id = ref?.[1] ?? STEP_NAMED.exec(p.src)?.[1];
    if (id) {
      const st = steps?.get(id);
      if (st?.status === 'ok' && ref) {
        let v: unknown = st.outputs;
        for (const k of ref[2]!.split('.').filter(Boolean)) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
        const s = shortValue(v);
        if (s !== undefined) return s;
      }
      if (st?.status === 'skipped') return `(not known: ${id} was skipped)`;
      return st?.status === 'ok' ? `(known from ${id} when this step is ready)` : `(known after ${id})`;
    }
    return /\bitem\b/.test(p.src) ? '(for each item)' : '(known when it runs)';
  });
  return filled.join('').replace(/(\((?:for each item|known after [\w-]+|known when it runs)\))(?:[^\w\s()]{1,3}\1)+/g, '$1');
}
