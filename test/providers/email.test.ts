/**
 * email provider against the SMTP simulator (a real SMTP server from `smtp-server`, in-process).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import email from '../../src/providers/email/index.js';
import { createActionContext, memoryLogger } from '../../src/providers/context.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { ProviderError } from '../../src/core/errors.js';
import { setLoopbackOnly } from '../../src/core/http.js';
import { startSmtpSimulator, type SmtpSimulator } from '../../src/drill/simulators/smtp.js';

const send = email.actions.send!;
const CANARY = 'canary-' + randomBytes(12).toString('hex');

function emailContext(config: Record<string, unknown> & { password?: string }, incident = 'inc-1') {
  const secrets = new SecretRegistry();
  const log = memoryLogger();
  const evidence: unknown[] = [];
  const { password, ...rest } = config;
  const parsed = email.config.parse({ ...rest, ...(password !== undefined ? { password: secrets.create(password, 'secrets.smtp_password') } : {}) });
  const ctx = createActionContext({ type: 'email', action: 'send', config: parsed, secrets, log, onEvidence: (e) => evidence.push(e), incident: { id: incident, stepId: 'notify-users', itemKey: '-' } });
  return { ctx, log, evidence, secrets };
}

describe('email.send against the SMTP simulator', () => {
  let sim: SmtpSimulator;
  beforeAll(async () => {
    sim = await startSmtpSimulator({ users: { alice: CANARY }, rejectRecipient: (a) => a.startsWith('nobody@') });
  });
  afterAll(() => sim.close());
  afterEach(() => {
    sim.messages.splice(0);
  });
  const base = () => sim.configFor({ from: 'security@acme.test', user: 'alice', password: CANARY });

  it('sends one message per recipient with a dedupe header, a derived Message-ID, text and escaped HTML', async () => {
    const { ctx, log, evidence } = emailContext(base());
    const body = [
      '# Your token was revoked',
      '',
      'Space **acme/demo** <img src=x onerror=alert(1)> leaked a token ending in `Ab12`.',
      '',
      '- [rotate it](https://huggingface.co/settings/tokens)',
      '- [click me](javascript:alert(document.cookie))',
      '',
      '<script>alert("x")</script>',
    ].join('\n');
    const input = send.input.parse({ to: ['a@acme.test', 'b@acme.test', 'A@acme.test'], subject: 'Token revoked\r\nBcc: evil@x.test', body });
    const out = await send.run(ctx, input);
    expect(out.messages.map((m: any) => [m.to, m.accepted])).toEqual([['a@acme.test', true], ['b@acme.test', true]]);
    expect(sim.messages).toHaveLength(2);
    for (const [i, to] of ['a@acme.test', 'b@acme.test'].entries()) {
      const m = sim.messages[i]!;
      expect(m.to).toEqual([to]);
      expect(m.from).toBe('security@acme.test');
      expect(m.user).toBe('alice');
      expect(m.dedupeId).toBe(`inc-1/notify-users/-/${to}`);
      expect(m.messageId).toBe(out.messages[i].messageId);
      expect(m.messageId).toMatch(/^<[0-9a-f]{32}@acme\.test>$/);
      expect(m.subject).toBe('Token revoked Bcc: evil@x.test');
      expect(m.headers.bcc).toBeUndefined();
      expect(m.text).toContain('Space acme/demo');
      expect(m.text).toContain('rotate it (https://huggingface.co/settings/tokens)');
      expect(m.html).toContain('<h1>Your token was revoked</h1>');
      expect(m.html).toContain('<strong>acme/demo</strong>');
      expect(m.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(m.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(m.html).toContain('<a href="https://huggingface.co/settings/tokens">rotate it</a>');
      expect(m.html).not.toMatch(/<img|<script|javascript:|onerror=(?!alert\(1\)&gt;)/);
    }
    // the same step again: same ids (a resumed run can be recognised)
    const again = await send.run(ctx, input);
    expect(again.messages.map((m: any) => m.messageId)).toEqual(out.messages.map((m: any) => m.messageId));
    // … and, with the simulator's mailbox read-back, not mailed again (email-readback.test.ts)
    expect(sim.byDedupe('inc-1/notify-users/-/a@acme.test')).toHaveLength(1);
    expect(send.idempotent).toBe(false);
    expect(evidence).toContainEqual({ detail: '2 sent, 0 rejected' });
    for (const text of [JSON.stringify(out), ...log.lines, JSON.stringify(evidence)]) expect(text).not.toContain(CANARY);
  });

  it('verify reads back by dedupe id where a mailbox read-back exists, and says unknown otherwise', async () => {
    const { ctx } = emailContext(base(), 'inc-verify');
    const input = send.input.parse({ to: ['a@acme.test', 'b@acme.test'], subject: 's', body: 'b' });
    expect(await send.verify!(ctx, input, undefined)).toMatchObject({ state: 'not-done', detail: 'no message for a@acme.test, b@acme.test' });
    await send.run(ctx, input);
    expect(await send.verify!(ctx, input, undefined)).toMatchObject({ state: 'done' });
    sim.messages.splice(1);
    expect(await send.verify!(ctx, input, undefined)).toMatchObject({ state: 'not-done', detail: 'no message for b@acme.test' });
    const live = emailContext({ ...base(), readback_url: undefined });
    expect(await send.verify!(live.ctx, input, undefined)).toMatchObject({ state: 'unknown', detail: expect.stringContaining('cannot be read back') });
    sim.http.setFaults(() => ({ type: 'status', status: 503 }));
    try {
      expect(await send.verify!(ctx, input, undefined)).toMatchObject({ state: 'unknown', detail: 'mailbox read-back answered HTTP 503' });
    } finally {
      sim.http.setFaults(undefined);
    }
  });

  it('a wrong password is a ProviderError that never carries the password', async () => {
    const wrong = `${CANARY}-wrong`;
    const { ctx, log, evidence } = emailContext({ ...base(), password: wrong });
    const err = await send.run(ctx, send.input.parse({ to: 'a@acme.test', subject: 's', body: 'b' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    const pe = err as ProviderError;
    expect(pe).toMatchObject({ code: 'AUTH_FAILED', failure: 'definite', message: 'email.send: SMTP authentication failed at 127.0.0.1:' + sim.port + ' for user alice (SMTP 535)' });
    expect(pe.cause).toBeUndefined();
    expect(sim.messages).toHaveLength(0);
    for (const text of [pe.message, JSON.stringify(pe), String(pe.stack), ...pe.nextSteps, ...log.lines, JSON.stringify(evidence)]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(Buffer.from(`\u0000alice\u0000${wrong}`).toString('base64').slice(0, 12));
    }
  });

  it('a rejected recipient fails the step after the others were sent, or is reported with on_reject: continue', async () => {
    const { ctx } = emailContext(base());
    const to = ['a@acme.test', 'nobody@acme.test', 'b@acme.test'];
    const err = await send.run(ctx, send.input.parse({ to, subject: 's', body: 'b' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('RECIPIENT_REJECTED');
    expect((err as ProviderError).message).toContain('rejected nobody@acme.test (2 other message(s) were sent)');
    expect(sim.messages.map((m) => m.to[0])).toEqual(['a@acme.test', 'b@acme.test']);
    const out = await send.run(ctx, send.input.parse({ to, subject: 's', body: 'b', on_reject: 'continue' }));
    expect(out.messages.map((m: any) => m.accepted)).toEqual([true, false, true]);
  });

  it('connection refused is a not-sent ProviderError', async () => {
    const other = await startSmtpSimulator();
    const port = other.port;
    await other.close();
    const { ctx } = emailContext({ ...base(), port });
    const err = await send.run(ctx, send.input.parse({ to: 'a@acme.test', subject: 's', body: 'b' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ failure: 'not-sent', code: 'CONNECTION' });
    expect((err as ProviderError).retryable).toBe(true);
  });

  it('a server that never greets times out as a not-sent ProviderError', async () => {
    const sockets = new Set<Socket>();
    const mute = createServer((sock) => sockets.add(sock));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    try {
      const { ctx } = emailContext({ ...base(), port: (mute.address() as AddressInfo).port, timeout_ms: 300 });
      const err = await send.run(ctx, send.input.parse({ to: 'a@acme.test', subject: 's', body: 'b' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ failure: 'not-sent', code: 'CONNECTION', message: expect.stringContaining('timed out') });
      expect((err as Error).message).not.toContain(CANARY);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => mute.close(r));
    }
  });

  it('in a drill, a non-loopback SMTP host is refused before connecting', async () => {
    setLoopbackOnly(true);
    try {
      const { ctx } = emailContext({ ...base(), host: 'smtp.example.com' });
      const err = await send.run(ctx, send.input.parse({ to: 'a@acme.test', subject: 's', body: 'b' })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'DRILL_OUTBOUND_REFUSED' });
    } finally {
      setLoopbackOnly(false);
    }
  });

  it('plans one line per unique recipient and rejects bad input', async () => {
    const { ctx } = emailContext(base());
    const lines = await send.plan!(ctx, send.input.parse({ to: ['a@acme.test', 'a@acme.test'], subject: 'Hi', body: 'x' }));
    expect(lines).toEqual([`mail "Hi" from security@acme.test to a@acme.test via 127.0.0.1:${sim.port} (X-Runbook-Dedupe-Id: inc-1/notify-users/-/a@acme.test)`]);
    expect(send.input.safeParse({ to: 'a@acme.test\r\nBcc: x@y.z', subject: 's', body: '' }).success).toBe(false);
    expect(send.input.safeParse({ to: [], subject: 's', body: '' }).success).toBe(false);
    expect(send.input.safeParse({ to: 'a@acme.test', subject: 's', body: '', cc: 'x@y.z' }).success).toBe(false);
    expect(email.config.safeParse({ host: 'h', from: 'a@b.test', user: 'u' }).success).toBe(false);
    expect(email.config.safeParse({ host: 'h', from: 'a@b.test', password: 'literal' }).success).toBe(false);
  });
});

describe('SMTP simulator contract', () => {
  it('answers the read-back with the documented shape and filters by dedupe id', async () => {
    const sim = await startSmtpSimulator();
    try {
      const { ctx } = emailContext(sim.configFor({ from: 'x@acme.test' }), 'inc-c');
      await send.run(ctx, send.input.parse({ to: ['p@acme.test', 'q@acme.test'], subject: 'S', body: 'B' }));
      const all = (await (await fetch(`${sim.readbackUrl}/messages`)).json()) as { messages: unknown[] };
      expect(all.messages).toHaveLength(2);
      const one = await (await fetch(`${sim.readbackUrl}/messages?dedupe=${encodeURIComponent('inc-c/notify-users/-/q@acme.test')}`)).json();
      expect(one).toEqual({ messages: [{ messageId: expect.stringMatching(/^<.+@acme\.test>$/), dedupeId: 'inc-c/notify-users/-/q@acme.test', from: 'x@acme.test', to: ['q@acme.test'], subject: 'S', receivedAt: expect.any(String) }] });
      expect(sim.messages[0]!.user).toBeUndefined();
      expect(await fetch(`${sim.readbackUrl}/messages`, { method: 'DELETE' }).then((r) => r.json())).toEqual({ deleted: 2 });
      expect(sim.messages).toHaveLength(0);
    } finally {
      await sim.close();
    }
  });
});
