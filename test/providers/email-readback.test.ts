/**
 * Issue 11 item 5: with a mailbox read-back (the SMTP simulator's), a send called again after an
 * interrupted one mails only the recipients that do not have the message yet — found by its
 * X-Runbook-Dedupe-Id — instead of mailing everyone twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import email from '../../src/providers/email/index.js';
import { createActionContext, memoryLogger } from '../../src/providers/context.js';
import { SecretRegistry } from '../../src/core/secrets/registry.js';
import { startSmtpSimulator, type SmtpSimulator } from '../../src/drill/simulators/smtp.js';

const send = email.actions.send!;

describe('email.send with a mailbox read-back', () => {
  let sim: SmtpSimulator;
  beforeAll(async () => {
    sim = await startSmtpSimulator();
  });
  afterAll(() => sim.close());

  const ctxFor = (config: Record<string, unknown>) =>
    createActionContext({ type: 'email', action: 'send', config: email.config.parse(config), secrets: new SecretRegistry(), log: memoryLogger(), incident: { id: 'inc-rb', stepId: 'notify-users', itemKey: '-' } });

  it('skips a recipient who already has this item\'s message, and sends to the others', async () => {
    const config = sim.configFor({ from: 'security@acme.test' });
    // the interrupted run: alice got her message, then the process died
    await send.run(ctxFor(config), send.input.parse({ to: 'alice@acme.test', subject: 'Token revoked', body: 'hello' }));
    expect(sim.messages).toHaveLength(1);
    // called again for both recipients
    const out = await send.run(ctxFor(config), send.input.parse({ to: ['alice@acme.test', 'bob@acme.test'], subject: 'Token revoked', body: 'hello' }));
    expect(sim.messages.map((m) => m.to[0])).toEqual(['alice@acme.test', 'bob@acme.test']);
    expect(out.messages.map((m: { to: string; accepted: boolean }) => [m.to, m.accepted])).toEqual([
      ['alice@acme.test', true],
      ['bob@acme.test', true],
    ]);
    expect(await send.verify!(ctxFor(config), send.input.parse({ to: ['alice@acme.test', 'bob@acme.test'], subject: 'x', body: 'y' }), undefined)).toMatchObject({ state: 'done' });
  });

  it('without a read-back, sends every time (SMTP cannot be asked)', async () => {
    sim.messages.splice(0);
    const { readback_url: _r, ...config } = sim.configFor({ from: 'security@acme.test' });
    await send.run(ctxFor(config), send.input.parse({ to: 'carol@acme.test', subject: 's', body: 'b' }));
    await send.run(ctxFor(config), send.input.parse({ to: 'carol@acme.test', subject: 's', body: 'b' }));
    expect(sim.messages).toHaveLength(2);
  });
});
