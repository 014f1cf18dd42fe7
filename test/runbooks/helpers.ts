/**
 * Helpers for the shipped-runbook tests: drill a runbook through the BUILT cli in scripted
 * mode, then read what the drill left behind — the folded journal (`runbook status --json`,
 * with the drill's scorecard), the world snapshot the drill keeps for resume
 * (`<state>/incidents/<id>/drill/state.json`), and every file and stream that must not hold a
 * credential value.
 *
 * Credential values of a drill are never written anywhere: they are derived from the seed. The
 * tests derive them the same way (the drill's own ValueMaker) to look for them in the output.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cli, cliAsync, ROOT, type CliResult } from '../e2e/cli.js';
import { loadRunbook } from '../../src/core/runbook/load.js';
import { evaluateField, renderString, type Scope } from '../../src/core/runbook/expressions.js';
import { isStoredSecret } from '../../src/core/journal/records.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { loadScenarioFile } from '../../src/drill/scenario/load.js';
import { buildWorld, secretValue } from '../../src/drill/world/build.js';
import { ValueMaker, worldKey } from '../../src/drill/world/values.js';

export const runbookPath = (name: string) => join(ROOT, 'runbooks', `${name}.yaml`);
export const scenarioPath = (name: string) => join(ROOT, 'runbooks', 'scenarios', `${name}.scenario.yaml`);

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `rbk-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `runbook drill RUNBOOK --state-dir DIR ARGS…` through the built cli (never on a TTY: scripted). */
export async function drill(name: string, stateDir: string, args: string[] = []): Promise<CliResult> {
  const r = cliAsync(['drill', runbookPath(name), '--state-dir', stateDir, ...args]);
  return r.done;
}

export function onlyIncident(stateDir: string): string {
  const ids = readdirSync(join(stateDir, 'incidents'));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/**
 * `drill(...)` that must finish (exit 0; its stderr shown when it does not), then the one
 * incident it opened: its id and `runbook status --json` of it.
 */
export async function drillDone(name: string, stateDir: string, args: string[]): Promise<{ r: CliResult; id: string; st: StatusJson }> {
  const r = await drill(name, stateDir, args);
  expect(r.code, r.stderr).toBe(0);
  const id = onlyIncident(stateDir);
  return { r, id, st: status(stateDir, id) };
}

/** `drill(...)` that must stop at a gate (exit 3, stderr matching `gate`), then the id of the one incident it opened. */
export async function drillStops(name: string, stateDir: string, args: string[], gate: RegExp): Promise<{ r: CliResult; id: string }> {
  const r = await drill(name, stateDir, args);
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr).toMatch(gate);
  return { r, id: onlyIncident(stateDir) };
}

/** The drill's scorecard as `runbook status --json` shows it. */
export type { Scorecard } from '../../src/drill/scorecard.js';
import type { Scorecard } from '../../src/drill/scorecard.js';

export interface StatusJson {
  mode: string;
  steps: Record<string, { status: string; outputs?: unknown; items: Record<string, { status: string }> }>;
  stepOrder: string[];
  scorecard?: Scorecard;
  [k: string]: unknown;
}

