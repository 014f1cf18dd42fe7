/** Recorded journals for the report tests: a live-style HF incident, a drill, and one with every record kind. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordType } from '../../src/core/journal/records.js';
import { FixedJournal, stored } from './writer.js';

export const FP = { a: '3f9a1c2b7d8e4f60', b: '8c21e0d94b7a1f33', created: 'e4d7a2b9c0f1a6b5', admin: '0a1b2c3d4e5f6a7b', drill: '5b6c7d8e9f0a1b2c' };

export const HF_RUNBOOK = `version: 1
id: hf-spaces-secrets-exposure
title: Hugging Face Spaces secrets exposure
severity: critical
steps:
  - id: scan
    kind: detect
    title: Scan repositories for leaked HF tokens
    uses: scan.repo
  - id: check-live
    kind: detect
    title: Check which leaked tokens are live
    uses: hf.whoami
    for_each: \${{ steps.scan.outputs.findings }}
  - id: revoke-hf
    kind: revoke
    title: Revoke leaked HF tokens
    uses: hf.revokeToken
    for_each: \${{ steps.scan.outputs.findings }}
  - id: revoke-org-token
    kind: revoke
    title: Revoke the org-wide token
    uses: hf.revokeToken
  - id: rotate-space-secrets
    kind: rotate
    title: Rotate Space secrets
    uses: hf.setSpaceSecret
  - id: rotate-aws
    kind: rotate
    title: Rotate AWS keys used by Spaces
    uses: aws.rotateAccessKey
  - id: notify-users
    kind: notify
    title: Email affected users
    uses: email.send
  - id: notify-authorities
    kind: manual
    title: Report to the data-protection authority
    evidence: link
  - id: monitor
    kind: manual
    title: Monitor for misuse for 30 days
`;

/** A live incident with approvals, a crash (in doubt), a settle, a retry, manual steps, notes. */
export function liveHf(stateDir: string, cwd: string): { id: string } {
  mkdirSync(join(cwd, 'runbooks'), { recursive: true });
  writeFileSync(join(cwd, 'runbooks', 'hf.yaml'), HF_RUNBOOK);
  const hash = createHash('sha256').update(HF_RUNBOOK).digest('hex');
  const id = 'hf-2024-05-31';
  const j = new FixedJournal(stateDir, id, '2024-05-31T09:59:59.000Z');
  const tokA = stored('finding.token', FP.a, 'Wq3z');
  const tokB = stored('finding.token', FP.b, 'k9Lm');
  j.add({
    type: 'incident.opened',
    incident: id,
    mode: 'live',
    runbook: { id: 'hf-spaces-secrets-exposure', title: 'Hugging Face Spaces secrets exposure', severity: 'critical', path: 'runbooks/hf.yaml', hash },
    inputs: { org: 'acme-ml', window_days: 30 },
    secrets: { hf_admin: stored('hf_admin', FP.admin, 'ZZ01') },
  })
    .add({ type: 'run.started', resumed: false, pid: 4242, runbookHash: hash })
    .add({ type: 'step.started', step: 'scan' })
    .add({ type: 'intent', step: 'scan', item: '-', action: 'scan.repo', attempt: 1, key: 'scan/-/1', input: { repo: 'acme-ml/chat-demo' }, idempotent: true })
    .add(
      {
        type: 'outcome',
        step: 'scan',
        item: '-',
        status: 'ok',
        attempt: 1,
        evidence: { exitCode: 0, detail: '2 findings in 140 files' },
        output: {
          findings: [
            { rule: 'huggingface', file: 'app.py', line: 12, commit: 'a1b2c3d4e5f60718', fingerprint: FP.a, last4: 'Wq3z', provider_hint: 'huggingface', token: tokA, locations: [{ file: 'app.py', line: 12, commit: 'a1b2c3d4e5f60718', committedAt: '2024-05-20T08:00:00Z' }] },
            { rule: 'huggingface', file: '.env', line: 3, fingerprint: FP.b, last4: 'k9Lm', provider_hint: 'huggingface', token: tokB, locations: [{ file: '.env', line: 3 }] },
          ],
        },
      },
      41,
    )
    .add({ type: 'step.finished', step: 'scan', status: 'ok' })
    .add({ type: 'step.started', step: 'check-live' })
    .add({ type: 'items', step: 'check-live', keys: [FP.a, FP.b] })
    .add({ type: 'intent', step: 'check-live', item: FP.a, action: 'hf.whoami', attempt: 1, key: 'k1', input: { token: tokA }, idempotent: true })
    .add({ type: 'outcome', step: 'check-live', item: FP.a, status: 'ok', attempt: 1, output: { live: true, user: 'acme-bot', lastUsedAt: '2024-05-30T22:14:00Z' }, evidence: { httpStatus: 200, requestId: 'req-w1' } })
    .add({ type: 'intent', step: 'check-live', item: FP.b, action: 'hf.whoami', attempt: 1, key: 'k2', input: { token: tokB }, idempotent: true })
    .add({ type: 'outcome', step: 'check-live', item: FP.b, status: 'ok', attempt: 1, output: { live: true, user: 'jo' }, evidence: { httpStatus: 200, requestId: 'req-w2' } })
    .add({ type: 'step.finished', step: 'check-live', status: 'ok' })
    .add({ type: 'step.started', step: 'revoke-hf' })
    .add({ type: 'items', step: 'revoke-hf', keys: [FP.a, FP.b] })
    .add({ type: 'approval', step: 'revoke-hf', decision: 'approved', via: 'tui' }, 95, 'bob@desk')
    .add({ type: 'intent', step: 'revoke-hf', item: FP.a, action: 'hf.revokeToken', attempt: 1, key: 'k3', input: { token: tokA }, idempotent: false })
    .add({ type: 'outcome', step: 'revoke-hf', item: FP.a, status: 'ok', attempt: 1, output: { revoked: true }, evidence: { httpStatus: 200, requestId: 'req-r1' }, verify: { state: 'done', detail: 'whoami-v2 answers 401' } })
    .add({ type: 'intent', step: 'revoke-hf', item: FP.b, action: 'hf.revokeToken', attempt: 1, key: 'k4', input: { token: tokB }, idempotent: false })
    // the process died here; the next run finds the item in doubt
    .add({ type: 'run.started', resumed: true, pid: 4300, runbookHash: hash }, 240)
    .add({ type: 'verify', step: 'revoke-hf', item: FP.b, state: 'unknown', detail: 'whoami-v2 timed out', on: 'resume' })
    .add({ type: 'settled', step: 'revoke-hf', item: FP.b, decision: 'done', via: 'flag --settle' }, 30, 'bob@desk')
    .add({ type: 'step.finished', step: 'revoke-hf', status: 'ok' })
    .add({ type: 'step.started', step: 'revoke-org-token' })
    .add({ type: 'approval', step: 'revoke-org-token', decision: 'approved', via: 'flag --yes' })
    .add({ type: 'intent', step: 'revoke-org-token', item: '-', action: 'hf.revokeToken', attempt: 1, key: 'k5', input: { name: 'org-ci' }, idempotent: false })
    .add({ type: 'step.started', step: 'rotate-space-secrets' }, 2)
    .add({ type: 'approval', step: 'rotate-space-secrets', decision: 'approved', via: 'flag --yes' })
    .add({ type: 'intent', step: 'rotate-space-secrets', item: 'acme-ml/chat-demo', action: 'hf.setSpaceSecret', attempt: 1, key: 'k6', input: { space: 'acme-ml/chat-demo', key: 'HF_TOKEN' }, idempotent: true })
    .add({ type: 'secret.created', step: 'rotate-space-secrets', item: 'acme-ml/chat-demo', secret: stored('new_token', FP.created, 'Pp7Q') })
    .add({ type: 'outcome', step: 'rotate-space-secrets', item: 'acme-ml/chat-demo', status: 'ok', attempt: 1, output: { space: 'acme-ml/chat-demo', key: 'HF_TOKEN', token: stored('new_token', FP.created, 'Pp7Q') }, evidence: { httpStatus: 200, requestId: 'req-s1' } })
    .add({ type: 'step.finished', step: 'rotate-space-secrets', status: 'ok' })
    .add({ type: 'step.finished', step: 'rotate-aws', status: 'skipped', reason: 'no AWS keys in the findings' })
    .add({ type: 'step.started', step: 'notify-users' })
    .add({ type: 'intent', step: 'notify-users', item: '-', action: 'email.send', attempt: 1, key: 'k7', input: { to: 'users' }, idempotent: false })
    .add({ type: 'outcome', step: 'notify-users', item: '-', status: 'failed', attempt: 1, error: { message: 'smtp: 451 try again later', code: 'smtp-451', failure: 'not-sent' } }, 5)
    .add({ type: 'intent', step: 'notify-users', item: '-', action: 'email.send', attempt: 2, key: 'k7', input: { to: 'users' }, idempotent: false }, 4)
    .add({ type: 'outcome', step: 'notify-users', item: '-', status: 'ok', attempt: 2, evidence: { detail: 'accepted for 3 recipients', requestId: '<msg-1@acme>' } })
    .add({ type: 'step.finished', step: 'notify-users', status: 'ok' })
    .add({ type: 'step.started', step: 'notify-authorities' })
    .add({ type: 'manual', step: 'notify-authorities', note: 'Reported to the DPA | case 2024-117', link: 'https://dpa.example/cases/2024-117', via: 'tui' }, 600, 'carol@office')
    .add({ type: 'step.finished', step: 'notify-authorities', status: 'ok' })
    .add({ type: 'note', text: 'Customer support briefed; status page updated.' }, 60, 'carol@office')
    .add({ type: 'step.started', step: 'monitor' })
    .add({ type: 'run.stopped', reason: 'waiting', detail: 'manual step monitor needs the operator' });
  j.write();
  return { id };
}

