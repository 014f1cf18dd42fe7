import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveSecret, resolveSecrets, secretEnvVar, type ResolveDeps } from '../../../src/core/secrets/resolvers.js';
import { SecretRegistry } from '../../../src/core/secrets/registry.js';
import { MASK } from '../../../src/core/secrets/redactor.js';
import { InterruptedError, UsageError } from '../../../src/core/errors.js';
import { alnum } from './leak.js';

const NODE = process.execPath;
const dir = mkdtempSync(join(tmpdir(), 'resolvers-'));

function deps(over: Partial<ResolveDeps> = {}): ResolveDeps & { registry: SecretRegistry } {
  return { env: {}, cwd: dir, registry: new SecretRegistry(), ...over } as ResolveDeps & { registry: SecretRegistry };
}

/** Everything an error could show: message, next steps, JSON, inspect, stack, cause chain. */
function everything(e: unknown): string {
  const parts: string[] = [];
  for (let x: unknown = e, i = 0; x && i < 10; x = (x as { cause?: unknown }).cause, i++) {
    parts.push(String((x as Error).message), String((x as Error).stack), JSON.stringify(x), inspect(x, { showHidden: true, depth: 10 }));
    parts.push(JSON.stringify((x as { nextSteps?: string[] }).nextSteps ?? []));
  }
  return parts.join('\n');
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => null,
    (x: unknown) => x as Error,
  );
  if (!e) throw new Error('expected a rejection');
  return e;
}

