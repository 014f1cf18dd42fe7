import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FIXTURES, runEngine, workspace, fileLines as lines } from './helpers.js';
import { defineProvider, defineAction } from '../../src/providers/sdk.js';
import { ProviderError } from '../../src/core/errors.js';
import { fold } from '../../src/core/journal/fold.js';

const crashYaml = readFileSync(join(FIXTURES, 'crash.yaml'), 'utf8');

/** A provider whose action fails the first N calls with a chosen failure class, counting calls. */
function flaky(failures: ('not-sent' | 'ambiguous' | 'definite')[], opts: { idempotent?: boolean; verifyDone?: () => boolean } = {}) {
  const calls = { run: 0, verify: 0 };
  const def = defineProvider({
    type: 'flaky',
    description: 'test',
    config: z.strictObject({}),
    actions: {
      call: defineAction({
        kind: 'any',
        description: 'test',
        input: z.strictObject({ n: z.number().optional() }),
        output: z.object({ calls: z.number() }),
        idempotent: opts.idempotent ?? false,
        async run(ctx) {
          calls.run++;
          const f = failures[calls.run - 1];
          if (f) throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: `failure ${f}`, failure: f, retryAfterMs: f === 'not-sent' ? 5 : undefined });
          return { calls: calls.run };
        },
        ...(opts.verifyDone
          ? {
              async verify() {
                calls.verify++;
                return { state: opts.verifyDone!() ? ('done' as const) : ('not-done' as const) };
              },
            }
          : {}),
      }),
    },
  });
  return { def, calls };
}

const flakyYaml = (retry = '') => `version: 1
id: flaky
title: Flaky
providers:
  f: { type: flaky }
steps:
  - id: one
    kind: notify
    title: Call once
    uses: f.call
${retry}`;

