/** Reading what a drill left behind: its journal, its scorecard and its saved world. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../e2e/cli.js';
import { ValidationError, type Issue } from '../../src/core/errors.js';

export function stateDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `drill-${tag}-`));
}

export function incidents(dir: string): string[] {
  return readdirSync(join(dir, 'incidents'));
}

export function journal(dir: string, incident = incidents(dir)[0]!): Record<string, any>[] {
  return readFileSync(join(dir, 'incidents', incident, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
}

export function scorecard(dir: string, incident?: string): Record<string, any> | undefined {
  const recs = journal(dir, incident).filter((r) => r.type === 'scorecard');
  return recs[recs.length - 1]?.data as Record<string, any> | undefined;
}

/** The drill's saved state (seed, clock, adversary, world snapshot) — no credential values. */
export function drillState(dir: string, incident = incidents(dir)[0]!): Record<string, any> {
  return JSON.parse(readFileSync(join(dir, 'incidents', incident, 'drill', 'state.json'), 'utf8')) as Record<string, any>;
}

/** Shipped runbooks that name a drill scenario (drill.scenario or an inline drill.world). */
export function drillableRunbooks(): string[] {
  const dir = join(ROOT, 'runbooks');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .filter((f) => {
      const doc = parse(readFileSync(join(dir, f), 'utf8')) as { drill?: { scenario?: string; world?: unknown } } | null;
      return !!(doc?.drill?.scenario || doc?.drill?.world);
    })
    .map((f) => `runbooks/${f}`);
}

/** Per step/item, the outcome statuses in order — what a seeded drill must repeat exactly. */
export function outcomeTrail(records: Record<string, any>[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of records) {
    if (r.type === 'outcome') (out[`${r.step}/${r.item}`] ??= []).push(`${r.status}#${r.attempt}`);
    if (r.type === 'step.finished') (out[r.step] ??= []).push(`finished:${r.status}`);
  }
  return out;
}

/** A fresh folder (`dir`) for files a test writes: `write(name, text)` writes one there and returns its path. */
export function fileWriter(tag: string): ((name: string, text: string) => string) & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `${tag}-`));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  return Object.assign(write, { dir });
}

/** The issues of the ValidationError `fn` throws (another error is thrown on; none at all fails the test). */
export function issuesOf(fn: () => unknown): Issue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

/** issuesOf for a check that returns a promise */
export async function issuesOfAsync(fn: () => Promise<unknown>): Promise<Issue[]> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a ValidationError');
}
