/**
 * SMTP simulator: a real SMTP server (the `smtp-server` package) on 127.0.0.1 that accepts
 * mail (AUTH optional, STARTTLS disabled), keeps every message, and offers an HTTP read-back
 * so drills and tests can verify what was sent — something real SMTP cannot do:
 *
 *   GET {readbackUrl}/messages?dedupe=<X-Runbook-Dedupe-Id>   → 200 {messages:[…]}
 *   GET {readbackUrl}/messages                                → 200 {messages:[…]} (all)
 *   DELETE {readbackUrl}/messages                             → 200 {deleted:n}
 *
 * Options: `users` turns on credential checks (wrong password → 535), `rejectRecipient`
 * makes RCPT TO fail with 550 for chosen addresses. Messages are parsed just enough for
 * tests (headers, text/plain and text/html parts, quoted-printable/base64).
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { startHttpSimulator, json, type HttpSimulator } from './base.js';

export interface StoredMessage {
  /** envelope */
  from: string;
  to: string[];
  /** header fields (lower-case names, unfolded, encoded-words decoded) */
  headers: Record<string, string>;
  messageId: string;
  dedupeId: string | undefined;
  subject: string;
  text: string | undefined;
  html: string | undefined;
  /** the authenticated user, if any */
  user: string | undefined;
  raw: string;
  receivedAt: string;
}

export interface SmtpSimulatorOptions {
  /** user → password; when set, AUTH with anything else fails (535) */
  users?: Record<string, string>;
  rejectRecipient?: (address: string) => boolean;
}

export interface SmtpSimulator {
  host: string;
  port: number;
  /** base URL of the HTTP read-back (`readback_url` in the email provider config) */
  readbackUrl: string;
  http: HttpSimulator;
  messages: StoredMessage[];
  /** email provider config overrides that aim an instance at this simulator */
  configFor<C extends object>(config: C): C & { host: string; port: number; secure: false; ignore_tls: true; require_tls: false; readback_url: string };
  /** told of each accepted message before the server answers 250 (a drill persists it there) */
  setOnMessage(fn: ((m: StoredMessage) => void | Promise<void>) | undefined): void;
  /** messages whose X-Runbook-Dedupe-Id equals `id` */
  byDedupe(id: string): StoredMessage[];
  close(): Promise<void>;
}

function decodeWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQp(data.replace(/_/g, ' ')),
  );
}

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const src = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

interface Part {
  headers: Record<string, string>;
  body: string;
}

function splitPart(raw: string): Part {
  const sep = raw.search(/\r?\n\r?\n/);
  const head = sep < 0 ? raw : raw.slice(0, sep);
  const body = sep < 0 ? '' : raw.slice(sep).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  return { headers, body };
}

function decodeBody(p: Part): string {
  const cte = (p.headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (cte === 'base64') return Buffer.from(p.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') return decodeQp(p.body);
  return p.body;
}

/** Collect the text/plain and text/html leaves of a (possibly multipart) message. */
function leaves(p: Part, out: { text?: string; html?: string }): void {
  const ct = p.headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(ct)?.[1];
  if (/^multipart\//i.test(ct) && boundary) {
    const chunks = p.body.split(`--${boundary}`);
    for (const c of chunks.slice(1)) {
      if (c.startsWith('--')) break;
      leaves(splitPart(c.replace(/^\r?\n/, '')), out);
    }
    return;
  }
  if (/^text\/html/i.test(ct)) out.html ??= decodeBody(p);
  else if (/^text\/plain/i.test(ct)) out.text ??= decodeBody(p);
}

export function parseMessage(raw: string): Pick<StoredMessage, 'headers' | 'messageId' | 'dedupeId' | 'subject' | 'text' | 'html'> {
  const top = splitPart(raw);
  const parts: { text?: string; html?: string } = {};
  leaves(top, parts);
  return {
    headers: top.headers,
    messageId: top.headers['message-id'] ?? '',
    dedupeId: top.headers['x-runbook-dedupe-id'],
    subject: top.headers['subject'] ?? '',
    text: parts.text,
    html: parts.html,
  };
}

export async function startSmtpSimulator(opts: SmtpSimulatorOptions = {}): Promise<SmtpSimulator> {
  const messages: StoredMessage[] = [];
  let onMessage: ((m: StoredMessage) => void | Promise<void>) | undefined;
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'runbook SMTP simulator',
    // no DNS: the simulator never leaves loopback
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      if (!opts.users) return cb(null, { user: auth.username });
      const ok = auth.username !== undefined && Object.hasOwn(opts.users, auth.username) && opts.users[auth.username] === auth.password;
      if (!ok) return cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      cb(null, { user: auth.username });
    },
    onRcptTo(address, _session, cb) {
      if (opts.rejectRecipient?.(address.address)) return cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const m: StoredMessage = { from, to: session.envelope.rcptTo.map((r) => r.address), user: typeof session.user === 'string' ? session.user : undefined, raw, receivedAt: new Date().toISOString(), ...parseMessage(raw) };
        messages.push(m);
        // the 250 waits for the message to be durable (a drill's world); a failure answers 451 and forgets it
        const refuse = () => {
          const i = messages.indexOf(m);
          if (i >= 0) messages.splice(i, 1);
          cb(Object.assign(new Error('Local error in processing'), { responseCode: 451 }));
        };
        let durable: void | Promise<void>;
        try {
          durable = onMessage?.(m);
        } catch {
          return refuse();
        }
        if (durable) durable.then(() => cb(null), refuse);
        else cb(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const view = (m: StoredMessage) => ({ messageId: m.messageId, dedupeId: m.dedupeId, from: m.from, to: m.to, subject: m.subject, receivedAt: m.receivedAt });
  const http = await startHttpSimulator('smtp-readback', (req) => {
    if (req.path !== '/messages') return undefined;
    if (req.method === 'GET') {
      const dedupe = req.query.get('dedupe');
      return { op: 'listMessages', respond: () => json(200, { messages: messages.filter((m) => dedupe === null || m.dedupeId === dedupe).map(view) }) };
    }
    if (req.method === 'DELETE') return { op: 'clearMessages', respond: () => json(200, { deleted: messages.splice(0).length }) };
    return undefined;
  });
  return {
    host: '127.0.0.1',
    port,
    readbackUrl: http.url,
    http,
    messages,
    configFor: (config) => ({ ...config, host: '127.0.0.1', port, secure: false, ignore_tls: true, require_tls: false, readback_url: http.url }),
    setOnMessage: (fn) => {
      onMessage = fn;
    },
    byDedupe: (id) => messages.filter((m) => m.dedupeId === id),
    close: async () => {
      await http.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
