/**
 * Regular expressions that come from a runbook (an input's `pattern:`) are compiled with RE2JS,
 * a pure-JavaScript port of RE2: matching takes time linear in the input, whatever the pattern
 * (no backtracking, so `(a+)+$` cannot hang validate or a run). The dialect is RE2's: no
 * backreferences, no lookahead or lookbehind; `\d`, `\w`, `\s` and `\b` are ASCII-only.
 * A pattern must match the whole value. Documented in docs/runbook-format.md ("Inputs").
 *
 * RE2JS (~270 KB of code) is loaded only for a runbook that has a pattern: `loadPatterns()` before
 * the first `compilePattern()` (the engine's input resolution, `--input` checks and drills do;
 * the validator, itself loaded on demand, hands its own import over with usePatternEngine).
 */
import type { RE2JS } from 're2js';

export interface Pattern {
  /** Does the pattern match the whole of `value`? */
  test(value: string): boolean;
}

/** A pattern RE2 cannot compile; `message` says why, in words for the runbook's author. */
export class PatternError extends Error {}

const cache = new Map<string, Pattern>();
let engine: typeof RE2JS | undefined;

/** Load the pattern engine (once). */
export async function loadPatterns(): Promise<void> {
  engine ??= (await import('re2js')).RE2JS;
}

/** Load the pattern engine when one of these inputs has a pattern. */
export async function loadPatternsFor(inputs: Record<string, { pattern?: string }> | undefined): Promise<void> {
  if (Object.values(inputs ?? {}).some((i) => i.pattern !== undefined)) await loadPatterns();
}

/** The engine a module that imports re2js itself hands over (the validator). */
export function usePatternEngine(re2: typeof RE2JS): void {
  engine ??= re2;
}

/** Compile a runbook-supplied pattern (throws PatternError). */
export function compilePattern(source: string): Pattern {
  const hit = cache.get(source);
  if (hit) return hit;
  if (!engine) throw new Error('compilePattern() before loadPatterns(): the pattern engine is loaded on demand (src/core/runbook/pattern.ts)');
  let re: RE2JS;
  try {
    re = engine.compile(source);
  } catch (e) {
    const why = (e as Error).message.replace(/^error parsing regexp: /, '');
    const hint = /\(\?<?[=!]|\\[1-9]/.test(source) ? ' (lookahead, lookbehind and backreferences are not supported: runbook patterns use the RE2 dialect, which never backtracks)' : '';
    throw new PatternError(`${why}${hint}`);
  }
  const p: Pattern = { test: (value) => re.matches(value) };
  if (cache.size > 200) cache.clear();
  cache.set(source, p);
  return p;
}
