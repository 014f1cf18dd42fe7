/**
 * Findings from the tools responders already run, as findings of our own (each value a Secret
 * from the moment it is read, classified by the credential-kind table):
 *
 * - gitleaks `--report-format json`: an array of `{RuleID, File, StartLine, Commit, Date, Secret, …}`;
 * - trufflehog `--json`: one object per line, `{DetectorName, Verified, Raw, RawV2,
 *   SourceMetadata: {Data: {Git: {commit, file, line, timestamp}} | {Filesystem: {file, line}}}}`;
 * - GitHub secret-scanning alerts (`GET /repos/{o}/{r}/secret-scanning/alerts`, e.g. saved with
 *   `gh api`): an array of `{number, secret_type, secret, validity, html_url, created_at}`.
 *
 * A report that cannot be read is an error naming the file (and the line, for JSON lines);
 * never with the report's content.
 */
import { matchKinds, type CredentialKind } from '../../core/secrets/kinds.js';
import { isPlaceholderValue, type RawHit } from './rules.js';

export const IMPORT_FORMATS = ['gitleaks', 'trufflehog', 'github-alerts'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportedItem {
  hit: RawHit;
  file: string;
  line: number;
  commit?: string;
  committedAt?: string;
  /** what the tool said about liveness: trufflehog `Verified`, GitHub `validity` */
  liveness?: 'live' | 'dead' | 'unknown';
  /** GitHub alert number and link */
  alert?: { number: number; html_url?: string };
  /** AWS: the secret access key that came with a key id (trufflehog RawV2) */
  pair?: string;
}

export class ImportError extends Error {}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function iso(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  // trufflehog: `2022-06-16 10:27:56 -0700`
  const t = Date.parse(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$/.test(s) ? s.replace(' ', 'T').replace(' ', '') : s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Which kind a reported value is: the table kind whose match is the whole value; else generic. */
export function classify(value: string, fallbackRule: string): RawHit {
  for (const m of matchKinds(value)) {
    if (m.index === 0 && m.value.length === value.length) return kindHit(m.kind, value, m.rejected);
  }
  // not a shape of the table: the common placeholder test still applies (a placeholder is never checked for liveness)
  return { rule: fallbackRule, hint: hintFromName(fallbackRule), value, index: 0, priority: 2, ...(isPlaceholderValue(value) ? { rejected: 'placeholder' as const } : {}) };
}

function kindHit(kind: CredentialKind, value: string, rejected?: RawHit['rejected']): RawHit {
  return { rule: kind.id, hint: kind.provider, value, index: 0, priority: 0, ...(rejected ? { rejected } : {}) };
}

function hintFromName(name: string): RawHit['hint'] {
  const n = name.toLowerCase();
  for (const p of ['huggingface', 'github', 'aws', 'slack', 'openai', 'anthropic', 'npm', 'pypi', 'stripe', 'gitlab', 'sendgrid', 'twilio', 'datadog', 'azure', 'docker'] as const) if (n.includes(p)) return p;
  if (n.includes('google') || n.includes('gcp')) return 'google';
  return 'generic';
}

function gitleaks(data: unknown, file: string): ImportedItem[] {
  if (!Array.isArray(data)) throw new ImportError(`${file}: a gitleaks JSON report is an array of findings`);
  return data.flatMap((f: Record<string, unknown>, i) => {
    const secret = str(f?.Secret);
    if (!secret) throw new ImportError(`${file}: finding ${i + 1} has no Secret (was the report made with --redact? Run gitleaks without it)`);
    const item: ImportedItem = { hit: classify(secret, `gitleaks:${str(f.RuleID) ?? 'unknown'}`), file: str(f.File) ?? '?', line: num(f.StartLine) ?? 0 };
    const commit = str(f.Commit);
    if (commit) item.commit = commit;
    const at = iso(f.Date);
    if (at) item.committedAt = at;
    return [item];
  });
}

function trufflehog(text: string, file: string): ImportedItem[] {
  const out: ImportedItem[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let r: Record<string, any>;
    try {
      r = JSON.parse(line) as Record<string, any>;
    } catch {
      throw new ImportError(`${file}:${i + 1}: not a JSON line (trufflehog --json writes one finding per line)`);
    }
    // trufflehog also logs JSON lines (`{"level": …}`): only findings have a detector
    if (!r || typeof r !== 'object' || !str(r.DetectorName)) return;
    const raw = str(r.Raw);
    if (!raw) throw new ImportError(`${file}:${i + 1}: the finding has no Raw value`);
    const data = (r.SourceMetadata?.Data ?? {}) as Record<string, Record<string, unknown>>;
    const src = data.Git ?? data.Github ?? data.Gitlab ?? data.Filesystem ?? Object.values(data)[0] ?? {};
    const item: ImportedItem = { hit: classify(raw, `trufflehog:${r.DetectorName as string}`), file: str(src.file) ?? str(src.File) ?? '?', line: num(src.line) ?? 0 };
    const commit = str(src.commit) ?? str(src.Commit);
    if (commit) item.commit = commit;
    const at = iso(src.timestamp);
    if (at) item.committedAt = at;
    if (r.Verified === true) item.liveness = 'live';
    // AWS: RawV2 is the key id followed by its secret access key
    const v2 = str(r.RawV2);
    if (v2 && v2.startsWith(raw) && v2.length > raw.length) item.pair = v2.slice(raw.length).replace(/^:/, '');
    out.push(item);
  });
  return out;
}

function githubAlerts(data: unknown, file: string): ImportedItem[] {
  const list = Array.isArray(data) ? data : (data as { alerts?: unknown })?.alerts;
  if (!Array.isArray(list)) throw new ImportError(`${file}: GitHub secret-scanning alerts are an array (GET /repos/{owner}/{repo}/secret-scanning/alerts)`);
  return list.flatMap((a: Record<string, unknown>) => {
    const secret = str(a?.secret);
    if (!secret) return []; // GitHub hides some values (custom patterns, no permission): nothing to act on
    const n = num(a.number) ?? 0;
    const item: ImportedItem = { hit: classify(secret, `github-alert:${str(a.secret_type) ?? 'unknown'}`), file: str(a.html_url) ?? `alert #${n}`, line: 0, alert: { number: n, ...(str(a.html_url) ? { html_url: str(a.html_url) } : {}) } };
    const at = iso(a.created_at);
    if (at) item.committedAt = at;
    if (a.validity === 'active') item.liveness = 'live';
    else if (a.validity === 'inactive') item.liveness = 'dead';
    return [item];
  });
}

/** Parse a report of `format`; `file` names it in errors. */
export function parseImport(format: ImportFormat, text: string, file: string): ImportedItem[] {
  if (format === 'trufflehog') return trufflehog(text, file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // (not the parser's message: it quotes the text, which can hold a secret)
    throw new ImportError(`${file}: not valid JSON`);
  }
  return format === 'gitleaks' ? gitleaks(data, file) : githubAlerts(data, file);
}