describe('engine: scripted runs of shell steps', () => {
  it('runs to completion with --yes and --done, each side effect once, outputs flowing through for_each', async () => {
    const w = workspace();
    const { result, journal } = await runEngine({ yaml: crashYaml, dir: w.dir, stateDir: w.stateDir, inputs: { effects: w.effects }, yes: true, done: { confirm: 'called Alice' } });
    expect(result.status).toBe('done');
    expect(result.exitCode).toBe(0);
    expect(lines(w.effects).sort()).toEqual(['a', 'b', 'c', 'notified']);
    const st = result.state!;
    expect(st.steps.revoke?.itemOrder).toEqual(['a', 'b', 'c']);
    expect(Object.values(st.steps).map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(st.steps.confirm?.manual?.note).toBe('called Alice');
    // every side effect has an intent before its outcome
    const recs = journal.read();
    for (const k of ['a', 'b', 'c']) {
      const i = recs.findIndex((r) => r.type === 'intent' && r.item === k);
      const o = recs.findIndex((r) => r.type === 'outcome' && r.item === k);
      expect(i).toBeGreaterThan(-1);
      expect(o).toBeGreaterThan(i);
    }
  });

  it('stops at the first approval gate with exit 3 naming the flag, then resumes without repeating work', async () => {
    const w = workspace();
    const first = await runEngine({ yaml: crashYaml, dir: w.dir, stateDir: w.stateDir, inputs: { effects: w.effects } });
    expect(first.result.status).toBe('waiting');
    expect(first.result.exitCode).toBe(3);
    expect(first.result.detail).toContain('--approve revoke');
    expect(lines(w.effects)).toEqual([]);
    const second = await runEngine({ yaml: crashYaml, dir: w.dir, stateDir: w.stateDir, approve: ['revoke'] });
    expect(second.result.status).toBe('waiting');
    expect(second.result.detail).toContain('--done confirm');
    expect(lines(w.effects).sort()).toEqual(['a', 'b', 'c', 'notified']);
    const third = await runEngine({ yaml: crashYaml, dir: w.dir, stateDir: w.stateDir, done: { confirm: 'ok' } });
    expect(third.result.status).toBe('done');
    expect(lines(w.effects).sort()).toEqual(['a', 'b', 'c', 'notified']);
    expect(third.result.state?.steps.revoke?.approval?.via).toBe('--approve revoke');
  });

  it('run.end carries the whole journal folded as the run holds it (resumed runs included), out of --json and spreads', async () => {
    const w = workspace();
    await runEngine({ yaml: crashYaml, dir: w.dir, stateDir: w.stateDir, inputs: { effects: w.effects } });
    const second = await runEngine({ yaml: crashYaml, dir: w.dir, stateDir: w.stateDir, approve: ['revoke'] });
    const end = second.events.find((e) => e.type === 'run.end');
    expect(end?.type).toBe('run.end');
    if (end?.type !== 'run.end') return;
    // the state of both runs' records, as the file holds them — no second decode needed
    expect(end.state).toEqual(fold(second.journal.read()));
    expect(end.state?.runs).toBe(2);
    expect(second.result.state).toBe(end.state);
    expect(JSON.stringify(end)).not.toContain('recordCount');
    expect({ ...end }).not.toHaveProperty('state');
  });

  it('a manual step that needs a note is not ticked off without one', async () => {
    const w = workspace();
    const r = await runEngine({ yaml: crashYaml, dir: w.dir, stateDir: w.stateDir, inputs: { effects: w.effects }, yes: true, done: { confirm: '' } });
    expect(r.result.status).toBe('waiting');
    expect(r.result.detail).toMatch(/needs a note/);
  });

  it('refuses to resume when the runbook changed, unless accepted', async () => {
    const w = workspace();
    await runEngine({ yaml: crashYaml, dir: w.dir, stateDir: w.stateDir, inputs: { effects: w.effects } });
    const changed = crashYaml.replace('Tell the owner', 'Tell the owners');
    await expect(runEngine({ yaml: changed, dir: w.dir, stateDir: w.stateDir })).rejects.toThrow(/runbook changed/);
    const ok = await runEngine({ yaml: changed, dir: w.dir, stateDir: w.stateDir, yes: true, done: { confirm: 'x' }, overrides: { acceptChangedRunbook: true } });
    expect(ok.result.status).toBe('done');
  });

  it('a denied gate skips the step with the reason and the run goes on', async () => {
    const w = workspace();
    const r = await runEngine({
      yaml: crashYaml,
      dir: w.dir,
      stateDir: w.stateDir,
      inputs: { effects: w.effects },
      done: { confirm: 'x' },
      overrides: {
        ports: {
          approve: async () => ({ decision: 'denied', reason: 'not ours', via: 'test' }),
          manual: async () => ({ done: true, note: 'x', via: 'test' }),
          settle: async () => ({ decision: 'wait', hint: '' }),
        },
      },
    });
    expect(r.result.status).toBe('done');
    expect(r.result.state?.steps.revoke?.status).toBe('skipped');
    expect(r.result.state?.steps.revoke?.reason).toContain('not ours');
    expect(lines(w.effects)).toEqual(['notified']);
  });

  it('injection strings in inputs are passed as literal argv elements and never executed', async () => {
    const w = workspace();
    const marker = join(w.dir, 'pwned');
    const evil = `$(touch ${marker}); \`touch ${marker}\`; echo x | touch ${marker} && touch ${marker}`;
    const yaml = `version: 1
id: inj
title: Injection
inputs: { name: { type: string, required: true } }
providers: { sh: { type: shell } }
steps:
  - id: echo
    kind: detect
    title: Echo
    uses: sh.run
    with:
      command: [node, -e, "process.stdout.write(JSON.stringify(process.argv[1]))", "\${{ inputs.name }}"]
      json: true
`;
    const r = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, inputs: { name: evil } });
    expect(r.result.status).toBe('done');
    expect(existsSync(marker)).toBe(false);
    const out = r.events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text).join('\n');
    expect(out).toContain('touch');
  });
});

