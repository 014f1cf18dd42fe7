/**
 * The zod schemas of the scan actions' outputs, kept apart from ./findings.ts so the scanner
 * itself (and `runbook scan` without --verify/--git/--from) loads no zod. The compile-time
 * checks below keep each schema and its interface in step.
 */
import { z } from 'zod';
import { SecretOut } from '../sdk.js';
import { HINTS, type Finding as FindingT, type Location as LocationT, type Suppressed as SuppressedT } from './findings.js';

const FILE = 'where it was found: relative to the runbook\'s folder (`runbook scan`: the current folder) when inside it, else as the repository names it or absolute';
const REPO = 'scan.git: the repository\'s top folder (absolute) — the folder `git -C` needs for `path`';
const PATH = 'scan.git: the file\'s path inside the repository, as git names it (what `git -C REPO rm`/`log -- PATH` match)';
export const Location = z.object({
  file: z.string().describe(FILE),
  line: z.number().int(),
  commit: z.string().optional(),
  committedAt: z.string().optional(),
  repo: z.string().optional().describe(REPO),
  path: z.string().optional().describe(PATH),
});
export type Location = z.infer<typeof Location>;

/** A placeholder or checksum failure: where, which rule, why — never a value. */
export const Suppressed = z.object({ rule: z.string(), file: z.string(), line: z.number().int(), commit: z.string().optional(), reason: z.enum(['placeholder', 'checksum']) });
export type Suppressed = z.infer<typeof Suppressed>;

export const Finding = z.object({
  rule: z.string(),
  file: z.string().describe(FILE),
  line: z.number().int(),
  commit: z.string().optional(),
  repo: z.string().optional().describe(REPO),
  path: z.string().optional().describe(PATH),
  /** git: the date of the earliest commit that added it (the report's "First exposed") */
  committedAt: z.string().optional(),
  /** the kind's label ("a GitHub token") */
  kind: z.string(),
  /** `identifier` kinds (an AWS access key id) are shown in full; `secret` values never */
  sensitivity: z.enum(['secret', 'identifier']),
  /** the value itself, for identifiers only (AWS documents a key id as an identifier, not a secret) */
  identifier: z.string().optional(),
  /** keyed HMAC-SHA256 of the value (first 16 hex chars) — safe to store */
  fingerprint: z.string(),
  last4: z.string(),
  provider_hint: z.enum(HINTS),
  /** the value, only ever as a Secret */
  token: SecretOut,
  /** AWS: the other half of a key pair found next to this one (key id ↔ secret access key) */
  pair: SecretOut.optional(),
  /** every place the same value was found (the first is repeated in file/line/commit) */
  locations: z.array(Location),
});
export type Finding = z.infer<typeof Finding>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/** Fails to compile when a schema and its interface in ./findings.ts drift apart. */
export type SchemasMatchInterfaces = [Holds<Same<Location, LocationT>>, Holds<Same<Suppressed, SuppressedT>>, Holds<Same<Finding, FindingT>>];
