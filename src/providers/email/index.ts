/**
 * email — notify people over SMTP (nodemailer).
 *
 * `send` mails one message per recipient (notifying every affected user), each with a dedupe
 * header `X-Runbook-Dedupe-Id: <idempotencyKey>/<recipient>` and a Message-ID derived from
 * it, so a resumed run can tell — where the mailbox can be read — whether a message already
 * went out. The body is Markdown rendered to text and HTML (raw HTML escaped: ./render.ts).
 *
 * Verification: SMTP cannot be read back. `verify` returns `unknown` (the engine then asks the
 * operator) unless the instance has a `readback_url` — a mailbox that can be searched by dedupe
 * id, as the SMTP simulator offers (src/drill/simulators/smtp.ts) — so drills can verify. With
 * one, `send` also reads back before each recipient and skips a message already delivered (an
 * interrupted run that mailed some recipients mails only the others when called again).
 *
 * Errors are rebuilt as ProviderError from nodemailer's code and SMTP reply code only: its
 * error text and response can echo credentials, so they are never passed on.
 *
 * nodemailer and the Markdown renderer (marked) are imported when a message is sent, not
 * when the provider is loaded.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ProviderError, type FailureClass } from '../../core/errors.js';
import { isLoopbackHost, isLoopbackOnly } from '../../core/http.js';
import { defineAction, defineProvider, secretField, type ActionContext } from '../sdk.js';

let mailer: Promise<(typeof import('nodemailer'))['default']> | undefined;
let renderer: Promise<typeof import('./render.js')> | undefined;
const loadNodemailer = () => (mailer ??= import('nodemailer').then((m) => m.default));
const loadRender = () => (renderer ??= import('./render.js'));

const Config = z
  .strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** TLS from the first byte (port 465) */
    secure: z.boolean().default(false),
    /** refuse to send unless STARTTLS succeeds */
    require_tls: z.boolean().default(false),
    /** never try STARTTLS (local relays and simulators only) */
    ignore_tls: z.boolean().default(false),
    user: z.string().min(1).optional(),
    password: secretField().optional(),
    /** sender address */
    from: z.email(),
    /** a mailbox read-back (`GET {readback_url}/messages?dedupe=…`) — the SMTP simulator has one */
    readback_url: z.url().optional(),
    timeout_ms: z.number().int().positive().default(30_000),
  })
  .refine((c) => !(c.require_tls && c.ignore_tls), { message: 'require_tls and ignore_tls cannot both be true', path: ['ignore_tls'] })
  .refine((c) => (c.user === undefined) === (c.password === undefined), { message: 'user and password go together', path: ['password'] });
type Config = z.infer<typeof Config>;

const Address = z.email();
const SendInput = z.strictObject({
  /** one address or a list: one message per recipient */
  to: z.union([Address, z.array(Address).min(1)]),
  subject: z.string().min(1),
  /** Markdown */
  body: z.string(),
  /** a rejected recipient fails the step (after the others were tried), or is only reported */
  on_reject: z.enum(['fail', 'continue']).default('fail'),
});
type SendInput = z.infer<typeof SendInput>;

const SendOutput = z.object({
  messages: z.array(z.object({ to: z.string(), messageId: z.string(), accepted: z.boolean() })),
});
type SendOutput = z.infer<typeof SendOutput>;

export const DEDUPE_HEADER = 'X-Runbook-Dedupe-Id';

/** Unique recipients, in order (case-insensitive): a list with duplicates mails each person once. */
export function recipients(to: SendInput['to']): string[] {
  const seen = new Set<string>();
  return (Array.isArray(to) ? to : [to]).filter((a) => !seen.has(a.toLowerCase()) && seen.add(a.toLowerCase()));
}

export function dedupeId(ctx: Pick<ActionContext, 'idempotencyKey'>, to: string): string {
  return `${ctx.idempotencyKey}/${to.toLowerCase()}`;
}

