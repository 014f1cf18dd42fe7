/**
 * Regular expressions that come from a runbook (an input's `pattern:`) are compiled with RE2JS,
 * a pure-JavaScript port of RE2: matching takes time linear in the input, whatever the pattern
 * (no backtracking, so `(a+)+$` cannot hang validate or a run). The dialect is RE2's: no
 * backreferences, no lookahead or lookbehind; `\d`, `\w`, `\s` and `\b` are ASCII-only.
 * A pattern must match the whole value. Documented in docs/runbook-format.md ("Inputs").
 */
import { RE2JS } from 're2js';

export interface Pattern {
  /** Does the pattern match the whole of `value`? */
  test(value: string): boolean;
}

/** A pattern RE2 cannot compile; `message` says why, in words for the runbook's author. */
export class PatternError extends Error {}

const cache = new Map<string, Pattern>();

/** Compile a runbook-supplied pattern (throws PatternError). */
export function compilePattern(source: string): Pattern {
  const hit = cache.get(source);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
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
