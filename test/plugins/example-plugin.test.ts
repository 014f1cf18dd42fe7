/**
 * The example plugin (examples/providers/statuspage): loaded through the plugin loader and
 * driven against its own simulator (success, read-back verify, documented errors, secret
 * canary), then its example runbook run twice through the BUILT cli in scripted mode.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { createActionContext, memoryLogger } from '../../src/providers/context.js';
import { loadPlugin } from '../../src/providers/registry.js';
import type { ProviderDef } from '../../src/providers/sdk.js';
import { startStatuspageSimulator, type StatuspageSimulator } from '../../examples/providers/statuspage/simulator.mjs';
import { cliAsync, ensureBuilt, ROOT } from '../e2e/cli.js';
import { rejection } from '../helpers/rejection.js';

const EXAMPLE = join(ROOT, 'examples/providers/statuspage');
const PAGE = 'pg' + randomBytes(4).toString('hex');
const API_KEY = `sp-${randomBytes(16).toString('hex')}`;

let def: ProviderDef;
let sim: StatuspageSimulator;
let tmp: string;

beforeAll(async () => {
  def = await loadPlugin('./index.mjs', EXAMPLE);
  sim = await startStatuspageSimulator({ pageId: PAGE, apiKey: API_KEY });
  tmp = mkdtempSync(join(tmpdir(), 'runbook-statuspage-'));
});
afterAll(async () => {
  await sim?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  sim.incidents.length = 0;
});

function ctxFor(action: string, opts: { key?: string; item?: string } = {}) {
  const secrets = new SecretRegistry();
  const log = memoryLogger();
  const raw = { api_url: sim.apiUrl, page_id: PAGE, api_key: secrets.create(opts.key ?? API_KEY, 'secrets.statuspage_key') };
  const config = def.config.parse(raw);
  const ctx = createActionContext({ type: 'statuspage', instance: 'status', action, config, secrets, log, incident: { id: 'inc-7', stepId: 'open', itemKey: opts.item ?? '-' } });
  return { ctx, log };
}

const action = (name: string) => def.actions[name]!;
const input = (name: string, v: unknown) => action(name).input.parse(v);

describe('statuspage plugin against its simulator', () => {
  it('declares two notify actions: create (not idempotent) and resolve (idempotent), both with plan and verify', () => {
    expect(def.type).toBe('statuspage');
    expect(Object.keys(def.actions)).toEqual(['createIncident', 'resolveIncident']);
    expect(action('createIncident')).toMatchObject({ kind: 'notify', idempotent: false });
    expect(action('resolveIncident')).toMatchObject({ kind: 'notify', idempotent: true });
    for (const a of Object.values(def.actions)) expect([typeof a.plan, typeof a.verify]).toEqual(['function', 'function']);
    // a literal key is refused: it must be a secret reference
    expect(def.config.safeParse({ page_id: PAGE, api_key: API_KEY }).success).toBe(false);
  });

  it('opens an incident tagged with the idempotency key, and reads it back', async () => {
    const { ctx } = ctxFor('createIncident');
    const args = input('createIncident', { name: 'Rotating credentials', body: 'We are rotating keys.' });
    expect(await action('createIncident').plan!(ctx, args)).toEqual([`POST ${sim.apiUrl}/pages/${PAGE}/incidents "Rotating credentials" (investigating, impact major, notifies subscribers)`]);
    const out = await action('createIncident').run(ctx, args);
    expect(sim.incidents).toHaveLength(1);
    expect(sim.incidents[0]).toMatchObject({ id: out.id, name: 'Rotating credentials', status: 'investigating', impact: 'major', metadata: { runbook: { idempotency_key: 'inc-7/open/-' } } });
    expect(await action('createIncident').verify!(ctx, args, out)).toMatchObject({ state: 'done' });
    // in doubt (no output): found by its key; another item's key is not found
    expect(await action('createIncident').verify!(ctx, args, undefined)).toMatchObject({ state: 'done' });
    const other = ctxFor('createIncident', { item: 'someone-else' }).ctx;
    expect(await action('createIncident').verify!(other, args, undefined)).toMatchObject({ state: 'not-done' });
  });

  it('resolves an incident and verifies the status', async () => {
    const { ctx } = ctxFor('createIncident');
    const { id } = await action('createIncident').run(ctx, input('createIncident', { name: 'x', body: 'y' }));
    const r = ctxFor('resolveIncident').ctx;
    const args = input('resolveIncident', { id, body: 'All rotated.' });
    expect(await action('resolveIncident').verify!(r, args, undefined)).toMatchObject({ state: 'not-done' });
    expect(await action('resolveIncident').run(r, args)).toEqual({ id, status: 'resolved' });
    expect(await action('resolveIncident').verify!(r, args, undefined)).toMatchObject({ state: 'done' });
  });

  it('maps errors to failure classes without leaking the key', async () => {
    const args = input('createIncident', { name: 'x', body: 'y' });
    const fail = async (key?: string) => {
      const p = await rejection(action('createIncident').run(ctxFor('createIncident', { key }).ctx, args), ProviderError);
      for (const v of [API_KEY, 'wrong-' + API_KEY]) expect(JSON.stringify(p) + p.message + p.nextSteps.join()).not.toContain(v);
      return p;
    };
    expect(await fail('wrong-' + API_KEY)).toMatchObject({ status: 401, code: 'AUTH', failure: 'definite' });
    sim.failNext(429, { retryAfterS: 2 });
    expect(await fail()).toMatchObject({ status: 429, failure: 'not-sent', retryAfterMs: 2000 });
    sim.failNext(502);
    expect(await fail()).toMatchObject({ status: 502, failure: 'ambiguous' });
    expect(sim.incidents).toHaveLength(0);
  });
});

describe('the example runbook through the built CLI', () => {
  it('runs in scripted mode, opens and resolves one incident, and a second run sends nothing', async () => {
    ensureBuilt();
    const incident = `sp-${randomBytes(3).toString('hex')}`;
    const stateDir = join(tmp, 'state');
    const args = ['run', join(EXAMPLE, 'runbook.yaml'), '--non-interactive', '--incident', incident, '--state-dir', stateDir, '--input', `page_id=${PAGE}`, '--input', `statuspage_url=${sim.apiUrl}`];
    const env = { STATUSPAGE_API_KEY: API_KEY };
    const first = await cliAsync(args, { env }).done;
    expect(first.code, first.stderr).toBe(0);
    expect(sim.incidents).toHaveLength(1);
    expect(sim.incidents[0]).toMatchObject({ status: 'resolved', metadata: { runbook: { idempotency_key: `${incident}/open-incident/-` } } });
    expect(sim.incidents[0]!.incident_updates.map((u) => u.status)).toEqual(['investigating', 'resolved']);
    const creates = sim.count('create');
    const updates = sim.count('update');

    const second = await cliAsync(args, { env }).done;
    expect(second.code, second.stderr).toBe(0);
    expect([sim.count('create'), sim.count('update'), sim.incidents.length]).toEqual([creates, updates, 1]);

    const journal = readFileSync(join(stateDir, 'incidents', incident, 'journal.jsonl'), 'utf8');
    for (const text of [first.stdout, first.stderr, second.stdout, second.stderr, journal]) expect(text).not.toContain(API_KEY);
    expect(journal).toContain('"action":"status.createIncident"');
  });
});
