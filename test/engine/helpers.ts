import { mkdtempSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
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
import { z } from 'zod';
import { defineAction, defineProvider, type ActionDef, type ProviderDef } from '../../src/providers/sdk.js';
import type { Clock } from '../../src/core/engine/ports.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A temp dir holding the effects.mjs helper next to the runbook, so `node effects.mjs` resolves. */
export function workspace(): { dir: string; stateDir: string; effects: string } {
  const w = cliWorkspace('engine');
  return { dir: w.dir, stateDir: w.state, effects: w.effects };
}

/** The lines of a file such as the effects log (none when it does not exist yet). */
export const fileLines = (f: string): string[] => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

/**
 * A temp dir (`runbook-PREFIX-…`) for the built CLI: effects.mjs and the fixture runbooks `files`
 * (named as in fixtures/) copied in; `state` is its state dir, `effects` the log effects.mjs appends to.
 */
export function cliWorkspace(prefix: string, ...files: string[]): { dir: string; state: string; effects: string } {
  const dir = mkdtempSync(join(tmpdir(), `runbook-${prefix}-`));
  for (const f of ['effects.mjs', ...files]) copyFileSync(join(FIXTURES, f), join(dir, f));
  return { dir, state: join(dir, 'state'), effects: join(dir, 'effects.log') };
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

/** A read a watch calls: a detect action, safe to repeat. */
export function read<I, O>(a: Pick<ActionDef<I, O>, 'input' | 'output' | 'run'>): ActionDef<I, O> {
  return defineAction({ kind: 'detect', description: 'test', idempotent: true, ...a });
}

/** The test provider `probe` (no config) with the given actions. */
export function probe(actions: Record<string, ActionDef>): ProviderDef {
  return defineProvider({ type: 'probe', description: 'test', config: z.strictObject({}), actions });
}

/** A token's key in the fan-out worlds: tok-0000, tok-0001, … */
export const tokenKey = (i: number) => `tok-${String(i).padStart(4, '0')}`;

/** `list`: finds `n` tokens ({ key: tokenKey(i) }). */
export function listTokens(n: number) {
  return read({
    input: z.strictObject({}),
    output: z.object({ tokens: z.array(z.object({ key: z.string() })) }),
    async run() {
      return { tokens: Array.from({ length: n }, (_, i) => ({ key: tokenKey(i) })) };
    },
  });
}

/** A runbook whose `monitor` step watches, every minute for `for`, each token `find` lists (p.list, then p.look per token) until one is live. */
export function fanOutWatchYaml(o: { id: string; for: string; concurrency?: number }): string {
  return `version: 1.1
id: ${o.id}
title: Watch many tokens
providers:
  p: { type: probe }
steps:
  - id: find
    kind: detect
    title: Find the tokens
    uses: p.list
  - id: monitor
    kind: detect
    title: Watch every token
    needs: [find]
    uses: p.look
${o.concurrency === undefined ? '' : `    concurrency: ${o.concurrency}\n`}    for_each: \${{ steps.find.outputs.tokens }}
    item_key: \${{ item.key }}
    with: { key: "\${{ item.key }}" }
    watch:
      every: 1m
      for: ${o.for}
      fail_if: length(where(result.items, 'live')) > 0
`;
}

/** Scripted ports that say yes to everything (`done`: manual steps' answers), on a clock the test drives. */
export function watchPorts(clock: Clock, done: Record<string, string> = {}) {
  return { ...scriptedPorts({ yes: true, approve: new Set(), done: new Map(Object.entries(done)), settle: new Map() }), clock };
}

/** Run a watch's runbook in workspace `w` with `providers`, on `clock` (yes to everything unless `ports` says otherwise). */
export function runWatch(o: { yaml: string; w: { dir: string; stateDir: string }; providers: ProviderDef[]; clock: Clock; ctl: AbortController; ports?: ReturnType<typeof watchPorts> }) {
  return runEngine({ yaml: o.yaml, dir: o.w.dir, stateDir: o.w.stateDir, providers: o.providers, signal: o.ctl.signal, overrides: { ports: o.ports ?? watchPorts(o.clock) } });
}

/** A runbook whose `monitor` step watches p.look (`watch`: what follows `watch:`), then the steps in `after` (YAML). */
export function lookWatchYaml(o: { id: string; title: string; watch: string; after?: string }): string {
  return `version: 1.1
id: ${o.id}
title: ${o.title}
providers:
  p: { type: probe }
steps:
  - id: monitor
    kind: detect
    title: Watch for further use
    uses: p.look
    watch:${o.watch}
${o.after ?? ''}`;
}