/** A drill that ran to the end, with a scorecard; the runbook file is gone (kinds are inferred). */
export function drill(stateDir: string): { id: string } {
  const id = 'drill-hf-001';
  const j = new FixedJournal(stateDir, id, '2025-03-04T14:00:00.000Z', 'dana@ci');
  const tok = stored('finding.token', FP.drill, 'Dr1l');
  j.add({
    type: 'incident.opened',
    incident: id,
    mode: 'drill',
    runbook: { id: 'hf-spaces-secrets-exposure', title: 'Hugging Face Spaces secrets exposure', severity: 'critical', path: 'runbooks/gone.yaml', hash: 'deadbeefdeadbeef' },
    inputs: {},
    secrets: {},
  })
    .add({ type: 'run.started', resumed: false, pid: 777, runbookHash: 'deadbeefdeadbeef' })
    .add({ type: 'step.started', step: 'scan' })
    .add({ type: 'intent', step: 'scan', item: '-', action: 'scan.scanRepo', attempt: 1, key: 'd1', input: {}, idempotent: true })
    .add({ type: 'outcome', step: 'scan', item: '-', status: 'ok', attempt: 1, output: { findings: [{ rule: 'huggingface', file: 'space/app.py', line: 7, fingerprint: FP.drill, last4: 'Dr1l', token: tok, provider_hint: 'huggingface' }] } }, 12)
    .add({ type: 'step.finished', step: 'scan', status: 'ok' })
    .add({ type: 'step.started', step: 'revoke' })
    .add({ type: 'approval', step: 'revoke', decision: 'approved', via: 'drill auto-approve' })
    .add({ type: 'intent', step: 'revoke', item: FP.drill, action: 'hf.revokeToken', attempt: 1, key: 'd2', input: { token: tok }, idempotent: false })
    .add({ type: 'outcome', step: 'revoke', item: FP.drill, status: 'failed', attempt: 1, error: { message: 'hf.revokeToken: HTTP 503 (injected fault)', status: 503, failure: 'ambiguous' } }, 3)
    .add({ type: 'verify', step: 'revoke', item: FP.drill, state: 'not-done', on: 'retry', detail: 'token still live' })
    .add({ type: 'intent', step: 'revoke', item: FP.drill, action: 'hf.revokeToken', attempt: 2, key: 'd2', input: { token: tok }, idempotent: false }, 2)
    .add({ type: 'outcome', step: 'revoke', item: FP.drill, status: 'ok', attempt: 2, evidence: { httpStatus: 200, requestId: 'sim-r2' } })
    .add({ type: 'verify', step: 'revoke', item: FP.drill, state: 'done', on: 'after-run', detail: 'whoami-v2 answers 401' })
    .add({ type: 'step.finished', step: 'revoke', status: 'ok' })
    .add({ type: 'step.started', step: 'rotate' })
    .add({ type: 'intent', step: 'rotate', item: '-', action: 'hf.setSpaceSecret', attempt: 1, key: 'd3', input: {}, idempotent: true })
    .add({ type: 'outcome', step: 'rotate', item: '-', status: 'ok', attempt: 1, evidence: { httpStatus: 200 } }, 20)
    .add({ type: 'step.finished', step: 'rotate', status: 'ok' })
    .add({ type: 'step.started', step: 'notify' })
    .add({ type: 'intent', step: 'notify', item: '-', action: 'email.send', attempt: 1, key: 'd4', input: {}, idempotent: false })
    .add({ type: 'outcome', step: 'notify', item: '-', status: 'ok', attempt: 1, evidence: { detail: 'simulated SMTP accepted 1 message' } }, 9)
    .add({ type: 'step.finished', step: 'notify', status: 'ok' })
    .add({ type: 'scorecard', data: { scenario: 'hf-default', faults: ['hf.revokeToken: 503 once'], detectMs: 14000, revokeMs: 24000, rotateMs: 46000, notifyMs: 57000, score: 92 } })
    .add({ type: 'run.stopped', reason: 'done' });
  j.write();
  return { id };
}

