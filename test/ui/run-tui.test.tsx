/**
 * runTui end to end in-process: fake TTY streams (raw mode tracked), a scripted "engine"
 * that uses the ports and emits events. Checks the lifecycle the run command relies on:
 * quit → abort → wait for the engine → unmount → terminal not raw → resume command on stderr.
 */
import { describe, expect, it, vi } from 'vitest';
import { runTui, type TuiOptions } from '../../src/ui/index.js';
import { FakeIn, FakeOut, KEY, begin, rec, step, waitFor } from './helpers.js';
import type { EngineObserver } from '../../src/core/engine/events.js';
import type { OperatorPorts } from '../../src/core/engine/ports.js';

function harness(start: (ports: OperatorPorts, observe: EngineObserver, signal: AbortSignal) => Promise<Awaited<ReturnType<TuiOptions['start']>>>) {
  const stdin = new FakeIn();
  const stdout = new FakeOut();
  const stderr = new FakeOut();
  const ac = new AbortController();
  const abort = vi.fn(() => ac.abort());
  const note = vi.fn();
  let settledAt = 0;
  let abortedAt = 0;
  abort.mockImplementation(() => {
    abortedAt = performance.now();
    ac.abort();
  });
  const opts: TuiOptions = {
    start: async (ports, observe) => {
      try {
        return await start(ports, observe, ac.signal);
      } finally {
        settledAt = performance.now();
      }
    },
    note,
    resumeCommand: 'runbook run rb.yaml --incident inc-42',
    reportCommand: 'runbook report inc-42',
    mode: 'live',
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    abort,
    env: { NO_COLOR: '1' },
  };
  const until = (s: string) => waitFor(() => stdout.text.includes(s), () => `${s} in:\n${stdout.text.slice(-3000)}`);
  return { stdin, stdout, stderr, abort, note, opts, until, times: () => ({ settledAt, abortedAt }) };
}

const STEPS = [step('find', { title: 'Find leaked tokens' }), step('revoke', { kind: 'revoke', title: 'Revoke tokens', confirm: true }), step('tell', { kind: 'manual', title: 'Tell users' })];

