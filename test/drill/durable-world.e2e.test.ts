/**
 * Issue 11 items 4, 5 and 11 — the drill world is as durable as the journal:
 * - an effect is on disk before the simulator answers, so a kill right after a mail or a Slack
 *   post was accepted (before the run could journal its outcome) does not make the world forget
 *   it: the resumed run reads it back instead of sending it again, and the scorecard counts the
 *   duplicates the world really saw (0);
 * - state.json is checksummed: a missing, damaged or edited world on resume is an error, never a
 *   fresh world;
 * - the workspace with secret values is removed when a killed drill is resumed, and when another
 *   drill in the same state directory finds it abandoned;
 * - the flagship runbook finishes when no Hub token is in scope.
 */
import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { drillState, journal, scorecard, stateDir } from './helpers.js';

const AWS = 'runbooks/aws-access-key-exposure.yaml';
const HF = 'runbooks/hf-spaces-secrets-exposure.yaml';
const T = 180_000;

beforeAll(() => ensureBuilt());

const drill = (file: string, dir: string, extra: string[] = [], env?: Record<string, string>) => cli(['drill', file, '--yes', '--speed', '0', '--state-dir', dir, '--incident', 'k', ...extra], { env, timeout: T });
// --break-lock until the same command takes a dead owner's lock by itself (issue 11 item 1)
const resume = (file: string, dir: string) => drill(file, dir, ['--break-lock']);

function intentNo(file: string, step: string): number {
  const dir = stateDir('ref');
  expect(drill(file, dir).code).toBe(0);
  const intents = journal(dir, 'k').filter((r) => r.type === 'intent');
  const i = intents.findIndex((r) => r.step === step);
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

describe('effects are durable before the simulator answers', () => {
  it.each([
    ['notify-owner', 'mail'],
    ['notify-security', 'Slack post'],
  ])('a kill after %s (%s) was accepted, before its outcome: resumed, it is not sent again', (step) => {
    const n = intentNo(AWS, step);
    const dir = stateDir('dur');
    const crashed = drill(AWS, dir, [], { RUNBOOK_CRASH_AT: `before-outcome#${n}` });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    // the world kept it: the effects log has it, fsynced before the answer
    const log = readFileSync(join(dir, 'incidents', 'k', 'drill', 'effects.jsonl'), 'utf8');
    expect(log).toMatch(step === 'notify-owner' ? /"mail to platform@acme\.test/ : /"slack post to #security-incidents/);
    const r = resume(AWS, dir);
    expect(r.code, r.stderr).toBe(0);
    const sc = scorecard(dir, 'k')!;
    expect(sc.duplicate_effects).toEqual([]);
    expect(sc.notify_duplicates).toEqual([]);
    expect(sc.notify_missing).toEqual([]);
    const w = drillState(dir, 'k').world;
    expect(w.smtp.messages).toHaveLength(1);
    expect(w.slack.messages).toHaveLength(1);
  }, 2 * T);

  it('the scorecard counts an effect the world accepted twice', () => {
    const n = intentNo(AWS, 'notify-security');
    const dir = stateDir('dup');
    drill(AWS, dir, [], { RUNBOOK_CRASH_AT: `before-outcome#${n}` });
    // the operator insists on calling it again: the world sees the post twice, and says so
    const r = drill(AWS, dir, ['--break-lock', '--settle', 'notify-security=redo']);
    expect(r.code, r.stderr).toBe(0);
    expect(scorecard(dir, 'k')!.duplicate_effects).toEqual([expect.stringMatching(/^slack post to #security-incidents \[k\/notify-security\/-\] ×2$/)]);
    expect(r.stderr).toMatch(/repeated effects +slack post to #security-incidents/);
  }, 2 * T);
});

describe('a resume never starts a fresh world', () => {
  const killed = () => {
    const dir = stateDir('world');
    const crashed = drill(AWS, dir, [], { RUNBOOK_CRASH_AT: 'after-write:step.finished#4' });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    return { dir, drillDir: join(dir, 'incidents', 'k', 'drill') };
  };

  it.each([
    ['state.json is missing', (d: string) => rmSync(join(d, 'state.json')), /drill world of this incident is missing/],
    ['state.json was edited', (d: string) => writeFileSync(join(d, 'state.json'), readFileSync(join(d, 'state.json'), 'utf8').replace('"seed":2718', '"seed":2719')), /does not match its checksum/],
    ['state.json is not JSON', (d: string) => writeFileSync(join(d, 'state.json'), '{"version":2,'), /unreadable/],
    ['the effects log is missing', (d: string) => rmSync(join(d, 'effects.jsonl')), /missing its effects log/],
    ['an effect in the middle is damaged', (d: string) => writeFileSync(join(d, 'effects.jsonl'), readFileSync(join(d, 'effects.jsonl'), 'utf8').replace('"k":"fx"', '"k":"fX"')), /corrupt at line \d+/],
  ])('%s → an error naming the world, exit 1, nothing run', (_what, damage, message) => {
    const { dir, drillDir } = killed();
    damage(drillDir);
    const before = journal(dir, 'k').length;
    const r = resume(AWS, dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('start a new drill');
    expect(journal(dir, 'k').length, 'nothing was journaled').toBe(before);
  }, T);

  it('a torn last effect (the process died writing it) is dropped, and the drill finishes', () => {
    const { dir, drillDir } = killed();
    appendFileSync(join(drillDir, 'effects.jsonl'), '{"n":999,"at":0,"k":"fx","op":"torn');
    const r = resume(AWS, dir);
    expect(r.code, r.stderr).toBe(0);
    const log = readFileSync(join(drillDir, 'effects.jsonl'), 'utf8');
    expect(log).not.toContain('"op":"torn');
    expect(log.endsWith('\n')).toBe(true);
  }, T);
});

describe('the drill workspace (secret values) does not outlive the drill', () => {
  it('is removed when a killed drill is resumed, and when another drill finds it abandoned', () => {
    const dir = stateDir('ws');
    const ws = join(dir, 'incidents', 'k', 'drill', 'workspace');
    const crashed = drill(HF, dir, [], { RUNBOOK_CRASH_AT: 'after-write:step.finished#3' });
    expect(crashed.signal).toBe('SIGKILL');
    expect(existsSync(ws), 'a kill -9 leaves it behind').toBe(true);
    // another drill in the same state directory: the abandoned one's workspace goes
    const other = cli(['drill', HF, '--yes', '--speed', '0', '--state-dir', dir, '--incident', 'other', '--input', 'exposed_before=2000-01-01T00:00:00Z'], { timeout: T });
    expect(other.code, other.stderr).toBe(0);
    expect(existsSync(ws)).toBe(false);
    const r = resume(HF, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(ws)).toBe(false);
    expect(readdirSync(join(dir, 'incidents', 'k', 'drill')).sort()).toEqual(['effects.jsonl', 'state.json']);
  }, 2 * T);
});

describe('the flagship runbook with no Hub token in scope', () => {
  it('finishes (exit 0): the token steps are skipped, the channel is told', () => {
    const dir = stateDir('none');
    const r = drill(HF, dir, ['--input', 'exposed_before=2000-01-01T00:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    const recs = journal(dir, 'k');
    const finished = Object.fromEntries(recs.filter((x) => x.type === 'step.finished').map((x) => [x.step, x.status]));
    expect(finished).toMatchObject({ 'find-tokens': 'skipped', 'revoke-tokens': 'skipped', 'notify-users': 'skipped', 'fine-grained': 'skipped', 'notify-channel': 'ok' });
  }, T);
});