export function messageIdFor(dedupe: string, from: string): string {
  const domain = from.split('@')[1] ?? 'runbook.invalid';
  return `<${createHash('sha256').update(dedupe).digest('hex').slice(0, 32)}@${domain}>`;
}

interface MailError {
  code?: unknown;
  responseCode?: unknown;
  command?: unknown;
}

/** Rebuild a nodemailer failure from its code and SMTP reply code only. */
function mailError(ctx: ActionContext<Config>, e: unknown, to: string): ProviderError {
  const { code, responseCode, command } = (e ?? {}) as MailError;
  const reply = typeof responseCode === 'number' ? ` (SMTP ${responseCode})` : '';
  const where = `${ctx.config.host}:${ctx.config.port}`;
  const make = (message: string, failure: FailureClass, c: string, nextSteps?: string[]) =>
    new ProviderError({ provider: ctx.instance, action: ctx.action, message: message + reply, failure, code: c, nextSteps });
  switch (code) {
    case 'EAUTH':
      return make(`SMTP authentication failed at ${where}${ctx.config.user ? ` for user ${ctx.config.user}` : ''}`, 'definite', 'AUTH_FAILED', ['Check the user and password of this email provider.']);
    case 'ENOAUTH':
      return make(`the SMTP server at ${where} requires authentication`, 'definite', 'AUTH_REQUIRED');
    case 'EENVELOPE':
      return make(`the SMTP server rejected recipient ${to}`, 'definite', 'RECIPIENT_REJECTED');
    case 'EMESSAGE':
      return make(`the SMTP server rejected the message to ${to}`, 'definite', 'MESSAGE_REJECTED');
    case 'ETLS':
      return make(`TLS with ${where} failed`, 'definite', 'TLS_FAILED');
    case 'EDNS':
      return make(`cannot resolve SMTP host ${ctx.config.host}`, 'not-sent', 'DNS');
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ETIMEDOUT': {
      // before DATA nothing was sent; during or after DATA the message may have gone out
      const sent = command === 'DATA';
      const what = code === 'ETIMEDOUT' ? 'timed out' : 'connection failed';
      return sent ? make(`SMTP ${what} while sending to ${to}; the message may have been delivered`, 'ambiguous', 'AMBIGUOUS') : make(`SMTP ${what} (${where})`, 'not-sent', 'CONNECTION');
    }
    default:
      return make(`sending to ${to} failed`, 'ambiguous', typeof code === 'string' ? code : 'SEND_FAILED');
  }
}

/** Whether the mailbox read-back has this item's message for `to` (a string: why it cannot tell). */
async function delivered(ctx: ActionContext<Config>, to: string): Promise<boolean | string> {
  const url = `${(ctx.config.readback_url ?? '').replace(/\/+$/, '')}/messages?dedupe=${encodeURIComponent(dedupeId(ctx, to))}`;
  try {
    const res = await ctx.http({ method: 'GET', url });
    if (!res.ok) return `mailbox read-back answered HTTP ${res.status}`;
    return (res.json<{ messages?: unknown[] }>().messages ?? []).length > 0;
  } catch (e) {
    return e instanceof ProviderError ? e.message : 'mailbox read-back failed';
  }
}

