/**
 * Turns raw hits into findings. A value becomes a Secret (registered with the redactor
 * through ctx.secret) the moment it is seen; identical values are merged into one finding
 * with every location kept. Findings are keyed by a keyed fingerprint, never by the value.
 */
import { randomBytes } from 'node:crypto';
import { fingerprintValue, Secret } from '../../core/secrets/secret.js';
import { PROVIDERS, type CredentialKind } from '../../core/secrets/kinds.js';
import { DEFAULT_ENTROPY, entropyHits, kindOf, shapeHits, type EntropyOptions, type RawHit } from './rules.js';
import { secretlintHits } from './secretlint.js';

/** Every provider of the credential-kind table (`generic` for the entropy rule). */
export const HINTS = PROVIDERS;

/** Where a value was found. (The zod schemas for action outputs are in ./findings-schema.ts: this module loads no zod, so `runbook scan` does not either.) */
export interface Location {
  file: string;
  line: number;
  commit?: string;
  committedAt?: string;
  /** scan.git: the repository's top folder (absolute) */
  repo?: string;
  /** scan.git: the file's path inside the repository, as git names it */
  path?: string;
}

/** A placeholder or checksum failure: where, which rule, why — never a value. */
export interface Suppressed {
  rule: string;
  file: string;
  line: number;
  commit?: string;
  reason: 'placeholder' | 'checksum';
}

export interface Finding {
  rule: string;
  file: string;
  line: number;
  commit?: string;
  /** scan.git: the repository's top folder (absolute), and the file's path inside it (what `git -C repo rm -- path` matches) */
  repo?: string;
  path?: string;
  /** git: the date of the earliest commit that added it (the report's "First exposed") */
  committedAt?: string;
  /** the kind's label ("a GitHub token") */
  kind: string;
  /** `identifier` kinds (an AWS access key id) are shown in full; `secret` values never */
  sensitivity: 'secret' | 'identifier';
  /** the value itself, for identifiers only (AWS documents a key id as an identifier, not a secret) */
  identifier?: string;
  /** keyed HMAC-SHA256 of the value (first 16 hex chars) — safe to store */
  fingerprint: string;
  last4: string;
  provider_hint: (typeof HINTS)[number];
  /** the value, only ever as a Secret */
  token: Secret;
  /** AWS: the other half of a key pair found next to this one (key id ↔ secret access key) */
  pair?: Secret;
  /** every place the same value was found (the first is repeated in file/line/commit) */
  locations: Location[];
}

/**
 * Per-process random fingerprint key, used when the provider config gives no
 * `fingerprint_key`. Fingerprints made with it are stable within one process only.
 */
const PROCESS_KEY = randomBytes(32);

export interface ScanOptions {
  entropy: EntropyOptions;
  secretlint: boolean;
}

export const DEFAULT_SCAN: ScanOptions = { entropy: DEFAULT_ENTROPY, secretlint: false };

/**
 * All rules over one text. Where hits overlap, the best rule takes the span (table kinds in
 * table order, then secretlint, then the generic rule) — also when it rejected the value as a
 * placeholder or a failed checksum, so a weaker rule cannot report it again.
 */
export async function detect(text: string, filePath: string, opts: ScanOptions): Promise<RawHit[]> {
  const hits = [...shapeHits(text), ...entropyHits(text, opts.entropy)];
  if (opts.secretlint) hits.push(...(await secretlintHits(text, filePath)));
  return bestHits(hits);
}

/**
 * `detect` without secretlint, for a piece a prefilter has looked at (./prefilter.ts): only the
 * kinds it let through, and the generic rule only when it can match. Synchronous: no promise per piece.
 */
export function detectSome(text: string, kinds: readonly CredentialKind[], generic: boolean, opts: ScanOptions): RawHit[] {
  const hits = kinds.length ? shapeHits(text, kinds) : [];
  if (generic) for (const h of entropyHits(text, opts.entropy)) hits.push(h);
  return bestHits(hits);
}

function bestHits(hits: RawHit[]): RawHit[] {
  if (hits.length < 2) return hits;
  hits.sort((a, b) => a.priority - b.priority || a.index - b.index);
  const taken: RawHit[] = [];
  for (const h of hits) {
    if (taken.some((t) => h.index < t.index + t.value.length && t.index < h.index + h.value.length)) continue;
    taken.push(h);
  }
  return taken.sort((a, b) => a.index - b.index);
}

/** 1-based line of each offset (offsets need not be sorted). */
export function lineOf(text: string): (index: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (index) => lineIndex(starts, index) + 1;
}

