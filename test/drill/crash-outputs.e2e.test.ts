/**
 * Issue 11 item 6 — outputs needed after a crash. A drill killed (-9) right after a step whose
 * outputs the journal keeps masked resumes with the SAME command and finishes: the live values
 * come back from the journal's sealed copy (AES-256-GCM, key 0600 beside the journal, wiped when
 * the incident closes), never from a plain value on disk. `--settle` is honoured or refused with
 * a reason; unknown step ids in `--done` / `--settle` / `--approve` are a usage error (exit 2).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from '../e2e/cli.js';
import { drillState, journal, scorecard, stateDir } from './helpers.js';
import { drillValues } from '../runbooks/helpers.js';

const AWS = 'runbooks/aws-access-key-exposure.yaml';
const HF = 'runbooks/hf-spaces-secrets-exposure.yaml';
const T = 180_000;

beforeAll(() => ensureBuilt());

/** The n (1-based) of the record of `type` that `match` picks, in a reference run's journal. */
function nth(records: Record<string, any>[], type: string, match: (r: Record<string, any>) => boolean): number {
  const of = records.filter((r) => r.type === type);
  const i = of.findIndex(match);
  expect(i, `a ${type} record in the reference run`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

function reference(file: string): Record<string, any>[] {
  const dir = stateDir('ref');
  const r = cli(['drill', file, '--yes', '--speed', '0', '--state-dir', dir, '--incident', 'ref'], { timeout: T });
  expect(r.code, r.stderr).toBe(0);
  return journal(dir, 'ref');
}

// --break-lock until the same command takes a dead owner's lock by itself (issue 11 item 1)
const resume = (file: string, dir: string, extra: string[] = []) => cli(['drill', file, '--yes', '--speed', '0', '--state-dir', dir, '--incident', 'k', '--break-lock', ...extra], { timeout: T });

describe('a kill right after a step whose outputs the journal keeps masked', () => {
  let aws: Record<string, any>[];
  let hf: Record<string, any>[];
  beforeAll(() => {
    aws = reference(AWS);
    hf = reference(HF);
  }, 2 * T);

  it('AWS create-key: the same command finishes, the new key reaches Secrets Manager, no key value on disk', () => {
    const n = nth(aws, 'outcome', (r) => r.step === 'create-key' && r.status === 'ok');
    const dir = stateDir('aws-kill');
    const crashed = cli(['drill', AWS, '--yes', '--speed', '0', '--state-dir', dir, '--incident', 'k'], { env: { RUNBOOK_CRASH_AT: `after-write:outcome#${n}` }, timeout: T });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    // the journal has the key pair sealed, and the plain value nowhere
    const sealedRec = journal(dir, 'k').find((r) => r.type === 'outcome' && r.step === 'create-key');
    expect(sealedRec?.sealed?.data).toBeTruthy();
    const keyFile = join(dir, 'incidents', 'k', 'seal.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const r = resume(AWS, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/BAD_INPUT|invalid input/);
    const recs = journal(dir, 'k');
    const stored = recs.filter((x) => x.type === 'step.finished' && x.step === 'store-new-key');
    expect(stored.at(-1)?.status).toBe('ok');
    expect(recs.filter((x) => x.type === 'intent' && x.step === 'create-key'), 'create-key was not called again').toHaveLength(1);
    expect(scorecard(dir, 'k')?.items_failed).toEqual([]);
    expect(existsSync(keyFile), 'the seal key is wiped when the incident closes').toBe(false);
    const values = drillValues('aws-access-key-exposure');
    const text = readFileSync(join(dir, 'incidents', 'k', 'journal.jsonl'), 'utf8');
    for (const v of values.values) expect(text.includes(v)).toBe(false);
  }, 2 * T);

  it('HF detect step killed between its outcome and step.finished: the same command finishes (exit 0)', () => {
    const n = nth(hf, 'outcome', (r) => r.step === 'find-tokens');
    const dir = stateDir('hf-kill');
    const crashed = cli(['drill', HF, '--yes', '--speed', '0', '--state-dir', dir, '--incident', 'k'], { env: { RUNBOOK_CRASH_AT: `after-write:outcome#${n}` }, timeout: T });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    expect(journal(dir, 'k').some((r) => r.type === 'step.finished' && r.step === 'find-tokens')).toBe(false);
    const r = resume(HF, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(scorecard(dir, 'k')?.leaked_dead).toBe(scorecard(dir, 'k')?.leaked);
  }, T);

  it('AWS create-key killed after the call, before its outcome: the same command finishes, with one new key', () => {
    const n = nth(aws, 'intent', (r) => r.step === 'create-key');
    const dir = stateDir('aws-doubt');
    const crashed = cli(['drill', AWS, '--yes', '--speed', '0', '--state-dir', dir, '--incident', 'k'], { env: { RUNBOOK_CRASH_AT: `before-outcome#${n}` }, timeout: T });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const r = resume(AWS, dir);
    expect(r.code, r.stderr).toBe(0);
    const sc = scorecard(dir, 'k')!;
    expect(sc.items_failed).toEqual([]);
    expect(sc.duplicate_effects).toEqual([]);
    // the unusable key the interrupted call made was deleted before the new one was made
    expect(sc.compensated_effects).toEqual(['aws CreateAccessKey for ci-deployer ×2, 1 taken back']);
    const created = drillState(dir, 'k').world.aws.created as { present: boolean }[];
    expect(created.map((k) => k.present)).toEqual([false, true]);
  }, T);

  it('--settle create-key=redo on a finished step is refused with the reason (exit 2), not ignored', () => {
    const n = nth(aws, 'outcome', (r) => r.step === 'store-new-key' && r.status === 'ok');
    const dir = stateDir('aws-settle');
    cli(['drill', AWS, '--yes', '--speed', '0', '--state-dir', dir, '--incident', 'k'], { env: { RUNBOOK_CRASH_AT: `after-write:outcome#${n}` }, timeout: T });
    const r = resume(AWS, dir, ['--settle', 'create-key=redo']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--settle create-key=redo.*not in doubt/);
  }, T);
});

describe('step ids in --done, --settle and --approve', () => {
  it.each([
    ['--done', 'no-such-step'],
    ['--settle', 'no-such-step=done'],
    ['--approve', 'no-such-step'],
    ['--settle', 'no-such-step/item=redo'],
  ])('%s %s is a usage error naming the flag (exit 2)', (flag, value) => {
    const dir = stateDir('flags');
    const r = cli(['drill', AWS, '--speed', '0', '--state-dir', dir, flag, value], { timeout: T });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${flag} ${value}`);
    expect(r.stderr).toMatch(/no step "no-such-step"/);
    expect(existsSync(join(dir, 'incidents')), 'nothing was started').toBe(false);
  });
});