const send = defineAction<SendInput, SendOutput, Config>({
  kind: 'notify',
  description: 'Send a Markdown e-mail, one message per recipient, with a dedupe id header.',
  input: SendInput,
  output: SendOutput,
  idempotent: false,
  plan: (ctx, input) =>
    recipients(input.to).map((to) => `mail "${input.subject}" from ${ctx.config.from} to ${to} via ${ctx.config.host}:${ctx.config.port} (${DEDUPE_HEADER}: ${dedupeId(ctx, to)})`),
  async run(ctx, input) {
    const c = ctx.config;
    if (isLoopbackOnly() && !isLoopbackHost(c.host)) {
      throw new ProviderError({ provider: ctx.instance, action: ctx.action, message: `refused to contact ${c.host}: a drill may only reach the loopback simulators`, failure: 'definite', code: 'DRILL_OUTBOUND_REFUSED' });
    }
    const [nodemailer, { markdownToHtml, markdownToText }] = await Promise.all([loadNodemailer(), loadRender()]);
    const transport = nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.secure,
      requireTLS: c.require_tls,
      ignoreTLS: c.ignore_tls,
      auth: c.user && c.password ? { user: c.user, pass: c.password.reveal() } : undefined,
      connectionTimeout: c.timeout_ms,
      greetingTimeout: c.timeout_ms,
      socketTimeout: c.timeout_ms,
      logger: false,
      debug: false,
    });
    const onAbort = () => transport.close();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const text = markdownToText(input.body);
    const html = markdownToHtml(input.body);
    const subject = input.subject.replace(/[\r\n]+/g, ' ');
    const out: SendOutput = { messages: [] };
    const rejected: string[] = [];
    try {
      for (const to of recipients(input.to)) {
        ctx.signal.throwIfAborted();
        const id = dedupeId(ctx, to);
        const messageId = messageIdFor(id, c.from);
        // a mailbox that can be read back: a message an interrupted run already delivered is not sent again
        if (c.readback_url && (await delivered(ctx, to)) === true) {
          out.messages.push({ to, messageId, accepted: true });
          ctx.log.info(`already delivered (read back by ${DEDUPE_HEADER}): ${to} ${messageId}`);
          continue;
        }
        try {
          const info = await transport.sendMail({ from: c.from, to, subject, text, html, messageId, headers: { [DEDUPE_HEADER]: id } });
          const accepted = (info.accepted ?? []).some((a: unknown) => String(typeof a === 'object' && a && 'address' in a ? a.address : a).toLowerCase() === to.toLowerCase());
          out.messages.push({ to, messageId, accepted });
          if (!accepted) rejected.push(to);
          ctx.log.info(`${accepted ? 'sent' : 'rejected'}: ${to} ${messageId}`);
        } catch (e) {
          const err = mailError(ctx, e, to);
          if (err.code !== 'RECIPIENT_REJECTED') throw err;
          out.messages.push({ to, messageId, accepted: false });
          rejected.push(to);
          ctx.log.warn(`rejected: ${to}`);
        }
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      transport.close();
    }
    const sent = out.messages.length - rejected.length;
    ctx.evidence({ detail: `${sent} sent, ${rejected.length} rejected` });
    if (rejected.length && input.on_reject === 'fail') {
      throw new ProviderError({
        provider: ctx.instance,
        action: ctx.action,
        message: `the SMTP server rejected ${rejected.join(', ')} (${sent} other message(s) were sent)`,
        failure: 'definite',
        code: 'RECIPIENT_REJECTED',
        nextSteps: ['Fix or remove the rejected address; messages already sent carry a dedupe id, check them before re-running.'],
      });
    }
    return out;
  },
  async verify(ctx, input) {
    if (!ctx.config.readback_url) {
      return { state: 'unknown', detail: `SMTP cannot be read back: check the recipients' mailboxes for ${DEDUPE_HEADER} ${dedupeId(ctx, '<recipient>')}` };
    }
    const missing: string[] = [];
    for (const to of recipients(input.to)) {
      const got = await delivered(ctx, to);
      if (typeof got === 'string') return { state: 'unknown', detail: got };
      if (!got) missing.push(to);
    }
    if (!missing.length) return { state: 'done', detail: 'every recipient has the message' };
    return { state: 'not-done', detail: `no message for ${missing.join(', ')}` };
  },
});

export default defineProvider<Config>({
  type: 'email',
  description: 'Send notification e-mail over SMTP (one message per recipient, Markdown body, dedupe id header).',
  config: Config,
  actions: { send },
});
