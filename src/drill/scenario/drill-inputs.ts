/**
 * A drill's inputs: the scenario's and the runbook's `drill.inputs` checked against the
 * runbook's inputs, and the values the run gets. Apart from the scenario parser (./load.ts, which
 * re-exports both) so a drill of a stored scenario does not load it; the YAML parser is loaded,
 * and the YAML read again, only to place a problem.
 */
import { UsageError, ValidationError } from '../../core/errors.js';
import { coerceInput } from '../../core/engine/inputs.js';
import type { LoadedRunbook } from '../../core/runbook/load.js';
import type { Path } from '../../core/runbook/yaml.js';
import { suggest } from '../../core/runbook/zod-issues.js';
import type { Scenario as ScenarioT } from './schema.js';
import type { LoadedScenario } from './stored.js';

/**
 * The drill's inputs against the runbook's, before the run: a scenario input (or a runbook
 * `drill.inputs` entry) the runbook does not declare, or whose value its type refuses, is a
 * problem of the scenario (or runbook) at its file:line:col — not a bad `--input`, since none
 * was given. A name also given with --input is the flag's to answer for.
 */
export async function checkDrillInputs(loaded: LoadedRunbook, sc: LoadedScenario, flags: Record<string, string>, workspace: string, keyIdOf: (credential: string) => string | undefined): Promise<void> {
  const specs = loaded.runbook.inputs ?? {};
  const known = Object.keys(specs);
  const check = async (values: Record<string, unknown> | undefined, file: string, source: string, base: Path, what: string) => {
    if (!values || !Object.keys(values).length) return;
    // positions are looked up only when there is a problem: parsing a 10,000-token scenario again costs seconds (issue 15)
    const found: { path: Path; kind: 'key' | 'value'; message: string }[] = [];
    for (const [name, v] of Object.entries(values)) {
      if (Object.hasOwn(flags, name)) continue;
      const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
      if (!spec) {
        found.push({ path: [...base, name], kind: 'key', message: `${what} input "${name}" is not an input of runbook ${loaded.runbook.id}${known.length ? suggest(name, known, 'its inputs') : ' (it takes no inputs)'} — remove it, or declare it under the runbook's inputs:` });
        continue;
      }
      try {
        coerceInput(name, spec, inputText(v, workspace, keyIdOf));
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        found.push({ path: [...base, name], kind: 'value', message: `${what} input "${name}": ${e.message.replace(/^--input [^:]*: /, '')} (the runbook's input ${name} is a ${spec.type ?? 'string'})` });
      }
    }
    if (!found.length) return;
    const { Reporter, readYaml } = await import('../../core/runbook/yaml.js');
    const rep = new Reporter(file, source);
    readYaml(source, rep);
    for (const f of found) rep.atPath(f.path, f.kind, f.message, 'scenario');
    throw new ValidationError(rep.issues, { nextSteps: [`A ${what} input fills one of the runbook's inputs: (docs/drills.md, "Scenario files"); --input NAME=VALUE overrides it.`] });
  };
  if (sc.source !== undefined) await check(sc.scenario.inputs, sc.file, sc.source, [...(sc.base ?? []), 'inputs'], 'scenario');
  await check(loaded.runbook.drill?.inputs as Record<string, unknown> | undefined, loaded.file, loaded.source, ['drill', 'inputs'], 'drill');
}

/**
 * One scenario input as the text an `--input` flag would carry: `{workspace}` expanded, an
 * `{ access_key_id_of }` (alone or in a list) replaced by the key id, a list as a JSON array
 * (which the engine reads back as a list).
 */
function inputText(v: unknown, workspace: string, keyIdOf: (credential: string) => string | undefined): string {
  const isKeyRef = (x: unknown): x is { access_key_id_of: unknown } => !!x && typeof x === 'object' && !Array.isArray(x) && 'access_key_id_of' in x;
  const expand = (x: unknown): unknown => (isKeyRef(x) ? (keyIdOf(String(x.access_key_id_of)) ?? '') : typeof x === 'string' ? x.split('{workspace}').join(workspace) : x);
  const x = Array.isArray(v) ? v.map(expand) : expand(v);
  return typeof x === 'string' ? x : JSON.stringify(x);
}

/** Inputs for the run: scenario inputs, then the runbook's drill.inputs, then --input flags; `{workspace}` expanded. */
export function drillInputs(
  s: ScenarioT,
  runbookDrillInputs: Record<string, unknown> | undefined,
  flags: Record<string, string>,
  workspace: string,
  keyIdOf: (credential: string) => string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: unknown) => (out[k] = inputText(v, workspace, keyIdOf));
  for (const [k, v] of Object.entries(s.inputs)) put(k, v);
  for (const [k, v] of Object.entries(runbookDrillInputs ?? {})) put(k, v);
  return { ...out, ...flags };
}
