/**
 * How `runbook scan` prints findings: text for people, JSON, SARIF 2.1.0 for code-scanning
 * tools, GitHub Actions workflow commands (annotations). Values never appear: a secret shows
 * its kind's prefix and last 4 characters; an identifier (an AWS access key id) in full.
 */
import { KIND_BY_ID, GENERIC_KIND, type CredentialKind } from '../core/secrets/kinds.js';
import type { Secret } from '../core/secrets/secret.js';

export interface ScanRow {
  rule: string;
  kind: string;
  sensitivity: 'secret' | 'identifier';
  provider: string;
  file: string;
  line: number;
  commit?: string;
  committedAt?: string;
  fingerprint: string;
  last4: string;
  preview: string;
  liveness?: 'live' | 'dead' | 'unknown';
  liveness_detail?: string;
  locations: { file: string; line: number; commit?: string; committedAt?: string }[];
  revoke: { runbook?: string; byHand: string };
}

export interface SuppressedRow {
  rule: string;
  file: string;
  line: number;
  commit?: string;
  reason: 'placeholder' | 'checksum';
}

export function kindFor(rule: string): CredentialKind {
  return KIND_BY_ID.get(rule) ?? GENERIC_KIND;
}

/** `hf_***Ab12` for a secret; the value itself for an identifier. */
export function preview(rule: string, token: Secret): string {
  const k = kindFor(rule);
  const v = token.reveal();
  if (k.role === 'identifier') return v;
  const keep = Math.min(k.keep.exec(v)?.[0].length ?? 0, 16);
  return `${v.slice(0, keep)}***${token.last4}`;
}

const where = (r: { file: string; line: number; commit?: string; committedAt?: string }) =>
  `${r.file}${r.line ? `:${r.line}` : ''}${r.commit ? ` (commit ${r.commit.slice(0, 12)}${r.committedAt ? `, ${r.committedAt.slice(0, 10)}` : ''})` : ''}`;

export function formatText(rows: readonly ScanRow[], suppressed: readonly SuppressedRow[], scanned: string): string[] {
  const out: string[] = [];
  for (const r of rows) {
    out.push(`${where(r)}  ${r.kind} ${r.preview}${r.liveness ? `  — ${r.liveness}: ${r.liveness_detail ?? ''}` : ''}  [${r.rule}]`);
    for (const l of r.locations.slice(1)) out.push(`    also at ${where(l)}`);
  }
  const live = rows.filter((r) => r.liveness === 'live').length;
  const dead = rows.filter((r) => r.liveness === 'dead').length;
  const unknown = rows.filter((r) => r.liveness === 'unknown').length;
  const checked = rows.some((r) => r.liveness) ? ` (${live} live, ${dead} dead, ${unknown} unknown)` : '';
  out.push(rows.length ? `${rows.length} finding${rows.length === 1 ? '' : 's'}${checked} in ${scanned}` : `no credentials found in ${scanned}`);
  const ph = suppressed.filter((s) => s.reason === 'placeholder').length;
  const cs = suppressed.length - ph;
  if (suppressed.length)
    out.push(`set aside, not findings: ${[ph ? `${ph} placeholder${ph === 1 ? '' : 's'}` : '', cs ? `${cs} value${cs === 1 ? '' : 's'} failing their kind's checksum` : ''].filter(Boolean).join(', ')} (--format json lists them)`);
  return out;
}

export function formatJson(rows: readonly ScanRow[], suppressed: readonly SuppressedRow[], stats: Record<string, number>): string {
  return JSON.stringify({ findings: rows, suppressed, stats }, null, 2);
}

/** SARIF 2.1.0 (the format GitHub code scanning and most CI dashboards read). */
export function formatSarif(rows: readonly ScanRow[]): string {
  const rules = [...new Set(rows.map((r) => r.rule))].map((id) => {
    const k = kindFor(id);
    return { id, name: id, shortDescription: { text: `Leaked credential: ${k.label}` }, help: { text: `Revoke it: ${k.revoke.byHand}` }, properties: { tags: ['security', 'secret'] } };
  });
  const results = rows.flatMap((r) =>
    r.locations.map((l) => ({
      ruleId: r.rule,
      level: r.liveness === 'dead' ? 'warning' : 'error',
      message: { text: `${r.kind} (${r.preview})${l.commit ? ` added in commit ${l.commit}` : ''}${r.liveness ? `; ${r.liveness}` : ''}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: l.file.split('\\').join('/') }, region: { startLine: Math.max(1, l.line) } } }],
      partialFingerprints: { runbookFinding: r.fingerprint },
    })),
  );
  return JSON.stringify(
    { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [{ tool: { driver: { name: 'runbook scan', rules } }, results }] },
    null,
    2,
  );
}

/** GitHub Actions workflow commands: one `::error` annotation per location. */
export function formatGithub(rows: readonly ScanRow[]): string[] {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return rows.flatMap((r) =>
    r.locations.map((l) => `::${r.liveness === 'dead' ? 'warning' : 'error'} file=${prop(l.file)},line=${Math.max(1, l.line)},title=${prop(`Leaked credential: ${r.kind}`)}::${esc(`${r.preview}${l.commit ? ` added in ${l.commit.slice(0, 12)}` : ''}. ${r.revoke.runbook ? `Runbook: ${r.revoke.runbook}. ` : ''}Revoke: ${r.revoke.byHand}`)}`),
  );
}