/** The 0-based line holding character `index`, given each line's start offset (binary search). */
export function lineIndex(starts: readonly number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

type MakeSecret = (value: string, label: string) => Secret;

export class FindingSet {
  readonly #byFp = new Map<string, Finding>();
  /** placeholders and checksum failures, in the order seen */
  readonly suppressed: Suppressed[] = [];
  readonly #fp: (value: string) => string;
  readonly #secret: MakeSecret;
  /** `fingerprint`: the run's own keyed fingerprint (the journal's), used when no `key` is configured */
  constructor(secret: MakeSecret, key?: Secret, fingerprint?: (value: string) => string) {
    this.#secret = secret;
    const k = key ? key.reveal() : undefined;
    this.#fp = k !== undefined ? (v) => fingerprintValue(v, k) : (fingerprint ?? ((v) => fingerprintValue(v, PROCESS_KEY)));
  }

  fingerprint(value: string): string {
    return this.#fp(value);
  }

  /**
   * Record hits from one text. `where(index)` maps a hit's offset to its location.
   * AWS key ids and secret keys within 5 lines of each other are paired.
   */
  add(hits: readonly RawHit[], where: (index: number) => Location): void {
    const awsIds: { f: Finding; line: number }[] = [];
    const awsKeys: { f: Finding; line: number }[] = [];
    for (const h of hits) {
      const loc = where(h.index);
      if (h.rejected) {
        if (!this.suppressed.some((x) => x.rule === h.rule && x.file === loc.file && x.line === loc.line && x.commit === loc.commit))
          this.suppressed.push({ rule: h.rule, file: loc.file, line: loc.line, ...(loc.commit ? { commit: loc.commit } : {}), reason: h.rejected });
        continue;
      }
      const fp = this.fingerprint(h.value);
      let f = this.#byFp.get(fp);
      const kind = kindOf(h.rule);
      if (!f) {
        // an identifier is not registered with the redactor: it is shown in full everywhere
        const label = `scan finding ${h.rule} ${fp}`;
        const token = kind?.role === 'identifier' ? new Secret(h.value, label) : this.#secret(h.value, label);
        f = { rule: h.rule, file: loc.file, line: loc.line, kind: kind?.label ?? 'a generic secret', sensitivity: kind?.role ?? 'secret', fingerprint: fp, last4: token.last4, provider_hint: h.hint, token, locations: [] };
        if (kind?.role === 'identifier') f.identifier = h.value;
        if (loc.commit) f.commit = loc.commit;
        if (loc.committedAt) f.committedAt = loc.committedAt;
        if (loc.repo !== undefined) f.repo = loc.repo;
        if (loc.path !== undefined) f.path = loc.path;
        this.#byFp.set(fp, f);
      } else if (h.priority < 1 && f.provider_hint === 'generic') {
        // a specific shape beats a generic rule that saw the same value first
        f.rule = h.rule;
        f.provider_hint = h.hint;
        f.kind = kind?.label ?? f.kind;
        f.sensitivity = kind?.role ?? f.sensitivity;
      }
      if (loc.committedAt && (!f.committedAt || loc.committedAt < f.committedAt)) {
        f.committedAt = loc.committedAt;
        f.commit = loc.commit;
      }
      if (!f.locations.some((l) => l.file === loc.file && l.line === loc.line && l.commit === loc.commit)) f.locations.push(loc);
      if (h.hint === 'aws') (/^(?:AKIA|ASIA|ABIA|ACCA)/.test(h.value) ? awsIds : awsKeys).push({ f, line: loc.line });
    }
    for (const id of awsIds) {
      const near = awsKeys.find((k) => Math.abs(k.line - id.line) <= 5);
      if (!near) continue;
      id.f.pair ??= near.f.token;
      near.f.pair ??= id.f.token;
    }
  }

  get size(): number {
    return this.#byFp.size;
  }

  /** Findings in first-seen order; `byLocation` sorts locations (and findings) by file and line instead. */
  list(order: 'seen' | 'byLocation' = 'seen'): Finding[] {
    const all = [...this.#byFp.values()];
    if (order === 'seen') return all;
    const cmp = (a: Location, b: Location) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
    for (const f of all) {
      f.locations.sort(cmp);
      const first = f.locations[0];
      if (first) {
        f.file = first.file;
        f.line = first.line;
        if (first.repo !== undefined) f.repo = first.repo;
        if (first.path !== undefined) f.path = first.path;
      }
    }
    return all.sort((a, b) => cmp(a, b));
  }
}
