import { mkdtempSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Engine, type EngineOptions } from '../../src/core/engine/engine.js';
import type { EngineEvent } from '../../src/core/engine/events.js';
import { loadRunbookText } from '../../src/core/runbook/load.js';
import { FileJournal } from '../../src/core/journal/store.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { ProviderRegistry } from '../../src/providers/registry.js';
import { scriptedPorts } from '../../src/scripted/ports.js';
import type { ProviderDef } from '../../src/providers/sdk.js';
import type { Clock } from '../../src/core/engine/ports.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A temp dir holding the effects.mjs helper next to the runbook, so `node effects.mjs` resolves. */
export function workspace(): { dir: string; stateDir: string; effects: string } {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-engine-'));
  copyFileSync(join(FIXTURES, 'effects.mjs'), join(dir, 'effects.mjs'));
  return { dir, stateDir: join(dir, 'state'), effects: join(dir, 'effects.log') };
}

export interface RunOpts {
  yaml: string;
  dir: string;
  stateDir: string;
  incident?: string;
  inputs?: Record<string, string>;
  yes?: boolean;
  approve?: string[];
  done?: Record<string, string>;
  settle?: Record<string, 'done' | 'redo'>;
  providers?: ProviderDef[];
  secrets?: SecretRegistry;
  resolveSecrets?: EngineOptions['resolveSecrets'];
  signal?: AbortSignal;
  key?: Buffer;
  overrides?: Partial<EngineOptions>;
}

export const KEY = randomBytes(32);

export async function runEngine(o: RunOpts) {
  const file = join(o.dir, 'runbook.yaml');
  writeFileSync(file, o.yaml);
  const registry = new ProviderRegistry();
  for (const p of o.providers ?? []) registry.add(p, 'test');
  const loaded = loadRunbookText(o.yaml, file, { registry });
  const events: EngineEvent[] = [];
  const secrets = o.secrets ?? new SecretRegistry();
  const engine = new Engine({
    loaded,
    registry,
    store: new FileJournal(o.stateDir, o.incident ?? 'inc-1'),
    secrets,
    resolveSecrets: o.resolveSecrets ?? (async () => ({})),
    inputs: o.inputs ?? {},
    mode: 'live',
    ports: scriptedPorts({
      yes: !!o.yes,
      approve: new Set(o.approve ?? []),
      done: new Map(Object.entries(o.done ?? {})),
      settle: new Map(Object.entries(o.settle ?? {})),
    }),
    observers: [(e) => events.push(e)],
    signal: o.signal ?? new AbortController().signal,
    fingerprintKey: o.key ?? KEY,
    ...o.overrides,
  });
  const result = await engine.run();
  return { result, events, journal: new FileJournal(o.stateDir, o.incident ?? 'inc-1') };
}

/** A clock the test drives: sleeping moves it at once; `quitAfter` aborts the run at the n-th sleep. */
export function testClock(ctl: AbortController, quitAfter?: number): Clock & { t: number; sleeps: number } {
  const c = {
    t: 0,
    sleeps: 0,
    now: () => c.t,
    async sleep(ms: number, signal: AbortSignal) {
      c.sleeps++;
      if (quitAfter !== undefined && c.sleeps >= quitAfter) {
        ctl.abort();
        return false;
      }
      c.t += ms;
      return !signal.aborted;
    },
  };
  return c;
}
