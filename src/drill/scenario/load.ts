/**
 * Load a drill scenario: from `--scenario FILE`, the runbook's `drill.scenario` (a path
 * relative to the runbook) or its inline `drill.world` block. Same strict YAML rules as
 * runbooks (src/core/runbook/yaml.ts), a strict zod schema, cross-reference checks, and a
 * credential scan — every problem is reported as file:line:col.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { FileNotReadError, readRegularFile } from '../../core/read-file.js';
import { MAX_BYTES } from '../../core/runbook/yaml.js';
import { Reporter, readYaml, type Path } from '../../core/runbook/yaml.js';
import { reportZod } from '../../core/runbook/zod-issues.js';
import { findCredentials, scanCredentials } from '../../core/runbook/credentials.js';
import { readLargeYaml } from './large.js';
import type { LoadedRunbook } from '../../core/runbook/load.js';
import { InlineScenario, Scenario, type Scenario as ScenarioT } from './schema.js';
import { scenarioFile, type LoadedScenario } from './stored.js';

// the drill's inputs and the scenario's type live apart from the parser (./drill-inputs.ts, ./stored.ts)
export { checkDrillInputs, drillInputs } from './drill-inputs.js';
export type { LoadedScenario } from './stored.js';


/** Cross references: ids unique, every referenced credential and owner known. */
function checkRefs(s: ScenarioT, rep: Reporter, base: Path): void {
  const creds = new Map<string, Path>();
  const add = (id: string, at: Path) => {
    if (creds.has(id)) rep.atPath([...base, ...at, 'id'], 'value', `credential id "${id}" is used twice`, 'scenario');
    else creds.set(id, at);
  };
  const hf = s.huggingface;
  const hfUsers = new Set(hf?.users.map((u) => u.name));
  const hfOrgs = new Set([...(hf?.orgs.map((o) => o.name) ?? []), ...(hf?.users.flatMap((u) => u.orgs.map((o) => o.name)) ?? [])]);
  hf?.tokens.forEach((t, i) => {
    add(t.id, ['huggingface', 'tokens', i]);
    const known = t.legacy_org ? hfOrgs.has(t.owner) : hfUsers.has(t.owner);
    if (!known) rep.atPath([...base, 'huggingface', 'tokens', i, 'owner'], 'value', `owner ${t.owner} is not a ${t.legacy_org ? 'known org' : 'known user'}`, 'scenario');
  });
  const gh = s.github;
  const ghUsers = new Set(gh?.users.map((u) => u.login));
  gh?.tokens.forEach((t, i) => {
    add(t.id, ['github', 'tokens', i]);
    if (!ghUsers.has(t.login)) rep.atPath([...base, 'github', 'tokens', i, 'login'], 'value', `login ${t.login} is not a known user`, 'scenario');
  });
  s.aws?.users.forEach((u, i) => u.keys.forEach((k, j) => add(k.id, ['aws', 'users', i, 'keys', j])));
  s.slack?.tokens.forEach((t, i) => add(t.id, ['slack', 'tokens', i]));
  const need = (id: string, at: Path) => {
    if (!creds.has(id)) rep.atPath([...base, ...at], 'value', `no credential has the id "${id}"`, 'scenario');
  };
  hf?.spaces.forEach((sp, i) => {
    for (const [k, v] of Object.entries(sp.secrets)) if ('credential' in v) need(v.credential, ['huggingface', 'spaces', i, 'secrets', k, 'credential']);
  });
  gh?.repos.forEach((r, i) => {
    r.alerts.forEach((a, j) => need(a.credential, ['github', 'repos', i, 'alerts', j, 'credential']));
    for (const [k, v] of Object.entries(r.secrets)) if ('credential' in v) need(v.credential, ['github', 'repos', i, 'secrets', k, 'credential']);
  });
  s.aws?.secrets.forEach((x, i) => {
    if (x.value && 'credential' in x.value) need(x.value.credential, ['aws', 'secrets', i, 'value', 'credential']);
  });
  for (const [name, m] of Object.entries(s.secrets)) if ('credential' in m) need(m.credential, ['secrets', name, 'credential']);
  const keyIdOf = (v: { access_key_id_of: string }, at: Path) => {
    need(v.access_key_id_of, [...at, 'access_key_id_of']);
    const found = creds.get(v.access_key_id_of);
    if (found && found[0] !== 'aws') rep.atPath([...base, ...at, 'access_key_id_of'], 'value', `"${v.access_key_id_of}" is not an AWS key: only an access key id may go into an input (inputs are journaled)`, 'scenario');
  };
  for (const [name, v] of Object.entries(s.inputs)) {
    if (Array.isArray(v)) v.forEach((x, i) => typeof x === 'object' && keyIdOf(x, ['inputs', name, i]));
    else if (v && typeof v === 'object') keyIdOf(v, ['inputs', name]);
  }
  s.adversary.forEach((a, i) => {
    need(a.credential, ['adversary', i, 'credential']);
    const service = a.do.split('.')[0];
    const at = creds.get(a.credential);
    if (at && at[0] !== service) rep.atPath([...base, 'adversary', i, 'do'], 'value', `${a.do} needs a ${service} credential; "${a.credential}" is a ${String(at[0])} credential`, 'scenario');
    if (['huggingface.read_space', 'huggingface.tamper_space', 'github.read_repo', 'slack.post_message'].includes(a.do) && !a.target)
      rep.atPath([...base, 'adversary', i], 'value', `${a.do} needs a target`, 'scenario');
  });
}

