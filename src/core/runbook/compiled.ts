/**
 * The compiled form of the shipped runbooks: the build (scripts/build.mjs) validates each one and
 * stores its validated form — plain JSON — as `<sha256 of its text>.json`, stamped with the build.
 * A command that loads a runbook whose text has that hash, with no plugins, takes the stored form
 * instead of parsing the YAML and validating it again (~80 ms of the drill's first frame on a
 * quiet machine, bench/README.md). Validation is a pure function of the text and the built-in
 * providers, which are the build's own: any other text — an edited shipped runbook, a user's
 * runbook — has another hash and is parsed and validated as always (errors with file:line:col).
 * The build's side is src/commands/compile-shipped.ts; this module reads (and loads no YAML
 * parser, no schema). Shipped drill scenarios are stored the same way.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Runbook } from './schema.js';

/** One stored runbook: `<dir>/<sha256>.json`. */
export interface CompiledRunbook {
  /** the build that validated it (a stored form is used only by the same build) */
  build: string;
  /** sha256 hex of the runbook's text (also the file's name) */
  sha256: string;
  runbook: Runbook;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A drill scenario shipped beside the runbooks, stored the same way (`scenario` instead of `runbook`). */
export interface CompiledScenario<S = unknown> {
  build: string;
  sha256: string;
  scenario: S;
}

/** The stored record under this hash, made by this build; undefined when there is none (or it is unreadable, or another build's). */
function readRecord(dir: string, build: string, hash: string): Record<string, unknown> | undefined {
  if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
  let c: Record<string, unknown> | null;
  try {
    c = JSON.parse(readFileSync(join(dir, `${hash}.json`), 'utf8')) as Record<string, unknown> | null;
  } catch {
    return undefined;
  }
  return c && typeof c === 'object' && c.build === build && c.sha256 === hash ? c : undefined;
}

/** The stored form of the runbook whose text has this hash (see readRecord). */
export function readCompiled(dir: string, build: string, hash: string): Runbook | undefined {
  const r = readRecord(dir, build, hash)?.runbook;
  return r && typeof r === 'object' ? (r as Runbook) : undefined;
}

/** The stored form of the scenario whose text has this hash (see readRecord); the caller knows its type. */
export function readCompiledScenario<S>(dir: string, build: string, hash: string): S | undefined {
  const s = readRecord(dir, build, hash)?.scenario;
  return s && typeof s === 'object' ? (s as S) : undefined;
}