export function status(stateDir: string, incident: string): StatusJson {
  const r = cli(['status', incident, '--state-dir', stateDir, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusJson;
}

type Ref = { c?: string; g?: string; a?: number; u?: string };
export interface WorldSnapshot {
  github?: { tokens: { ref: Ref; revoked: boolean }[]; alerts: { repo: string; number: number; state: string; resolution: string | null }[]; secrets: { repo: string; name: string; ref: Ref }[] };
  aws?: { keys: { ref: Ref; status: string; present: boolean }[] };
  slack?: { tokens: { ref: Ref; state: string }[]; messages: { channel: string; ts: string }[] };
  smtp?: { messages: { to: string[]; subject: string; dedupeId?: string }[] };
}

/** The world as the drill left it (the snapshot it keeps so a stopped drill resumes in the same world). */
export function world(stateDir: string, incident: string): WorldSnapshot {
  const file = join(stateDir, 'incidents', incident, 'drill', 'state.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { world: WorldSnapshot }).world;
}

/** Mails per recipient and Slack messages per channel in a snapshot. */
export function deliveries(w: WorldSnapshot): { mail: Record<string, number>; slack: Record<string, number> } {
  const mail: Record<string, number> = {};
  for (const m of w.smtp?.messages ?? []) for (const to of m.to) mail[to] = (mail[to] ?? 0) + 1;
  const slack: Record<string, number> = {};
  for (const m of w.slack?.messages ?? []) slack[m.channel] = (slack[m.channel] ?? 0) + 1;
  return { mail, slack };
}

/** Every credential value (and runbook secret value) the drill of `name` makes with `seed`. */
export function drillValues(name: string, seedOverride?: number): { values: string[]; credential(id: string): { value: string; secret?: string } } {
  const scenario = loadScenarioFile(scenarioPath(name));
  const seed = seedOverride ?? scenario.seed!;
  const maker = new ValueMaker(worldKey(seed));
  const built = buildWorld(scenario, maker);
  const values: string[] = [];
  for (const c of built.credentials.values()) values.push(c.value, ...(c.secret ? [c.secret] : []));
  for (const name of Object.keys(scenario.secrets)) values.push(secretValue(scenario, built, maker, name));
  values.push(...built.generated.values());
  return {
    // an AWS access key id is an identifier, shown in full (issue 12); its secret access key is not
    values: [...new Set(values)].filter((v) => v.length >= 16 && !/^(?:AKIA|ASIA)[A-Z2-7]{16}$/.test(v)),
    credential: (id) => {
      const c = built.credentials.get(id);
      if (!c) throw new Error(`no credential ${id} in the scenario`);
      return { value: c.value, secret: c.secret };
    },
  };
}

/** Every file under `dir`, as text. */
export function filesUnder(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ file: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

/** No value (nor its base64 form) in any of the texts. */
export function expectNoValues(values: readonly string[], texts: { where: string; text: string }[]): void {
  expect(values.length).toBeGreaterThan(0);
  for (const { where, text } of texts) {
    for (const v of values) {
      for (const form of [v, Buffer.from(v).toString('base64')]) expect(text.includes(form), `${where} holds a credential value (…${v.slice(-4)}): ${JSON.stringify(text.slice(Math.max(0, text.indexOf(form) - 120), text.indexOf(form) + form.length + 40)).replace(form, '<VALUE>')}`).toBe(false);
    }
  }
}

/** stdout, stderr, every file of the state directory, and the JSON report. */
export function everythingWritten(stateDir: string, incident: string, runs: CliResult[]): { where: string; text: string }[] {
  const report = cli(['report', incident, '--state-dir', stateDir, '--format', 'json']);
  const md = cli(['report', incident, '--state-dir', stateDir]);
  return [
    ...runs.flatMap((r, i) => [
      { where: `stdout of run ${i + 1}`, text: r.stdout },
      { where: `stderr of run ${i + 1}`, text: r.stderr },
    ]),
    ...filesUnder(stateDir).map((f) => ({ where: f.file, text: f.text })),
    { where: 'report (json)', text: report.stdout + report.stderr },
    { where: 'report (markdown)', text: md.stdout + md.stderr },
  ];
}

/** The scorecard of a finished drill: every leaked credential found and dead, nothing left over. */
export function expectCleanScorecard(sc: Scorecard | undefined, leaked: number): asserts sc is Scorecard {
  expect(sc, 'the drill wrote no scorecard').toBeDefined();
  expect(sc!.status).toBe('done');
  expect(sc!.leaked).toBe(leaked);
  expect(sc!.leaked_dead).toBe(leaked);
  expect(sc!.contain_ms).not.toBeNull();
  expect(sc!.notify_ms).not.toBeNull();
  expect(sc!.notify_missing).toEqual([]);
  expect(sc!.notify_duplicates).toEqual([]);
  expect(sc!.items_failed).toEqual([]);
  expect(sc!.items_in_doubt).toEqual([]);
  expect(sc!.adversary_succeeded).toBe(0);
  expect(sc!.adversary_persistence_live).toBe(0);
  expect(sc!.outbound_refused).toBe(0);
}

/**
 * Render every title, description and instructions template of the runbook against what the
 * finished drill recorded (inputs and each step's stored outputs; each item of a fan-out step).
 * The engine shows a template that fails to render as written — `${{ … }}` in front of a
 * responder — so here a failure throws, and a rendered text must hold no leftover expression.
 */
/** Stored secrets (`{$secret, fingerprint, last4}`) back to Secret objects, as a live run holds them. */
function revive(v: unknown, registry: SecretRegistry): unknown {
  if (isStoredSecret(v)) return registry.create(`stand-in-${v.fingerprint}`, v.$secret);
  if (Array.isArray(v)) return v.map((x) => revive(x, registry));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x, registry)]));
  return v;
}

export async function expectTemplatesRender(name: string, st: StatusJson & { inputs?: Record<string, unknown>; incident?: string }): Promise<number> {
  const { runbook } = await loadRunbook(runbookPath(name));
  const registry = new SecretRegistry();
  const steps = Object.fromEntries(Object.entries(st.steps).map(([id, s]) => [id, { outputs: revive(s.outputs ?? {}, registry) as Record<string, unknown> }]));
  const base: Scope = { inputs: st.inputs ?? {}, secrets: {}, steps, incident: { id: st.incident ?? 'incident', mode: 'drill', drill: true, opened_at: '2024-06-01T00:00:00Z', runbook: runbook.id } };
  let rendered = 0;
  for (const step of runbook.steps) {
    if (st.steps[step.id]?.status === 'skipped') continue; // the engine renders nothing of a skipped step
    const items = step.for_each === undefined ? [undefined] : ((typeof step.for_each === 'string' ? evaluateField(step.for_each, base) : step.for_each) as unknown[]);
    expect(Array.isArray(items), `${step.id}: for_each yields a list`).toBe(true);
    for (const item of items) {
      for (const field of ['title', 'description', 'instructions'] as const) {
        const text = step[field];
        if (text === undefined) continue;
        const out = renderString(text, { ...base, ...(item === undefined ? {} : { item }) });
        expect(typeof out, `${step.id}.${field} renders to text, not to a secret`).toBe('string');
        expect(out as string, `${step.id}.${field}`).not.toMatch(/\$\{\{|\[object Object\]|undefined/);
        rendered++;
      }
    }
  }
  return rendered;
}