describe('engine: retries, verification and doubt', () => {
  it('retries not-sent failures with backoff and journals each attempt', async () => {
    const w = workspace();
    const f = flaky(['not-sent', 'not-sent']);
    const r = await runEngine({ yaml: flakyYaml('    retry: { attempts: 3, backoff: 10ms }'), dir: w.dir, stateDir: w.stateDir, providers: [f.def] });
    expect(r.result.status).toBe('done');
    expect(f.calls.run).toBe(3);
    expect(r.events.filter((e) => e.type === 'retry')).toHaveLength(2);
    expect(r.journal.read().filter((x) => x.type === 'intent')).toHaveLength(3);
  });

  it('never retries a definite failure', async () => {
    const w = workspace();
    const f = flaky(['definite']);
    const r = await runEngine({ yaml: flakyYaml('    retry: { attempts: 5, backoff: 10ms }'), dir: w.dir, stateDir: w.stateDir, providers: [f.def] });
    expect(r.result.status).toBe('failed');
    expect(r.result.exitCode).toBe(1);
    expect(f.calls.run).toBe(1);
  });

  it('an ambiguous failure of a non-idempotent action without read-back is in doubt, not retried', async () => {
    const w = workspace();
    const f = flaky(['ambiguous']);
    const r = await runEngine({ yaml: flakyYaml('    retry: { attempts: 5, backoff: 10ms }'), dir: w.dir, stateDir: w.stateDir, providers: [f.def] });
    expect(r.result.status).toBe('waiting');
    expect(r.result.detail).toContain('--settle one=done');
    expect(f.calls.run).toBe(1);
    // settled by the operator: not called again
    const again = await runEngine({ yaml: flakyYaml('    retry: { attempts: 5, backoff: 10ms }'), dir: w.dir, stateDir: w.stateDir, providers: [f.def], settle: { one: 'done' } });
    expect(again.result.status).toBe('done');
    expect(f.calls.run).toBe(1);
  });

  it('an ambiguous failure is verified first: done means no second call', async () => {
    const w = workspace();
    const f = flaky(['ambiguous'], { verifyDone: () => true });
    const r = await runEngine({ yaml: flakyYaml('    retry: { attempts: 5, backoff: 10ms }'), dir: w.dir, stateDir: w.stateDir, providers: [f.def] });
    expect(r.result.status).toBe('done');
    expect(f.calls.run).toBe(1);
    expect(f.calls.verify).toBeGreaterThanOrEqual(1);
  });

  it('a step that fails with on_failure: continue lets the run go on and exits 1 at the end', async () => {
    const w = workspace();
    const f = flaky(['definite']);
    const yaml = flakyYaml("    on_failure: continue\n") + `  - id: two\n    kind: manual\n    title: Afterwards\n`;
    const r = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, providers: [f.def], done: { two: '' } });
    expect(r.result.status).toBe('failed');
    expect(r.result.state?.steps.two?.status).toBe('ok');
  });

  it('interrupting a run journals it and returns status interrupted (exit 130)', async () => {
    const w = workspace();
    const ac = new AbortController();
    const yaml = `version: 1
id: slow
title: Slow
inputs: { effects: { type: string, required: true } }
providers: { sh: { type: shell } }
steps:
  - id: wait
    kind: detect
    title: Wait
    uses: sh.run
    with: { command: [node, effects.mjs, sleep, "20000"], env: { EFFECTS: "\${{ inputs.effects }}" } }
`;
    const p = runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, inputs: { effects: w.effects }, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    const r = await p;
    expect(r.result.status).toBe('interrupted');
    expect(r.result.exitCode).toBe(130);
    expect(r.journal.read().at(-1)).toMatchObject({ type: 'run.stopped', reason: 'interrupted' });
  });
});