describe('resolveSecret', () => {
  it('env: reads the variable, registers it at once under secrets.<name>', async () => {
    const v = alnum(30);
    const d = deps({ env: { HF_TOKEN: v } });
    const s = await resolveSecret('hf', { from: 'env', env: 'HF_TOKEN' }, d);
    expect(s.reveal()).toBe(v);
    expect(s.label).toBe('secrets.hf');
    expect(d.registry.get('hf')).toBe(s);
    expect(d.registry.redactor.redact(`x ${Buffer.from(v).toString('base64')} y ${v}`)).toBe(`x ${MASK} y ${MASK}`);
  });

  it('env: a missing or empty variable is a UsageError naming the variable', async () => {
    const e = await failure(resolveSecret('hf', { from: 'env', env: 'HF_TOKEN' }, deps()));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toContain('HF_TOKEN');
    const e2 = await failure(resolveSecret('hf', { from: 'env', env: 'HF_TOKEN' }, deps({ env: { HF_TOKEN: '' } })));
    expect(e2.message).toMatch(/HF_TOKEN is empty/);
  });

  it('file: relative to the runbook folder, one trailing newline trimmed, 0600 without warnings', async () => {
    const v = alnum(40);
    writeFileSync(join(dir, 'token.txt'), v + '\n', { mode: 0o600 });
    const d = deps();
    const s = await resolveSecret('t', { from: 'file', path: 'token.txt' }, d);
    expect(s.reveal()).toBe(v);
    expect(d.registry.warnings).toEqual([]);
  });

  it('file: keeps a multi-line value (PEM) and masks each of its lines', async () => {
    const pem = `-----BEGIN KEY-----\n${alnum(60)}\n${alnum(60)}\n-----END KEY-----`;
    writeFileSync(join(dir, 'key.pem'), pem + '\r\n', { mode: 0o600 });
    const d = deps();
    const s = await resolveSecret('k', { from: 'file', path: join(dir, 'key.pem') }, d);
    expect(s.reveal()).toBe(pem);
    const line = pem.split('\n')[2]!;
    expect(d.registry.redactor.redact(`got ${line}`)).toBe(`got ${MASK}`);
  });

  it('file: warns (without the value) when the file is readable by others', async () => {
    const v = alnum(30);
    const p = join(dir, 'open.txt');
    writeFileSync(p, v);
    chmodSync(p, 0o644);
    const d = deps();
    const seen: string[] = [];
    d.registry.onWarning = (m) => seen.push(m);
    const s = await resolveSecret('o', { from: 'file', path: 'open.txt' }, d);
    expect(s.reveal()).toBe(v);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/readable by everyone \(mode 0644\); chmod 600/);
    expect(seen[0]).not.toContain(v);
  });

  it('file: a missing file or a directory is a UsageError naming the path', async () => {
    const e = await failure(resolveSecret('m', { from: 'file', path: 'missing.txt' }, deps()));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toContain(join(dir, 'missing.txt'));
    expect(e.message).toContain('not found');
    const e2 = await failure(resolveSecret('m', { from: 'file', path: '.' }, deps()));
    expect(e2.message).toContain('not a regular file');
  });

  it('command: stdout of an argv (no shell), trailing newline trimmed, run in the runbook folder', async () => {
    const v = alnum(32);
    const d = deps({ env: { VAULT_ADDR: 'http://127.0.0.1:1', UNRELATED_SECRET: 'nope' } });
    const script = `process.stdout.write(process.argv[1] + '|' + process.cwd() + '|' + (process.env.VAULT_ADDR ?? '') + '|' + (process.env.UNRELATED_SECRET ?? '') + '\\n')`;
    const s = await resolveSecret('c', { from: 'command', command: [NODE, '-e', script, v] }, d);
    expect(s.reveal()).toBe(`${v}|${dir}|http://127.0.0.1:1|`);
  });

  it('command: a non-zero exit names the secret and argv0 only — never args, stdout or stderr', async () => {
    const v = alnum(32);
    const arg = alnum(24);
    const script = `console.log(${JSON.stringify(v)}); console.error(${JSON.stringify(v)}); process.exit(5)`;
    const d = deps();
    const e = await failure(resolveSecret('c', { from: 'command', command: [NODE, '-e', script, arg] }, d));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe(`secret "c": command ${NODE} exited with code 5`);
    const all = everything(e);
    expect(all).not.toContain(v);
    expect(all).not.toContain(arg);
    expect(all).not.toContain('-e');
    expect(d.registry.get('c')).toBeUndefined();
  });

  it('command: a command that cannot start names the secret and argv0', async () => {
    const arg = alnum(24);
    const e = await failure(resolveSecret('c', { from: 'command', command: ['runbook-no-such-tool', arg] }, deps()));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('secret "c": command runbook-no-such-tool: command not found');
    expect(everything(e)).not.toContain(arg);
  });

  it('command: times out, and an abort interrupts', async () => {
    const e = await failure(resolveSecret('c', { from: 'command', command: [NODE, '-e', 'setInterval(() => {}, 1000)'] }, deps({ commandTimeoutMs: 300 })));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(/did not finish within/);
    const ac = new AbortController();
    const p = resolveSecret('c', { from: 'command', command: [NODE, '-e', 'setInterval(() => {}, 1000)'] }, deps({ signal: ac.signal }));
    setTimeout(() => ac.abort(), 200);
    expect(await failure(p)).toBeInstanceOf(InterruptedError);
  });

  it('command: stdin is closed, so a command reading it does not hang', async () => {
    const e = await failure(
      resolveSecret('c', { from: 'command', command: [NODE, '-e', 'process.stdin.on("data", () => {}).on("end", () => process.exit(0))'] }, deps({ commandTimeoutMs: 10_000 })),
    );
    expect(e.message).toMatch(/output of .* is empty/);
  });

  it('prompt: asks through the UI prompt and registers the answer', async () => {
    const v = alnum(28);
    const asked: string[] = [];
    const d = deps({ prompt: async (q) => (asked.push(q), v + '\n') });
    const s = await resolveSecret('p', { from: 'prompt', prompt: 'Paste the new key' }, d);
    expect(asked).toEqual(['Paste the new key']);
    expect(s.reveal()).toBe(v);
    expect(d.registry.redactor.redact(v)).toBe(MASK);
  });

  it('prompt: without a prompt function (scripted) fails at once, naming the variable', async () => {
    const e = await failure(resolveSecret('new-key', { from: 'prompt' }, deps()));
    expect(e).toBeInstanceOf(UsageError);
    expect(secretEnvVar('new-key')).toBe('RUNBOOK_SECRET_NEW_KEY');
    expect(everything(e)).toContain('RUNBOOK_SECRET_NEW_KEY');
  });

  it('prompt: RUNBOOK_SECRET_<NAME> answers it without asking', async () => {
    const v = alnum(28);
    const s = await resolveSecret('new_key', { from: 'prompt' }, deps({ env: { RUNBOOK_SECRET_NEW_KEY: v }, prompt: () => Promise.reject(new Error('asked')) }));
    expect(s.reveal()).toBe(v);
  });

  it('prompt: an abort while waiting interrupts', async () => {
    const ac = new AbortController();
    const p = resolveSecret('p', { from: 'prompt' }, deps({ prompt: () => new Promise<string>(() => {}), signal: ac.signal }));
    ac.abort();
    expect(await failure(p)).toBeInstanceOf(InterruptedError);
  });

  it('a value shorter than 6 characters resolves, but the registry warns', async () => {
    const d = deps({ env: { PIN: '12345' } });
    const s = await resolveSecret('pin', { from: 'env', env: 'PIN' }, d);
    expect(s.reveal()).toBe('12345');
    expect(d.registry.warnings).toHaveLength(1);
    expect(d.registry.warnings[0]).toMatch(/secrets\.pin is shorter than 6/);
    expect(d.registry.warnings[0]).not.toContain('12345');
  });

  it('resolveSecrets resolves all in order', async () => {
    const a = alnum(20);
    const b = alnum(20);
    const d = deps({ env: { A: a, B: b } });
    const all = await resolveSecrets({ a: { from: 'env', env: 'A' }, b: { from: 'env', env: 'B' } }, d);
    expect(Object.keys(all)).toEqual(['a', 'b']);
    expect(d.registry.names()).toEqual(['a', 'b']);
  });
});
