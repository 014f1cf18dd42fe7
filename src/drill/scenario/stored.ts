/**
 * A drill's scenario file, and the stored form the build made of a shipped one (its text's
 * sha256: src/core/runbook/compiled.ts) — read without the YAML parser or the scenario schema,
 * which load (./load.ts) only for a scenario without one.
 */
import { readRegularFile } from '../../core/read-file.js';
import { MAX_BYTES } from '../../core/runbook/limits.js';
import { dirname, resolve } from 'node:path';
import type { LoadedRunbook } from '../../core/runbook/load.js';
import type { Path } from '../../core/runbook/yaml.js';
import type { Scenario as ScenarioT } from './schema.js';

export interface LoadedScenario {
  scenario: ScenarioT;
  /** the file it came from (the runbook for an inline block) */
  file: string;
  /** the runbook's `drill.faults`, used when the scenario has none */
  faults?: string | string[];
  /** the text of `file`, and where the scenario sits in it (`[]`, or `drill.world` inline) — for positioned problems found later */
  source?: string;
  base?: Path;
}

/** The drill's scenario file: --scenario, else the runbook's drill.scenario (undefined: none, or an inline drill.world). */
export function scenarioFile(loaded: LoadedRunbook, flag: string | undefined, cwd: string): string | undefined {
  const d = loaded.runbook.drill;
  return flag ? resolve(cwd, flag) : d?.scenario ? resolve(dirname(loaded.file), d.scenario) : undefined;
}

/** The validated form stored for a scenario's text, if there is one. */
export type StoredScenario = (text: string) => ScenarioT | undefined;

/** The drill's scenario from its stored form; undefined when it has none (then ./load.ts's scenarioFor reads and checks it). */
export function storedScenarioFor(loaded: LoadedRunbook, flag: string | undefined, cwd: string, stored: StoredScenario | undefined): LoadedScenario | undefined {
  const file = stored && scenarioFile(loaded, flag, cwd);
  if (!file) return undefined;
  let source: string;
  try {
    source = readRegularFile(file, MAX_BYTES);
  } catch {
    return undefined; // scenarioFor says what is wrong
  }
  const scenario = stored!(source);
  return scenario && { scenario, source, file, faults: loaded.runbook.drill?.faults as LoadedScenario['faults'], base: [] };
}