describe('engine: scheduling', () => {
  it('runs independent branches of the needs graph at the same time (a barrier both must reach)', async () => {
    const w = workspace();
    let arrived = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const barrier = defineProvider({
      type: 'barrier',
      description: 'test',
      config: z.strictObject({}),
      actions: {
        meet: defineAction({
          kind: 'any',
          description: 'wait until two callers are here',
          input: z.strictObject({}),
          output: z.object({ met: z.boolean() }),
          idempotent: true,
          async run(ctx) {
            if (++arrived === 2) release();
            const t = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000));
            const r = await Promise.race([gate.then(() => 'met' as const), t]);
            if (r === 'timeout') throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: 'alone at the barrier', failure: 'definite' });
            return { met: true };
          },
        }),
      },
    });
    const yaml = `version: 1
id: par
title: Parallel branches
providers: { b: { type: barrier } }
steps:
  - { id: start, kind: manual, title: Start }
  - { id: left, kind: detect, title: Left, uses: b.meet, needs: [start] }
  - { id: right, kind: detect, title: Right, uses: b.meet, needs: [start] }
  - { id: join, kind: manual, title: Join, needs: [left, right] }
`;
    const r = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, providers: [barrier], done: { start: '', join: '' } });
    expect(r.result.status).toBe('done');
    expect(arrived).toBe(2);
  });

  it('a false `if` skips the step with the condition as reason, and later steps still run', async () => {
    const w = workspace();
    const yaml = `version: 1
id: cond
title: Conditions
inputs: { dry: { type: boolean, default: true } }
providers: { sh: { type: shell } }
steps:
  - id: maybe
    kind: detect
    title: Only when not dry
    if: \${{ !inputs.dry }}
    uses: sh.run
    with: { command: ["false"] }
  - { id: after, kind: manual, title: After }
`;
    const r = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, done: { after: '' } });
    expect(r.result.status).toBe('done');
    expect(r.result.state?.steps.maybe?.status).toBe('skipped');
    expect(r.result.state?.steps.maybe?.reason).toContain('condition is false');
    expect(r.result.state?.steps.after?.status).toBe('ok');
  });

  it('item_key gives stable keys; duplicates get a suffix', async () => {
    const w = workspace();
    const yaml = `version: 1
id: keys
title: Keys
providers: { sh: { type: shell } }
steps:
  - id: each
    kind: detect
    title: Each
    for_each: [{ name: x }, { name: y }, { name: x }]
    item_key: \${{ item.name }}
    uses: sh.run
    with: { command: ["true"], idempotent: true }
`;
    const r = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir });
    expect(r.result.state?.steps.each?.itemOrder).toEqual(['x', 'y', 'x#2']);
  });
});

describe('engine: values the journal keeps masked', () => {
  // a token-shaped input (an AWS key id would not do: it is an identifier, shown in full)
  const keyId = () => 'hf' + '_' + Array.from({ length: 34 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 62)]).join('');
  const yaml = `version: 1
id: masked
title: Masked values survive a resume
inputs: { key: { type: string, required: true }, effects: { type: string, required: true } }
providers: { sh: { type: shell } }
steps:
  - id: look
    kind: detect
    title: Look the key up
    uses: sh.run
    with: { command: [node, -e, "console.log(JSON.stringify({ id: process.argv[1] }))", "\${{ inputs.key }}"], json: true, idempotent: true }
  - { id: gate, kind: manual, title: Decide }
  - id: act
    kind: notify
    title: Use both
    uses: sh.run
    with:
      command: [node, effects.mjs, add, "\${{ inputs.key }}/\${{ steps.look.outputs.json.id }}"]
      env: { EFFECTS: "\${{ inputs.effects }}" }
`;
  it('an input that looks like a credential must be given again on resume, checked by fingerprint; masked outputs are recovered', async () => {
    const w = workspace();
    const key = keyId();
    const first = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, inputs: { key, effects: w.effects } });
    expect(first.result.status).toBe('waiting');
    const journal = readFileSync(first.journal.file, 'utf8');
    expect(journal).not.toContain(key);
    await expect(runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, done: { gate: '' } })).rejects.toThrow(/input key is kept masked in the journal/);
    await expect(runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, done: { gate: '' }, inputs: { key: keyId() } })).rejects.toThrow(/not the value/);
    const resumed = await runEngine({ yaml, dir: w.dir, stateDir: w.stateDir, done: { gate: '' }, inputs: { key } });
    expect(resumed.result.status).toBe('done');
    expect(lines(w.effects)).toEqual([`${key}/${key}`]);
  });
});
