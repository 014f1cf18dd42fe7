/**
 * A runbook must never carry a credential. Every string in the file (values and keys) is
 * matched against the one table of credential kinds (../secrets/kinds.ts); a hit of a `secret`
 * kind is an error that shows only a redacted preview, never the value. Identifiers (an AWS
 * access key id) and placeholders (`hf_` + x's, AWS's EXAMPLE keys) are not credentials.
 */
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { MASK } from '../secrets/redactor.js';
import { matchKinds } from '../secrets/kinds.js';
import type { Path, Reporter } from './yaml.js';
import { offsetInValue } from './positions.js';

export interface CredentialHit {
  /** the kind's id in the table */
  shape: string;
  label: string;
  index: number;
  length: number;
  /** a redacted preview: the recognisable prefix and a mask (`hf_***`) */
  preview: string;
}

/** Secret-kind values in a string; a GitHub-shaped value with a bad checksum still counts (validate errs on the safe side). */
export function findCredentials(text: string): CredentialHit[] {
  const out: CredentialHit[] = [];
  for (const m of matchKinds(text)) {
    if (m.kind.role !== 'secret' || m.rejected === 'placeholder') continue;
    if (out.some((o) => m.index < o.index + o.length && o.index < m.index + m.value.length)) continue;
    const keep = Math.min(m.kind.keep.exec(m.value)?.[0].length ?? 0, 16);
    out.push({ shape: m.kind.id, label: m.kind.label, index: m.index, length: m.value.length, preview: m.value.slice(0, keep) + MASK });
  }
  return out.sort((a, b) => a.index - b.index);
}

function check(text: string, at: Path, rep: Reporter, isKey: boolean, keyOffset?: number): void {
  const hits = findCredentials(text);
  if (hits.length === 0) return;
  const path = [...at];
  for (const hit of hits) {
    const what = hit.label;
    const offset = isKey ? keyOffset : offsetInValue(rep, path, text, hit.index);
    rep.atOffset(
      offset,
      path,
      `this looks like ${what} (${hit.preview}); a runbook must not contain credentials — ` +
        'declare it under secrets: (from env, file, command or prompt) and use ${{ secrets.NAME }}. If it is real, treat it as leaked and revoke it',
      'credential',
    );
  }
}

/** Scan every scalar of the document. */
export function scanCredentials(rep: Reporter): void {
  // one path, extended and cut back as the walk goes (copied only for a hit): a 1,000-step runbook has ~10,000 scalars
  const path: Path = [];
  const walk = (n: Node | null, depth: number) => {
    if (!n || depth > 80) return;
    if (isScalar(n)) {
      if (typeof n.value === 'string') check(n.value, path, rep, false);
    } else if (isSeq(n)) {
      for (let i = 0; i < n.items.length; i++) {
        path.push(i);
        walk(n.items[i] as Node, depth + 1);
        path.pop();
      }
    } else if (isMap(n)) {
      for (const p of n.items) {
        if (!isPair(p)) continue;
        const k = p.key as Node | null;
        const name = isScalar(k) && k.value !== null && k.value !== undefined ? String(k.value) : '?';
        if (isScalar(k) && typeof k.value === 'string') check(k.value, path, rep, true, k.range?.[0]);
        path.push(name);
        walk(p.value as Node | null, depth + 1);
        path.pop();
      }
    }
  };
  walk(rep.root, 0);
}