describe('runTui', () => {
  it('runs to the end: inputs at start, a gate, then the summary; leaves on ⏎ with the exit code', async () => {
    const h = harness(async (ports, observe) => {
      const user = await ports.askInput!({ name: 'user', type: 'string', secret: false });
      observe(begin(STEPS));
      observe(rec({ type: 'step.started', step: 'revoke' }));
      const a = await ports.approve({ step: 'revoke', title: 'Revoke tokens', kind: 'revoke', plan: [`revoke the tokens of ${user}`], items: ['-'], inputs: {} });
      observe(rec({ type: 'approval', step: 'revoke', decision: a.decision as 'approved', via: 'tui' }));
      observe(rec({ type: 'step.finished', step: 'revoke', status: 'ok' }));
      observe({ type: 'run.end', status: 'done', exitCode: 0 });
      return { status: 'done', exitCode: 0, incident: 'inc-42' };
    });
    const done = runTui(h.opts);
    await h.until('Input needed · user');
    expect(h.stdin.raw).toBe(true);
    h.stdin.type('alice', KEY.enter);
    await h.until('revoke the tokens of alice');
    h.stdin.type('y');
    await h.until('Run done');
    expect(h.stdout.text).toContain('Report:  runbook report inc-42');
    h.stdin.type(KEY.enter);
    await expect(done).resolves.toEqual({ exitCode: 0 });
    expect(h.stdin.raw).toBe(false);
    expect(h.stderr.text).toContain('incident inc-42 done');
    expect(h.stderr.text).toContain('Report: runbook report inc-42');
  });

  it('quit mid-run: aborts, waits for the engine to stop, unmounts, restores the terminal, prints the resume command', async () => {
    const h = harness(async (ports, observe, signal) => {
      observe(begin(STEPS));
      observe(rec({ type: 'step.started', step: 'tell' }));
      const m = await ports.manual({ step: 'tell', title: 'Tell users', evidence: { type: 'none', required: false } });
      expect(m).toMatchObject({ done: false });
      expect(signal.aborted).toBe(true); // the abort came before the answer
      // the engine journals its stop before it returns
      await new Promise((r) => setImmediate(r));
      observe(rec({ type: 'run.stopped', reason: 'interrupted' }));
      return { status: 'interrupted', exitCode: 130, incident: 'inc-42' };
    });
    const done = runTui(h.opts);
    await h.until('Manual step · tell');
    h.stdin.type('q');
    await h.until('Quit now?');
    expect(h.stdout.text).toContain('resume with: runbook run rb.yaml --incident inc-42');
    const before = h.stderr.chunks.length;
    h.stdin.type('y');
    const r = await done;
    expect(r).toEqual({ exitCode: 130 });
    expect(h.abort).toHaveBeenCalledTimes(1);
    expect(h.times().abortedAt).toBeLessThan(h.times().settledAt);
    expect(h.stdin.raw).toBe(false);
    expect(h.stdin.rawHistory.at(-1)).toBe(false);
    expect(before).toBe(0); // nothing was written to stderr while mounted
    expect(h.stderr.text).toContain('incident inc-42 interrupted (you quit); its state is kept.');
    expect(h.stderr.text).toContain('Resume: runbook run rb.yaml --incident inc-42');
  });

  it('Ctrl-C twice leaves at once when the engine does not stop, never in raw mode', async () => {
    const h = harness(() => new Promise(() => {}));
    const done = runTui(h.opts);
    await h.until('starting');
    h.stdin.type(KEY.ctrlC);
    await h.until('Stopping');
    h.stdin.type(KEY.ctrlC);
    await expect(done).resolves.toEqual({ exitCode: 130 });
    expect(h.abort).toHaveBeenCalledTimes(1);
    expect(h.stdin.raw).toBe(false);
    expect(h.stderr.text).toContain('left without waiting for the engine');
    expect(h.stderr.text).toContain('Resume: runbook run rb.yaml --incident inc-42');
  });

  it('an engine that fails to start: the error reaches the caller and the terminal is restored', async () => {
    const h = harness(async () => {
      throw Object.assign(new Error('incident inc-42 is locked by pid 4242'), { exitCode: 4 });
    });
    await expect(runTui(h.opts)).rejects.toThrow('locked by pid 4242');
    expect(h.stdin.raw).toBe(false);
    expect(h.stderr.text).toBe('');
  });

  it('console output of a library while mounted goes to the status line, redacted, not to the terminal', async () => {
    const token = 'tok_' + Math.random().toString(36).slice(2, 14);
    const logged = vi.fn();
    const orig = console.warn;
    console.warn = logged;
    try {
      const h = harness(async (ports, observe) => {
        observe(begin(STEPS));
        console.warn(`deprecated option, token ${token}`);
        await ports.manual({ step: 'tell', title: 'Tell', evidence: { type: 'none', required: false } });
        return { status: 'done', exitCode: 0, incident: 'inc-42' };
      });
      h.opts.redact = (s) => s.split(token).join('***');
      const done = runTui(h.opts);
      await h.until('deprecated option, token ***');
      expect(h.stdout.text).not.toContain(token);
      h.stdin.type(KEY.enter); // done
      await h.until('Run done');
      h.stdin.type('q');
      await done;
      expect(logged).not.toHaveBeenCalled();
      expect(console.warn).toBe(logged); // restored
    } finally {
      console.warn = orig;
    }
  });

  it('SIGINT/SIGTERM from outside (the signal) quits as the operator would: pending prompts are answered so the engine can stop', async () => {
    const outside = new AbortController();
    const h = harness(async (ports, observe, signal) => {
      observe(begin(STEPS));
      const a = await ports.approve({ step: 'revoke', title: 'Revoke', kind: 'revoke', plan: ['x'], items: ['-'], inputs: {} });
      expect(a).toMatchObject({ decision: 'wait' });
      expect(signal.aborted).toBe(true);
      return { status: 'interrupted', exitCode: 130, incident: 'inc-42' };
    });
    h.opts.signal = outside.signal;
    const done = runTui(h.opts);
    await h.until('Approval needed');
    outside.abort();
    await expect(done).resolves.toEqual({ exitCode: 130 });
    expect(h.abort).toHaveBeenCalledTimes(1);
    expect(h.stdin.raw).toBe(false);
    expect(h.stderr.text).toContain('incident inc-42 interrupted; its state is kept.');
    expect(h.stderr.text).toContain('Resume: runbook run rb.yaml --incident inc-42');
  });

  it('process warnings while mounted go to the status line, not through the frame', async () => {
    const h = harness(async (ports, observe) => {
      observe(begin(STEPS));
      process.emitWarning('SDK v2 is deprecated');
      await ports.manual({ step: 'tell', title: 'Tell', evidence: { type: 'none', required: false } });
      return { status: 'done', exitCode: 0, incident: 'inc-42' };
    });
    const emit = process.emitWarning;
    const done = runTui(h.opts);
    await h.until('warning: SDK v2 is deprecated');
    h.stdin.type(KEY.enter);
    await h.until('Run done');
    h.stdin.type('q');
    await done;
    expect(process.emitWarning).toBe(emit);
  });
});
