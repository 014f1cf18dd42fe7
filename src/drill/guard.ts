/**
 * The drill's outbound guard, below every client library: while it is on, any TCP connection
 * from this process to a host that is not loopback is refused before a packet is sent — SMTP
 * (nodemailer's raw sockets), undici's fetch, node:http/https, a plugin's own `net.connect`.
 * `net.connect`, `tls.connect`, `http.request` and undici all end in `Socket.prototype.connect`,
 * which is wrapped here; the HTTP door's own loopback guard (`setLoopbackOnly`) stays on too.
 *
 * Host names other than `localhost` are refused without a DNS lookup (a name could resolve
 * anywhere). Unix-domain sockets (local IPC) are allowed. Child processes are not covered: a
 * shell step runs in a drill only when the runbook marks it `drill.safe`.
 *
 * A drill turns it on with guardUntilExit() before anything of the runbook loads (plugins) and
 * it stays on until the process exits.
 */
import net from 'node:net';
import { isLoopbackHost } from '../core/http.js';

export interface Refusal {
  host: string;
  port: number | undefined;
  at: number;
}

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;

let original: Connect | undefined;
let refusals: Refusal[] = [];
/** on until the process exits: releaseOutbound() leaves it on */
let pinned = false;

function target(args: unknown[]): { host?: string; port?: number; path?: string } {
  let a = args[0];
  // internal calls pass [options, cb] as a single normalized array
  if (Array.isArray(a)) a = a[0];
  if (a && typeof a === 'object') {
    const o = a as { host?: unknown; port?: unknown; path?: unknown };
    if (typeof o.path === 'string') return { path: o.path };
    return { host: typeof o.host === 'string' ? o.host : 'localhost', port: o.port === undefined ? undefined : Number(o.port) };
  }
  if (typeof a === 'string' && !/^\d+$/.test(a)) return { path: a };
  return { port: Number(a), host: typeof args[1] === 'string' ? args[1] : 'localhost' };
}

/** Turn the guard on (idempotent). Returns the list that records every refused attempt. */
export function guardOutbound(): Refusal[] {
  if (original) return refusals;
  refusals = [];
  const orig = net.Socket.prototype.connect as unknown as Connect;
  original = orig;
  const guarded: Connect = function (this: net.Socket, ...args: unknown[]) {
    const t = target(args);
    if (t.path !== undefined || isLoopbackHost(t.host ?? 'localhost')) return orig.apply(this, args);
    refusals.push({ host: t.host ?? '?', port: t.port, at: Date.now() });
    const err = Object.assign(new Error(`drill: refused a connection to ${t.host}${t.port ? `:${t.port}` : ''} — a drill may only reach the loopback simulators`), {
      code: 'DRILL_OUTBOUND_REFUSED',
    });
    process.nextTick(() => this.destroy(err));
    return this;
  };
  net.Socket.prototype.connect = guarded as unknown as typeof net.Socket.prototype.connect;
  return refusals;
}

/**
 * Turn the guard on for the rest of this process, with a fresh list of refusals: a drill calls
 * it first, before the runbook's plugins load (a plugin's module code or a timer it leaves
 * behind runs outside any action, and may run after the drill's own cleanup).
 */
export function guardUntilExit(): Refusal[] {
  guardOutbound();
  refusals.length = 0;
  pinned = true;
  return refusals;
}

/** Turn the guard off (tests). A guard pinned by guardUntilExit stays on unless `force`. */
export function releaseOutbound(force = false): void {
  if (!original || (pinned && !force)) return;
  pinned = false;
  net.Socket.prototype.connect = original as unknown as typeof net.Socket.prototype.connect;
  original = undefined;
}

export function outboundRefusals(): readonly Refusal[] {
  return refusals;
}
