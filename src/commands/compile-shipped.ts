/**
 * The build's side of src/core/runbook/compiled.ts: validate the shipped runbooks and drill
 * scenarios and return the forms to store (scripts/build.mjs writes each to
 * `dist/compiled-runbooks/<sha256>.json`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex, type CompiledRunbook, type CompiledScenario } from '../core/runbook/compiled.js';
import { parseScenarioText } from '../drill/scenario/load.js';
import { looksLikeRunbook } from '../core/runbook/find.js';
import { loadRunbookText, parseRunbookText } from '../core/runbook/load.js';

/** Validate a runbook's text as a command would (the built-in providers; throws ValidationError) and return its stored form; undefined for a runbook with plugins (its providers come from elsewhere). */
export function compileRunbook(text: string, file: string, build: string): CompiledRunbook | undefined {
  const parsed = parseRunbookText(text, file);
  const doc = parsed.value as { plugins?: unknown } | null | undefined;
  if (doc && typeof doc === 'object' && Array.isArray(doc.plugins) && doc.plugins.length > 0) return undefined;
  const { runbook, hash } = loadRunbookText(text, file, { parsed });
  if (runbook.plugins.length > 0) return undefined;
  return { build, sha256: hash, runbook };
}

/**
 * The stored form of every valid runbook in the shipped folder and its examples/, and of every
 * drill scenario in its scenarios/ (the build writes each to `<sha256>.json`). One that does not
 * validate is left out — a command then reports its problems as usual — and named in `skipped`.
 */
export function compileShipped(runbooksDir: string, build: string): { compiled: (CompiledRunbook | CompiledScenario)[]; skipped: string[] } {
  const compiled: (CompiledRunbook | CompiledScenario)[] = [];
  const skipped: string[] = [];
  for (const sub of ['', 'examples']) {
    for (const name of readdirSync(join(runbooksDir, sub)).sort()) {
      if (!/\.ya?ml$/.test(name)) continue;
      const file = join(runbooksDir, sub, name);
      const text = readFileSync(file, 'utf8');
      if (!looksLikeRunbook(text)) continue;
      try {
        const c = compileRunbook(text, file, build);
        if (c) compiled.push(c);
      } catch {
        skipped.push(join(sub, name));
      }
    }
  }
  for (const name of readdirSync(join(runbooksDir, 'scenarios')).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const file = join(runbooksDir, 'scenarios', name);
    const text = readFileSync(file, 'utf8');
    try {
      compiled.push({ build, sha256: sha256Hex(text), scenario: parseScenarioText(text, file) });
    } catch {
      skipped.push(join('scenarios', name));
    }
  }
  return { compiled, skipped };
}