/** Any string (value or key) in a plain value that looks like a credential. */
function holdsCredential(v: unknown): boolean {
  if (typeof v === 'string') return findCredentials(v).length > 0;
  if (Array.isArray(v)) return v.some(holdsCredential);
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => findCredentials(k).length > 0 || holdsCredential(x));
  return false;
}

/**
 * A large scenario read in pieces (./large.ts) and checked without its YAML document: the
 * scenario when it is valid, else `undefined` — and the caller reads it again as a whole
 * document to report every problem at its file:line:col.
 */
function parseLarge(text: string, file: string, base: Path, inline: boolean): ScenarioT | undefined {
  let value = readLargeYaml(text);
  if (value === undefined || holdsCredential(value)) return undefined;
  for (const k of base) value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[k] : undefined;
  const res = (inline ? InlineScenario : Scenario).safeParse(value);
  if (!res.success) return undefined;
  const rep = new Reporter(file, text);
  checkRefs(res.data, rep, base);
  return rep.issues.length ? undefined : res.data;
}

function parse(text: string, file: string, base: Path, inline: boolean): ScenarioT {
  return parseLarge(text, file, base, inline) ?? parseDocumentOf(text, file, base, inline);
}

/** The whole document read (strict, positions), the credential scan over its nodes, the schema and the cross references. */
function parseDocumentOf(text: string, file: string, base: Path, inline: boolean): ScenarioT {
  const rep = new Reporter(file, text);
  const parsed = readYaml(text, rep);
  if (!parsed) rep.throwIfAny();
  scanCredentials(rep);
  let value: unknown = parsed!.value;
  for (const k of base) value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[k] : undefined;
  const schema = inline ? InlineScenario : Scenario;
  const res = schema.safeParse(value);
  if (!res.success) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) rep.atPath(base, 'value', 'a scenario is a YAML mapping with version: 1, name and the world', 'schema');
    else reportZod(res.error.issues, value, rep, { base, schema });
    rep.throwIfAny();
  }
  checkRefs(res.data!, rep, base);
  rep.throwIfAny();
  return res.data!;
}

/** Load a scenario file. Throws ValidationError (positions) or UsageError (missing file). */
export function loadScenarioFile(path: string): ScenarioT {
  return readScenarioFile(path).scenario;
}

/** A scenario file's text checked (strict YAML, schema, cross references): the scenario, or ValidationError with positions. */
export function parseScenarioText(text: string, file: string): ScenarioT {
  return parse(text, file, [], false);
}

function readScenarioFile(path: string): { scenario: ScenarioT; source: string } {
  if (!existsSync(path)) throw new UsageError(`scenario file not found: ${path}`, { nextSteps: ['Give a scenario with --scenario FILE (see docs/drills.md).'] });
  let source: string;
  try {
    source = readRegularFile(path, MAX_BYTES);
  } catch (e) {
    const why = e instanceof FileNotReadError ? e.message : `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    throw new UsageError(`scenario file ${path}: ${why}`, { nextSteps: ['Give a scenario YAML file with --scenario FILE (see docs/drills.md).'] });
  }
  return { scenario: parseScenarioText(source, path), source };
}

/** The scenario of a drill: --scenario, else the runbook's drill.scenario or inline drill.world. */
export function scenarioFor(loaded: LoadedRunbook, flag: string | undefined, cwd: string): LoadedScenario {
  const d = loaded.runbook.drill;
  const file = scenarioFile(loaded, flag, cwd);
  if (file) return { ...readScenarioFile(file), file, faults: d?.faults as LoadedScenario['faults'], base: [] };
  if (d?.world) return { scenario: parse(loaded.source, loaded.file, ['drill', 'world'], true), file: loaded.file, faults: d.faults as LoadedScenario['faults'], source: loaded.source, base: ['drill', 'world'] };
  throw new UsageError(`${loaded.runbook.id} has no drill scenario`, {
    nextSteps: ['Give one with --scenario FILE, or add `drill: { scenario: PATH }` to the runbook (docs/drills.md).'],
  });
}
