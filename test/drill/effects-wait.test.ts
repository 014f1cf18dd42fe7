/**
 * Issue 15: a drill's world effects are group-committed — written at once, fsynced off the
 * event loop — so a simulator must not answer before the effect is durable: its answer waits
 * for the promise the effect hook returns (a rejected one answers 500; the SMTP simulator
 * answers 451 and forgets the message). Real servers on loopback, real clients (fetch,
 * nodemailer).
 */
import { afterEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { json, startHttpSimulator, type HttpSimulator } from '../../src/drill/simulators/base.js';
import { startSmtpSimulator, type SmtpSimulator } from '../../src/drill/simulators/smtp.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** resolves when `p` settles or after `turns` rounds of the event loop, whichever is first */
async function settledWithin<T>(p: Promise<T>, turns = 50): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < turns && !done; i++) await new Promise((r) => setImmediate(r));
  return done;
}

let sim: HttpSimulator | undefined;
let smtp: SmtpSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  await smtp?.close();
  sim = smtp = undefined;
});

describe('a simulator answers only once its effect is durable', () => {
  it('an HTTP answer waits for the hook’s promise', async () => {
    let revoked = 0;
    sim = await startHttpSimulator('t', (req) => (req.method === 'POST' ? { op: 'revoke', respond: () => (revoked++, json(202, { ok: true })) } : undefined));
    const d = deferred();
    sim.setEffects(() => d.promise);
    const answer = fetch(`${sim.url}/revoke`, { method: 'POST' });
    // applied, but not answered while the effect is not durable
    expect(await settledWithin(answer)).toBe(false);
    expect(revoked).toBe(1);
    d.resolve();
    expect((await answer).status).toBe(202);
  });

  it('a hook that rejects (the effect could not be made durable) answers 500', async () => {
    sim = await startHttpSimulator('t', () => ({ op: 'revoke', respond: () => json(202, { ok: true }) }));
    sim.setEffects(() => Promise.reject(new Error('fsync failed')));
    const r = await fetch(`${sim.url}/revoke`, { method: 'POST' });
    expect(r.status).toBe(500);
  });

  it('the SMTP 250 waits for the hook; a rejected one answers 451 and the message is not kept', async () => {
    smtp = await startSmtpSimulator();
    const d = deferred();
    smtp.setOnMessage(() => d.promise);
    const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true });
    const sent = transport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'one', text: 'x' });
    expect(await settledWithin(sent, 200)).toBe(false);
    d.resolve();
    await expect(sent).resolves.toMatchObject({ accepted: ['b@example.com'] });
    expect(smtp.messages).toHaveLength(1);

    smtp.setOnMessage(() => Promise.reject(new Error('fsync failed')));
    await expect(transport.sendMail({ from: 'a@example.com', to: 'c@example.com', subject: 'two', text: 'y' })).rejects.toMatchObject({ responseCode: 451 });
    expect(smtp.messages.map((m) => m.subject)).toEqual(['one']);
    transport.close();
  });
});