/** Every record type, in one journal (compile-time checked: a new type must be added here). */
export const ALL_TYPES: Record<RecordType, true> = {
  'incident.opened': true, 'run.started': true, 'step.started': true, items: true, approval: true, intent: true, outcome: true, verify: true,
  settled: true, manual: true, 'step.finished': true, 'secret.created': true, note: true, 'run.stopped': true, 'lock.broken': true, scorecard: true,
  watch: true,
};

export function everyKind(stateDir: string): { id: string } {
  const id = 'every-kind';
  const j = new FixedJournal(stateDir, id, '2025-01-02T03:04:05.000Z', 'eve@box');
  const t = stored('t', FP.a, 'Wq3z');
  j.add({ type: 'incident.opened', incident: id, mode: 'live', runbook: { id: 'rb', title: 'Every record', severity: 'high', path: '', hash: 'abc' }, inputs: { leaked: t, note: 'x' }, secrets: {} })
    .add({ type: 'lock.broken', previous: { pid: 99, host: 'old-host', user: 'eve', startedAt: '2025-01-02T02:00:00.000Z' } })
    .add({ type: 'run.started', resumed: true, pid: 100, runbookHash: 'abc', acceptedChangedRunbook: true })
    // engine proposal: kind and title journaled on step.started
    .add({ type: 'step.started', step: 'find', kind: 'detect', title: 'Find it' })
    .add({ type: 'intent', step: 'find', item: '-', action: 'x.lookup', attempt: 1, key: 'e1', input: {}, idempotent: true })
    .add({ type: 'outcome', step: 'find', item: '-', status: 'ok', attempt: 1, output: { fingerprint: FP.a, last4: 'Wq3z', space: 'eve/demo', updatedAt: '2024-12-24T00:00:00Z', LastUsedDate: '2025-01-01T12:00:00Z', ServiceName: 's3', Region: 'eu-west-1' } })
    .add({ type: 'step.finished', step: 'find', status: 'ok', outputs: { n: 1 } })
    .add({ type: 'step.started', step: 'kill', kind: 'revoke', title: 'Kill it' })
    .add({ type: 'items', step: 'kill', keys: [FP.a, 'other'] })
    .add({ type: 'approval', step: 'kill', items: [FP.a], decision: 'approved', via: 'tui', reason: 'only the leaked one' })
    .add({ type: 'intent', step: 'kill', item: FP.a, action: 'x.remove', attempt: 1, key: 'e2', input: { token: t }, idempotent: false })
    .add({ type: 'outcome', step: 'kill', item: FP.a, status: 'in-doubt', attempt: 1, reason: 'connection reset after send' })
    .add({ type: 'settled', step: 'kill', item: FP.a, decision: 'redo', via: 'tui' })
    .add({ type: 'intent', step: 'kill', item: FP.a, action: 'x.remove', attempt: 2, key: 'e2', input: { token: t }, idempotent: false })
    .add({ type: 'outcome', step: 'kill', item: FP.a, status: 'ok', attempt: 2, evidence: { httpStatus: 204 }, output: { live: false } })
    .add({ type: 'verify', step: 'kill', item: FP.a, state: 'done', on: 'after-run', detail: 'HTTP 401 on the leaked token' })
    .add({ type: 'outcome', step: 'kill', item: 'other', status: 'skipped', attempt: 0, reason: 'not approved' })
    .add({ type: 'step.finished', step: 'kill', status: 'ok' })
    .add({ type: 'step.started', step: 'swap', kind: 'rotate', title: 'Swap it' })
    .add({ type: 'approval', step: 'swap', decision: 'denied', via: 'tui', reason: 'change freeze' })
    .add({ type: 'step.started', step: 'tell', kind: 'notify', title: 'Tell them' })
    .add({ type: 'intent', step: 'tell', item: '-', action: 'x.post', attempt: 1, key: 'e3', input: {}, idempotent: false })
    .add({ type: 'outcome', step: 'tell', item: '-', status: 'failed', attempt: 1, error: { message: 'forbidden', code: 'not_allowed', failure: 'definite', status: 403, requestId: 'rq-9' } })
    .add({ type: 'step.finished', step: 'tell', status: 'failed', reason: 'forbidden' })
    .add({ type: 'step.started', step: 'look', kind: 'detect', title: 'Watch it' })
    .add({ type: 'watch', step: 'look', check: 3, watchedMs: 120_000, forMs: 1_800_000, seen: 'until' })
    .add({ type: 'step.finished', step: 'look', status: 'ok', reason: 'until seen' })
    .add({ type: 'step.started', step: 'hands', kind: 'manual', title: 'By hand' })
    .add({ type: 'items', step: 'hands', keys: ['a', 'b'] })
    .add({ type: 'manual', step: 'hands', item: 'a', link: 'https://tickets.example/1', via: 'tui' })
    .add({ type: 'secret.created', step: 'swap', item: '-', secret: stored('n', FP.created, 'Pp7Q') })
    .add({ type: 'note', text: 'a | pipe and <b>html</b>\nand a second line' })
    .add({ type: 'scorecard', data: { score: 1, nested: { a: [1, 2] } } })
    .add({ type: 'run.stopped', reason: 'interrupted', detail: 'SIGINT' });
  j.write();
  return { id };
}
