/**
 * A runbook must never carry a credential. Every string in the file (values and keys) is
 * matched against the known token shapes (reference/PROVIDERS.md); a hit is an error that
 * shows only a redacted preview, never the value.
 */
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { MASK, shapeMatches } from '../secrets/redactor.js';
import type { Path, Reporter } from './yaml.js';
import { offsetInValue } from './positions.js';

const LABELS: Record<string, string> = {
  huggingface: 'a Hugging Face token',
  'huggingface-oauth': 'a Hugging Face OAuth token',
  'huggingface-jwt': 'a Hugging Face JWT',
  github: 'a GitHub token',
  'github-fine-grained': 'a GitHub fine-grained token',
  'aws-access-key': 'an AWS access key id',
  'slack-token': 'a Slack token',
  'slack-app-token': 'a Slack app token',
  'slack-webhook': 'a Slack webhook URL',
};

export interface CredentialHit {
  shape: string;
  index: number;
  length: number;
  /** a redacted preview: the recognisable prefix and a mask (`hf_***`) */
  preview: string;
}

/** Token-shaped substrings of a string (TOKEN_SHAPES from the redactor). */
export function findCredentials(text: string): CredentialHit[] {
  const out: CredentialHit[] = [];
  for (const m of shapeMatches(text)) {
    const value = text.slice(m.start, m.end);
    // AWS documentation keys end in EXAMPLE (AKIAIOSFODNN7EXAMPLE) and are not credentials
    if (m.shape === 'aws-access-key' && value.endsWith('EXAMPLE')) continue;
    out.push({ shape: m.shape, index: m.start, length: m.end - m.start, preview: value.slice(0, Math.min(m.keep || 4, 16)) + MASK });
  }
  return out;
}

function check(text: string, path: Path, rep: Reporter, isKey: boolean, keyOffset?: number): void {
  for (const hit of findCredentials(text)) {
    const what = LABELS[hit.shape] ?? (hit.shape.startsWith('openai') ? 'an OpenAI key' : 'a credential');
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
  const walk = (n: Node | null, path: Path, depth: number) => {
    if (!n || depth > 80) return;
    if (isScalar(n)) {
      if (typeof n.value === 'string') check(n.value, path, rep, false);
    } else if (isSeq(n)) {
      n.items.forEach((it, i) => walk(it as Node, [...path, i], depth + 1));
    } else if (isMap(n)) {
      for (const p of n.items) {
        if (!isPair(p)) continue;
        const k = p.key as Node | null;
        const name = isScalar(k) && k.value !== null && k.value !== undefined ? String(k.value) : '?';
        if (isScalar(k) && typeof k.value === 'string') check(k.value, path, rep, true, k.range?.[0]);
        walk(p.value as Node | null, [...path, name], depth + 1);
      }
    }
  };
  walk(rep.root, [], 0);
}
