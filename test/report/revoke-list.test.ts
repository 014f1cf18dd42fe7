/**
 * Issue 14 (gap): GitHub's revoke takes a list (`credentials: [token]`). The report said
 * "Revoked: not revoked" for a token revoked that way — a secret inside a list was not
 * recognised as the credential the revoke item acted on.
 */
import { describe, expect, it } from 'vitest';
import { collectCredentials } from '../../src/report/credentials.js';
import type { JournalRecord } from '../../src/core/journal/records.js';

const secret = (fp: string, last4: string) => ({ $secret: `scan finding github-token ${fp}`, fingerprint: fp, last4 });
const at = (n: number) => `2026-01-01T00:00:0${n}.000Z`;

describe('a revoke whose input is a list of secrets', () => {
  it('counts the listed token as revoked, and verified dead by the revoke read-back', () => {
    const fp = '1c76f40863f32431';
    const records = [
      { seq: 1, ts: at(1), op: 'me', type: 'outcome', step: 'scan', item: '-', status: 'ok', attempt: 1, output: { findings: [{ token: secret(fp, 'EWZo'), fingerprint: fp, last4: 'EWZo', provider_hint: 'github', file: '.env', line: 2 }] } },
      { seq: 2, ts: at(2), op: 'me', type: 'intent', step: 'revoke', item: `scan-${fp}`, action: 'gh.revokeCredentials', attempt: 1, input: { credentials: [secret(fp, 'EWZo')] }, idempotent: false },
      { seq: 3, ts: at(3), op: 'me', type: 'outcome', step: 'revoke', item: `scan-${fp}`, status: 'ok', attempt: 1, output: { accepted: 1 }, verify: { state: 'done', detail: 'all 1 credential(s) answer 401' } },
    ] as unknown as JournalRecord[];
    const kinds: Record<string, 'detect' | 'revoke'> = { scan: 'detect', revoke: 'revoke' };
    const [c] = collectCredentials(records, (s) => kinds[s] ?? null);
    expect(c?.fingerprint).toBe(fp);
    expect(c?.revoked).toMatchObject({ at: at(3), step: 'revoke', item: `scan-${fp}`, via: 'outcome' });
    expect(c?.verifiedDead).toMatchObject({ at: at(3), basis: 'verify' });
  });
});
